/*
 * The block server (servers/devices/blk): a virtio driver at PL0 for
 * QEMU's virtio-blk devices (virtio 1.2 section 5.2) on their virtio-mmio
 * transports, version 2 (4.2), one device per VM with a disk, serving the
 * monitors over IPC (proto.h, BLK_RW).
 *
 * A call's badge is the disk (init gives each monitor a capability badged
 * with its own disk's number), its request is in that disk's request page,
 * shared with the monitor. The server copies the request, checks it (every
 * data buffer inside the VM's RAM, every sector on the disk, at most
 * BLK_MAX_SEGS buffers) and turns each request into one descriptor chain
 * of QEMU's device: the header, the VM's own buffers by physical address
 * (the data moves by DMA between the image file and guest RAM, no copy
 * here), the status byte. The chains of a batch are posted together, as
 * many as the queue holds, with one notification, so QEMU works on them at
 * once; a flush is posted after the requests before it have completed.
 * The server waits for the device's interrupts, then answers the call.
 * VIRTIO_BLK_T_FLUSH goes to the device too (VIRTIO_BLK_F_FLUSH), so a
 * flush the guest saw completed has reached the image file.
 *
 * Each disk has a page of the server's memory, at HV_SRV_DMA + disk * 4096,
 * whose physical address init tells it:
 *   0x000 descriptor table (QUEUE_NUM entries, 2.7)   0x800 available ring
 *   0xa00 used ring   0xe40 request headers   0xf40 status bytes
 *   0xf60 the device's serial
 * Before serving a disk the server reads the device's serial (5.2.6,
 * VIRTIO_BLK_T_GET_ID): it must be the name of the VM init gave the disk
 * to (hvrun sets it), else the disk is refused.
 */
#include "check.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <hv/proto.h>
#include <hv/syscall.h>
#include <hv/virtio_drv.h>
#include <stdbool.h>
#include <string.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#define QUEUE_NUM  128u
#define AVAIL_OFF  0x800u
#define USED_OFF   0xa00u
#define HDR_OFF    0xe40u /* BLK_BATCH_MAX headers */
#define STATUS_OFF 0xf40u /* BLK_BATCH_MAX status bytes */
#define ID_OFF     0xf60u /* the device's serial (GET_ID) */
#define F_FLUSH    (1u << VIRTIO_BLK_F_FLUSH)
#define F_SEG_MAX  (1u << VIRTIO_BLK_F_SEG_MAX)

struct disk {
	const struct blk_disk *cfg;
	struct virtio_drv drv; /* the transport, the queue page's physical address */
	uint8_t *page;         /* the DMA page */
	volatile struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
	uint32_t qnum, max_data;
	uint16_t last_used;
	bool ok, flush;
};

static const struct blk_info *const info = (const struct blk_info *)HV_SRV_BOOTINFO;
static struct disk disks[HV_MAX_VMS];

/* 3.1.1 and 4.2.3: VERSION_1, FLUSH if the device has it, SEG_MAX read
 * from its configuration (5.2.4), the requestq in the disk's page. */
static int disk_start(struct disk *d)
{
	uint32_t got;
	memset(d->page, 0, 4096);
	if (virtio_drv_start(&d->drv, VIRTIO_ID_BLOCK, F_FLUSH | F_SEG_MAX, &got))
		return -1;
	d->flush = (got & F_FLUSH) != 0;
	d->max_data = QUEUE_NUM - 2;
	if (got & F_SEG_MAX) {
		uint32_t seg_max = virtio_drv_read(&d->drv, VIRTIO_MMIO_CONFIG + 12); /* seg_max */
		if (seg_max && seg_max < d->max_data)
			d->max_data = seg_max;
	}
	int num = virtio_drv_queue(&d->drv, QUEUE_NUM, 4, AVAIL_OFF, USED_OFF);
	if (num < 0)
		return -1;
	d->qnum = (uint32_t)num;
	if (d->max_data > d->qnum - 2)
		d->max_data = d->qnum - 2;
	return 0;
}

static int disk_init(unsigned k)
{
	struct disk *d = &disks[k];
	d->cfg = &info->disk[k];
	d->drv = (struct virtio_drv){(volatile uint32_t *)d->cfg->mmio_ipa, d->cfg->dma_pa, "blk"};
	d->page = (uint8_t *)(HV_SRV_DMA + k * 4096);
	d->desc = (volatile struct vring_desc *)d->page;
	d->avail = (volatile struct vring_avail *)(d->page + AVAIL_OFF);
	d->used = (volatile struct vring_used *)(d->page + USED_OFF);
	if (disk_start(d))
		return -1;
	return hv_irq_bind(BLK_CAP_IRQ0 + k, BLK_CAP_NTFN) ? -1 : 0;
}

/* The device answered: acknowledged at the transport, unmasked at the GIC. */
static void ack_interrupt(unsigned k)
{
	const struct disk *d = &disks[k];
	virtio_drv_write(&d->drv, VIRTIO_MMIO_INTERRUPT_ACK,
	                 virtio_drv_read(&d->drv, VIRTIO_MMIO_INTERRUPT_STATUS));
	hv_irq_ack(BLK_CAP_IRQ0 + k);
}

static struct blk_batch batch;           /* the monitor's, copied */
static uint8_t status[BLK_BATCH_MAX];    /* the answers */
static uint8_t head_req[QUEUE_NUM];      /* chain head -> request */
static unsigned group_reqs, group_descs; /* chains built, not yet posted */

/* Request i, its buffers from seg[first], checked and laid out as a chain
 * at descriptor group_descs: 0, or -1 if refused. */
static int build_chain(struct disk *d, unsigned i, unsigned first)
{
	const struct blk_req *r = &batch.req[i];
	uint16_t head = (uint16_t)group_descs, flags = VRING_DESC_F_NEXT;
	uint64_t bytes = 0;
	if (r->type == VIRTIO_BLK_T_IN)
		flags |= VRING_DESC_F_WRITE;
	for (unsigned j = 0; j < r->nsegs; j++) {
		const struct blk_seg *s = &batch.seg[first + j];
		uint32_t pa = blk_ram_pa(d->cfg, s->addr, s->len);
		if (!pa)
			return -1;
		d->desc[head + 1 + j] =
		    (struct vring_desc){pa, s->len, flags, (uint16_t)(head + 2 + j)};
		bytes += s->len;
	}
	if (!blk_sectors_ok(d->cfg, r->sector, bytes))
		return -1;
	struct virtio_blk_outhdr *h = (struct virtio_blk_outhdr *)(d->page + HDR_OFF) + i;
	*h = (struct virtio_blk_outhdr){r->type, 0, r->sector};
	d->page[STATUS_OFF + i] = 0xff;
	d->desc[head] = (struct vring_desc){d->cfg->dma_pa + HDR_OFF + 16 * i, 16,
	                                    VRING_DESC_F_NEXT, (uint16_t)(head + 1)};
	d->desc[head + 1 + r->nsegs] =
	    (struct vring_desc){d->cfg->dma_pa + STATUS_OFF + i, 1, VRING_DESC_F_WRITE, 0};
	head_req[head] = (uint8_t)i;
	group_descs += r->nsegs + 2;
	return 0;
}

/* Wait until the device used `n` more chains (it interrupts for each). */
static int wait_used(unsigned k, uint16_t until)
{
	struct disk *d = &disks[k];
	while (d->used->idx != until) {
		if (virtio_drv_read(&d->drv, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET) {
			d->ok = false;
			return -1;
		}
		uint32_t bits;
		hv_wait(BLK_CAP_NTFN, &bits);
		ack_interrupt(k);
	}
	__asm__ volatile("dmb sy" ::: "memory");
	ack_interrupt(k);
	return 0;
}

/* Post the chains built (2.7.13), one notification, wait for them all. */
static void run_group(unsigned k)
{
	struct disk *d = &disks[k];
	uint16_t idx = d->avail->idx;
	for (unsigned h = 0; h < group_descs; h += 2 + batch.req[head_req[h]].nsegs)
		d->avail->ring[idx++ % d->qnum] = (uint16_t)h;
	__asm__ volatile("dmb sy" ::: "memory");
	d->avail->idx = idx;
	if (group_reqs) {
		virtio_drv_write(&d->drv, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		int err = wait_used(k, (uint16_t)(d->last_used + group_reqs));
		for (uint16_t u = d->last_used; !err && u != d->used->idx; u++) {
			uint32_t id = d->used->ring[u % d->qnum].id;
			uint8_t i = id < QUEUE_NUM ? head_req[id] : 0;
			uint8_t st = d->page[STATUS_OFF + i];
			status[i] = st <= VIRTIO_BLK_S_UNSUPP ? st : VIRTIO_BLK_S_IOERR;
		}
		d->last_used = d->used->idx;
	}
	group_reqs = group_descs = 0;
}

/* One request of the batch: answered at once, or a chain of the group. */
static void add_request(unsigned k, unsigned i, unsigned first)
{
	struct disk *d = &disks[k];
	uint32_t type = batch.req[i].type;
	status[i] = VIRTIO_BLK_S_IOERR;
	if (type == VIRTIO_BLK_T_FLUSH && !d->flush && batch.req[i].nsegs == 0) {
		status[i] = VIRTIO_BLK_S_OK; /* no write cache: nothing to flush */
		return;
	}
	if (type != VIRTIO_BLK_T_IN && type != VIRTIO_BLK_T_OUT && type != VIRTIO_BLK_T_FLUSH) {
		status[i] = VIRTIO_BLK_S_UNSUPP;
		return;
	}
	if ((type == VIRTIO_BLK_T_FLUSH) != (batch.req[i].nsegs == 0) ||
	    batch.req[i].nsegs > d->max_data)
		return;
	/* a flush after what came before it; a chain needs room in the queue */
	if ((type == VIRTIO_BLK_T_FLUSH && group_reqs) ||
	    group_descs + batch.req[i].nsegs + 2 > d->qnum)
		run_group(k);
	if (build_chain(d, i, first) == 0)
		group_reqs++;
}

/* The monitor's batch, copied (its page stays writable by the monitor),
 * then checked. */
static int copy_batch(unsigned k)
{
	const volatile struct blk_batch *shared =
	    (const volatile struct blk_batch *)(HV_SRV_BLK_REQ + k * 4096);
	batch.nreqs = shared->nreqs;
	batch.nsegs = shared->nsegs;
	if (batch.nreqs > BLK_BATCH_MAX || batch.nsegs > BLK_BATCH_SEGS)
		return -1;
	for (unsigned i = 0; i < batch.nreqs; i++)
		batch.req[i] = (struct blk_req){shared->req[i].type, shared->req[i].nsegs,
		                                shared->req[i].sector};
	for (unsigned j = 0; j < batch.nsegs; j++)
		batch.seg[j] = (struct blk_seg){shared->seg[j].addr, shared->seg[j].len};
	return blk_batch_ok(&batch) ? 0 : -1;
}

/* 5.2.6: GET_ID into the page, one chain, waited for: the status. */
static int get_id(unsigned k)
{
	struct disk *d = &disks[k];
	struct virtio_blk_outhdr *h = (struct virtio_blk_outhdr *)(d->page + HDR_OFF);
	*h = (struct virtio_blk_outhdr){VIRTIO_BLK_T_GET_ID, 0, 0};
	memset(d->page + ID_OFF, 0, VIRTIO_BLK_ID_BYTES + 1);
	d->page[STATUS_OFF] = 0xff;
	d->desc[0] = (struct vring_desc){d->cfg->dma_pa + HDR_OFF, 16, VRING_DESC_F_NEXT, 1};
	d->desc[1] = (struct vring_desc){d->cfg->dma_pa + ID_OFF, VIRTIO_BLK_ID_BYTES,
	                                 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2};
	d->desc[2] = (struct vring_desc){d->cfg->dma_pa + STATUS_OFF, 1, VRING_DESC_F_WRITE, 0};
	d->avail->ring[d->avail->idx % d->qnum] = 0;
	__asm__ volatile("dmb sy" ::: "memory");
	d->avail->idx++;
	virtio_drv_write(&d->drv, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	if (wait_used(k, (uint16_t)(d->last_used + 1)))
		return VIRTIO_BLK_S_IOERR;
	d->last_used++;
	return d->page[STATUS_OFF];
}

/* The device is the one init meant: its serial is the VM's name. */
static bool serial_matches(unsigned k)
{
	const char *id = (const char *)disks[k].page + ID_OFF;
	if (get_id(k) != VIRTIO_BLK_S_OK || strncmp(id, info->disk[k].serial, HV_NAME_MAX)) {
		log_printf("blk: disk %u: the device's serial '%.20s' is not '%s': refused\n", k,
		           id, info->disk[k].serial);
		return false;
	}
	return true;
}

/* BLK_RW from disk k's monitor -> m[0] requests done, m[1..4] statuses. */
static int serve(unsigned k, uint32_t *m)
{
	if (k >= info->nr_disks || m[0] != BLK_RW || copy_batch(k))
		return HV_EINVAL;
	unsigned first = 0;
	for (unsigned i = 0; i < batch.nreqs; i++) {
		if (disks[k].ok)
			add_request(k, i, first);
		else
			status[i] = VIRTIO_BLK_S_IOERR;
		first += batch.req[i].nsegs;
	}
	run_group(k);
	memset(&m[1], 0, 4 * sizeof(m[1]));
	for (unsigned i = 0; i < batch.nreqs; i++)
		m[1 + i / 4] |= (uint32_t)status[i] << (8 * (i % 4));
	return (int)batch.nreqs;
}

int main(void);
int main(void)
{
	log_init(0, (struct hv_ring *)info->ring_ipa, BLK_CAP_LOG);
	for (unsigned k = 0; k < info->nr_disks && k < HV_MAX_VMS; k++) {
		disks[k].ok = disk_init(k) == 0 && serial_matches(k);
		if (disks[k].ok)
			log_printf("blk: disk %u ready, %llu sectors, transport at 0x%08x%s\n", k,
			           (unsigned long long)info->disk[k].sectors,
			           (unsigned)info->disk[k].mmio_pa,
			           disks[k].flush ? ", flush" : "");
		else
			log_printf("blk: disk %u (transport at 0x%08x) did not come up\n", k,
			           (unsigned)info->disk[k].mmio_pa);
	}
	struct hv_msg msg = {0};
	bool reply = false;
	for (;;) {
		int err = reply ? hv_reply_recv(BLK_CAP_EP, &msg) : hv_recv(BLK_CAP_EP, &msg);
		reply = false;
		if (err || msg.badge == HV_BADGE_NTFN)
			continue;
		int r = serve(msg.badge, msg.m);
		msg.m[0] = (uint32_t)r;
		reply = true;
	}
}
