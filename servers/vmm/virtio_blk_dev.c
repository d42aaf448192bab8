/*
 * The VM's disk as the monitor runs it: for a VM with disk=PATH, the block
 * device (virtio_blk.c) on the virtio-mmio transport in slot
 * VIRTIO_SLOT_BLK (HV_GUEST_VIRTIO + 0x200, SPI 17).
 *
 * - A QueueNotify walks the requestq in guest RAM and hands each checked
 *   request to the block server: its sector, direction and the guest
 *   addresses of its data buffers go in the request page shared with the
 *   server (HV_SRV_BLK_REQ), then one IPC call; QEMU's device moves the
 *   data straight between the disk and guest RAM. Requests are done one
 *   after the other within the exit that notifies, so none is in flight
 *   between two exits.
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

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

static struct blk_req *const req_page = (struct blk_req *)HV_SRV_BLK_REQ;

static struct guest_mem guest_ram(void)
{
	return (struct guest_mem){(uint8_t *)HV_GUEST_RAM, HV_GUEST_RAM, info->ram_size};
}

/* One request to the block server: a VIRTIO_BLK_S_* status or an error. */
static int blk_io(void *ctx, const struct vq_chain *c, const struct blk_request *r)
{
	struct hv_msg msg = {.m = {BLK_RW}};
	(void)ctx;
	req_page->type = r->type;
	req_page->sector = r->sector;
	req_page->nsegs = r->ndata;
	for (unsigned i = 0; i < r->ndata; i++)
		req_page->seg[i] = (struct blk_seg){c->seg[1 + i].addr, c->seg[1 + i].len};
	int err = hv_call(VMM_CAP_BLK, &msg);
	return err ? err : (int)msg.m[0];
}

int virtio_blk_read(struct devstate *d, uint32_t off, unsigned size, uint32_t *val)
{
	if (!info->disk)
		return -1;
	if (off >= VIRTIO_MMIO_CONFIG && off < VIRTIO_MMIO_SLOT_SIZE)
		return virtio_blk_config_read(info->disk_sectors, off - VIRTIO_MMIO_CONFIG, size,
		                              val);
	return virtio_mmio_read(&d->blk, &virtio_blk_device, off, size, val);
}

int virtio_blk_write(struct devstate *d, uint32_t off, unsigned size, uint32_t val)
{
	struct guest_mem gm = guest_ram();
	uint32_t kick, was = d->blk.status;
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
