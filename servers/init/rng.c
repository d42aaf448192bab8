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
#include <libfdt.h>
#include <string.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>

#define RNG_PRIO   120
#define MAGIC_VIRT 0x74726976u /* "virt" */
#define GIC_SPI    32u

int rng_ep;
static struct server rng;

/* The idx-th (address, size) of reg, with the root's cells (QEMU: 2 and 2). */
static int host_reg(const void *fdt, int node, uint32_t *addr)
{
	int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0), len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2 || len < (ac + sc) * 4)
		return -1;
	*addr = fdt32_to_cpu(reg[ac - 1]);
	return 0;
}

/* arm,gic interrupt specifier <type number flags>: an SPI's INTID. */
static int host_spi(const void *fdt, int node, uint32_t *intid)
{
	int len;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (!irq || len < 12 || fdt32_to_cpu(irq[0]) != 0)
		return -1;
	*intid = fdt32_to_cpu(irq[1]) + GIC_SPI;
	return 0;
}

static bool inside_window(uint32_t pa)
{
	const struct hv_bootinfo *bi = bootinfo;
	return pa - bi->virtio_pa < bi->virtio_size &&
	       bi->virtio_pa + bi->virtio_size - pa >= 0x200;
}

static bool is_rng(uint32_t pa)
{
	volatile const uint32_t *regs = (volatile const uint32_t *)pa; /* identity in init */
	return regs[VIRTIO_MMIO_MAGIC_VALUE / 4] == MAGIC_VIRT &&
	       regs[VIRTIO_MMIO_DEVICE_ID / 4] == VIRTIO_ID_RNG;
}

/* The transport with QEMU's virtio-rng device: its address and INTID. */
static int find_device(uint32_t *pa, uint32_t *intid)
{
	const void *fdt = (const void *)bootinfo->host_dtb_ipa;
	if (!bootinfo->virtio_size || fdt_check_header(fdt))
		return -1;
	if (hv_map(C_SELF, HV_INIT_CAP_VIRTIO, bootinfo->virtio_pa, bootinfo->virtio_pa,
	           bootinfo->virtio_size, HV_MAP_R | HV_MAP_W))
		return -1;
	int node = -1;
	while ((node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) >= 0) {
		if (!host_reg(fdt, node, pa) && inside_window(*pa) && is_rng(*pa) &&
		    !host_spi(fdt, node, intid))
			return 0;
	}
	return -1;
}

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
	if (find_device(&pa, &intid)) {
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
