/*
 * The entropy server (servers/devices/rng): it seeds every guest's
 * /chosen/rng-seed and feeds the virtio-rng device of VMs with rng=on. QEMU's virt machine has 32
 * virtio-mmio transports (virtio,mmio nodes in the host DTB); `-device virtio-rng-device` plugs
 * into one of them, which one is QEMU's choice, so init reads each transport's DeviceID (virtio 1.2
 * section 4.2.2) through HV_INIT_CAP_VIRTIO and takes the first entropy device (VIRTIO_ID_RNG).
 *
 * The server gets the page of that transport (stage 2 maps whole pages:
 * the page holds eight transports, the others empty unless QEMU has more
 * virtio devices), its interrupt, one page of memory for the device to
 * read and write, its endpoint and a console stream; nothing else.
 */
#include "init.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <hv/syscall.h>
#include <string.h>

#include <linux/virtio_ids.h>

#define RNG_PRIO 120

int rng_ep;
static struct server rng;

static int rng_caps(int ep, uint32_t intid, unsigned stream)
{
	int irq = slot_alloc(), ntfn = slot_alloc();
	int err = hv_obj_create(C_CONTROL, HV_OBJ_IRQ, (uint32_t)irq, intid);
	if (!err)
		err = hv_obj_create(C_CONTROL, HV_OBJ_NOTIFICATION, (uint32_t)ntfn, 0);
	if (!err)
		err = server_grant(&rng, RNG_CAP_EP, ep, HV_RIGHT_READ, 0);
	if (!err)
		err = server_grant(&rng, RNG_CAP_IRQ, irq, HV_RIGHT_WRITE, 0);
	if (!err)
		err = server_grant(&rng, RNG_CAP_NTFN, ntfn, HV_RIGHT_READ | HV_RIGHT_WRITE, 1);
	if (!err)
		err = console_grant_ntfn(&rng, RNG_CAP_LOG, stream);
	return err;
}

static int rng_maps(struct rng_info *ri, uint32_t pa)
{
	uint32_t page = pa & ~4095u, dma = mem_alloc(4096, 4096);
	if (!dma)
		return HV_ENOMEM;
	ri->mmio_pa = pa;
	ri->mmio_ipa = HV_SRV_DEVICE + (pa - page);
	ri->dma_pa = dma;
	ri->dma_size = 4096;
	ri->ring_ipa = HV_SRV_RING;
	int err = hv_map((uint32_t)rng.as, HV_INIT_CAP_VIRTIO, page, HV_SRV_DEVICE, 4096,
	                 HV_MAP_R | HV_MAP_W);
	if (!err)
		err = server_map(&rng, dma, HV_SRV_DMA, 4096, HV_MAP_R | HV_MAP_W);
	if (!err)
		err = server_map(&rng, (uint32_t)stream_ring(console_rng_stream), HV_SRV_RING, 4096,
		                 HV_MAP_R | HV_MAP_W);
	return err;
}

int rng_start(void)
{
	uint32_t pa, intid;
	if (console_rng_stream < 0)
		return -1;
	if (!host_virtio_find(VIRTIO_ID_RNG, &pa, &intid, 1)) {
		log_printf("rng: QEMU's machine has no virtio-rng device (tools/hvrun adds "
		           "-device virtio-rng-device): guests get no rng-seed, rng=on fails\n");
		return -1;
	}
	int ep = slot_alloc();
	int err = hv_obj_create(C_CONTROL, HV_OBJ_ENDPOINT, (uint32_t)ep, 0);
	if (!err)
		err = server_create(&rng, "rng", RNG_PRIO, 0, INIT_BADGE_TEST | 0xfe);
	if (!err)
		err = rng_maps((struct rng_info *)rng.info_pa, pa);
	if (!err)
		err = rng_caps(ep, intid, (unsigned)console_rng_stream);
	if (!err)
		err = hv_thread_resume((uint32_t)rng.thread);
	if (err) {
		log_printf("rng: cannot start the entropy server: error %d\n", err);
		return -1;
	}
	rng_ep = ep;
	return 0;
}
