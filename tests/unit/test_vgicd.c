/* Unit tests of the virtual GICv2 distributor (servers/vmm/vgicd.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vgicd.h"

struct config {
	unsigned nr_irqs;
	unsigned nr_cpus;
};

static const struct config configs[] = {
    {64, 1}, {64, 2}, {256, 1}, {256, 2}, {256, 4}, {32, 4},
};

#define NR_CONFIGS (sizeof(configs) / sizeof(configs[0]))

static uint32_t rd(const struct vgicd *d, unsigned cpu, uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(vgicd_read(d, cpu, off, 4, &v), 0);
	return v;
}

static uint32_t rd8(const struct vgicd *d, unsigned cpu, uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(vgicd_read(d, cpu, off, 1, &v), 0);
	return v;
}

static void wr(struct vgicd *d, unsigned cpu, uint32_t off, uint32_t val)
{
	assert_int_equal(vgicd_write(d, cpu, off, 4, val), 0);
}

static void wr8(struct vgicd *d, unsigned cpu, uint32_t off, uint32_t val)
{
	assert_int_equal(vgicd_write(d, cpu, off, 1, val), 0);
}

static uint32_t replicate(uint32_t byte)
{
	return byte * 0x01010101u;
}

static uint32_t cpu_mask(const struct config *c)
{
	return (1u << c->nr_cpus) - 1;
}

static const uint32_t id_values[12] = {
    0x04, 0x00, 0x00, 0x00, 0x90, 0xB4, 0x2B, 0x00, 0x0D, 0xF0, 0x05, 0xB1,
};

/* ---- an independent statement of the register table -------------------- */

/* Does the register word at off belong to an existing INTID? */
static int word_exists(const struct config *c, uint32_t off, uint32_t base, unsigned per_word)
{
	return (off - base) / 4 * per_word < c->nr_irqs;
}

static uint32_t expected_reset(const struct config *c, unsigned cpu, uint32_t off)
{
	if (off == 0x004)
		return (c->nr_irqs / 32 - 1) | (c->nr_cpus - 1) << 5;
	if (off == 0x008)
		return 0x0200043B;
	if (off == 0x100)
		return 0xFFFF; /* SGIs always enabled */
	if (off == 0x180)
		return 0xFFFF;
	if (off >= 0x800 && off < 0x820 && c->nr_cpus > 1)
		return replicate(1u << cpu);
	if (off == 0xC00)
		return 0xAAAAAAAA;
	if (off >= 0xFD0)
		return id_values[(off - 0xFD0) / 4];
	return 0;
}

/* The value read straight after writing 0xFFFFFFFF to off. */
static uint32_t expected_after_ones(const struct config *c, unsigned cpu, uint32_t off)
{
	if (off == 0x000)
		return 0x3;
	if (off >= 0x080 && off < 0x100)
		return word_exists(c, off, 0x080, 32) ? ~0u : 0;
	if (off >= 0x100 && off < 0x180)
		return word_exists(c, off, 0x100, 32) ? ~0u : 0;
	if (off >= 0x180 && off < 0x200)
		return off == 0x180 ? 0xFFFF : 0;
	if (off >= 0x200 && off < 0x280) {
		if (!word_exists(c, off, 0x200, 32))
			return 0;
		return off == 0x200 ? 0xFFFF0000 : ~0u; /* SGI pending bits are WI */
	}
	if (off >= 0x280 && off < 0x300)
		return 0;
	if (off >= 0x300 && off < 0x380)
		return word_exists(c, off, 0x300, 32) ? ~0u : 0;
	if (off >= 0x380 && off < 0x400)
		return 0;
	if (off >= 0x400 && off < 0x800)
		return word_exists(c, off, 0x400, 4) ? 0xF8F8F8F8 : 0;
	if (off >= 0x800 && off < 0xC00) {
		if (c->nr_cpus == 1 || !word_exists(c, off, 0x800, 4))
			return 0;
		return off < 0x820 ? replicate(1u << cpu) : replicate(cpu_mask(c));
	}
	if (off >= 0xC00 && off < 0xD00) {
		if (off == 0xC00)
			return 0xAAAAAAAA;
		if (off == 0xC04 || !word_exists(c, off, 0xC00, 16))
			return 0;
		return 0xAAAAAAAA;
	}
	if (off >= 0xF10 && off < 0xF20)
		return 0;
	if (off >= 0xF20 && off < 0xF30)
		return replicate(cpu_mask(c));
	return expected_reset(c, cpu, off);
}

/* ---- reset values and writable masks ------------------------------------ */

/* Level or edge, as the monitor decides whether to sample again at EOI. */
static void test_is_level(void **state)
{
	struct vgicd d;
	(void)state;
	vgicd_init(&d, 64, 1);
	assert_false(vgicd_is_level(&d, 3));                        /* SGIs are edge */
	assert_true(vgicd_is_level(&d, 27));                        /* PPIs are level */
	assert_true(vgicd_is_level(&d, 33));                        /* SPIs reset to level */
	assert_int_equal(vgicd_write(&d, 0, 0xc08, 4, 1u << 3), 0); /* INTID 33 edge */
	assert_false(vgicd_is_level(&d, 33));
	assert_true(vgicd_is_level(&d, 34));
	assert_false(vgicd_is_level(&d, 64)); /* beyond nr_irqs */
}

static void test_reset_values(void **state)
{
	static struct vgicd d;

	(void)state;
	for (unsigned i = 0; i < NR_CONFIGS; i++) {
		const struct config *c = &configs[i];

		vgicd_init(&d, c->nr_irqs, c->nr_cpus);
		for (unsigned cpu = 0; cpu < c->nr_cpus; cpu++)
			for (uint32_t off = 0; off < 0x1000; off += 4)
				assert_int_equal(rd(&d, cpu, off), expected_reset(c, cpu, off));
	}
}

static void test_typer_values(void **state)
{
	static struct vgicd d;

	(void)state;
	vgicd_init(&d, 64, 1);
	assert_int_equal(rd(&d, 0, 0x004), 0x01);
	vgicd_init(&d, 64, 2);
	assert_int_equal(rd(&d, 0, 0x004), 0x21);
	vgicd_init(&d, 256, 1);
	assert_int_equal(rd(&d, 0, 0x004), 0x07);
	vgicd_init(&d, 256, 2);
	assert_int_equal(rd(&d, 0, 0x004), 0x27);
	vgicd_init(&d, 256, 4);
	assert_int_equal(rd(&d, 0, 0x004), 0x67);
}

static void test_writable_masks(void **state)
{
	static struct vgicd d;

	(void)state;
	for (unsigned i = 0; i < NR_CONFIGS; i++) {
		const struct config *c = &configs[i];

		vgicd_init(&d, c->nr_irqs, c->nr_cpus);
		for (uint32_t off = 0; off < 0x1000; off += 4) {
			wr(&d, 0, off, 0xFFFFFFFF);
			assert_int_equal(rd(&d, 0, off), expected_after_ones(c, 0, off));
		}
	}
}

/* Writing zeros to the RW registers brings them back to reset. */
static void test_write_zero_clears(void **state)
{
	static const uint32_t rw_ranges[][2] = {
	    {0x000, 0x004}, {0x080, 0x100}, {0x400, 0x800}, {0x800, 0xC00}, {0xC00, 0xD00},
	};
	static struct vgicd d;

	(void)state;
	for (unsigned i = 0; i < NR_CONFIGS; i++) {
		const struct config *c = &configs[i];

		vgicd_init(&d, c->nr_irqs, c->nr_cpus);
		for (unsigned r = 0; r < 5; r++) {
			for (uint32_t off = rw_ranges[r][0]; off < rw_ranges[r][1]; off += 4) {
				wr(&d, 0, off, 0xFFFFFFFF);
				wr(&d, 0, off, 0);
				assert_int_equal(rd(&d, 0, off), expected_reset(c, 0, off));
			}
		}
	}
}

static void test_set_clear_pairs(void **state)
{
	static struct vgicd d;

	(void)state;
	vgicd_init(&d, 64, 2);
	/* enable */
	wr(&d, 0, 0x104, 0x00000005);
	wr(&d, 0, 0x104, 0x00000100);
	assert_int_equal(rd(&d, 0, 0x104), 0x105);
	assert_int_equal(rd(&d, 0, 0x184), 0x105);
	wr(&d, 0, 0x184, 0x00000001);
	assert_int_equal(rd(&d, 0, 0x104), 0x104);
	/* SGI enable bits are RAO/WI */
	wr(&d, 0, 0x180, 0xFFFFFFFF);
	assert_int_equal(rd(&d, 0, 0x100), 0xFFFF);
	/* pending */
	wr(&d, 1, 0x204, 0x80000000);
	assert_int_equal(rd(&d, 0, 0x284), 0x80000000);
	wr(&d, 1, 0x284, 0x80000000);
	assert_int_equal(rd(&d, 0, 0x204), 0);
	/* active */
	wr(&d, 0, 0x304, 0x3);
	wr(&d, 0, 0x384, 0x1);
	assert_int_equal(rd(&d, 1, 0x304), 0x2);
	assert_int_equal(rd(&d, 1, 0x384), 0x2);
}

static void test_banked_registers(void **state)
{
	static struct vgicd d;

	(void)state;
	vgicd_init(&d, 64, 2);
	wr(&d, 0, 0x080, 0x12345678);
	wr(&d, 0, 0x084, 0xCAFEF00D);
	wr(&d, 0, 0x100, 0x00FF0000);
	wr(&d, 0, 0x200, 0x00FF0000);
	wr(&d, 0, 0x300, 0x00FF00FF);
	wr(&d, 0, 0x41C, 0xF8F0E8E0);
	wr(&d, 0, 0x420, 0x10203040);
	/* cpu 1 sees its own copy of 0-31 ... */
	assert_int_equal(rd(&d, 1, 0x080), 0);
	assert_int_equal(rd(&d, 1, 0x100), 0xFFFF);
	assert_int_equal(rd(&d, 1, 0x200), 0);
	assert_int_equal(rd(&d, 1, 0x300), 0);
	assert_int_equal(rd(&d, 1, 0x41C), 0);
	/* ... and the shared SPI state */
	assert_int_equal(rd(&d, 1, 0x084), 0xCAFEF00D);
	assert_int_equal(rd(&d, 1, 0x420), 0x10203040);
	assert_int_equal(rd(&d, 0, 0x080), 0x12345678);
	assert_int_equal(rd(&d, 0, 0x100), 0x00FFFFFF);
	assert_int_equal(rd(&d, 0, 0x200), 0x00FF0000);
	assert_int_equal(rd(&d, 0, 0x300), 0x00FF00FF);
	assert_int_equal(rd(&d, 0, 0x41C), 0xF8F0E8E0);
	/* ITARGETSR 0-31 read as the reading CPU */
	assert_int_equal(rd(&d, 0, 0x800), 0x01010101);
	assert_int_equal(rd(&d, 1, 0x81C), 0x02020202);
	wr(&d, 1, 0x81C, 0);
	assert_int_equal(rd(&d, 1, 0x81C), 0x02020202);
}

/* ---- access sizes ------------------------------------------------------- */

static void test_byte_accesses(void **state)
{
	static struct vgicd d;

	(void)state;
	vgicd_init(&d, 64, 2);
	wr8(&d, 0, 0x421, 0xFF);
	assert_int_equal(rd(&d, 0, 0x420), 0x0000F800);
	assert_int_equal(rd8(&d, 0, 0x421), 0xF8);
	assert_int_equal(rd8(&d, 0, 0x420), 0);
	wr8(&d, 0, 0x823, 0xFF);
	assert_int_equal(rd(&d, 0, 0x820), 0x03000000);
	assert_int_equal(rd8(&d, 1, 0x823), 0x03);
	assert_int_equal(rd8(&d, 1, 0x801), 0x02);
	wr8(&d, 1, 0xF25, 0x1);
	assert_int_equal(rd(&d, 1, 0xF24), 0x00000100);
	assert_int_equal(rd8(&d, 1, 0xF15), 0x1);
	wr8(&d, 1, 0xF15, 0x1);
	assert_int_equal(rd(&d, 1, 0xF24), 0);
}

static void test_bad_accesses(void **state)
{
	static const uint32_t word_only[] = {
	    0x000, 0x004, 0x008, 0x080, 0x100, 0x180, 0x200, 0x280, 0x300,
	    0x380, 0xC00, 0xE00, 0xF00, 0xFD0, 0xFE0, 0xFFC, 0x00C,
	};
	static const uint32_t byte_ok[] = {0x400, 0x7FF, 0x800, 0xBFF, 0xF10, 0xF1F, 0xF20, 0xF2F};
	static struct vgicd d;
	uint32_t v;

	(void)state;
	vgicd_init(&d, 64, 2);
	for (unsigned i = 0; i < sizeof(word_only) / sizeof(word_only[0]); i++) {
		uint32_t off = word_only[i];

		assert_int_equal(vgicd_read(&d, 0, off, 1, &v), -1);
		assert_int_equal(vgicd_write(&d, 0, off, 1, 0), -1);
		assert_int_equal(vgicd_read(&d, 0, off + 1, 1, &v), -1);
		assert_int_equal(vgicd_read(&d, 0, off & ~3u, 2, &v), -1);
		assert_int_equal(vgicd_write(&d, 0, off & ~3u, 2, 0), -1);
	}
	for (unsigned i = 0; i < sizeof(byte_ok) / sizeof(byte_ok[0]); i++) {
		uint32_t off = byte_ok[i];

		assert_int_equal(vgicd_read(&d, 0, off, 1, &v), 0);
		assert_int_equal(vgicd_write(&d, 0, off, 1, 0), 0);
		assert_int_equal(vgicd_read(&d, 0, off & ~1u, 2, &v), -1);
		assert_int_equal(vgicd_write(&d, 0, off & ~1u, 2, 0), -1);
	}
	/* misaligned words */
	assert_int_equal(vgicd_read(&d, 0, 0x402, 4, &v), -1);
	assert_int_equal(vgicd_write(&d, 0, 0x401, 4, 0), -1);
	assert_int_equal(vgicd_read(&d, 0, 0x002, 4, &v), -1);
	assert_int_equal(vgicd_write(&d, 0, 0xF22, 4, 0), -1);
	/* outside the frame, odd sizes, missing CPUs */
	assert_int_equal(vgicd_read(&d, 0, 0x1000, 4, &v), -1);
	assert_int_equal(vgicd_write(&d, 0, 0x1000, 4, 0), -1);
	assert_int_equal(vgicd_read(&d, 0, 0xFFFFFFFC, 4, &v), -1);
	assert_int_equal(vgicd_read(&d, 0, 0x400, 3, &v), -1);
	assert_int_equal(vgicd_read(&d, 0, 0x400, 8, &v), -1);
	assert_int_equal(vgicd_read(&d, 0, 0x400, 0, &v), -1);
	assert_int_equal(vgicd_read(&d, 2, 0x000, 4, &v), -1);
	assert_int_equal(vgicd_write(&d, 2, 0x000, 4, 0), -1);
}

/* A bad write changes nothing. */
static void test_bad_write_has_no_effect(void **state)
{
	static struct vgicd d;

	(void)state;
	vgicd_init(&d, 64, 2);
	assert_int_equal(vgicd_write(&d, 0, 0x000, 1, 3), -1);
	assert_int_equal(vgicd_write(&d, 0, 0x420, 2, 0xFFFF), -1);
	assert_int_equal(vgicd_write(&d, 0, 0x422, 4, 0xFFFFFFFF), -1);
	assert_int_equal(rd(&d, 0, 0x000), 0);
	assert_int_equal(rd(&d, 0, 0x420), 0);
}

/* ---- SGIs --------------------------------------------------------------- */

static uint32_t sgi_sources(const struct vgicd *d, unsigned cpu, unsigned sgi)
{
	return rd8(d, cpu, 0xF20 + sgi);
}

static void test_sgir_target_list(void **state)
{
	static struct vgicd d;

	(void)state;
	vgicd_init(&d, 64, 4);
	wr(&d, 0, 0xF00, 0x00060005); /* list {1,2}, SGI 5 */
	assert_int_equal(sgi_sources(&d, 0, 5), 0);
	assert_int_equal(sgi_sources(&d, 1, 5), 0x1);
	assert_int_equal(sgi_sources(&d, 2, 5), 0x1);
	assert_int_equal(sgi_sources(&d, 3, 5), 0);
	assert_int_equal(rd(&d, 1, 0x200), 1u << 5);
	assert_int_equal(rd(&d, 0, 0x200), 0);
	wr(&d, 3, 0xF00, 0x00020005); /* from cpu 3 too */
	assert_int_equal(sgi_sources(&d, 1, 5), 0x9);
	/* bits for missing CPUs are dropped */
	vgicd_init(&d, 64, 2);
	wr(&d, 1, 0xF00, 0x00FC0003);
	for (unsigned cpu = 0; cpu < 2; cpu++)
		assert_int_equal(rd(&d, cpu, 0xF20), 0);
	wr(&d, 1, 0xF00, 0x00FF0003);
	assert_int_equal(sgi_sources(&d, 0, 3), 0x2);
	assert_int_equal(sgi_sources(&d, 1, 3), 0x2);
}

static void test_sgir_filters(void **state)
{
	static struct vgicd d;

	(void)state;
	vgicd_init(&d, 64, 4);
	wr(&d, 2, 0xF00, 0x01FF000F); /* all but self; list ignored */
	for (unsigned cpu = 0; cpu < 4; cpu++)
		assert_int_equal(sgi_sources(&d, cpu, 15), cpu == 2 ? 0 : 0x4);
	wr(&d, 1, 0xF00, 0x02000007); /* self */
	for (unsigned cpu = 0; cpu < 4; cpu++)
		assert_int_equal(sgi_sources(&d, cpu, 7), cpu == 1 ? 0x2 : 0);
	wr(&d, 0, 0xF00, 0x03FF0001); /* reserved filter: nothing */
	for (unsigned cpu = 0; cpu < 4; cpu++)
		assert_int_equal(sgi_sources(&d, cpu, 1), 0);
	/* SGIR is write-only */
	assert_int_equal(rd(&d, 0, 0xF00), 0);
}

static void test_sgi_pending_registers(void **state)
{
	static struct vgicd d;

	(void)state;
	vgicd_init(&d, 64, 2);
	wr(&d, 0, 0xF2C, 0xFF030201); /* SGIs 12..15 */
	assert_int_equal(rd(&d, 0, 0xF2C), 0x03030201);
	assert_int_equal(rd(&d, 0, 0xF1C), 0x03030201);
	assert_int_equal(rd(&d, 0, 0x200), 0xF000);
	assert_int_equal(rd(&d, 1, 0xF2C), 0);
	wr(&d, 0, 0xF1C, 0x01010101);
	assert_int_equal(rd(&d, 0, 0xF2C), 0x02020200);
	assert_int_equal(rd(&d, 0, 0x200), 0xE000);
	/* ISPENDR/ICPENDR do not touch SGIs */
	wr(&d, 0, 0x280, 0xFFFF);
	assert_int_equal(rd(&d, 0, 0x200), 0xE000);
	wr(&d, 0, 0x200, 0x000F);
	assert_int_equal(rd(&d, 0, 0x200), 0xE000);
}

/* ---- delivery ----------------------------------------------------------- */

static void enable_all(struct vgicd *d, unsigned cpu)
{
	wr(d, 0, 0x000, 0x3);
	for (uint32_t off = 0x100; off < 0x100 + d->nr_irqs / 8; off += 4)
		wr(d, cpu, off, 0xFFFFFFFF);
}

static void test_take_pending_priority_order(void **state)
{
	static struct vgicd d;
	uint32_t info;

	(void)state;
	vgicd_init(&d, 64, 1);
	enable_all(&d, 0);
	wr8(&d, 0, 0x400 + 40, 0x80);
	wr8(&d, 0, 0x400 + 35, 0x40);
	wr8(&d, 0, 0x400 + 50, 0x40);
	wr8(&d, 0, 0x400 + 27, 0xA0);
	wr8(&d, 0, 0x400 + 33, 0x08);
	vgicd_set_pending(&d, 0, 40);
	vgicd_set_pending(&d, 0, 50);
	vgicd_set_pending(&d, 0, 35);
	vgicd_set_pending(&d, 0, 27);
	vgicd_set_pending(&d, 0, 33);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), 33);
	assert_int_equal(info, 0x08u << 8);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), 35); /* tie: lower INTID */
	assert_int_equal(info, 0x40u << 8);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), 50);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), 40);
	assert_int_equal(info, 0x80u << 8);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), 27);
	assert_int_equal(info, 0xA0u << 8);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), -1);
	assert_int_equal(rd(&d, 0, 0x200), 0);
	assert_int_equal(rd(&d, 0, 0x204), 0);
}

static void test_take_pending_needs_enable_and_group(void **state)
{
	static struct vgicd d;
	uint32_t info;

	(void)state;
	vgicd_init(&d, 64, 1);
	vgicd_set_pending(&d, 0, 40);
	wr(&d, 0, 0x000, 0x3);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), -1); /* disabled */
	wr(&d, 0, 0x104, 1u << 8);
	wr(&d, 0, 0x084, 1u << 8); /* group 1 */
	wr(&d, 0, 0x000, 0x1);     /* only group 0 enabled */
	assert_int_equal(vgicd_take_pending(&d, 0, &info), -1);
	wr(&d, 0, 0x000, 0x2);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), 40);
	assert_int_equal(info, 1u << 16);
	/* group 0 with only group 1 enabled */
	vgicd_set_pending(&d, 0, 40);
	wr(&d, 0, 0x084, 0);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), -1);
	wr(&d, 0, 0x000, 0x1);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), 40);
	assert_int_equal(info, 0);
	/* nothing at all with CTLR 0 */
	vgicd_set_pending(&d, 0, 40);
	wr(&d, 0, 0x000, 0);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), -1);
	assert_int_equal(rd(&d, 0, 0x204), 1u << 8); /* still pending */
}

static void test_take_pending_spi_targets(void **state)
{
	static struct vgicd d;
	uint32_t info;

	(void)state;
	vgicd_init(&d, 64, 2);
	enable_all(&d, 0);
	vgicd_set_pending(&d, 0, 33);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), -1); /* targets 0 */
	assert_int_equal(vgicd_take_pending(&d, 1, &info), -1);
	wr8(&d, 0, 0x800 + 33, 0x2);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), -1);
	assert_int_equal(vgicd_take_pending(&d, 1, &info), 33);
	assert_int_equal(vgicd_take_pending(&d, 1, &info), -1);
	/* both targeted: the first CPU to look takes it */
	wr8(&d, 0, 0x800 + 33, 0x3);
	vgicd_set_pending(&d, 1, 33);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), 33);
	assert_int_equal(vgicd_take_pending(&d, 1, &info), -1);
}

static void test_take_pending_uniprocessor_spi(void **state)
{
	static struct vgicd d;
	uint32_t info;

	(void)state;
	vgicd_init(&d, 64, 1);
	enable_all(&d, 0);
	assert_int_equal(rd8(&d, 0, 0x800 + 33), 0); /* RAZ */
	vgicd_set_pending(&d, 3, 33);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), 33);
	assert_int_equal(vgicd_take_pending(&d, 1, &info), -1); /* no such CPU */
}

static void test_take_pending_sgi_sources(void **state)
{
	static struct vgicd d;
	uint32_t info;

	(void)state;
	vgicd_init(&d, 64, 4);
	wr(&d, 0, 0x000, 0x3);
	wr8(&d, 2, 0x403, 0x58);
	wr(&d, 2, 0x080, 1u << 3);
	wr(&d, 0, 0xF00, 0x00040003); /* cpu 0 -> cpu 2, SGI 3 */
	wr(&d, 3, 0xF00, 0x00040003); /* cpu 3 -> cpu 2, SGI 3 */
	assert_int_equal(vgicd_take_pending(&d, 2, &info), 3);
	assert_int_equal(info, 0u | 0x58u << 8 | 1u << 16);
	assert_int_equal(sgi_sources(&d, 2, 3), 0x8);
	assert_int_equal(vgicd_take_pending(&d, 2, &info), 3);
	assert_int_equal(info, 3u | 0x58u << 8 | 1u << 16);
	assert_int_equal(vgicd_take_pending(&d, 2, &info), -1);
	assert_int_equal(rd(&d, 2, 0x200), 0);
	/* SGI to cpu 1 is not seen by cpu 0 */
	wr(&d, 0, 0xF00, 0x00020001);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), -1);
	assert_int_equal(vgicd_take_pending(&d, 1, &info), 1);
	assert_int_equal(info, 0);
}

static void test_ppi_is_banked(void **state)
{
	static struct vgicd d;
	uint32_t info;

	(void)state;
	vgicd_init(&d, 64, 2);
	wr(&d, 0, 0x000, 0x3);
	wr(&d, 0, 0x100, 1u << 27);
	wr(&d, 1, 0x100, 1u << 27);
	vgicd_set_pending(&d, 1, 27);
	assert_int_equal(rd(&d, 1, 0x200), 1u << 27);
	assert_int_equal(rd(&d, 0, 0x200), 0);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), -1);
	assert_int_equal(vgicd_take_pending(&d, 1, &info), 27);
	/* disabled on cpu 1 only */
	wr(&d, 1, 0x180, 1u << 27);
	vgicd_set_pending(&d, 0, 27);
	vgicd_set_pending(&d, 1, 27);
	assert_int_equal(vgicd_take_pending(&d, 1, &info), -1);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), 27);
}

static void test_set_pending_ignores_bad_intids(void **state)
{
	static struct vgicd d;
	uint32_t info;

	(void)state;
	vgicd_init(&d, 64, 2);
	enable_all(&d, 0);
	vgicd_set_pending(&d, 0, 3);  /* SGI: only through SGIR */
	vgicd_set_pending(&d, 0, 64); /* beyond nr_irqs */
	vgicd_set_pending(&d, 0, 1000);
	vgicd_set_pending(&d, 5, 20); /* PPI of a missing CPU */
	assert_int_equal(rd(&d, 0, 0x200), 0);
	assert_int_equal(rd(&d, 1, 0x200), 0);
	assert_int_equal(rd(&d, 0, 0x204), 0);
	assert_int_equal(vgicd_take_pending(&d, 0, &info), -1);
	assert_int_equal(vgicd_take_pending(&d, 9, &info), -1);
}

static void test_init_clamps(void **state)
{
	static struct vgicd d;

	(void)state;
	vgicd_init(&d, 1000, 9);
	assert_int_equal(d.nr_irqs, 256);
	assert_int_equal(d.nr_cpus, 4);
	vgicd_init(&d, 0, 0);
	assert_int_equal(d.nr_irqs, 32);
	assert_int_equal(d.nr_cpus, 1);
	vgicd_init(&d, 100, 2);
	assert_int_equal(d.nr_irqs, 96);
}

/* The state is plain data: a copy behaves like the original. */
static void test_state_survives_copy(void **state)
{
	static struct vgicd d, copy;
	uint32_t info;

	(void)state;
	vgicd_init(&d, 64, 2);
	enable_all(&d, 0);
	wr8(&d, 0, 0x800 + 40, 0x1);
	vgicd_set_pending(&d, 0, 40);
	copy = d;
	assert_int_equal(vgicd_take_pending(&copy, 0, &info), 40);
	assert_int_equal(rd(&d, 0, 0x204), 1u << 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_is_level),
	    cmocka_unit_test(test_reset_values),
	    cmocka_unit_test(test_typer_values),
	    cmocka_unit_test(test_writable_masks),
	    cmocka_unit_test(test_write_zero_clears),
	    cmocka_unit_test(test_set_clear_pairs),
	    cmocka_unit_test(test_banked_registers),
	    cmocka_unit_test(test_byte_accesses),
	    cmocka_unit_test(test_bad_accesses),
	    cmocka_unit_test(test_bad_write_has_no_effect),
	    cmocka_unit_test(test_sgir_target_list),
	    cmocka_unit_test(test_sgir_filters),
	    cmocka_unit_test(test_sgi_pending_registers),
	    cmocka_unit_test(test_take_pending_priority_order),
	    cmocka_unit_test(test_take_pending_needs_enable_and_group),
	    cmocka_unit_test(test_take_pending_spi_targets),
	    cmocka_unit_test(test_take_pending_uniprocessor_spi),
	    cmocka_unit_test(test_take_pending_sgi_sources),
	    cmocka_unit_test(test_ppi_is_banked),
	    cmocka_unit_test(test_set_pending_ignores_bad_intids),
	    cmocka_unit_test(test_init_clamps),
	    cmocka_unit_test(test_state_survives_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
