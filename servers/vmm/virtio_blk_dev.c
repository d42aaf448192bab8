/*
 * The VM's disk as the monitor runs it: for a VM with disk=PATH, the block
 * device (virtio_blk.c) on the virtio-mmio transport HV_GUEST_BLK_SLOT
 * (HV_GUEST_VIRTIO + 0x200, SPI 17), an mmio_region of its own.
 *
 * - A QueueNotify walks the requestq in guest RAM and hands the checked
 *   requests to the block server in batches: their sectors, directions and
 *   the guest addresses of their data buffers go in the request page
 *   shared with the server (HV_SRV_BLK_REQ), then one IPC call per batch;
 *   QEMU's device moves the data straight between the disk and guest RAM.
 *   Every batch is done within the exit that notifies, so no request is in
 *   flight between two exits.
 * - The status bytes and used elements are written before the commit,
 *   used->idx after it (virtio_blk_publish), as for the entropy device: a
 *   monitor that dies before the commit leaves the guest seeing nothing
 *   and its successor does the same requests again (the same data to the
 *   same sectors); one that dies after it leaves only the publication,
 *   done again at start. A completion is never lost nor given twice.
 */
#include "virtio_blk.h"
#include "vmm.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

_Static_assert(sizeof(struct blk_batch) <= 4096, "the batch fits the request page");

static struct blk_batch *const batch = (struct blk_batch *)HV_SRV_BLK_REQ;

/* Put p's data buffers in the batch (there is room: virtio_blk_process). */
static void add_request(const struct blk_pending *p)
{
	struct blk_req *q = &batch->req[batch->nreqs++];
	*q = (struct blk_req){p->r.type, p->r.ndata, p->r.sector};
	for (unsigned i = 0; i < p->r.ndata; i++)
		batch->seg[batch->nsegs++] =
		    (struct blk_seg){p->c.seg[1 + i].addr, p->c.seg[1 + i].len};
}

/*
 * Test hook (testhooks=on and "hv.blk_crash" in the guest's bootargs): the
 * first three monitors of the VM each fault once, after the block server
 * has done their 20th batch and before its completions are committed, the
 * window a crash must not lose or repeat anything in.
 */
static void crash_after_io(void)
{
	static unsigned batches;
	if (info->testhooks && info->instance < 3 && ++batches == 20 &&
	    strstr(info->bootargs, "hv.blk_crash"))
		monitor_crash();
}

/* The requests that passed the checks, in one call to the block server. */
static int blk_io(void *ctx, struct blk_pending *p, unsigned n)
{
	struct hv_msg msg = {.m = {BLK_RW}};
	unsigned k = 0;
	(void)ctx;
	batch->nreqs = batch->nsegs = 0;
	for (unsigned i = 0; i < n; i++)
		if (p[i].for_io)
			add_request(&p[i]);
	int err = hv_call(VMM_CAP_BLK, &msg);
	if (err || msg.m[0] != batch->nreqs)
		return err ? err : HV_ESTATE;
	crash_after_io();
	for (unsigned i = 0; i < n; i++) {
		if (!p[i].for_io)
			continue;
		p[i].status = (uint8_t)(msg.m[1 + k / 4] >> (8 * (k % 4)));
		k++;
	}
	return 0;
}

int blk_read(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t *val)
{
	struct devstate *d = ctx;
	(void)cpu;
	if (!info->disk)
		return -1;
	if (off >= VIRTIO_MMIO_CONFIG && off < VIRTIO_MMIO_SLOT_SIZE)
		return virtio_blk_config_read(info->disk_sectors, off - VIRTIO_MMIO_CONFIG, size,
		                              val);
	return virtio_mmio_read(&d->blk, &virtio_blk_device, off, size, val);
}

int blk_write(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t val)
{
	struct devstate *d = ctx;
	struct guest_mem gm = guest_ram();
	uint32_t kick, was = d->blk.status;
	(void)cpu;
	if (!info->disk)
		return -1;
	int err = virtio_mmio_write(&d->blk, &virtio_blk_device, &gm, off, size, val, &kick);
	if (!err && kick)
		virtio_blk_process(&d->blk, &gm, info->disk_sectors, blk_io, NULL);
	if (!(was & VIRTIO_CONFIG_S_NEEDS_RESET) && (d->blk.status & VIRTIO_CONFIG_S_NEEDS_RESET))
		log_printf("vmm: virtio-blk: bad queue or request (error %d): the device needs a "
		           "reset\n",
		           (int)d->blk.error);
	return err;
}

void virtio_blk_publish(void)
{
	const struct devstate *d = dev_current();
	struct guest_mem gm = guest_ram();
	if (info->disk && d->blk.vq[0].ready)
		vq_publish(&gm, &d->blk.vq[0]);
}

bool virtio_blk_irq_level(const struct devstate *d)
{
	return info->disk && virtio_mmio_irq_level(&d->blk);
}
