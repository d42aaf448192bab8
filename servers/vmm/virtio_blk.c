/*
 * The virtio block device: virtio 1.2 section 5.2.
 *
 *   5.2.1  device ID 2 (VIRTIO_ID_BLOCK, <linux/virtio_ids.h>)
 *   5.2.2  one queue, requestq (index 0)
 *   5.2.3  features offered: VIRTIO_BLK_F_SEG_MAX (so a request carries up
 *          to seg_max data buffers) and VIRTIO_BLK_F_FLUSH (a flush reaches
 *          the disk before it completes)
 *   5.2.4  configuration: capacity (512-byte sectors) and seg_max; the
 *          rest reads 0
 *   5.2.6  a request is a 16-byte device-readable header (type, reserved,
 *          sector), the data buffers (device-readable for OUT,
 *          device-writable for IN) and a 1-byte device-writable status.
 *          Here each part has its own descriptors, as Linux lays them out;
 *          another layout sets DEVICE_NEEDS_RESET. Sectors beyond the
 *          capacity or a length that is not a multiple of 512 get
 *          VIRTIO_BLK_S_IOERR (5.2.6.1), unknown types VIRTIO_BLK_S_UNSUPP.
 *   2.7.8  the used length is the bytes written: the data of an IN, and
 *          the status byte.
 * The requests of one notification go to the backend in batches, so that
 * the disk can work on several at once; they complete in ring order.
 *
 * Device tree node (the monitor's second transport, see virtio_dev.c):
 *
 *	virtio_mmio@a000200 { compatible = "virtio,mmio"; dma-coherent;
 *		reg = <0x0a000200 0x200>; interrupts = <0 17 4>; };
 */
#include "virtio_blk.h"

#include <string.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>

#define REQUESTQ   0u
#define HEADER_LEN ((uint32_t)sizeof(struct virtio_blk_outhdr))
#define SECTOR     512u

const struct virtio_device virtio_blk_device = {
    .device_id = VIRTIO_ID_BLOCK,
    .features = (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_FLUSH),
    .nr_queues = 1,
    .queue_num_max = VIRTIO_BLK_QUEUE_MAX,
};

/* The data buffers must all go one way: to the device for OUT, from it
 * for IN and GET_ID; FLUSH has none. Other types are not looked at. */
static int check_data(const struct vq_chain *c, const struct blk_request *r)
{
	bool want_write = r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_GET_ID;
	if (r->type == VIRTIO_BLK_T_FLUSH && r->ndata)
		return BLK_ERR_DATA;
	if (r->type != VIRTIO_BLK_T_IN && r->type != VIRTIO_BLK_T_OUT &&
	    r->type != VIRTIO_BLK_T_GET_ID)
		return 0;
	for (unsigned i = 1; i <= r->ndata; i++)
		if (c->seg[i].write != want_write)
			return BLK_ERR_DATA;
	return 0;
}

int virtio_blk_parse(const struct guest_mem *gm, const struct vq_chain *c, struct blk_request *r)
{
	if (c->nsegs < 2 || c->seg[0].write || c->seg[0].len != HEADER_LEN)
		return BLK_ERR_HEADER;
	const struct vq_seg *st = &c->seg[c->nsegs - 1];
	if (!st->write || st->len != 1)
		return BLK_ERR_STATUS;
	const volatile struct virtio_blk_outhdr *h = guest_ptr(gm, c->seg[0].addr, HEADER_LEN, 1);
	if (!h)
		return VQ_ERR_ADDR;
	r->type = h->type; /* read once: the guest may change it */
	r->sector = h->sector;
	r->ndata = c->nsegs - 2;
	r->status_addr = st->addr;
	r->data_len = 0;
	if (r->ndata > VIRTIO_BLK_SEG_MAX)
		return BLK_ERR_SEGS;
	for (unsigned i = 1; i <= r->ndata; i++)
		r->data_len += c->seg[i].len; /* the chain's total fits 32 bits (vq_pop) */
	return check_data(c, r);
}

uint8_t virtio_blk_check(const struct blk_request *r, uint64_t capacity)
{
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (r->data_len % SECTOR || r->sector > capacity ||
		    r->data_len / SECTOR > capacity - r->sector)
			return VIRTIO_BLK_S_IOERR;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH: return VIRTIO_BLK_S_OK;
	default: return VIRTIO_BLK_S_UNSUPP;
	}
}

int virtio_blk_config_read(uint64_t capacity, uint32_t off, unsigned size, uint32_t *val)
{
	struct virtio_blk_config cfg;
	uint32_t v = 0;
	if ((size != 1 && size != 2 && size != 4) || (off & (size - 1)))
		return -1;
	*val = 0;
	if (off + size > sizeof(cfg))
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.capacity = capacity;
	cfg.seg_max = VIRTIO_BLK_SEG_MAX;
	memcpy(&v, (const uint8_t *)&cfg + off, size); /* little endian, as the guest */
	*val = v;
	return 0;
}

static struct blk_pending pending[BLK_BATCH_MAX]; /* not state: refilled from the ring */

/* The backend does the batch, then each request gets its status byte and
 * used element (2.7.8: the used length counts the bytes written). */
static int complete(const struct guest_mem *gm, struct vq_state *q, unsigned n, blk_io_fn io,
                    void *ctx)
{
	bool any = false;
	for (unsigned i = 0; i < n; i++)
		any |= pending[i].for_io;
	if (any && io(ctx, pending, n) < 0)
		for (unsigned i = 0; i < n; i++)
			if (pending[i].for_io)
				pending[i].status = VIRTIO_BLK_S_IOERR;
	for (unsigned i = 0; i < n; i++) {
		const struct blk_pending *p = &pending[i];
		uint8_t status = p->status > VIRTIO_BLK_S_UNSUPP ? VIRTIO_BLK_S_IOERR : p->status;
		*(volatile uint8_t *)guest_ptr(gm, p->r.status_addr, 1, 1) = status;
		bool in = p->r.type == VIRTIO_BLK_T_IN && status == VIRTIO_BLK_S_OK;
		vq_push(gm, q, p->c.head, (in ? p->r.data_len : 0) + 1);
	}
	return (int)n;
}

/* Parse and check the chain in pending[n]: 0, or a layout error. */
static int take(const struct guest_mem *gm, unsigned n, uint64_t capacity)
{
	struct blk_pending *p = &pending[n];
	int err = virtio_blk_parse(gm, &p->c, &p->r);
	if (err)
		return err;
	p->status = virtio_blk_check(&p->r, capacity);
	p->for_io = p->status == VIRTIO_BLK_S_OK;
	return 0;
}

int virtio_blk_process(struct virtio_mmio *v, const struct guest_mem *gm, uint64_t capacity,
                       blk_io_fn io, void *ctx)
{
	struct vq_state *q = &v->vq[REQUESTQ];
	unsigned n = 0, segs = 0;
	int used = 0, r;
	if (!virtio_mmio_queue_live(v, REQUESTQ))
		return 0;
	while ((r = vq_pop(gm, q, &pending[n].c)) == 1) {
		if ((r = take(gm, n, capacity)) < 0)
			break;
		unsigned need = pending[n].for_io ? pending[n].r.ndata : 0;
		if (segs + need >
		    BLK_BATCH_SEGS) { /* the batch is full: this one starts the next */
			used += complete(gm, q, n, io, ctx);
			pending[0] = pending[n];
			n = segs = 0;
		}
		segs += need;
		if (++n == BLK_BATCH_MAX) {
			used += complete(gm, q, n, io, ctx);
			n = segs = 0;
		}
	}
	used += complete(gm, q, n, io, ctx);
	if (r < 0)
		virtio_mmio_needs_reset(v, r);
	if (used && vq_wants_interrupt(gm, q))
		v->isr |= VIRTIO_MMIO_INT_VRING; /* 4.2.3.4: used buffer notification */
	return used;
}
