/*
 * Virtual GICv2 distributor, following the ARM Generic Interrupt Controller
 * Architecture Specification v2.0 (IHI0048B), chapter 4.3, for a GIC
 * without the Security Extensions.
 *
 * Device-tree node (guest_dtb.c):
 *	intc@8000000 {
 *		compatible = "arm,cortex-a15-gic";
 *		interrupt-controller;
 *		#interrupt-cells = <3>;
 *		reg = <0x08000000 0x1000 0x08010000 0x2000>;
 *	};
 *
 * Register behaviour. An offset outside the 4 KiB frame, a halfword
 * access, an access not aligned to its size, or a byte access to a
 * register other than IPRIORITYR, ITARGETSR, CPENDSGIR and SPENDSGIR is a
 * bad access (-1: the caller injects a data abort). Registers of INTIDs
 * >= nr_irqs and every reserved offset are RAZ/WI. Writes to RO registers
 * are ignored, reads of WO registers return 0.
 *
 *  offset       register     behaviour
 *  0x000        CTLR         reset 0; bits[1:0] EnableGrp0/1, others RAZ/WI
 *  0x004        TYPER        RO: ITLinesNumber = nr_irqs/32 - 1 [4:0],
 *                            CPUNumber = nr_cpus - 1 [7:5], SecurityExtn 0
 *  0x008        IIDR         RO 0x0200043B
 *  0x080-0x0FC  IGROUPR      reset 0, RW; word 0 banked per CPU
 *  0x100-0x17C  ISENABLER    set-enable; SGIs RAO/WI, PPIs banked; reset 0
 *  0x180-0x1FC  ICENABLER    clear-enable, same bits
 *  0x200-0x27C  ISPENDR      set-pending; SGI bits WI and read 1 when any
 *  0x280-0x2FC  ICPENDR      source has the SGI pending for this CPU
 *  0x300-0x37C  ISACTIVER    set-active, banked for 0-31, reset 0
 *  0x380-0x3FC  ICACTIVER    clear-active
 *  0x400-0x7FF  IPRIORITYR   byte/word; mask 0xF8, banked 0-31, reset 0
 *  0x800-0xBFF  ITARGETSR    byte/word; RAZ/WI when nr_cpus == 1; else
 *                            0-31 RO (1 << cpu), SPIs mask (1 << nr_cpus) - 1,
 *                            reset 0
 *  0xC00-0xCFC  ICFGR        word 0 RO 0xAAAAAAAA, word 1 RO 0, SPI words
 *                            mask 0xAAAAAAAA (1 = edge), reset 0
 *  0xE00-0xEFC  NSACR        RAZ/WI
 *  0xF00        SGIR         WO: TargetListFilter [25:24] (0 list [23:16],
 *                            1 all but self, 2 self, 3 none), SGIINTID [3:0]
 *  0xF10-0xF1C  CPENDSGIR    byte/word, banked: byte n of word k is SGI 4k+n,
 *  0xF20-0xF2C  SPENDSGIR    one bit per source CPU; clear / set
 *  0xFD0-0xFDC  PIDR4-7      RO 0x04, 0, 0, 0
 *  0xFE0-0xFEC  PIDR0-3      RO 0x90, 0xB4, 0x2B, 0x00
 *  0xFF0-0xFFC  CIDR0-3      RO 0x0D, 0xF0, 0x05, 0xB1
 */
#include "vgicd.h"

#include <stdbool.h>
#include <string.h>

#define GICD_CTLR          0x000u
#define GICD_TYPER         0x004u
#define GICD_IIDR          0x008u
#define GICD_IGROUPR       0x080u
#define GICD_IPRIORITYR    0x400u
#define GICD_ITARGETSR     0x800u
#define GICD_ICFGR         0xC00u
#define GICD_ICFGR_END     0xD00u
#define GICD_SGIR          0xF00u
#define GICD_CPENDSGIR     0xF10u
#define GICD_SPENDSGIR     0xF20u
#define GICD_SPENDSGIR_END 0xF30u
#define GICD_PIDR4         0xFD0u
#define GICD_FRAME_SIZE    0x1000u

#define GICD_IIDR_VALUE  0x0200043Bu
#define CTLR_ENABLE_GRP0 (1u << 0)
#define CTLR_ENABLE_GRP1 (1u << 1)
#define PRIORITY_MASK    0xF8u
#define ICFGR_SGI_VALUE  0xAAAAAAAAu /* SGIs are edge-triggered */
#define ICFGR_PPI_VALUE  0x00000000u
#define ICFGR_SPI_MASK   0xAAAAAAAAu /* only the edge/level bit of each field */
#define SGI_BITS         0x0000FFFFu
#define SET_OR_CLEAR_BIT 0x80u /* I[SC]xxxR: the clear variant is +0x80 */

#define SGIR_FILTER_LIST   0u
#define SGIR_FILTER_OTHERS 1u
#define SGIR_FILTER_SELF   2u

static const uint8_t id_registers[] = {
    0x04, 0x00, 0x00, 0x00, /* PIDR4-7 */
    0x90, 0xB4, 0x2B, 0x00, /* PIDR0-3 */
    0x0D, 0xF0, 0x05, 0xB1, /* CIDR0-3 */
};

static uint32_t cpu_mask(const struct vgicd *d)
{
	return (1u << d->nr_cpus) - 1;
}

static bool intid_exists(const struct vgicd *d, unsigned intid)
{
	return intid < d->nr_irqs;
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void vgicd_init(struct vgicd *d, unsigned nr_irqs, unsigned nr_cpus)
{
	memset(d, 0, sizeof(*d));
	d->nr_irqs = clamp(nr_irqs, 32, VGICD_MAX_IRQS) & ~31u;
	d->nr_cpus = clamp(nr_cpus, 1, VGICD_MAX_CPUS);
}

/* ---- access checks ---------------------------------------------------- */

static bool is_byte_register(uint32_t offset)
{
	return (offset >= GICD_IPRIORITYR && offset < GICD_ICFGR) ||
	       (offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR_END);
}

static bool access_ok(const struct vgicd *d, unsigned cpu, uint32_t offset, unsigned size)
{
	if (cpu >= d->nr_cpus || offset >= GICD_FRAME_SIZE)
		return false;
	if (size == 4)
		return (offset & 3) == 0;
	return size == 1 && is_byte_register(offset);
}

/* ---- the four bitmaps ---------------------------------------------------- */

static uint32_t sgi_pending_bits(const struct vgicd *d, unsigned cpu)
{
	uint32_t bits = 0;

	for (unsigned sgi = 0; sgi < VGICD_NR_SGIS; sgi++)
		if (d->banked[cpu].sgi_pending[sgi])
			bits |= 1u << sgi;
	return bits;
}

/* Word n (INTIDs 32n..32n+31) of a bitmap as cpu sees it. */
static uint32_t bitmap_read(const struct vgicd *d, unsigned cpu, enum vgicd_bitmap b, unsigned n)
{
	uint32_t bits;

	if (n != 0)
		return d->bits[b][n];
	bits = d->banked[cpu].bits[b];
	if (b == VGICD_ENABLE)
		bits |= SGI_BITS;
	else if (b == VGICD_PENDING)
		bits |= sgi_pending_bits(d, cpu);
	return bits;
}

static uint32_t *bitmap_word(struct vgicd *d, unsigned cpu, enum vgicd_bitmap b, unsigned n)
{
	return n == 0 ? &d->banked[cpu].bits[b] : &d->bits[b][n];
}

/* SGIs are always enabled, and pend only through SGIR/SPENDSGIR. */
static uint32_t bitmap_writable(enum vgicd_bitmap b, unsigned n)
{
	if (n == 0 && (b == VGICD_ENABLE || b == VGICD_PENDING))
		return ~SGI_BITS;
	return ~0u;
}

static enum vgicd_bitmap bitmap_of(uint32_t offset)
{
	switch (offset >> 8) {
	case 0: return VGICD_GROUP;
	case 1: return VGICD_ENABLE;
	case 2: return VGICD_PENDING;
	default: return VGICD_ACTIVE;
	}
}

static unsigned bitmap_index(uint32_t offset)
{
	return (offset & 0x7Fu) / 4;
}

static uint32_t bitmap_register_read(const struct vgicd *d, unsigned cpu, uint32_t offset)
{
	unsigned n = bitmap_index(offset);

	if (!intid_exists(d, 32 * n))
		return 0;
	return bitmap_read(d, cpu, bitmap_of(offset), n);
}

static void bitmap_register_write(struct vgicd *d, unsigned cpu, uint32_t offset, uint32_t val)
{
	enum vgicd_bitmap b = bitmap_of(offset);
	unsigned n = bitmap_index(offset);
	uint32_t *word;
	uint32_t bits;

	if (!intid_exists(d, 32 * n))
		return;
	word = bitmap_word(d, cpu, b, n);
	bits = val & bitmap_writable(b, n);
	if (b == VGICD_GROUP)
		*word = bits;
	else if (offset & SET_OR_CLEAR_BIT)
		*word &= ~bits;
	else
		*word |= bits;
}

/* ---- byte registers ---------------------------------------------------- */

static uint8_t priority_read(const struct vgicd *d, unsigned cpu, unsigned intid)
{
	if (!intid_exists(d, intid))
		return 0;
	if (intid < VGICD_NR_PRIVATE)
		return d->banked[cpu].priority[intid];
	return d->priority[intid];
}

static void priority_write(struct vgicd *d, unsigned cpu, unsigned intid, uint8_t val)
{
	if (!intid_exists(d, intid))
		return;
	if (intid < VGICD_NR_PRIVATE)
		d->banked[cpu].priority[intid] = val & PRIORITY_MASK;
	else
		d->priority[intid] = val & PRIORITY_MASK;
}

/* A uniprocessor GIC has RAZ/WI ITARGETSR (IHI0048B 4.3.12). */
static uint8_t target_read(const struct vgicd *d, unsigned cpu, unsigned intid)
{
	if (d->nr_cpus == 1 || !intid_exists(d, intid))
		return 0;
	if (intid < VGICD_NR_PRIVATE)
		return (uint8_t)(1u << cpu);
	return d->targets[intid];
}

static void target_write(struct vgicd *d, unsigned intid, uint8_t val)
{
	if (d->nr_cpus == 1 || intid < VGICD_NR_PRIVATE || !intid_exists(d, intid))
		return;
	d->targets[intid] = val & cpu_mask(d);
}

static bool spi_targets_cpu(const struct vgicd *d, unsigned intid, unsigned cpu)
{
	if (d->nr_cpus == 1)
		return cpu == 0;
	return (d->targets[intid] >> cpu) & 1;
}

static unsigned sgi_of(uint32_t offset)
{
	return offset & 0xFu;
}

static uint8_t byte_read(const struct vgicd *d, unsigned cpu, uint32_t offset)
{
	if (offset < GICD_ITARGETSR)
		return priority_read(d, cpu, offset - GICD_IPRIORITYR);
	if (offset < GICD_ICFGR)
		return target_read(d, cpu, offset - GICD_ITARGETSR);
	return d->banked[cpu].sgi_pending[sgi_of(offset)];
}

static void byte_write(struct vgicd *d, unsigned cpu, uint32_t offset, uint8_t val)
{
	uint8_t sources = val & cpu_mask(d);

	if (offset < GICD_ITARGETSR)
		priority_write(d, cpu, offset - GICD_IPRIORITYR, val);
	else if (offset < GICD_ICFGR)
		target_write(d, offset - GICD_ITARGETSR, val);
	else if (offset < GICD_SPENDSGIR)
		d->banked[cpu].sgi_pending[sgi_of(offset)] &= (uint8_t)~sources;
	else
		d->banked[cpu].sgi_pending[sgi_of(offset)] |= sources;
}

/* ---- word registers ---------------------------------------------------- */

static uint32_t typer(const struct vgicd *d)
{
	return (d->nr_irqs / 32 - 1) | (d->nr_cpus - 1) << 5;
}

static unsigned icfgr_index(uint32_t offset)
{
	return (offset - GICD_ICFGR) / 4;
}

/* ICFGR word n configures INTIDs 16n..16n+15. */
static uint32_t icfgr_read(const struct vgicd *d, unsigned n)
{
	if (n == 0)
		return ICFGR_SGI_VALUE;
	if (n == 1 || !intid_exists(d, 16 * n))
		return ICFGR_PPI_VALUE;
	return d->icfgr[n];
}

static void icfgr_write(struct vgicd *d, unsigned n, uint32_t val)
{
	if (n < 2 || !intid_exists(d, 16 * n))
		return;
	d->icfgr[n] = val & ICFGR_SPI_MASK;
}

/* Level-sensitive: a PPI, or an SPI whose ICFGR edge bit is clear. */
bool vgicd_is_level(const struct vgicd *d, unsigned intid)
{
	if (intid < VGICD_NR_SGIS || intid >= d->nr_irqs)
		return false;
	return !((icfgr_read(d, intid / 16) >> (2 * (intid % 16) + 1)) & 1);
}

static uint32_t sgir_targets(const struct vgicd *d, unsigned cpu, uint32_t val)
{
	switch ((val >> 24) & 3) {
	case SGIR_FILTER_LIST: return (val >> 16) & 0xFFu & cpu_mask(d);
	case SGIR_FILTER_OTHERS: return cpu_mask(d) & ~(1u << cpu);
	case SGIR_FILTER_SELF: return 1u << cpu;
	default: return 0;
	}
}

static void sgir_write(struct vgicd *d, unsigned cpu, uint32_t val)
{
	uint32_t targets = sgir_targets(d, cpu, val);
	unsigned sgi = val & 0xFu;

	for (unsigned t = 0; t < d->nr_cpus; t++)
		if (targets & (1u << t))
			d->banked[t].sgi_pending[sgi] |= (uint8_t)(1u << cpu);
}

static bool in_range(uint32_t offset, uint32_t start, uint32_t end)
{
	return offset >= start && offset < end;
}

static uint32_t word_read(const struct vgicd *d, unsigned cpu, uint32_t offset)
{
	if (offset == GICD_CTLR)
		return d->ctlr;
	if (offset == GICD_TYPER)
		return typer(d);
	if (offset == GICD_IIDR)
		return GICD_IIDR_VALUE;
	if (in_range(offset, GICD_IGROUPR, GICD_IPRIORITYR))
		return bitmap_register_read(d, cpu, offset);
	if (in_range(offset, GICD_ICFGR, GICD_ICFGR_END))
		return icfgr_read(d, icfgr_index(offset));
	if (in_range(offset, GICD_PIDR4, GICD_FRAME_SIZE))
		return id_registers[(offset - GICD_PIDR4) / 4];
	return 0; /* SGIR (WO), NSACR, reserved */
}

static void word_write(struct vgicd *d, unsigned cpu, uint32_t offset, uint32_t val)
{
	if (offset == GICD_CTLR)
		d->ctlr = val & (CTLR_ENABLE_GRP0 | CTLR_ENABLE_GRP1);
	else if (in_range(offset, GICD_IGROUPR, GICD_IPRIORITYR))
		bitmap_register_write(d, cpu, offset, val);
	else if (in_range(offset, GICD_ICFGR, GICD_ICFGR_END))
		icfgr_write(d, icfgr_index(offset), val);
	else if (offset == GICD_SGIR)
		sgir_write(d, cpu, val);
	/* everything else is RO or reserved: WI */
}

int vgicd_read(const struct vgicd *d, unsigned cpu, uint32_t offset, unsigned size, uint32_t *val)
{
	if (!access_ok(d, cpu, offset, size))
		return -1;
	if (is_byte_register(offset)) {
		*val = 0;
		for (unsigned i = 0; i < size; i++)
			*val |= (uint32_t)byte_read(d, cpu, offset + i) << (8 * i);
	} else {
		*val = word_read(d, cpu, offset);
	}
	return 0;
}

int vgicd_write(struct vgicd *d, unsigned cpu, uint32_t offset, unsigned size, uint32_t val)
{
	if (!access_ok(d, cpu, offset, size))
		return -1;
	if (is_byte_register(offset)) {
		for (unsigned i = 0; i < size; i++)
			byte_write(d, cpu, offset + i, (uint8_t)(val >> (8 * i)));
	} else {
		word_write(d, cpu, offset, val);
	}
	return 0;
}

/* ---- interrupt delivery ------------------------------------------------ */

static unsigned group_of(const struct vgicd *d, unsigned cpu, unsigned intid)
{
	return (bitmap_read(d, cpu, VGICD_GROUP, intid / 32) >> (intid % 32)) & 1;
}

/* Bits of word n whose group is enabled in CTLR. */
static uint32_t group_enabled_bits(const struct vgicd *d, unsigned cpu, unsigned n)
{
	uint32_t group1 = bitmap_read(d, cpu, VGICD_GROUP, n);
	uint32_t bits = 0;

	if (d->ctlr & CTLR_ENABLE_GRP0)
		bits |= ~group1;
	if (d->ctlr & CTLR_ENABLE_GRP1)
		bits |= group1;
	return bits;
}

static uint32_t signalled_bits(const struct vgicd *d, unsigned cpu, unsigned n)
{
	return bitmap_read(d, cpu, VGICD_PENDING, n) & bitmap_read(d, cpu, VGICD_ENABLE, n) &
	       group_enabled_bits(d, cpu, n);
}

static int highest_priority_pending(const struct vgicd *d, unsigned cpu)
{
	unsigned best_priority = 0x100;
	int best = -1;

	for (unsigned n = 0; n < d->nr_irqs / 32; n++) {
		for (uint32_t bits = signalled_bits(d, cpu, n); bits; bits &= bits - 1) {
			unsigned intid = 32 * n + (unsigned)__builtin_ctz(bits);
			unsigned priority = priority_read(d, cpu, intid);

			if (intid >= VGICD_NR_PRIVATE && !spi_targets_cpu(d, intid, cpu))
				continue;
			if (priority < best_priority) {
				best_priority = priority;
				best = (int)intid;
			}
		}
	}
	return best;
}

/* Clears the pending state of intid on cpu; returns the SGI source or 0. */
static unsigned clear_pending(struct vgicd *d, unsigned cpu, unsigned intid)
{
	if (intid < VGICD_NR_SGIS) {
		uint8_t *sources = &d->banked[cpu].sgi_pending[intid];
		unsigned source = (unsigned)__builtin_ctz(*sources);

		*sources &= (uint8_t) ~(1u << source);
		return source;
	}
	*bitmap_word(d, cpu, VGICD_PENDING, intid / 32) &= ~(1u << (intid % 32));
	return 0;
}

int vgicd_take_pending(struct vgicd *d, unsigned cpu, uint32_t *lr_info)
{
	int intid;
	unsigned source;

	if (cpu >= d->nr_cpus)
		return -1;
	intid = highest_priority_pending(d, cpu);
	if (intid < 0)
		return -1;
	source = clear_pending(d, cpu, (unsigned)intid);
	*lr_info = source | (uint32_t)priority_read(d, cpu, (unsigned)intid) << 8 |
	           group_of(d, cpu, (unsigned)intid) << 16;
	return intid;
}

void vgicd_set_pending(struct vgicd *d, unsigned cpu, unsigned intid)
{
	if (intid < VGICD_NR_SGIS || !intid_exists(d, intid))
		return;
	if (intid < VGICD_NR_PRIVATE && cpu >= d->nr_cpus)
		return;
	*bitmap_word(d, cpu, VGICD_PENDING, intid / 32) |= 1u << (intid % 32);
}
