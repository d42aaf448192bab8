/* Unit tests of the guest device-tree builder (servers/vmm/guest_dtb.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <libfdt.h>

#include "guest_dtb.h"

#define BUF_SIZE 8192

static uint8_t buf[BUF_SIZE];

static const struct guest_dtb_params default_params = {
    .ram_base = 0x40000000,
    .ram_size = 0x08000000,
    .nr_cpus = 2,
    .bootargs = "console=ttyAMA0 earlycon",
    .initrd_start = 0x48000000,
    .initrd_end = 0x48123456,
    .gicd = 0x08000000,
    .gicc = 0x08010000,
    .uart = 0x09000000,
    .uart_irq = 33,
};

static int node(const char *path)
{
	int off = fdt_path_offset(buf, path);

	if (off < 0)
		fail_msg("no node %s: %s", path, fdt_strerror(off));
	return off;
}

static void assert_string_prop(const char *path, const char *name, const char *want)
{
	int len;
	const char *v = fdt_getprop(buf, node(path), name, &len);

	assert_non_null(v);
	assert_int_equal(len, strlen(want) + 1);
	assert_string_equal(v, want);
}

/* A string list given as one literal with embedded NULs; size includes the last. */
static void assert_stringlist_prop(const char *path, const char *name, const char *want,
                                   size_t size)
{
	int len;
	const char *v = fdt_getprop(buf, node(path), name, &len);

	assert_non_null(v);
	assert_int_equal(len, size);
	assert_memory_equal(v, want, size);
}

static void assert_cells_prop(const char *path, const char *name, const uint32_t *want, unsigned n)
{
	int len;
	const fdt32_t *v = fdt_getprop(buf, node(path), name, &len);

	assert_non_null(v);
	assert_int_equal(len, n * 4);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(fdt32_to_cpu(v[i]), want[i]);
}

static void assert_u32_prop(const char *path, const char *name, uint32_t want)
{
	assert_cells_prop(path, name, &want, 1);
}

static void assert_no_prop(const char *path, const char *name)
{
	int len;

	assert_null(fdt_getprop(buf, node(path), name, &len));
	assert_int_equal(len, -FDT_ERR_NOTFOUND);
}

static uint32_t phandle_of(const char *path)
{
	uint32_t ph = fdt_get_phandle(buf, node(path));

	assert_true(ph != 0 && ph != 0xFFFFFFFF);
	return ph;
}

static void build(const struct guest_dtb_params *p)
{
	memset(buf, 0xA5, sizeof(buf));
	assert_int_equal(guest_dtb_build(buf, sizeof(buf), p), 0);
	assert_int_equal(fdt_check_header(buf), 0);
	assert_true(fdt_totalsize(buf) <= sizeof(buf));
}

static void test_root(void **state)
{
	(void)state;
	build(&default_params);
	assert_u32_prop("/", "#address-cells", 1);
	assert_u32_prop("/", "#size-cells", 1);
	assert_string_prop("/", "compatible", "linux,dummy-virt");
	assert_string_prop("/", "model", "hv guest");
	assert_u32_prop("/", "interrupt-parent", phandle_of("/intc@8000000"));
}

static void test_memory(void **state)
{
	static const uint32_t reg[] = {0x40000000, 0x08000000};

	(void)state;
	build(&default_params);
	assert_string_prop("/memory@40000000", "device_type", "memory");
	assert_cells_prop("/memory@40000000", "reg", reg, 2);
}

static void test_cpus(void **state)
{
	struct guest_dtb_params p = default_params;

	(void)state;
	for (unsigned n = 1; n <= 4; n++) {
		p.nr_cpus = n;
		build(&p);
		assert_u32_prop("/cpus", "#address-cells", 1);
		assert_u32_prop("/cpus", "#size-cells", 0);
		for (unsigned cpu = 0; cpu < 8; cpu++) {
			char path[32] = "/cpus/cpu@0";

			path[10] = (char)('0' + cpu);
			if (cpu >= n) {
				assert_int_equal(fdt_path_offset(buf, path), -FDT_ERR_NOTFOUND);
				continue;
			}
			assert_string_prop(path, "device_type", "cpu");
			assert_string_prop(path, "compatible", "arm,cortex-a15");
			assert_u32_prop(path, "reg", cpu);
			assert_string_prop(path, "enable-method", "psci");
		}
	}
}

static void test_psci(void **state)
{
	(void)state;
	build(&default_params);
	assert_string_prop("/psci", "compatible", "arm,psci-0.2");
	assert_string_prop("/psci", "method", "hvc");
}

static void test_gic(void **state)
{
	static const uint32_t reg[] = {0x08000000, 0x1000, 0x08010000, 0x2000};
	int len;

	(void)state;
	build(&default_params);
	assert_string_prop("/intc@8000000", "compatible", "arm,cortex-a15-gic");
	assert_non_null(fdt_getprop(buf, node("/intc@8000000"), "interrupt-controller", &len));
	assert_int_equal(len, 0);
	assert_u32_prop("/intc@8000000", "#interrupt-cells", 3);
	assert_u32_prop("/intc@8000000", "#address-cells", 0);
	assert_cells_prop("/intc@8000000", "reg", reg, 4);
	phandle_of("/intc@8000000");
}

static void test_timer(void **state)
{
	struct guest_dtb_params p = default_params;
	static const unsigned ppis[] = {13, 14, 11, 10};
	uint32_t want[12];

	(void)state;
	for (unsigned n = 1; n <= 4; n++) {
		uint32_t flags = ((1u << n) - 1) << 8 | 8;

		p.nr_cpus = n;
		build(&p);
		for (unsigned i = 0; i < 4; i++) {
			want[3 * i] = 1;
			want[3 * i + 1] = ppis[i];
			want[3 * i + 2] = flags;
		}
		assert_string_prop("/timer", "compatible", "arm,armv7-timer");
		assert_cells_prop("/timer", "interrupts", want, 12);
		assert_no_prop("/timer", "always-on");
	}
	assert_int_equal(want[2], 0xF08);
}

static void test_clock(void **state)
{
	(void)state;
	build(&default_params);
	assert_string_prop("/apb-pclk", "compatible", "fixed-clock");
	assert_u32_prop("/apb-pclk", "#clock-cells", 0);
	assert_u32_prop("/apb-pclk", "clock-frequency", 24000000);
	assert_string_prop("/apb-pclk", "clock-output-names", "clk24mhz");
}

static void test_uart(void **state)
{
	static const uint32_t reg[] = {0x09000000, 0x1000};
	static const uint32_t irq[] = {0, 1, 4};
	static const char compatible[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	uint32_t clocks[2];

	(void)state;
	build(&default_params);
	clocks[0] = clocks[1] = phandle_of("/apb-pclk");
	assert_true(clocks[0] != phandle_of("/intc@8000000"));
	assert_stringlist_prop("/pl011@9000000", "compatible", compatible, sizeof(compatible));
	assert_int_equal(fdt_node_check_compatible(buf, node("/pl011@9000000"), "arm,primecell"),
	                 0);
	assert_cells_prop("/pl011@9000000", "reg", reg, 2);
	assert_cells_prop("/pl011@9000000", "interrupts", irq, 3);
	assert_cells_prop("/pl011@9000000", "clocks", clocks, 2);
	assert_stringlist_prop("/pl011@9000000", "clock-names", clock_names, sizeof(clock_names));
}

static void test_virtio(void **state)
{
	static const uint32_t reg0[] = {0x0a000000, 0x200}, reg1[] = {0x0a000200, 0x200};
	static const uint32_t irq0[] = {0, 16, 4}, irq1[] = {0, 17, 4};
	struct guest_dtb_params p = default_params;

	(void)state;
	build(&default_params); /* none by default */
	assert_int_equal(fdt_node_offset_by_compatible(buf, -1, "virtio,mmio"), -FDT_ERR_NOTFOUND);
	p.nr_virtio = 2;
	p.virtio = 0x0a000000;
	p.virtio_irq = 48;
	build(&p);
	assert_string_prop("/virtio_mmio@a000000", "compatible", "virtio,mmio");
	assert_cells_prop("/virtio_mmio@a000000", "reg", reg0, 2);
	assert_cells_prop("/virtio_mmio@a000000", "interrupts", irq0, 3);
	assert_non_null(fdt_getprop(buf, node("/virtio_mmio@a000000"), "dma-coherent", NULL));
	assert_cells_prop("/virtio_mmio@a000200", "reg", reg1, 2);
	assert_cells_prop("/virtio_mmio@a000200", "interrupts", irq1, 3);
	p.virtio_irq = 20; /* not an SPI */
	assert_int_equal(guest_dtb_build(buf, BUF_SIZE, &p), -FDT_ERR_BADVALUE);
	p.virtio_irq = 48;
	p.nr_virtio = GUEST_DTB_MAX_VIRTIO + 1;
	assert_int_equal(guest_dtb_build(buf, BUF_SIZE, &p), -FDT_ERR_BADVALUE);
}

/* Transports picked by mask (virtio-net alone in slot 2, slot 0 as well). */
static void test_virtio_mask(void **state)
{
	static const uint32_t reg2[] = {0x0a000400, 0x200}, irq2[] = {0, 18, 4};
	struct guest_dtb_params p = default_params;

	(void)state;
	p.virtio = 0x0a000000;
	p.virtio_irq = 48;
	p.virtio_mask = 1u << 2;
	build(&p);
	assert_cells_prop("/virtio_mmio@a000400", "reg", reg2, 2);
	assert_cells_prop("/virtio_mmio@a000400", "interrupts", irq2, 3);
	assert_int_equal(fdt_path_offset(buf, "/virtio_mmio@a000000"), -FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_path_offset(buf, "/virtio_mmio@a000200"), -FDT_ERR_NOTFOUND);
	p.nr_virtio = 1;
	build(&p);
	assert_true(fdt_path_offset(buf, "/virtio_mmio@a000000") >= 0);
	assert_int_equal(fdt_path_offset(buf, "/virtio_mmio@a000200"), -FDT_ERR_NOTFOUND);
	assert_true(fdt_path_offset(buf, "/virtio_mmio@a000400") >= 0);
	p.virtio_mask = 1u << GUEST_DTB_MAX_VIRTIO;
	assert_int_equal(guest_dtb_build(buf, BUF_SIZE, &p), -FDT_ERR_BADVALUE);
}

static void test_chosen_and_aliases(void **state)
{
	(void)state;
	build(&default_params);
	assert_string_prop("/chosen", "bootargs", "console=ttyAMA0 earlycon");
	assert_string_prop("/chosen", "stdout-path", "/pl011@9000000");
	assert_u32_prop("/chosen", "linux,initrd-start", 0x48000000);
	assert_u32_prop("/chosen", "linux,initrd-end", 0x48123456);
	assert_string_prop("/aliases", "serial0", "/pl011@9000000");
	assert_int_equal(fdt_path_offset(buf, "serial0"), node("/pl011@9000000"));
}

static void test_no_initrd_no_bootargs(void **state)
{
	struct guest_dtb_params p = default_params;

	(void)state;
	p.initrd_start = 0;
	p.initrd_end = 0;
	p.bootargs = NULL;
	build(&p);
	assert_no_prop("/chosen", "linux,initrd-start");
	assert_no_prop("/chosen", "linux,initrd-end");
	assert_no_prop("/chosen", "bootargs");
	assert_string_prop("/chosen", "stdout-path", "/pl011@9000000");
}

/* The entropy handed over becomes /chosen/rng-seed, byte for byte. */
static void test_rng_seed(void **state)
{
	struct guest_dtb_params p = default_params;
	uint8_t seed[64];
	int len;

	(void)state;
	for (unsigned i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(i * 37 + 5);
	build(&p);
	assert_no_prop("/chosen", "rng-seed");
	p.rng_seed = seed;
	p.rng_seed_len = sizeof(seed);
	build(&p);
	const void *prop = fdt_getprop(buf, node("/chosen"), "rng-seed", &len);
	assert_non_null(prop);
	assert_int_equal(len, sizeof(seed));
	assert_memory_equal(prop, seed, sizeof(seed));
}

/* Node names and paths follow the addresses given. */
static void test_other_addresses(void **state)
{
	struct guest_dtb_params p = default_params;
	static const uint32_t gic_reg[] = {0x2f000000, 0x1000, 0x2c002000, 0x2000};
	static const uint32_t irq[] = {0, 5, 4};

	(void)state;
	p.ram_base = 0x80000000;
	p.ram_size = 0x10000000;
	p.gicd = 0x2f000000;
	p.gicc = 0x2c002000;
	p.uart = 0x1c090000;
	p.uart_irq = 37;
	build(&p);
	assert_int_equal(fdt_path_offset(buf, "/memory@40000000"), -FDT_ERR_NOTFOUND);
	node("/memory@80000000");
	assert_cells_prop("/intc@2f000000", "reg", gic_reg, 4);
	assert_cells_prop("/pl011@1c090000", "interrupts", irq, 3);
	assert_string_prop("/chosen", "stdout-path", "/pl011@1c090000");
	assert_string_prop("/aliases", "serial0", "/pl011@1c090000");
	assert_u32_prop("/", "interrupt-parent", phandle_of("/intc@2f000000"));
}

static void test_buffer_too_small(void **state)
{
	unsigned size;

	(void)state;
	build(&default_params);
	size = fdt_totalsize(buf);
	assert_int_equal(guest_dtb_build(buf, size, &default_params), 0);
	assert_int_equal(guest_dtb_build(buf, size - 1, &default_params), -FDT_ERR_NOSPACE);
	assert_int_equal(guest_dtb_build(buf, 64, &default_params), -FDT_ERR_NOSPACE);
	assert_true(guest_dtb_build(buf, 0, &default_params) < 0);
}

static void test_bad_params(void **state)
{
	struct guest_dtb_params p = default_params;

	(void)state;
	p.nr_cpus = 0;
	assert_int_equal(guest_dtb_build(buf, sizeof(buf), &p), -FDT_ERR_BADVALUE);
	p.nr_cpus = 9;
	assert_int_equal(guest_dtb_build(buf, sizeof(buf), &p), -FDT_ERR_BADVALUE);
	p = default_params;
	p.uart_irq = 27;
	assert_int_equal(guest_dtb_build(buf, sizeof(buf), &p), -FDT_ERR_BADVALUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_root),
	    cmocka_unit_test(test_memory),
	    cmocka_unit_test(test_cpus),
	    cmocka_unit_test(test_psci),
	    cmocka_unit_test(test_gic),
	    cmocka_unit_test(test_timer),
	    cmocka_unit_test(test_clock),
	    cmocka_unit_test(test_uart),
	    cmocka_unit_test(test_virtio),
	    cmocka_unit_test(test_virtio_mask),
	    cmocka_unit_test(test_chosen_and_aliases),
	    cmocka_unit_test(test_no_initrd_no_bootargs),
	    cmocka_unit_test(test_rng_seed),
	    cmocka_unit_test(test_other_addresses),
	    cmocka_unit_test(test_buffer_too_small),
	    cmocka_unit_test(test_bad_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
