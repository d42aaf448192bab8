/*
 * QEMU's virtio-mmio transports, as the host DTB lists them (virtio,mmio
 * nodes; QEMU's virt machine has 32), and which device each holds: init
 * reads MagicValue and DeviceID (virtio 1.2 section 4.2.2) through
 * HV_INIT_CAP_VIRTIO, the window boot/ found around them.
 */
#include "init.h"

#include <hv/syscall.h>
#include <libfdt.h>

#include <linux/virtio_mmio.h>

#define MAGIC_VIRT 0x74726976u /* "virt" */
#define GIC_SPI    32u

/* The first (address, size) of reg, with the root's cells (QEMU: 2 and 2). */
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

static bool holds(uint32_t pa, uint32_t device_id)
{
	const struct hv_bootinfo *bi = bootinfo;
	if (pa - bi->virtio_pa >= bi->virtio_size || bi->virtio_pa + bi->virtio_size - pa < 0x200)
		return false;
	volatile const uint32_t *regs = (volatile const uint32_t *)pa; /* identity in init */
	return regs[VIRTIO_MMIO_MAGIC_VALUE / 4] == MAGIC_VIRT &&
	       regs[VIRTIO_MMIO_DEVICE_ID / 4] == device_id;
}

/* The window, mapped into init once. */
static bool window_mapped(void)
{
	static bool mapped;
	if (!mapped && bootinfo->virtio_size)
		mapped = !hv_map(C_SELF, HV_INIT_CAP_VIRTIO, bootinfo->virtio_pa,
		                 bootinfo->virtio_pa, bootinfo->virtio_size, HV_MAP_R | HV_MAP_W);
	return mapped;
}

unsigned host_virtio_find(uint32_t device_id, uint32_t *pa, uint32_t *intid, unsigned max)
{
	const void *fdt = (const void *)bootinfo->host_dtb_ipa;
	unsigned n = 0;
	if (fdt_check_header(fdt) || !window_mapped())
		return 0;
	int node = -1;
	while (n < max && (node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) >= 0)
		if (!host_reg(fdt, node, &pa[n]) && holds(pa[n], device_id) &&
		    !host_spi(fdt, node, &intid[n]))
			n++;
	return n;
}
