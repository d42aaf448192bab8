/*
 * The physical GICv2 (GIC architecture spec v2, IHI0048B): distributor and
 * CPU interface for the kernel's own interrupts, and the virtual interface
 * control block (GICH, chapter 5) whose list registers carry a vCPU's
 * virtual interrupts. Only the kernel touches GICH.
 */
#include "arch.h"
#include "armv7.h"
#include "cp15.h"
#include "hyp_regs.h"
#include "kernel.h"
#include "platform.h"

#define GICD_CTLR       0x000
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_SGIR       0xf00
#define GICC_CTLR       0x000
#define GICC_PMR        0x004
#define GICC_IAR        0x00c
#define GICC_EOIR       0x010

#define IRQ_SGI_RESCHED 0
#define IRQ_MAINTENANCE 25
#define IRQ_HYP_TIMER   26
#define IRQ_VTIMER      27

static unsigned nr_lrs;

static volatile uint32_t *reg(uint32_t base, uint32_t off)
{
	return (volatile uint32_t *)(base + off);
}

static void gicd_enable(uint32_t irq)
{
	*reg(platform.gicd, GICD_ISENABLER + irq / 32 * 4) = 1u << (irq % 32);
}

void arch_irq_mask(uint32_t irq)
{
	*reg(platform.gicd, GICD_ICENABLER + irq / 32 * 4) = 1u << (irq % 32);
}

void arch_irq_unmask(uint32_t irq)
{
	gicd_enable(irq);
}

void gic_init_distributor(void)
{
	*reg(platform.gicd, GICD_CTLR) = 0;
	for (uint32_t i = 32; i < MAX_IRQS; i += 4) {
		*reg(platform.gicd, GICD_IPRIORITYR + i) = 0xa0a0a0a0u;
		*reg(platform.gicd, GICD_ITARGETSR + i) = 0x01010101u; /* SPIs to CPU 0 */
	}
	*reg(platform.gicd, GICD_CTLR) = 1;
}

/* Per CPU: interface on, banked SGI/PPIs this kernel uses enabled. */
void gic_init_cpu(void)
{
	for (uint32_t i = 0; i < 32; i += 4)
		*reg(platform.gicd, GICD_IPRIORITYR + i) = 0x80808080u;
	gicd_enable(IRQ_SGI_RESCHED);
	gicd_enable(IRQ_MAINTENANCE);
	gicd_enable(IRQ_HYP_TIMER);
	gicd_enable(IRQ_VTIMER);
	*reg(platform.gicc, GICC_PMR) = 0xf0;
	*reg(platform.gicc, GICC_CTLR) = 1;
	nr_lrs = (*reg(platform.gich, GICH_VTR) & 0x3f) + 1;
	if (nr_lrs > NR_LRS_MAX)
		nr_lrs = NR_LRS_MAX;
	*reg(platform.gich, GICH_HCR) = 0;
}

void arch_send_ipi(unsigned cpu)
{
	dsb();
	*reg(platform.gicd, GICD_SGIR) = (1u << (16 + cpu)) | IRQ_SGI_RESCHED;
}

void gic_vcpu_save(struct vcpu *v)
{
	v->gich_hcr = *reg(platform.gich, GICH_HCR);
	v->gich_vmcr = *reg(platform.gich, GICH_VMCR);
	v->gich_apr = *reg(platform.gich, GICH_APR);
	for (unsigned i = 0; i < nr_lrs; i++)
		v->lr[i] = *reg(platform.gich, GICH_LR0 + 4 * i);
	*reg(platform.gich, GICH_HCR) = 0;
}

void gic_vcpu_restore(const struct vcpu *v)
{
	*reg(platform.gich, GICH_VMCR) = v->gich_vmcr;
	*reg(platform.gich, GICH_APR) = v->gich_apr;
	for (unsigned i = 0; i < nr_lrs; i++)
		*reg(platform.gich, GICH_LR0 + 4 * i) = v->lr[i];
	*reg(platform.gich, GICH_HCR) = v->gich_hcr;
}

/* An LR holding this interrupt (ID and, for an SGI, source CPU). */
static int lr_holding(uint32_t want)
{
	for (unsigned i = 0; i < nr_lrs; i++) {
		uint32_t lr = *reg(platform.gich, GICH_LR0 + 4 * i);
		if ((lr & GICH_LR_STATE_MASK) &&
		    (lr & GICH_LR_SOURCE_ID) == (want & GICH_LR_SOURCE_ID))
			return (int)i;
	}
	return -1;
}

static int lr_free(void)
{
	uint32_t elrsr = *reg(platform.gich, GICH_ELSR0);
	return elrsr ? __builtin_ctz(elrsr) : -1;
}

/* Move queued virtual interrupts into list registers (v is loaded here).
 * What does not fit stays queued, with the underflow maintenance interrupt
 * armed to try again when LRs drain (GIC spec 5.3.1 GICH_HCR.UIE). */
void arch_vcpu_flush_lrs(struct vcpu *v)
{
	unsigned kept = 0;
	for (unsigned i = 0; i < v->queued; i++) {
		uint32_t lr = v->queue[i];
		int slot = lr_holding(lr);
		if (slot >= 0) {
			*reg(platform.gich, GICH_LR0 + 4 * slot) |= GICH_LR_PENDING;
			continue;
		}
		slot = lr_free();
		if (slot < 0 || (unsigned)slot >= nr_lrs) {
			v->queue[kept++] = lr;
			continue;
		}
		*reg(platform.gich, GICH_LR0 + 4 * slot) = lr | GICH_LR_PENDING;
	}
	v->queued = kept;
	*reg(platform.gich, GICH_HCR) = GICH_HCR_EN | (kept ? GICH_HCR_UIE : 0);
}

bool arch_vcpu_has_pending(const struct vcpu *v)
{
	if (v->queued)
		return true;
	bool loaded = this_cpu()->loaded == v;
	for (unsigned i = 0; i < nr_lrs; i++) {
		uint32_t lr = loaded ? *reg(platform.gich, GICH_LR0 + 4 * i) : v->lr[i];
		if (lr & GICH_LR_PENDING)
			return true;
	}
	return false;
}

/* The guest EOId an LR that asked for it (GIC spec 5.3.4): for the virtual
 * timer, unmask the timer again (it was masked when its interrupt was
 * taken here); for the monitor's level-sensitive interrupts, tell it so it
 * can sample the line again. */
static void gic_maintenance(void)
{
	struct vcpu *v = this_cpu()->loaded;
	uint32_t eisr = *reg(platform.gich, GICH_EISR0);
	while (eisr) {
		unsigned i = __builtin_ctz(eisr);
		eisr &= eisr - 1;
		uint32_t lr = *reg(platform.gich, GICH_LR0 + 4 * i);
		if ((lr & GICH_LR_ID_MASK) == IRQ_VTIMER)
			write_cntv_ctl(read_cntv_ctl() & ~2u);
		else if (v && v->eoi_ntfn)
			ntfn_signal(v->eoi_ntfn, v->eoi_bits);
		*reg(platform.gich, GICH_LR0 + 4 * i) = 0;
	}
	if (v)
		arch_vcpu_flush_lrs(v);
	else
		*reg(platform.gich, GICH_HCR) = 0;
}

static void vtimer_fired(void)
{
	struct vcpu *v = this_cpu()->loaded;
	uint32_t ctl = read_cntv_ctl();
	write_cntv_ctl(ctl | 2u); /* IMASK: the level stays until the guest acts */
	if (v)
		vcpu_inject(v, IRQ_VTIMER | (0xa0u >> 3) << 23 | GICH_LR_EOI);
	else
		write_cntv_ctl(0);
}

void irq_handle(void)
{
	for (;;) {
		uint32_t iar = *reg(platform.gicc, GICC_IAR);
		uint32_t id = iar & 0x3ff;
		if (id >= 1020)
			return;
		switch (id) {
		case IRQ_SGI_RESCHED: break;
		case IRQ_MAINTENANCE: gic_maintenance(); break;
		case IRQ_HYP_TIMER: sched_tick(); break;
		case IRQ_VTIMER: vtimer_fired(); break;
		default: irq_deliver(id); break;
		}
		*reg(platform.gicc, GICC_EOIR) = iar;
	}
}
