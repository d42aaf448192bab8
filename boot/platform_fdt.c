/*
 * Reads the host device tree QEMU passes (at the start of RAM for a
 * bare-metal image) with libfdt: memory, GICv2 frames, UART, PSCI conduit,
 * the span of the virtio-mmio transports (init's device servers probe them).
 */
#include "armv7.h"
#include "kernel.h"
#include "platform.h"

#include <libfdt.h>
#include <string.h>

struct platform platform = {.uart = 0x09000000}; /* early output until the DTB is read */

/* The idx-th (address, size) pair of a node's reg, with #address/#size-cells
 * of the root (QEMU's virt tree uses 2 and 2). */
static int read_reg(const void *fdt, int node, int idx, uint32_t *addr, uint32_t *size)
{
	int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0), len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2 || len < (idx + 1) * (ac + sc) * 4)
		return -1;
	reg += idx * (ac + sc);
	*addr = fdt32_to_cpu(reg[ac - 1]);
	*size = fdt32_to_cpu(reg[ac + sc - 1]);
	return 0;
}

static int find_compatible(const void *fdt, const char *compat)
{
	return fdt_node_offset_by_compatible(fdt, -1, compat);
}

static int count_cpus(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), n = 0, node;
	if (cpus < 0)
		return 1;
	fdt_for_each_subnode(node, fdt, cpus)
	{
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		if (type && !strcmp(type, "cpu"))
			n++;
	}
	return n ? n : 1;
}

static void read_virtio_span(const void *fdt)
{
	uint32_t lo = ~0u, hi = 0, addr, size;
	int node = -1;
	while ((node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) >= 0) {
		if (read_reg(fdt, node, 0, &addr, &size) || addr + size < addr)
			continue;
		lo = addr < lo ? addr : lo;
		hi = addr + size > hi ? addr + size : hi;
	}
	if (hi > lo) {
		platform.virtio_base = lo & ~4095u;
		platform.virtio_size = ((hi + 4095u) & ~4095u) - platform.virtio_base;
	}
}

void platform_read(const void *fdt)
{
	uint32_t size;
	if (fdt_check_header(fdt))
		panic("no device tree from QEMU");
	int mem = fdt_path_offset(fdt, "/memory");
	if (mem < 0)
		mem = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
	if (mem < 0 || read_reg(fdt, mem, 0, &platform.ram_base, &platform.ram_size))
		panic("device tree: no memory node");
	int gic = find_compatible(fdt, "arm,cortex-a15-gic");
	if (gic < 0 || read_reg(fdt, gic, 0, &platform.gicd, &size) ||
	    read_reg(fdt, gic, 1, &platform.gicc, &size) ||
	    read_reg(fdt, gic, 2, &platform.gich, &size) ||
	    read_reg(fdt, gic, 3, &platform.gicv, &size))
		panic("device tree: need a GICv2 with virtualization extensions (gic-version=2)");
	int uart = find_compatible(fdt, "arm,pl011");
	if (uart < 0 || read_reg(fdt, uart, 0, &platform.uart, &size))
		panic("device tree: no PL011");
	int len;
	const fdt32_t *irq = fdt_getprop(fdt, uart, "interrupts", &len);
	platform.uart_irq = irq && len >= 12 ? fdt32_to_cpu(irq[1]) + 32 : 33;
	int psci = find_compatible(fdt, "arm,psci-0.2");
	if (psci < 0)
		psci = find_compatible(fdt, "arm,psci");
	const char *method = psci >= 0 ? fdt_getprop(fdt, psci, "method", NULL) : NULL;
	if (!method)
		panic("device tree: no PSCI node");
	platform.psci_hvc = !strcmp(method, "hvc");
	read_virtio_span(fdt);
	platform.nr_cpus = (unsigned)count_cpus(fdt);
	if (platform.nr_cpus > MAX_CPUS)
		platform.nr_cpus = MAX_CPUS;
}

/* libfdt.a is built with the stack protector. */
uintptr_t __stack_chk_guard = 0x0badc0deu;
void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	panic("stack smashed");
}
