/*
 * manyirq: more interrupts pending at once than the GIC has list registers
 * (QEMU's GICv2 virtualization has 4). Sixteen SPIs are made pending with
 * one GICD_ISPENDR write, then sixteen SGIs to this CPU through GICD_SGIR,
 * all while the CPU masks IRQs; once it unmasks, every one of them must
 * arrive exactly once, in an order the GIC allows (GIC spec 3.3: highest
 * priority first; the SPIs are given two priorities here).
 *
 * Prints "manyirq: PASS spis=16 sgis=16" or a FAIL line, then SYSTEM_OFF.
 */
#include "guest.h"

#include <stdbool.h>

const char guest_name[] = "manyirq";

#define FIRST_SPI       40u
#define NR_SPI          16u
#define NR_SGI          16u
#define GICD_CTLR       0x000u
#define GICD_ISENABLER  0x100u
#define GICD_ISPENDR    0x200u
#define GICD_IPRIORITYR 0x400u
#define GICD_ICFGR      0xc00u
#define GICD_SGIR       0xf00u
#define SGIR_SELF       (2u << 24) /* TargetListFilter: the requesting CPU */
#define PRIO_HIGH       0x80u
#define PRIO_LOW        0xa0u

static volatile uint32_t seen[1024 / 32];
static volatile uint32_t got, dup, out_of_order;
static volatile uint32_t low_started; /* a low-priority SPI was taken */

/* The upper half of the SPIs outranks the lower: delivery by ID would be
 * the wrong order. */
static bool is_high(uint32_t id)
{
	return id >= FIRST_SPI + NR_SPI / 2 && id < FIRST_SPI + NR_SPI;
}

static void on_irq(uint32_t iar)
{
	uint32_t id = iar & 0x3ff;
	if (seen[id / 32] & (1u << (id % 32)))
		dup++;
	seen[id / 32] |= 1u << (id % 32);
	if (id >= FIRST_SPI && !is_high(id))
		low_started = 1;
	else if (is_high(id) && low_started)
		out_of_order++; /* a pending higher-priority SPI came after a lower one */
	got++;
}

static void setup_spis(void)
{
	for (uint32_t i = 0; i < NR_SPI; i++) {
		uint32_t id = FIRST_SPI + i;
		mmio_write8(GICD_BASE + GICD_IPRIORITYR + id, is_high(id) ? PRIO_HIGH : PRIO_LOW);
	}
	/* edge-triggered: pending until taken, not a line to sample again */
	mmio_write32(GICD_BASE + GICD_ICFGR + 4 * (FIRST_SPI / 16), 0xaaaaaaaau);
	mmio_write32(GICD_BASE + GICD_ISENABLER + 4, 0xffffu << (FIRST_SPI - 32));
}

static uint32_t wait_for(uint32_t want, uint32_t seconds)
{
	uint64_t deadline = read_cntvct() + (uint64_t)seconds * counter_freq();
	while (got < want && read_cntvct() < deadline)
		;
	return got;
}

static bool all_seen(uint32_t first, uint32_t n)
{
	for (uint32_t id = first; id < first + n; id++)
		if (!(seen[id / 32] & (1u << (id % 32))))
			return false;
	return true;
}

int main(const void *dtb);
int main(const void *dtb)
{
	(void)dtb;
	irq_set_hook(on_irq);
	setup_spis();
	mmio_write32(GICD_BASE + GICD_IPRIORITYR, 0x90909090u); /* SGIs 0-3, the rest reset */
	mmio_write32(GICD_BASE + GICD_CTLR, 1);
	mmio_write32(GICC_BASE + GICC_PMR, 0xff);
	mmio_write32(GICC_BASE + GICC_CTLR, 1);

	mmio_write32(GICD_BASE + GICD_ISPENDR + 4, 0xffffu << (FIRST_SPI - 32));
	__asm__ volatile("cpsie i" ::: "memory");
	uint32_t spis = wait_for(NR_SPI, 10);
	irq_disable();

	for (uint32_t sgi = 0; sgi < NR_SGI; sgi++)
		mmio_write32(GICD_BASE + GICD_SGIR, SGIR_SELF | sgi);
	__asm__ volatile("cpsie i" ::: "memory");
	uint32_t total = wait_for(NR_SPI + NR_SGI, 10);
	irq_disable();

	bool ok = spis == NR_SPI && total == NR_SPI + NR_SGI && !dup && !out_of_order &&
	          all_seen(FIRST_SPI, NR_SPI) && all_seen(0, NR_SGI);
	if (ok)
		gprintf("manyirq: PASS spis=%lu sgis=%lu\n", (unsigned long)NR_SPI,
		        (unsigned long)NR_SGI);
	else
		gprintf("manyirq: FAIL spis=%lu total=%lu dup=%lu out_of_order=%lu\n",
		        (unsigned long)spis, (unsigned long)total, (unsigned long)dup,
		        (unsigned long)out_of_order);
	return 0;
}
