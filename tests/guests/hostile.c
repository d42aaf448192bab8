/*
 * hostile: a guest that does everything wrong, at random, and must neither
 * crash nor hang the hypervisor (or its own monitor for good): it may only
 * get aborts and undefined-instruction exceptions back.
 *
 * bootargs: seed=N (LCG seed, default 1), iters=N (default 4000), trace=N
 * (log each operation from iteration N on, to find the one that hurts).
 * Each iteration picks one of:
 *   - a random word to a random 4-aligned GICD offset (0x000-0xFFC),
 *     a word read of one, or a byte/halfword access to any GICD offset;
 *   - ldm/stm/ldrd/strd to GICD (no valid syndrome for the monitor);
 *   - a random load (word, halfword or byte; aligned or not) from
 *     0x00000000-0x3FFFFFFF, the UART page included;
 *   - a random store to 0x00000000-0x3FFFFFFF except the UART page (it
 *     would garble the console) and GICC (it would leave the CPU
 *     interface in a state the timer check at the end cannot use);
 *   - SMC, impl-defined c15 MRC/MCR, ACTLR and set/way cache operations;
 *   - HVC with unknown function ids (PSCI's real ones left out, so that
 *     no CPU_OFF or SYSTEM_OFF is hit by chance), and "hvc #1".
 * CPSR.I stays set. Afterwards the distributor and GICC are put back in
 * order, the virtual timer is armed for ~5 ms and the guest waits in WFI
 * with IRQs masked: the pending timer interrupt must end the WFI.
 * Result: "hostile: PASS exceptions=N" (N = exceptions taken).
 */
#include "guest.h"

const char guest_name[] = "hostile";

int main(const void *dtb);

static uint32_t lcg_state;
static int tracing; /* bootargs trace=N: log every operation from iteration N on */

#define TRACE(...)                                                                                 \
	do {                                                                                       \
		if (tracing)                                                                       \
			gprintf(__VA_ARGS__);                                                      \
	} while (0)

static uint32_t rnd(void)
{
	/* Numerical Recipes LCG; the high bits are the good ones */
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return lcg_state;
}

static uint32_t rnd32(void)
{
	return (rnd() & 0xffff0000u) | (rnd() >> 16);
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(((uint64_t)rnd32() * n) >> 32);
}

static int in_range(uint32_t a, uint32_t base, uint32_t size)
{
	return a - base < size;
}

static uint32_t random_address(void)
{
	switch (rnd_below(4)) {
	case 0: return rnd32() & 0x3fffffffu;
	case 1: /* near the devices: 0x08000000-0x0BFFFFFF */
		return 0x08000000u | (rnd32() & 0x03ffffffu);
	case 2: /* the pages right around them */
		return 0x08000000u | (rnd_below(0x40) << 16) | (rnd32() & 0x1fffu);
	default: /* the first MiB below RAM and the flash at 0 */
		return rnd_below(2) ? 0x3ff00000u | (rnd32() & 0xfffffu) : rnd32() & 0xfffffu;
	}
}

static void random_load(void)
{
	uint32_t a = random_address();

	if (in_range(a, GICC_BASE, 0x10000))
		a ^= 0x00100000u; /* GICC: reading IAR would acknowledge interrupts */
	TRACE("hostile: load 0x%08lx\n", (unsigned long)a);
	switch (rnd_below(4)) {
	case 0: probe_read8(a); break;
	case 1: probe_read16(a & ~1u); break;
	case 2: probe_read32(a & ~3u); break;
	default:
		probe_read32(a); /* possibly misaligned */
		break;
	}
}

static void random_store(void)
{
	uint32_t a = random_address();
	uint32_t v = rnd32();

	if (in_range(a, UART_BASE, 0x1000) || in_range(a, GICC_BASE, 0x10000))
		a ^= 0x00100000u;
	TRACE("hostile: store 0x%08lx <- 0x%08lx\n", (unsigned long)a, (unsigned long)v);
	switch (rnd_below(3)) {
	case 0: probe_write8(a, v); break;
	case 1: probe_write16(a & ~1u, v); break;
	default: probe_write32(a & ~3u, v); break;
	}
}

static void random_gicd(void)
{
	uint32_t off = rnd_below(0x1000);
	uint32_t v = rnd32();
	uint32_t op = rnd_below(8);

	TRACE("hostile: gicd op %lu off 0x%03lx v 0x%08lx\n", (unsigned long)op, (unsigned long)off,
	      (unsigned long)v);
	switch (op) {
	case 0:
	case 1:
	case 2: probe_write32(GICD_BASE + (off & ~3u), v); break;
	case 3:
	case 4: probe_read32(GICD_BASE + (off & ~3u)); break;
	case 5:
		if (rnd_below(2))
			probe_write8(GICD_BASE + off, v);
		else
			probe_read8(GICD_BASE + off);
		break;
	case 6:
		if (rnd_below(2))
			probe_write16(GICD_BASE + (off & ~1u), v);
		else
			probe_read16(GICD_BASE + (off & ~1u));
		break;
	default:
		off &= ~7u;
		if (off > 0xff8)
			off = 0xff8;
		switch (rnd_below(4)) {
		case 0: probe_ldm2(GICD_BASE + off); break;
		case 1: probe_stm2(GICD_BASE + off, v); break;
		case 2: probe_ldrd(GICD_BASE + off); break;
		default: probe_strd(GICD_BASE + off, v); break;
		}
		break;
	}
}

static void random_insn(void)
{
	uint32_t v = rnd32();
	uint32_t op = rnd_below(9);

	TRACE("hostile: insn %lu v 0x%08lx\n", (unsigned long)op, (unsigned long)v);
	switch (op) {
	case 0:
		__asm__ volatile(".arch_extension sec\n\tsmc #0" ::
		                     : "r0", "r1", "r2", "r3", "memory");
		break;
	case 1: __asm__ volatile("mrc p15, 0, %0, c15, c0, 0" : "=r"(v)); break;
	case 2: __asm__ volatile("mcr p15, 0, %0, c15, c0, 0" : : "r"(v)); break;
	case 3:
		__asm__ volatile("mrc p15, 1, %0, c15, c0, 0" : "=r"(v)); /* L2CTLR-ish */
		break;
	case 4: __asm__ volatile("mcr p15, 3, %0, c15, c2, 7" : : "r"(v)); break;
	case 5: /* ACTLR (HCR.TAC) */
		if (rnd_below(2))
			__asm__ volatile("mrc p15, 0, %0, c1, c0, 1" : "=r"(v));
		else
			__asm__ volatile("mcr p15, 0, %0, c1, c0, 1" : : "r"(v));
		break;
	case 6: /* set/way cache maintenance (HCR.TSW) */
		if (rnd_below(2))
			__asm__ volatile("mcr p15, 0, %0, c7, c6, 2"
			                 :
			                 : "r"(v)
			                 : "memory"); /* DCISW */
		else
			__asm__ volatile("mcr p15, 0, %0, c7, c14, 2"
			                 :
			                 : "r"(v)
			                 : "memory"); /* DCCISW */
		break;
	case 7: {
		/* unknown HVC function ids (keep clear of PSCI and the test hook) */
		uint32_t fn = rnd32();

		if ((fn & 0xbfff0000u) == 0x84000000u || (fn & 0xffff0000u) == 0x86000000u)
			fn ^= 0x01000000u;
		psci_call(fn, rnd32(), rnd32(), rnd32());
		break;
	}
	default: {
		register uint32_t r0 __asm__("r0") = rnd32();

		__asm__ volatile(".arch_extension virt\n\thvc #1"
		                 : "+r"(r0)
		                 :
		                 : "r1", "r2", "r3", "r12", "lr", "memory");
		break;
	}
	}
}

/* Distributor and CPU interface back to a known, quiet state. */
static void gic_cleanup(void)
{
	/* as many interrupts as TYPER says (64 under the monitor) */
	uint32_t words = (mmio_read32(GICD_BASE + 0x004) & 0x1f) + 1;

	mmio_write32(GICD_BASE + 0x000, 0); /* CTLR */
	for (uint32_t i = 0; i < words; i++) {
		mmio_write32(GICD_BASE + 0x080 + 4 * i, 0);          /* IGROUPR */
		mmio_write32(GICD_BASE + 0x180 + 4 * i, 0xffffffff); /* ICENABLER */
		mmio_write32(GICD_BASE + 0x280 + 4 * i, 0xffffffff); /* ICPENDR */
		mmio_write32(GICD_BASE + 0x380 + 4 * i, 0xffffffff); /* ICACTIVER */
	}
	for (uint32_t off = 0x400; off < 0x400 + 32 * words; off += 4)
		mmio_write32(GICD_BASE + off, 0); /* IPRIORITYR */
	for (uint32_t off = 0xf10; off < 0xf20; off += 4)
		mmio_write32(GICD_BASE + off, 0xffffffff); /* CPENDSGIR */
}

/* Acknowledge and complete whatever the CPU interface still holds. */
static uint32_t gicc_drain(void)
{
	uint32_t n = 0;

	mmio_write32(GICC_BASE + GICC_PMR, 0xf8);
	mmio_write32(GICC_BASE + GICC_CTLR, 1);
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t iar = mmio_read32(GICC_BASE + GICC_IAR);

		if ((iar & 0x3ff) >= 1020)
			break;
		mmio_write32(GICC_BASE + GICC_EOIR, iar);
		n++;
	}
	return n;
}

static void timer_wake(void)
{
	uint32_t freq = counter_freq();
	uint64_t start, deadline, woke;
	uint32_t wfis = 0, ctl, iar;

	/* PPI 27 enabled at a priority above the mask, distributor and CPU
	 * interface on: the interrupt is deliverable, only CPSR.I masks it. */
	mmio_write32(GICD_BASE + 0x400 + (VTIMER_PPI & ~3u), 0xa0u << (8 * (VTIMER_PPI & 3)));
	mmio_write32(GICD_BASE + 0x100, 1u << VTIMER_PPI);
	mmio_write32(GICD_BASE + 0x000, 1);
	mmio_write32(GICC_BASE + GICC_PMR, 0xf8);
	mmio_write32(GICC_BASE + GICC_CTLR, 1);

	write_cntv_ctl(0);
	write_cntv_tval(freq / 200); /* 5 ms */
	start = read_cntvct();
	write_cntv_ctl(CNTV_CTL_ENABLE);
	deadline = start + (uint64_t)freq * 10;
	do {
		__asm__ volatile("dsb\n\twfi" ::: "memory");
		wfis++;
		ctl = read_cntv_ctl();
	} while (!(ctl & CNTV_CTL_ISTATUS) && read_cntvct() < deadline);
	woke = read_cntvct();
	if (!(ctl & CNTV_CTL_ISTATUS))
		guest_fail("virtual timer never fired (CNTV_CTL=0x%lx after %lu WFIs)",
		           (unsigned long)ctl, (unsigned long)wfis);
	write_cntv_ctl(CNTV_CTL_IMASK);

	iar = mmio_read32(GICC_BASE + GICC_IAR);
	if ((iar & 0x3ff) < 1020)
		mmio_write32(GICC_BASE + GICC_EOIR, iar);
	gprintf("hostile: woke from WFI after %llu us, %lu WFI(s), IAR=%lu\n",
	        (unsigned long long)((woke - start) * 1000000 / freq), (unsigned long)wfis,
	        (unsigned long)(iar & 0x3ff));

	write_cntv_ctl(0);
	mmio_write32(GICC_BASE + GICC_CTLR, 0);
	gic_cleanup();
}

int main(const void *dtb)
{
	uint32_t seed = bootarg_u32("seed", 1);
	uint32_t iters = bootarg_u32("iters", 4000);
	uint32_t trace_from = bootarg_u32("trace", 0xffffffffu);
	uint32_t drained;

	(void)dtb;
	irq_disable();
	exc_set_hook(exc_hook_skip);
	lcg_state = seed;
	gprintf("hostile: seed=%lu iters=%lu\n", (unsigned long)seed, (unsigned long)iters);

	for (uint32_t i = 0; i < iters; i++) {
		tracing = i >= trace_from;
		switch (rnd_below(8)) {
		case 0:
		case 1:
		case 2: random_gicd(); break;
		case 3:
		case 4: random_load(); break;
		case 5: random_store(); break;
		default: random_insn(); break;
		}
		if ((i + 1) % 1000 == 0)
			gprintf("hostile: %lu iterations, %lu exceptions\n", (unsigned long)(i + 1),
			        (unsigned long)exc_count());
	}
	tracing = 0;
	if (!(read_cpsr() & (1u << 7)))
		guest_fail("CPSR.I was cleared");

	gic_cleanup();
	drained = gicc_drain();
	gprintf("hostile: exceptions: undef=%lu dabt=%lu pabt=%lu; drained %lu interrupt(s)\n",
	        (unsigned long)exc_count_type(EXC_UNDEF), (unsigned long)exc_count_type(EXC_DABT),
	        (unsigned long)exc_count_type(EXC_PABT), (unsigned long)drained);
	gic_cleanup();

	timer_wake();

	gprintf("hostile: PASS exceptions=%lu\n", (unsigned long)exc_count());
	return 0;
}
