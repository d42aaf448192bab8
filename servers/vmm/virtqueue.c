/*
 * Split virtqueues, the device side: virtio 1.2 section 2.7.
 *
 *   2.7    ring placement: descriptor table 16-byte aligned, available ring
 *          2, used ring 4; the queue size is a power of 2
 *   2.7.5  descriptor table; chains follow VRING_DESC_F_NEXT; a chain is
 *          never longer than the queue size (2.7.5.2: so a longer walk is
 *          a loop); device-writable buffers come after the readable ones
 *          (2.7.4.2); INDIRECT only when VIRTIO_F_INDIRECT_DESC was
 *          negotiated (no device model here offers it)
 *   2.7.6  available ring: idx is free running, the driver never gets more
 *          than the queue size ahead of the device
 *   2.7.8  used ring: the element is written before idx (2.7.14); idx is
 *          published by vq_publish after the monitor committed its state
 *   2.7.7  used buffer notification suppression without EVENT_IDX
 *
 * Guest addresses are checked against guest RAM (guest_ptr): nothing the
 * guest writes in its rings can make the monitor touch anything else.
 */
#include "virtqueue.h"

#include <stddef.h>

#include <linux/virtio_ring.h>

/* Between reading the index and the entries it covers, and between writing
 * a used element and its index (2.7.13.3, 2.7.14). */
static void vq_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void *guest_ptr(const struct guest_mem *gm, uint64_t addr, uint32_t len, uint32_t align)
{
	if (addr < gm->base || (addr & (align - 1)))
		return NULL;
	uint64_t off = addr - gm->base;
	if (off > gm->size || len > gm->size - off)
		return NULL;
	return gm->host + off;
}

static bool power_of_two(uint32_t n)
{
	return n && !(n & (n - 1));
}

static volatile struct vring_desc *ring_desc(const struct guest_mem *gm, const struct vq_state *q)
{
	return guest_ptr(gm, q->desc, q->num * (uint32_t)sizeof(struct vring_desc),
	                 VRING_DESC_ALIGN_SIZE);
}

static volatile struct vring_avail *ring_avail(const struct guest_mem *gm, const struct vq_state *q)
{
	uint32_t size = (uint32_t)(sizeof(struct vring_avail) + q->num * sizeof(__virtio16));
	return guest_ptr(gm, q->driver, size, VRING_AVAIL_ALIGN_SIZE);
}

static volatile struct vring_used *ring_used(const struct guest_mem *gm, const struct vq_state *q)
{
	uint32_t size =
	    (uint32_t)(sizeof(struct vring_used) + q->num * sizeof(struct vring_used_elem));
	return guest_ptr(gm, q->device, size, VRING_USED_ALIGN_SIZE);
}

int vq_check(const struct guest_mem *gm, const struct vq_state *q, uint32_t num_max)
{
	if (!power_of_two(q->num) || q->num > num_max || q->num > VQ_NUM_MAX)
		return VQ_ERR_RING;
	if (!ring_desc(gm, q) || !ring_avail(gm, q) || !ring_used(gm, q))
		return VQ_ERR_RING;
	return VQ_OK;
}

/* One descriptor, read once, checked, appended to c. */
static int add_segment(const struct guest_mem *gm, struct vq_chain *c, struct vring_desc d)
{
	if (d.flags & VRING_DESC_F_INDIRECT)
		return VQ_ERR_INDIRECT;
	if (d.len == 0)
		return VQ_ERR_LEN;
	if (!guest_ptr(gm, d.addr, d.len, 1))
		return VQ_ERR_ADDR;
	bool write = (d.flags & VRING_DESC_F_WRITE) != 0;
	if (!write && c->write_len)
		return VQ_ERR_ORDER;
	if ((uint64_t)c->read_len + c->write_len + d.len > UINT32_MAX)
		return VQ_ERR_LEN; /* 2.7.5.2: at most 2^32 bytes in a chain */
	*(write ? &c->write_len : &c->read_len) += d.len;
	c->seg[c->nsegs++] = (struct vq_seg){(uint32_t)d.addr, d.len, write};
	return VQ_OK;
}

/* Walk the chain from head; more descriptors than the queue has is a loop. */
static int walk_chain(const struct guest_mem *gm, const struct vq_state *q, uint16_t head,
                      struct vq_chain *c)
{
	volatile struct vring_desc *table = ring_desc(gm, q);
	uint32_t i = head;
	c->head = head;
	c->nsegs = 0;
	c->read_len = c->write_len = 0;
	for (;;) {
		if (i >= q->num)
			return VQ_ERR_INDEX;
		if (c->nsegs == q->num)
			return VQ_ERR_LOOP;
		struct vring_desc d = {table[i].addr, table[i].len, table[i].flags, table[i].next};
		int err = add_segment(gm, c, d);
		if (err)
			return err;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return VQ_OK;
		i = d.next;
	}
}

int vq_pop(const struct guest_mem *gm, struct vq_state *q, struct vq_chain *c)
{
	volatile struct vring_avail *avail = ring_avail(gm, q);
	if (!avail || !ring_desc(gm, q))
		return VQ_ERR_RING;
	uint16_t idx = avail->idx;
	if (idx == q->last_avail)
		return 0;
	if ((uint16_t)(idx - q->last_avail) > q->num)
		return VQ_ERR_AVAIL;
	vq_barrier(); /* the entry is read after the index that covers it */
	uint16_t head = avail->ring[q->last_avail % q->num];
	int err = walk_chain(gm, q, head, c);
	if (err)
		return err;
	q->last_avail++;
	return 1;
}

int vq_push(const struct guest_mem *gm, struct vq_state *q, uint16_t head, uint32_t len)
{
	volatile struct vring_used *used = ring_used(gm, q);
	if (!used)
		return VQ_ERR_RING;
	volatile struct vring_used_elem *e = &used->ring[q->used_idx % q->num];
	e->id = head;
	e->len = len;
	q->used_idx++;
	return VQ_OK;
}

void vq_publish(const struct guest_mem *gm, const struct vq_state *q)
{
	volatile struct vring_used *used = ring_used(gm, q);
	if (!used)
		return;
	vq_barrier(); /* the elements before the index */
	used->idx = q->used_idx;
	vq_barrier(); /* the index before the interrupt status the guest reads */
}

bool vq_wants_interrupt(const struct guest_mem *gm, const struct vq_state *q)
{
	volatile struct vring_avail *avail = ring_avail(gm, q);
	vq_barrier();
	return avail && !(avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
}
