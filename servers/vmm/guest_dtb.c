/*
 * The guest's device tree, following the Devicetree Specification v0.4 and
 * the Linux bindings it names (arm,gic, arm,arch_timer, arm,psci,
 * arm,pl011, fixed-clock). Built with libfdt's sequential-write API.
 *
 *	/ {
 *		#address-cells = <1>; #size-cells = <1>;
 *		compatible = "linux,dummy-virt"; model = "hv guest";
 *		interrupt-parent = <&gic>;
 *		memory@RAM { device_type = "memory"; reg = <RAM SIZE>; };
 *		cpus { #address-cells = <1>; #size-cells = <0>;
 *			cpu@N { device_type = "cpu"; compatible = "arm,cortex-a15";
 *				reg = <N>; enable-method = "psci"; };
 *		};
 *		psci { compatible = "arm,psci-0.2"; method = "hvc"; };
 *		gic: intc@GICD { compatible = "arm,cortex-a15-gic";
 *			interrupt-controller; #interrupt-cells = <3>;
 *			#address-cells = <0>;
 *			reg = <GICD 0x1000 GICC 0x2000>; };
 *		timer { compatible = "arm,armv7-timer";
 *			interrupts = <1 13 F>, <1 14 F>, <1 11 F>, <1 10 F>; };
 *		clk: apb-pclk { compatible = "fixed-clock"; #clock-cells = <0>;
 *			clock-frequency = <24000000>;
 *			clock-output-names = "clk24mhz"; };
 *		virtio_mmio@VIRTIO+0x200*i { compatible = "virtio,mmio";
 *			reg = <VIRTIO+0x200*i 0x200>; dma-coherent;
 *			interrupts = <0 (VIRTIO_IRQ + i - 32) 4>; };
 *		pl011@UART { compatible = "arm,pl011", "arm,primecell";
 *			reg = <UART 0x1000>; interrupts = <0 (IRQ - 32) 4>;
 *			clocks = <&clk &clk>;
 *			clock-names = "uartclk", "apb_pclk"; };
 *		chosen { bootargs; stdout-path = "/pl011@UART";
 *			linux,initrd-start; linux,initrd-end; };
 *		aliases { serial0 = "/pl011@UART"; };
 *	};
 *
 * F = CPU mask ((1 << nr_cpus) - 1) << 8 | level-low (8).
 */
#include "guest_dtb.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <libfdt.h>

#define GIC_PHANDLE 1u
#define CLK_PHANDLE 2u

#define GICD_FRAME_SIZE 0x1000u
#define GICC_FRAME_SIZE 0x2000u
#define UART_FRAME_SIZE 0x1000u
#define VIRTIO_SLOT     0x200u /* virtio 1.2 4.2.2: registers and config space */
#define APB_CLOCK_HZ    24000000u

/* GIC interrupt specifier (arm,gic binding) */
#define GIC_SPI             0u
#define GIC_PPI             1u
#define GIC_FIRST_SPI       32u
#define IRQ_TYPE_LEVEL_HIGH 4u
#define IRQ_TYPE_LEVEL_LOW  8u
#define GIC_MAX_CPUS        8u

/* Timer PPIs, numbered from 16 (arm,arch_timer binding order). */
#define PPI_SECURE_PHYS_TIMER    13u
#define PPI_NONSECURE_PHYS_TIMER 14u
#define PPI_VIRT_TIMER           11u
#define PPI_HYP_TIMER            10u
#define NR_TIMER_PPIS            4

#define MAX_CELLS    12
#define NAME_MAX_LEN 32

/* Stops building at the first libfdt error. */
#define FDT_TRY(expr)                                                                              \
	do {                                                                                       \
		int fdt_try_err_ = (expr);                                                         \
		if (fdt_try_err_ < 0)                                                              \
			return fdt_try_err_;                                                       \
	} while (0)

/* ---- helpers -------------------------------------------------------------- */

static size_t format_hex(char *out, uint32_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[8];
	size_t n = 0;

	do {
		tmp[n++] = digits[v & 0xFu];
		v >>= 4;
	} while (v != 0);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* "prefix" + "name@hex"; prefix is "" or "/". */
static void unit_name(char out[NAME_MAX_LEN], const char *prefix, const char *name, uint32_t addr)
{
	size_t n = 0;

	memcpy(out, prefix, strlen(prefix));
	n += strlen(prefix);
	memcpy(out + n, name, strlen(name));
	n += strlen(name);
	out[n++] = '@';
	n += format_hex(out + n, addr);
	out[n] = '\0';
}

static int property_cells(void *fdt, const char *name, const uint32_t *cells, unsigned n)
{
	fdt32_t be[MAX_CELLS];

	for (unsigned i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	return fdt_property(fdt, name, be, (int)(n * sizeof(be[0])));
}

/* A string list literal: its size includes the final NUL. */
#define property_strings(fdt, name, list) fdt_property(fdt, name, list, sizeof(list))

static int empty_property(void *fdt, const char *name)
{
	return fdt_property(fdt, name, NULL, 0);
}

/* ---- nodes ---------------------------------------------------------------- */

static int root_properties(void *fdt)
{
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 1));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 1));
	FDT_TRY(fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
	FDT_TRY(fdt_property_string(fdt, "model", "hv guest"));
	return fdt_property_u32(fdt, "interrupt-parent", GIC_PHANDLE);
}

static int memory_node(void *fdt, const struct guest_dtb_params *p)
{
	const uint32_t reg[] = {p->ram_base, p->ram_size};
	char name[NAME_MAX_LEN];

	unit_name(name, "", "memory", p->ram_base);
	FDT_TRY(fdt_begin_node(fdt, name));
	FDT_TRY(fdt_property_string(fdt, "device_type", "memory"));
	FDT_TRY(property_cells(fdt, "reg", reg, 2));
	return fdt_end_node(fdt);
}

static int cpu_node(void *fdt, unsigned cpu)
{
	char name[NAME_MAX_LEN];

	unit_name(name, "", "cpu", cpu);
	FDT_TRY(fdt_begin_node(fdt, name));
	FDT_TRY(fdt_property_string(fdt, "device_type", "cpu"));
	FDT_TRY(fdt_property_string(fdt, "compatible", "arm,cortex-a15"));
	FDT_TRY(fdt_property_u32(fdt, "reg", cpu)); /* MPIDR.Aff0 */
	FDT_TRY(fdt_property_string(fdt, "enable-method", "psci"));
	return fdt_end_node(fdt);
}

static int cpus_node(void *fdt, const struct guest_dtb_params *p)
{
	FDT_TRY(fdt_begin_node(fdt, "cpus"));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 1));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned cpu = 0; cpu < p->nr_cpus; cpu++)
		FDT_TRY(cpu_node(fdt, cpu));
	return fdt_end_node(fdt);
}

static int psci_node(void *fdt)
{
	FDT_TRY(fdt_begin_node(fdt, "psci"));
	FDT_TRY(fdt_property_string(fdt, "compatible", "arm,psci-0.2"));
	FDT_TRY(fdt_property_string(fdt, "method", "hvc"));
	return fdt_end_node(fdt);
}

static int gic_node(void *fdt, const struct guest_dtb_params *p)
{
	const uint32_t reg[] = {p->gicd, GICD_FRAME_SIZE, p->gicc, GICC_FRAME_SIZE};
	char name[NAME_MAX_LEN];

	unit_name(name, "", "intc", p->gicd);
	FDT_TRY(fdt_begin_node(fdt, name));
	FDT_TRY(fdt_property_string(fdt, "compatible", "arm,cortex-a15-gic"));
	FDT_TRY(empty_property(fdt, "interrupt-controller"));
	FDT_TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 0)); /* no interrupt-map parent address */
	FDT_TRY(property_cells(fdt, "reg", reg, 4));
	FDT_TRY(fdt_property_u32(fdt, "phandle", GIC_PHANDLE));
	return fdt_end_node(fdt);
}

static int timer_node(void *fdt, const struct guest_dtb_params *p)
{
	static const uint32_t ppis[NR_TIMER_PPIS] = {
	    PPI_SECURE_PHYS_TIMER,
	    PPI_NONSECURE_PHYS_TIMER,
	    PPI_VIRT_TIMER,
	    PPI_HYP_TIMER,
	};
	const uint32_t flags = ((1u << p->nr_cpus) - 1) << 8 | IRQ_TYPE_LEVEL_LOW;
	uint32_t interrupts[3 * NR_TIMER_PPIS];

	for (unsigned i = 0; i < NR_TIMER_PPIS; i++) {
		interrupts[3 * i] = GIC_PPI;
		interrupts[3 * i + 1] = ppis[i];
		interrupts[3 * i + 2] = flags;
	}
	FDT_TRY(fdt_begin_node(fdt, "timer"));
	FDT_TRY(fdt_property_string(fdt, "compatible", "arm,armv7-timer"));
	FDT_TRY(property_cells(fdt, "interrupts", interrupts, 3 * NR_TIMER_PPIS));
	return fdt_end_node(fdt);
}

static int clock_node(void *fdt)
{
	FDT_TRY(fdt_begin_node(fdt, "apb-pclk"));
	FDT_TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
	FDT_TRY(fdt_property_u32(fdt, "#clock-cells", 0));
	FDT_TRY(fdt_property_u32(fdt, "clock-frequency", APB_CLOCK_HZ));
	FDT_TRY(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	FDT_TRY(fdt_property_u32(fdt, "phandle", CLK_PHANDLE));
	return fdt_end_node(fdt);
}

static int uart_node(void *fdt, const struct guest_dtb_params *p)
{
	const uint32_t reg[] = {p->uart, UART_FRAME_SIZE};
	const uint32_t interrupts[] = {GIC_SPI, p->uart_irq - GIC_FIRST_SPI, IRQ_TYPE_LEVEL_HIGH};
	const uint32_t clocks[] = {CLK_PHANDLE, CLK_PHANDLE};
	char name[NAME_MAX_LEN];

	unit_name(name, "", "pl011", p->uart);
	FDT_TRY(fdt_begin_node(fdt, name));
	FDT_TRY(property_strings(fdt, "compatible", "arm,pl011\0arm,primecell"));
	FDT_TRY(property_cells(fdt, "reg", reg, 2));
	FDT_TRY(property_cells(fdt, "interrupts", interrupts, 3));
	FDT_TRY(property_cells(fdt, "clocks", clocks, 2));
	FDT_TRY(property_strings(fdt, "clock-names", "uartclk\0apb_pclk"));
	return fdt_end_node(fdt);
}

/* Coherent: the monitor reads and writes guest RAM through the cache. */
static int virtio_node(void *fdt, const struct guest_dtb_params *p, unsigned i)
{
	const uint32_t base = p->virtio + i * VIRTIO_SLOT;
	const uint32_t reg[] = {base, VIRTIO_SLOT};
	const uint32_t interrupts[] = {GIC_SPI, p->virtio_irq + i - GIC_FIRST_SPI,
	                               IRQ_TYPE_LEVEL_HIGH};
	char name[NAME_MAX_LEN];

	unit_name(name, "", "virtio_mmio", base);
	FDT_TRY(fdt_begin_node(fdt, name));
	FDT_TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
	FDT_TRY(property_cells(fdt, "reg", reg, 2));
	FDT_TRY(property_cells(fdt, "interrupts", interrupts, 3));
	FDT_TRY(empty_property(fdt, "dma-coherent"));
	return fdt_end_node(fdt);
}

static bool has_initrd(const struct guest_dtb_params *p)
{
	return p->initrd_end > p->initrd_start;
}

static int chosen_node(void *fdt, const struct guest_dtb_params *p)
{
	char uart_path[NAME_MAX_LEN];

	unit_name(uart_path, "/", "pl011", p->uart);
	FDT_TRY(fdt_begin_node(fdt, "chosen"));
	if (p->bootargs)
		FDT_TRY(fdt_property_string(fdt, "bootargs", p->bootargs));
	FDT_TRY(fdt_property_string(fdt, "stdout-path", uart_path));
	if (has_initrd(p)) {
		FDT_TRY(fdt_property_u32(fdt, "linux,initrd-start", p->initrd_start));
		FDT_TRY(fdt_property_u32(fdt, "linux,initrd-end", p->initrd_end));
	}
	return fdt_end_node(fdt);
}

static int aliases_node(void *fdt, const struct guest_dtb_params *p)
{
	char uart_path[NAME_MAX_LEN];

	unit_name(uart_path, "/", "pl011", p->uart);
	FDT_TRY(fdt_begin_node(fdt, "aliases"));
	FDT_TRY(fdt_property_string(fdt, "serial0", uart_path));
	return fdt_end_node(fdt);
}

static bool params_ok(const struct guest_dtb_params *p)
{
	return p->nr_cpus >= 1 && p->nr_cpus <= GIC_MAX_CPUS && p->uart_irq >= GIC_FIRST_SPI &&
	       p->nr_virtio <= GUEST_DTB_MAX_VIRTIO &&
	       (p->nr_virtio == 0 || p->virtio_irq >= GIC_FIRST_SPI) &&
	       !(p->virtio_mask >> GUEST_DTB_MAX_VIRTIO) &&
	       (p->virtio_mask == 0 || p->virtio_irq >= GIC_FIRST_SPI);
}

int guest_dtb_build(void *buf, uint32_t bufsize, const struct guest_dtb_params *p)
{
	if (!params_ok(p))
		return -FDT_ERR_BADVALUE;
	if (bufsize > INT32_MAX)
		bufsize = INT32_MAX;
	FDT_TRY(fdt_create(buf, (int)bufsize));
	FDT_TRY(fdt_finish_reservemap(buf));
	FDT_TRY(fdt_begin_node(buf, ""));
	FDT_TRY(root_properties(buf));
	FDT_TRY(memory_node(buf, p));
	FDT_TRY(cpus_node(buf, p));
	FDT_TRY(psci_node(buf));
	FDT_TRY(gic_node(buf, p));
	FDT_TRY(timer_node(buf, p));
	FDT_TRY(clock_node(buf));
	for (unsigned i = 0; i < GUEST_DTB_MAX_VIRTIO; i++)
		if (i < p->nr_virtio || (p->virtio_mask & (1u << i)))
			FDT_TRY(virtio_node(buf, p, i));
	FDT_TRY(uart_node(buf, p));
	FDT_TRY(chosen_node(buf, p));
	FDT_TRY(aliases_node(buf, p));
	FDT_TRY(fdt_end_node(buf));
	return fdt_finish(buf);
}
