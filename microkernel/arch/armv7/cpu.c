/*
 * Entering threads and switching guest context (ARM ARM B1.9 "The
 * Virtualization Extensions", B1.8 exception entry). Guest PL1 state is
 * switched lazily: it stays loaded while native threads run, because with
 * HCR.TGE=1 they can reach none of it except TPIDRURW and CPACR, which are
 * swapped. FP registers move on first use (arch_vfp_trap).
 */
#include "arch.h"
#include "armv7.h"
#include "cp15.h"
#include "hyp_regs.h"
#include "kernel.h"

enum cp15_64_slot { C_TTBR0, C_TTBR1, C_PAR };

/* struct vcpu.banked, as banked_save lays it out */
enum { B_SVC = 0, B_ABT = 3, B_UND = 6, B_IRQ = 9, B_FIQ_R8 = 12 };

#define SCTLR_RESET 0x00c50078u /* Cortex-A15 TRM 4.3.27 */
#define SCTLR_V     (1u << 13)
#define SCTLR_EE    (1u << 25)
#define SCTLR_TE    (1u << 30)
#define TTBCR_EAE   (1u << 31)

void arch_return(struct regs *r) __attribute__((noreturn));
void banked_save(uint32_t *b);
void banked_restore(const uint32_t *b);
void vfp_save(uint64_t *d, uint32_t *fpscr, uint32_t *fpexc);
void vfp_restore(const uint64_t *d, const uint32_t *fpscr, const uint32_t *fpexc);
/*
 * FP/SIMD registers follow their user lazily: the first FP instruction of
 * a thread that does not own them traps (HCPTR, ARM ARM B4.1.47); the
 * owner's registers are saved and the thread's loaded. Guests and servers
 * alike, so a monitor's formatting code never touches guest FP state.
 */
bool arch_vfp_trap(struct thread *t, uint32_t hsr)
{
	if (HSR_EC(hsr) != HV_EC_CP10)
		return false;
	struct percpu *c = this_cpu();
	write_hcptr(0);
	isb();
	if (c->vfp_owner)
		vfp_save(c->vfp_owner->vfp.d, &c->vfp_owner->vfp.fpscr, &c->vfp_owner->vfp.fpexc);
	vfp_restore(t->vfp.d, &t->vfp.fpscr, &t->vfp.fpexc);
	c->vfp_owner = t;
	return true;
}

void c_trap(void) __attribute__((noreturn));
void c_irq(void) __attribute__((noreturn));
void c_bad_exception(uint32_t hsr, uint32_t elr, uint32_t hdfar) __attribute__((noreturn));

void arch_vcpu_reset(struct vcpu *v)
{
	v->cp15[C_SCTLR] = SCTLR_RESET;
	v->gich_hcr = GICH_HCR_EN;
}

/* All but TPIDRURW, TPIDRURO and CPACR: user_regs_save keeps those. */
static void cp15_save(struct vcpu *v)
{
	uint32_t *c = v->cp15;
	c[C_SCTLR] = read_sctlr();
	c[C_TTBCR] = read_ttbcr();
	c[C_DACR] = read_dacr();
	c[C_DFSR] = read_dfsr();
	c[C_IFSR] = read_ifsr();
	c[C_ADFSR] = read_adfsr();
	c[C_AIFSR] = read_aifsr();
	c[C_DFAR] = read_dfar();
	c[C_IFAR] = read_ifar();
	c[C_PRRR] = read_prrr();
	c[C_NMRR] = read_nmrr();
	c[C_AMAIR0] = read_amair0();
	c[C_AMAIR1] = read_amair1();
	c[C_VBAR] = read_vbar();
	c[C_CONTEXTIDR] = read_contextidr();
	c[C_TPIDRPRW] = read_tpidrprw();
	c[C_CNTKCTL] = read_cntkctl();
	c[C_CSSELR] = read_csselr();
	v->cp15_64[C_TTBR0] = read_ttbr0();
	v->cp15_64[C_TTBR1] = read_ttbr1();
	v->cp15_64[C_PAR] = read_par();
}

static void cp15_restore(const struct vcpu *v)
{
	const uint32_t *c = v->cp15;
	write_sctlr(c[C_SCTLR]);
	write_cpacr(c[C_CPACR]);
	write_ttbcr(c[C_TTBCR]);
	write_dacr(c[C_DACR]);
	write_dfsr(c[C_DFSR]);
	write_ifsr(c[C_IFSR]);
	write_adfsr(c[C_ADFSR]);
	write_aifsr(c[C_AIFSR]);
	write_dfar(c[C_DFAR]);
	write_ifar(c[C_IFAR]);
	write_prrr(c[C_PRRR]);
	write_nmrr(c[C_NMRR]);
	write_amair0(c[C_AMAIR0]);
	write_amair1(c[C_AMAIR1]);
	write_vbar(c[C_VBAR]);
	write_contextidr(c[C_CONTEXTIDR]);
	write_tpidrurw(c[C_TPIDRURW]);
	write_tpidruro(c[C_TPIDRURO]);
	write_tpidrprw(c[C_TPIDRPRW]);
	write_cntkctl(c[C_CNTKCTL]);
	write_csselr(c[C_CSSELR]);
	write_ttbr0(v->cp15_64[C_TTBR0]);
	write_ttbr1(v->cp15_64[C_TTBR1]);
	write_par(v->cp15_64[C_PAR]);
}

/* The guest registers a native thread could see (TPIDRURW, TPIDRURO) or
 * needs changed (CPACR, for FP): swapped when natives take the CPU. */
static void user_regs_save(struct vcpu *v)
{
	v->cp15[C_TPIDRURW] = read_tpidrurw();
	v->cp15[C_TPIDRURO] = read_tpidruro();
	v->cp15[C_CPACR] = read_cpacr();
}

/* The CPU's guest state -> v. TPIDRURW was saved when a native thread
 * last took the CPU, or is still live. */
void arch_vcpu_unload(struct vcpu *v)
{
	struct percpu *c = this_cpu();
	if (!c->hw_native) /* else they were saved when a native thread came in */
		user_regs_save(v);
	cp15_save(v);
	banked_save(v->banked);
	v->cntv_ctl = read_cntv_ctl();
	v->cntv_cval = read_cntv_cval();
	write_cntv_ctl(0);
	gic_vcpu_save(v);
}

void arch_vcpu_load(struct vcpu *v)
{
	cp15_restore(v);
	banked_restore(v->banked);
	write_vmpidr(v->mpidr);
	write_cntvoff(v->thread->as->cntvoff);
	write_cntv_cval(v->cntv_cval);
	write_cntv_ctl(v->cntv_ctl);
	gic_vcpu_restore(v);
}

static void enter_vcpu(struct percpu *c, struct thread *t)
{
	struct vcpu *v = t->vcpu;
	if (c->loaded != v) {
		if (c->loaded)
			arch_vcpu_unload(c->loaded);
		arch_vcpu_load(v);
		c->loaded = v;
	} else if (c->hw_native) {
		write_tpidrurw(v->cp15[C_TPIDRURW]);
		write_tpidruro(v->cp15[C_TPIDRURO]);
		write_cpacr(v->cp15[C_CPACR]);
	}
	c->hw_native = false;
	if (v->reply_pending)
		vcpu_finish_reply(t);
	if (v->queued)
		arch_vcpu_flush_lrs(v);
	if (v->wfi_requested) {
		/* decided here, against the live list registers */
		v->wfi_requested = false;
		if (!arch_vcpu_has_pending(v)) {
			t->state = TS_WFI;
			schedule();
		}
	}
	write_hcr(HCR_GUEST);
}

static void enter_native(struct percpu *c)
{
	if (!c->hw_native) {
		if (c->loaded)
			user_regs_save(c->loaded);
		write_tpidrurw(0);
		write_tpidruro(0);
		write_cpacr(CPACR_CP10_CP11_FULL); /* FP use is then gated by HCPTR */
		c->hw_native = true;
	}
	write_hcr(HCR_NATIVE);
}

/* Hot path: every exit and reply ends here. */
void arch_enter(struct thread *t)
{
	struct percpu *c = this_cpu();
	if (t->vcpu)
		enter_vcpu(c, t);
	else
		enter_native(c);
	write_hcptr(c->vfp_owner == t ? 0 : HCPTR_VFP_TRAP);
	write_vttbr(t->as->vttbr);
	isb();
	arch_unlock();
	arch_return(&t->regs);
}

/* From trap.S when no fast path applies, with the lock held. */
void c_trap(void)
{
	struct thread *t = this_cpu()->current;
	uint32_t hsr = read_hsr();
	if (t->cpu != this_cpu()->id)
		panic("a thread ran on a CPU it is not pinned to");
	if (t->state != TS_RUNNABLE) {
		/* suspended or destroyed from another CPU meanwhile: an HVC or SVC
		 * (whose return address is past it) runs again if it is resumed */
		if (HSR_EC(hsr) == HV_EC_HVC || HSR_EC(hsr) == HV_EC_SVC)
			t->regs.pc -= (hsr & HSR_IL) ? 4 : 2;
		schedule();
	}
	if (arch_vfp_trap(t, hsr))
		switch_to(t);
	if (t->vcpu)
		vcpu_exit(t, hsr);
	if (HSR_EC(hsr) == HV_EC_SVC)
		syscall_dispatch(t);
	else
		native_fault(t, hsr, HSR_EC(hsr) == HV_EC_IABT_LOW ? read_hifar() : read_hdfar());
	schedule();
}

void c_irq(void)
{
	arch_lock();
	irq_handle();
	schedule();
}

void c_bad_exception(uint32_t hsr, uint32_t elr, uint32_t hdfar)
{
	kputs("hv: PANIC: exception in Hyp mode, HSR ");
	kputhex(hsr);
	kputs(" ELR ");
	kputhex(elr);
	kputs(" HDFAR ");
	kputhex(hdfar);
	panic("kernel fault");
}

void arch_vcpu_exit_info(uint32_t hsr, uint32_t *ipa, uint32_t *va)
{
	*va = HSR_EC(hsr) == HV_EC_IABT_LOW ? read_hifar() : read_hdfar();
	*ipa = ((read_hpfar() & 0xfffffff0u) << 8) | (*va & 0xfffu);
}

/* Guest registers banked by mode are reached through a copy of them all:
 * only rare paths need one (an access naming r8-r14, an injection). */
#define NR_BANKED (sizeof(((struct vcpu *)0)->banked) / sizeof(uint32_t))

/* Where the guest's r8-r14 of its current mode live: b or t->regs. */
static uint32_t *gpr_slot(struct thread *t, uint32_t *b, unsigned n)
{
	unsigned mode = t->regs.cpsr & PSR_MODE_MASK;
	if (mode == PSR_MODE_FIQ)
		return &b[B_FIQ_R8 + n - 8];
	if (n <= 12)
		return &t->regs.r[n];
	switch (mode) {
	case PSR_MODE_SVC: return &b[B_SVC + n - 13];
	case PSR_MODE_ABT: return &b[B_ABT + n - 13];
	case PSR_MODE_UND: return &b[B_UND + n - 13];
	case PSR_MODE_IRQ: return &b[B_IRQ + n - 13];
	default: return n == 13 ? &t->regs.sp_usr : &t->regs.lr_usr;
	}
}

uint32_t arch_vcpu_get_gpr(struct thread *t, unsigned n)
{
	uint32_t b[NR_BANKED];
	if (n <= 7)
		return t->regs.r[n];
	if (n == 15)
		return t->regs.pc + 8;
	banked_save(b);
	return *gpr_slot(t, b, n);
}

void arch_vcpu_set_gpr(struct thread *t, unsigned n, uint32_t val)
{
	uint32_t b[NR_BANKED];
	if (n <= 7 || n == 15) {
		*(n == 15 ? &t->regs.pc : &t->regs.r[n]) = val;
		return;
	}
	banked_save(b);
	*gpr_slot(t, b, n) = val;
	banked_restore(b);
}

/* The exception's LR and SPSR into the mode's bank (bank = B_ABT, B_UND). */
static void set_lr_spsr(struct thread *t, unsigned bank, uint32_t lr)
{
	uint32_t b[NR_BANKED];
	banked_save(b);
	b[bank + 1] = lr;
	b[bank + 2] = t->regs.cpsr;
	banked_restore(b);
}

/* ARM ARM B1.8.3: mode change, masks, T from SCTLR.TE, E from SCTLR.EE,
 * IT and J cleared, PC to the vector (VBAR, or hivecs when SCTLR.V). */
static void take_guest_exception(struct thread *t, uint32_t mode, uint32_t offset)
{
	uint32_t sctlr = read_sctlr();
	uint32_t cpsr = t->regs.cpsr & (PSR_F | PSR_A | 0xf0000000u);
	cpsr |= mode | PSR_I;
	if (mode == PSR_MODE_ABT)
		cpsr |= PSR_A;
	if (sctlr & SCTLR_TE)
		cpsr |= PSR_T;
	if (sctlr & SCTLR_EE)
		cpsr |= PSR_E;
	t->regs.cpsr = cpsr;
	t->regs.pc = ((sctlr & SCTLR_V) ? 0xffff0000u : read_vbar()) + offset;
}

/* Address of the trapped instruction: an HVC exit has already stepped over. */
static uint32_t trapped_insn(const struct thread *t, uint32_t hsr)
{
	return HSR_EC(hsr) == HV_EC_HVC ? t->regs.pc - 4 : t->regs.pc;
}

void arch_vcpu_inject_dabt(struct thread *t, uint32_t va, bool write, uint32_t hsr)
{
	/* Synchronous external abort, in the guest's fault status format. */
	uint32_t fsr = (read_ttbcr() & TTBCR_EAE) ? (1u << 9) | 0x10 : 0x08;
	if (write)
		fsr |= 1u << 11;
	write_dfsr(fsr);
	write_dfar(va);
	set_lr_spsr(t, B_ABT, trapped_insn(t, hsr) + 8);
	take_guest_exception(t, PSR_MODE_ABT, 0x10);
}

void arch_vcpu_inject_pabt(struct thread *t, uint32_t va, uint32_t hsr)
{
	write_ifsr((read_ttbcr() & TTBCR_EAE) ? (1u << 9) | 0x10 : 0x08);
	write_ifar(va);
	set_lr_spsr(t, B_ABT, trapped_insn(t, hsr) + 4);
	take_guest_exception(t, PSR_MODE_ABT, 0x0c);
}

void arch_vcpu_inject_undef(struct thread *t, uint32_t hsr)
{
	bool thumb = t->regs.cpsr & PSR_T;
	set_lr_spsr(t, B_UND, trapped_insn(t, hsr) + (thumb ? 2 : 4));
	take_guest_exception(t, PSR_MODE_UND, 0x04);
}
