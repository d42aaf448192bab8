/*
 * gicd: checks the monitor's GICv2 distributor model register by register
 * (ARM IHI0048B, "GIC Architecture Specification v2", chapter 4.3).
 *
 * The model (64 interrupts, nr_cpus from the VM config):
 *   - IPRIORITYR, ITARGETSR, CPENDSGIR, SPENDSGIR take byte and word
 *     accesses; every other register word accesses only; any other size or
 *     a misaligned access is a data abort.
 *   - reset values, writable masks and access kinds: see `regs` below.
 *   - registers for INTIDs >= 64 and reserved offsets are RAZ/WI.
 *
 * Passes:
 *   1. every word offset 0x000-0xFFC reads its reset value;
 *   2. per register: writing all-ones then zero reads back exactly the
 *      writable bits (set/clear pairs through their partner), read-only
 *      registers ignore writes; each register is left at its reset value;
 *   3. byte accesses where allowed, aborts where not (the aborted write
 *      must have no effect);
 *   4. SGIR -> SPENDSGIR/ISPENDR, CPENDSGIR;
 *   5. with 2+ CPUs: banking (cpu1 brought up with PSCI CPU_ON sees its own
 *      ITARGETSR0-7, IGROUPR0, ISENABLER0, IPRIORITYR0-7 and sends cpu0 an
 *      SGI that shows up under source cpu1);
 *   6. pass 1 again: everything is back at reset.
 *
 * Interrupts stay masked (CPSR.I) all along and GICD_CTLR is 0 whenever
 * anything is pending or enabled, so nothing is delivered.
 *
 * Output: "gicd: FAIL <what>" per failed check (the first 64), then either
 * "gicd: PASS (N checks)" or "gicd: FAIL N of M checks failed".
 */
#include "guest.h"

const char guest_name[] = "gicd";

int main(const void *dtb);

#define NR_IRQS        64u
#define MAX_FAIL_LINES 64u

enum kind {
	K_RW,    /* read/write: mask = writable bits */
	K_RO,    /* read-only: writes ignored */
	K_RAZWI, /* reads 0, writes ignored */
	K_WO,    /* write-only (SGIR): reads 0, not written by pass 2 */
	K_SET,   /* set-enable/-pending/-active: 1 sets, 0 no effect */
	K_CLR,   /* its clear partner: tested with the K_SET entry */
};

#define F_BYTE    0x01u /* byte accesses allowed */
#define F_TYPER   0x02u /* reset = (nr_irqs/32 - 1) | (nr_cpus - 1) << 5 */
#define F_TGT_PPI 0x04u /* ITARGETSR0-7: RAZ/WI (1 cpu) or RO 1<<cpu per byte */
#define F_TGT_SPI 0x08u /* SPI ITARGETSR: RAZ/WI (1 cpu) or mask (1<<n)-1 per byte */
#define F_SGISRC  0x10u /* [CS]PENDSGIR: mask = source CPUs per byte */

struct reg {
	uint16_t start, end; /* [start, end) word offsets */
	const char *name;
	enum kind kind;
	uint32_t flags;
	uint32_t reset, mask;
	uint16_t pair; /* K_SET: offset of the clear register for `start` */
};

/* The distributor as the monitor implements it: (offset, reset, mask, kind). */
static const struct reg regs[] = {
    {0x000, 0x004, "CTLR", K_RW, 0, 0x00000000, 0x00000003, 0},
    {0x004, 0x008, "TYPER", K_RO, F_TYPER, 0, 0, 0},
    {0x008, 0x00c, "IIDR", K_RO, 0, 0x0200043b, 0, 0},
    {0x00c, 0x080, "reserved", K_RAZWI, 0, 0, 0, 0},
    {0x080, 0x088, "IGROUPR", K_RW, 0, 0, 0xffffffff, 0},
    {0x088, 0x100, "IGROUPR(>=64)", K_RAZWI, 0, 0, 0, 0},
    {0x100, 0x104, "ISENABLER0", K_SET, 0, 0x0000ffff, 0xffff0000, 0x180},
    {0x104, 0x108, "ISENABLER1", K_SET, 0, 0, 0xffffffff, 0x184},
    {0x108, 0x180, "ISENABLER(>=64)", K_RAZWI, 0, 0, 0, 0},
    {0x180, 0x184, "ICENABLER0", K_CLR, 0, 0x0000ffff, 0xffff0000, 0},
    {0x184, 0x188, "ICENABLER1", K_CLR, 0, 0, 0xffffffff, 0},
    {0x188, 0x200, "ICENABLER(>=64)", K_RAZWI, 0, 0, 0, 0},
    {0x200, 0x204, "ISPENDR0", K_SET, 0, 0, 0xffff0000, 0x280},
    {0x204, 0x208, "ISPENDR1", K_SET, 0, 0, 0xffffffff, 0x284},
    {0x208, 0x280, "ISPENDR(>=64)", K_RAZWI, 0, 0, 0, 0},
    {0x280, 0x284, "ICPENDR0", K_CLR, 0, 0, 0xffff0000, 0},
    {0x284, 0x288, "ICPENDR1", K_CLR, 0, 0, 0xffffffff, 0},
    {0x288, 0x300, "ICPENDR(>=64)", K_RAZWI, 0, 0, 0, 0},
    {0x300, 0x308, "ISACTIVER", K_SET, 0, 0, 0xffffffff, 0x380},
    {0x308, 0x380, "ISACTIVER(>=64)", K_RAZWI, 0, 0, 0, 0},
    {0x380, 0x388, "ICACTIVER", K_CLR, 0, 0, 0xffffffff, 0},
    {0x388, 0x400, "ICACTIVER(>=64)", K_RAZWI, 0, 0, 0, 0},
    {0x400, 0x440, "IPRIORITYR", K_RW, F_BYTE, 0, 0xf8f8f8f8, 0},
    {0x440, 0x7fc, "IPRIORITYR(>=64)", K_RAZWI, F_BYTE, 0, 0, 0},
    {0x7fc, 0x800, "reserved", K_RAZWI, 0, 0, 0, 0},
    {0x800, 0x820, "ITARGETSR0-7", K_RO, F_BYTE | F_TGT_PPI, 0, 0, 0},
    {0x820, 0x840, "ITARGETSR8-15", K_RW, F_BYTE | F_TGT_SPI, 0, 0, 0},
    {0x840, 0xbfc, "ITARGETSR(>=64)", K_RAZWI, F_BYTE, 0, 0, 0},
    {0xbfc, 0xc00, "reserved", K_RAZWI, 0, 0, 0, 0},
    {0xc00, 0xc04, "ICFGR0", K_RO, 0, 0xaaaaaaaa, 0, 0},
    {0xc04, 0xc08, "ICFGR1", K_RO, 0, 0x00000000, 0, 0},
    {0xc08, 0xc10, "ICFGR2-3", K_RW, 0, 0, 0xaaaaaaaa, 0},
    {0xc10, 0xd00, "ICFGR(>=64)", K_RAZWI, 0, 0, 0, 0},
    {0xd00, 0xe00, "reserved", K_RAZWI, 0, 0, 0, 0},
    {0xe00, 0xf00, "NSACR", K_RAZWI, 0, 0, 0, 0},
    {0xf00, 0xf04, "SGIR", K_WO, 0, 0, 0, 0},
    {0xf04, 0xf10, "reserved", K_RAZWI, 0, 0, 0, 0},
    {0xf10, 0xf20, "CPENDSGIR", K_CLR, F_BYTE | F_SGISRC, 0, 0, 0},
    {0xf20, 0xf30, "SPENDSGIR", K_SET, F_BYTE | F_SGISRC, 0, 0, 0xf10},
    {0xf30, 0xfd0, "reserved", K_RAZWI, 0, 0, 0, 0},
    {0xfd0, 0xfd4, "PIDR4", K_RO, 0, 0x04, 0, 0},
    {0xfd4, 0xfe0, "PIDR5-7", K_RO, 0, 0x00, 0, 0},
    {0xfe0, 0xfe4, "PIDR0", K_RO, 0, 0x90, 0, 0},
    {0xfe4, 0xfe8, "PIDR1", K_RO, 0, 0xb4, 0, 0},
    {0xfe8, 0xfec, "PIDR2", K_RO, 0, 0x2b, 0, 0},
    {0xfec, 0xff0, "PIDR3", K_RO, 0, 0x00, 0, 0},
    {0xff0, 0xff4, "CIDR0", K_RO, 0, 0x0d, 0, 0},
    {0xff4, 0xff8, "CIDR1", K_RO, 0, 0xf0, 0, 0},
    {0xff8, 0xffc, "CIDR2", K_RO, 0, 0x05, 0, 0},
    {0xffc, 0x1000, "CIDR3", K_RO, 0, 0xb1, 0, 0},
};
#define NREGS (sizeof(regs) / sizeof(regs[0]))

static uint32_t nr_cpus = 1;
static uint32_t checks, failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	char buf[200];

	failures++;
	if (failures > MAX_FAIL_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gprintf("gicd: FAIL %s\n", buf);
}

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;
	char buf[200];

	checks++;
	if (ok)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fail("%s", buf);
}

/* Word/byte accesses that report (as a failed check) an unexpected abort. */
static uint32_t rd(uint32_t off)
{
	uint32_t n = exc_count();
	uint32_t v = probe_read32(GICD_BASE + off);

	if (exc_count() != n) {
		fail("word read of 0x%03lx aborted", (unsigned long)off);
		return 0xdeadbeef;
	}
	return v;
}

static void wr(uint32_t off, uint32_t v)
{
	uint32_t n = exc_count();

	probe_write32(GICD_BASE + off, v);
	if (exc_count() != n)
		fail("word write of 0x%03lx aborted", (unsigned long)off);
}

static uint32_t rdb(uint32_t off)
{
	uint32_t n = exc_count();
	uint32_t v = probe_read8(GICD_BASE + off);

	if (exc_count() != n) {
		fail("byte read of 0x%03lx aborted", (unsigned long)off);
		return 0xdeadbeef;
	}
	return v;
}

static void wrb(uint32_t off, uint32_t v)
{
	uint32_t n = exc_count();

	probe_write8(GICD_BASE + off, v);
	if (exc_count() != n)
		fail("byte write of 0x%03lx aborted", (unsigned long)off);
}

static void check_rd(uint32_t off, uint32_t expect, const char *name, const char *when)
{
	uint32_t v = rd(off);

	check(v == expect, "%s (0x%03lx) %s: read 0x%08lx, expected 0x%08lx", name,
	      (unsigned long)off, when, (unsigned long)v, (unsigned long)expect);
}

static uint32_t bytes_of(uint32_t b)
{
	return b * 0x01010101u;
}

/* Resolve the table entry for the VM's CPU count. */
static void resolve(const struct reg *r, enum kind *kind, uint32_t *reset, uint32_t *mask)
{
	uint32_t cpu_bits = (1u << nr_cpus) - 1;

	*kind = r->kind;
	*reset = r->reset;
	*mask = r->mask;
	if (r->flags & F_TYPER)
		*reset = (NR_IRQS / 32 - 1) | (nr_cpus - 1) << 5;
	if (r->flags & F_TGT_PPI) {
		*kind = nr_cpus > 1 ? K_RO : K_RAZWI;
		*reset = nr_cpus > 1 ? bytes_of(1u << 0) : 0; /* this is cpu0 */
	}
	if (r->flags & F_TGT_SPI) {
		*kind = nr_cpus > 1 ? K_RW : K_RAZWI;
		*mask = nr_cpus > 1 ? bytes_of(cpu_bits) : 0;
	}
	if (r->flags & F_SGISRC)
		*mask = bytes_of(cpu_bits);
}

static const struct reg *find(uint32_t off)
{
	for (uint32_t i = 0; i < NREGS; i++)
		if (off >= regs[i].start && off < regs[i].end)
			return &regs[i];
	return NULL;
}

/* Pass 1 / 6: every word offset reads its reset value. */
static void pass_reset(const char *when)
{
	for (uint32_t off = 0; off < 0x1000; off += 4) {
		const struct reg *r = find(off);
		enum kind kind;
		uint32_t reset, mask;

		if (!r) {
			fail("no table entry for 0x%03lx", (unsigned long)off);
			continue;
		}
		resolve(r, &kind, &reset, &mask);
		check_rd(off, kind == K_RAZWI || kind == K_WO ? 0 : reset, r->name, when);
	}
}

/* Pass 2: writes. */
static void test_word(uint32_t off, const struct reg *r)
{
	enum kind kind;
	uint32_t reset, mask, ones;
	uint32_t clr = r->pair + (off - r->start);

	resolve(r, &kind, &reset, &mask);
	switch (kind) {
	case K_RW:
		wr(off, 0xffffffff);
		check_rd(off, (reset & ~mask) | mask, r->name, "after writing ~0");
		wr(off, 0);
		check_rd(off, reset & ~mask, r->name, "after writing 0");
		wr(off, reset);
		check_rd(off, reset, r->name, "after restoring");
		break;
	case K_RO:
	case K_RAZWI:
		if (kind == K_RAZWI)
			reset = 0;
		wr(off, 0xffffffff);
		check_rd(off, reset, r->name, "after writing ~0 (read-only)");
		wr(off, 0);
		check_rd(off, reset, r->name, "after writing 0 (read-only)");
		break;
	case K_SET:
		/* SGI source bits beyond nr_cpus are not pinned down: set only
		 * the existing CPUs' bits here (see test_sgi for all-ones). */
		ones = (r->flags & F_SGISRC) ? mask : 0xffffffff;
		wr(off, 0);
		check_rd(off, reset, r->name, "after writing 0 (no effect)");
		wr(off, ones);
		check_rd(off, reset | mask, r->name, "after setting ~0");
		check_rd(clr, reset | mask, "clear partner", "after setting ~0");
		wr(clr, 0);
		check_rd(off, reset | mask, r->name, "after writing 0 to clear (no effect)");
		wr(clr, ones);
		check_rd(off, reset, r->name, "after clearing ~0");
		check_rd(clr, reset, "clear partner", "after clearing ~0");
		break;
	case K_CLR: /* with its K_SET partner */
	case K_WO: /* SGIR: test_sgi */ break;
	}
}

static void pass_words(void)
{
	for (uint32_t off = 0; off < 0x1000; off += 4) {
		const struct reg *r = find(off);

		if (r)
			test_word(off, r);
	}
}

/* Pass 3a: byte accesses to the byte-accessible registers. */
static void pass_bytes(void)
{
	uint32_t cpu_bits = (1u << nr_cpus) - 1;

	for (uint32_t off = 0x400; off < 0x440; off++) {
		uint32_t sh = 8 * (off & 3);

		wrb(off, 0xff);
		check(rdb(off) == 0xf8, "IPRIORITYR byte 0x%03lx after 0xff: 0x%02lx",
		      (unsigned long)off, (unsigned long)rdb(off));
		check(rd(off & ~3u) == 0xf8u << sh,
		      "IPRIORITYR word 0x%03lx after byte write 0x%03lx: 0x%08lx",
		      (unsigned long)(off & ~3u), (unsigned long)off, (unsigned long)rd(off & ~3u));
		wrb(off, 0);
		check(rdb(off) == 0, "IPRIORITYR byte 0x%03lx after 0: 0x%02lx", (unsigned long)off,
		      (unsigned long)rdb(off));
	}
	for (uint32_t off = 0x440; off < 0x7fc; off += 0x3b) {
		wrb(off, 0xff);
		check(rdb(off) == 0, "IPRIORITYR(>=64) byte 0x%03lx not RAZ/WI",
		      (unsigned long)off);
	}
	for (uint32_t off = 0x800; off < 0x820; off++) {
		uint32_t expect = nr_cpus > 1 ? 1u : 0u;

		wrb(off, 0xff);
		check(rdb(off) == expect, "ITARGETSR byte 0x%03lx: 0x%02lx, expected 0x%02lx",
		      (unsigned long)off, (unsigned long)rdb(off), (unsigned long)expect);
	}
	for (uint32_t off = 0x820; off < 0x840; off++) {
		uint32_t expect = nr_cpus > 1 ? cpu_bits : 0u;
		uint32_t sh = 8 * (off & 3);

		wrb(off, 0xff);
		check(rdb(off) == expect,
		      "ITARGETSR SPI byte 0x%03lx after 0xff: 0x%02lx, expected 0x%02lx",
		      (unsigned long)off, (unsigned long)rdb(off), (unsigned long)expect);
		check(rd(off & ~3u) == expect << sh,
		      "ITARGETSR SPI word 0x%03lx after byte write: 0x%08lx",
		      (unsigned long)(off & ~3u), (unsigned long)rd(off & ~3u));
		wrb(off, 0);
		check(rdb(off) == 0, "ITARGETSR SPI byte 0x%03lx after 0: 0x%02lx",
		      (unsigned long)off, (unsigned long)rdb(off));
	}
	for (uint32_t off = 0x840; off < 0xbfc; off += 0x3b) {
		wrb(off, 0xff);
		check(rdb(off) == 0, "ITARGETSR(>=64) byte 0x%03lx not RAZ/WI", (unsigned long)off);
	}
	/* SPENDSGIR/CPENDSGIR bytes: SGI n's byte, bit 0 = from cpu0. */
	for (uint32_t sgi = 0; sgi < 16; sgi++) {
		uint32_t sp = 0xf20 + sgi, cp = 0xf10 + sgi;

		wrb(sp, 1);
		check(rdb(sp) == 1, "SPENDSGIR byte 0x%03lx after setting bit 0: 0x%02lx",
		      (unsigned long)sp, (unsigned long)rdb(sp));
		check(rdb(cp) == 1, "CPENDSGIR byte 0x%03lx after SPENDSGIR: 0x%02lx",
		      (unsigned long)cp, (unsigned long)rdb(cp));
		check(rd(0x200) == 1u << sgi, "ISPENDR0 with SGI %lu pending: 0x%08lx",
		      (unsigned long)sgi, (unsigned long)rd(0x200));
		wrb(cp, 1);
		check(rdb(sp) == 0, "SPENDSGIR byte 0x%03lx after CPENDSGIR: 0x%02lx",
		      (unsigned long)sp, (unsigned long)rdb(sp));
		check(rd(0x200) == 0, "ISPENDR0 after clearing SGI %lu: 0x%08lx",
		      (unsigned long)sgi, (unsigned long)rd(0x200));
	}
}

/* Put every writable register back to its reset value (CTLR first). */
static void restore_all(void)
{
	wr(0x000, 0);
	for (uint32_t off = 0; off < 0x1000; off += 4) {
		const struct reg *r = find(off);
		enum kind kind;
		uint32_t reset, mask;

		if (!r)
			continue;
		resolve(r, &kind, &reset, &mask);
		if (kind == K_RW)
			wr(off, reset);
		else if (kind == K_CLR)
			wr(off, 0xffffffff);
	}
}

/* Pass 3b: sizes the model must refuse. */
struct bad_access {
	uint16_t off;
	uint8_t size; /* 1, 2 or 4 (4: misaligned offset) */
	uint8_t write;
	uint16_t check_off; /* register that must be unchanged after a write */
};

static const struct bad_access bad[] = {
    {0x000, 1, 0, 0},     {0x000, 1, 1, 0x000}, {0x001, 1, 1, 0x000}, {0x000, 2, 1, 0x000},
    {0x004, 2, 0, 0},     {0x008, 1, 0, 0},     {0x080, 1, 1, 0x080}, {0x100, 1, 0, 0},
    {0x104, 1, 1, 0x104}, {0x184, 2, 0, 0},     {0x204, 1, 1, 0x204}, {0x304, 2, 1, 0x304},
    {0x400, 2, 0, 0},     {0x400, 2, 1, 0x400}, {0x402, 2, 1, 0x400}, {0x820, 2, 0, 0},
    {0x820, 2, 1, 0x820}, {0xc08, 1, 1, 0xc08}, {0xc00, 2, 0, 0},     {0xf00, 1, 1, 0x200},
    {0xf10, 2, 0, 0},     {0xf20, 2, 1, 0xf20}, {0xfd0, 1, 0, 0},     {0xfe8, 2, 0, 0},
    {0x402, 4, 0, 0},     {0x101, 4, 1, 0x104}, {0x822, 4, 1, 0x820},
};

static void pass_bad_sizes(void)
{
	for (uint32_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_access *b = &bad[i];
		uint32_t addr = GICD_BASE + b->off;
		uint32_t before = b->write ? rd(b->check_off) : 0;
		uint32_t n = exc_count_type(EXC_DABT);
		struct exc_info e;

		switch ((b->size << 1) | b->write) {
		case 2: probe_read8(addr); break;
		case 3: probe_write8(addr, 0xff); break;
		case 4: probe_read16(addr); break;
		case 5: probe_write16(addr, 0xffff); break;
		case 8: probe_read32(addr); break;
		case 9: probe_write32(addr, 0xffffffff); break;
		}
		e = exc_last();
		check(exc_count_type(EXC_DABT) == n + 1, "%u-byte %s at 0x%03lx did not abort",
		      b->size, b->write ? "write" : "read", (unsigned long)b->off);
		if (exc_count_type(EXC_DABT) == n + 1)
			check(e.dfar == addr, "%u-byte %s at 0x%03lx: DFAR 0x%08lx", b->size,
			      b->write ? "write" : "read", (unsigned long)b->off,
			      (unsigned long)e.dfar);
		if (b->write) {
			uint32_t after = rd(b->check_off);

			check(
			    after == before,
			    "aborted %u-byte write at 0x%03lx changed 0x%03lx: 0x%08lx -> 0x%08lx",
			    b->size, (unsigned long)b->off, (unsigned long)b->check_off,
			    (unsigned long)before, (unsigned long)after);
		}
	}
	restore_all(); /* in case an access that should have aborted did not */
}

/* Pass 4: SGIR. */
static void test_sgi(void)
{
	uint32_t cpu_bits = (1u << nr_cpus) - 1;
	uint32_t v;

	/* TargetListFilter=2: this CPU only; SGI 5 pending from cpu0. */
	wr(0xf00, 2u << 24 | 5);
	check_rd(0xf24, 0x00000100, "SPENDSGIR1", "after SGIR self SGI 5");
	check_rd(0xf14, 0x00000100, "CPENDSGIR1", "after SGIR self SGI 5");
	check_rd(0x200, 1u << 5, "ISPENDR0", "after SGIR self SGI 5");
	wr(0xf14, 0x00000100);
	check_rd(0xf24, 0, "SPENDSGIR1", "after CPENDSGIR1");
	check_rd(0x200, 0, "ISPENDR0", "after CPENDSGIR1");

	/* TargetListFilter=0, target list = cpu0: SGI 3. */
	wr(0xf00, 0u << 24 | 1u << 16 | 3);
	check_rd(0xf20, 0x01000000, "SPENDSGIR0", "after SGIR list=cpu0 SGI 3");
	wr(0xf10, 0x01000000);
	check_rd(0xf20, 0, "SPENDSGIR0", "after CPENDSGIR0");

	/* TargetListFilter=1 (all but self): nothing for cpu0. */
	wr(0xf00, 1u << 24 | 9);
	check_rd(0xf28, 0, "SPENDSGIR2", "after SGIR others-only SGI 9");

	/* SGIR reads as zero after writes. */
	check_rd(0xf00, 0, "SGIR", "(write-only) read");

	/* All-ones into SPENDSGIR: at least every existing source CPU's bit
	 * is set; all-ones into CPENDSGIR clears everything. */
	for (uint32_t off = 0xf20; off < 0xf30; off += 4) {
		wr(off, 0xffffffff);
		v = rd(off);
		check((v & bytes_of(cpu_bits)) == bytes_of(cpu_bits),
		      "SPENDSGIR 0x%03lx after ~0: 0x%08lx", (unsigned long)off, (unsigned long)v);
		wr(off - 0x10, 0xffffffff);
		check_rd(off, 0, "SPENDSGIR", "after CPENDSGIR ~0");
	}
	check_rd(0x200, 0, "ISPENDR0", "after clearing all SGIs");
	/* Setting SGI bits through ISPENDR0 is ignored. */
	wr(0x200, 0x0000ffff);
	check_rd(0x200, 0, "ISPENDR0", "after writing SGI bits (WI)");
	for (uint32_t off = 0xf20; off < 0xf30; off += 4)
		check_rd(off, 0, "SPENDSGIR", "after ISPENDR0 SGI write (WI)");
	restore_all();
}

/* Pass 5: banking, seen from cpu1. */
static volatile uint32_t cpu1_done, cpu1_fail, cpu1_checks;

static void cpu1_expect(uint32_t off, uint32_t expect, const char *what)
{
	uint32_t v = mmio_read32(GICD_BASE + off);

	cpu1_checks++;
	if (v != expect) {
		cpu1_fail++;
		gprintf("gicd: FAIL cpu1: %s (0x%03lx) read 0x%08lx, expected 0x%08lx\n", what,
		        (unsigned long)off, (unsigned long)v, (unsigned long)expect);
	}
}

static void cpu1_main(uint32_t ctx)
{
	(void)ctx;
	for (uint32_t off = 0x800; off < 0x820; off += 4)
		cpu1_expect(off, bytes_of(1u << 1), "ITARGETSR0-7 (banked)");
	cpu1_expect(0x080, 0, "IGROUPR0 (banked, cpu0 set ~0)");
	cpu1_expect(0x084, 0x5a5a5a5a, "IGROUPR1 (shared)");
	cpu1_expect(0x100, 0x0000ffff, "ISENABLER0 (banked, cpu0 enabled PPIs)");
	cpu1_expect(0x400, 0, "IPRIORITYR0 (banked, cpu0 set 0xf8)");
	cpu1_expect(0x820, 0x03030303, "ITARGETSR8 (shared)");
	mmio_write32(GICD_BASE + 0x080, 0x12345678);
	cpu1_expect(0x080, 0x12345678, "IGROUPR0 own write");
	mmio_write32(GICD_BASE + 0x080, 0);
	/* SGI 7 to cpu0 only: pending at cpu0 with source cpu1. */
	mmio_write32(GICD_BASE + 0xf00, 0u << 24 | 1u << 16 | 7);
	cpu1_expect(0xf24, 0, "SPENDSGIR1 (SGI 7 went to cpu0, not cpu1)");
	dmb();
	cpu1_done = 1;
	dmb();
}

static void test_banking(void)
{
	int32_t r;
	uint64_t deadline;

	wr(0x080, 0xffffffff);
	wr(0x084, 0x5a5a5a5a);
	wr(0x100, 0xffff0000);
	wr(0x400, 0xf8f8f8f8);
	wr(0x820, 0x03030303);
	secondary_fn = cpu1_main;
	dmb();
	r = psci_call(PSCI_CPU_ON, 1, (uint32_t)(uintptr_t)secondary_entry, 0);
	checks++;
	if (r != 0) {
		fail("banking: CPU_ON(1) returned %ld", (long)r);
	} else {
		deadline = read_cntvct() + (uint64_t)counter_freq() * 10;
		while (!cpu1_done && read_cntvct() < deadline)
			dmb();
		dmb();
		checks++;
		if (!cpu1_done)
			fail("banking: cpu1 did not finish within 10 s");
		checks += cpu1_checks;
		failures += cpu1_fail;
		check_rd(0x080, 0xffffffff, "IGROUPR0", "(cpu0) after cpu1 wrote its own");
		check_rd(0xf24, 0x02000000, "SPENDSGIR1", "(cpu0) after SGI 7 from cpu1");
		check_rd(0x200, 1u << 7, "ISPENDR0", "(cpu0) after SGI 7 from cpu1");
		wr(0xf14, 0x02000000);
		check_rd(0xf24, 0, "SPENDSGIR1", "(cpu0) after clearing SGI 7 from cpu1");
		/* cpu1 powers off after its function returns */
		deadline = read_cntvct() + (uint64_t)counter_freq() * 10;
		while (psci_call(PSCI_AFFINITY_INFO, 1, 0, 0) != 1 && read_cntvct() < deadline)
			delay_loop(1000);
	}
	restore_all();
}

int main(const void *dtb)
{
	uint32_t typer;

	(void)dtb;
	irq_disable();
	exc_set_hook(exc_hook_skip);
	typer = rd(0x004);
	nr_cpus = ((typer >> 5) & 7) + 1;
	gprintf("gicd: TYPER=0x%08lx: %lu cpus, %lu irqs\n", (unsigned long)typer,
	        (unsigned long)nr_cpus, (unsigned long)(32 * ((typer & 0x1f) + 1)));

	pass_reset("at reset");
	wr(0x000, 0); /* CTLR stays 0 from here on */
	pass_words();
	pass_bytes();
	pass_bad_sizes();
	test_sgi();
	if (nr_cpus > 1)
		test_banking();
	pass_reset("at the end");
	wr(0x000, 0);

	if (failures)
		gprintf("gicd: FAIL %lu of %lu checks failed\n", (unsigned long)failures,
		        (unsigned long)checks);
	else
		gprintf("gicd: PASS (%lu checks)\n", (unsigned long)checks);
	return 0;
}
