/*
 * Host fake of arch.h, so the portable core (capabilities, objects, IPC and
 * its fast paths, the scheduler, vCPU exits, syscalls) runs under unit
 * tests. It stands in for boot/ too: percpu[], nr_cpus, platform, and the
 * kernel's console and panic (core/print.c holds a WFI).
 *
 * Entering a thread or idling does not return: arch_enter() and arch_idle()
 * longjmp back into fake_run() with what the kernel chose. Guest context
 * is "hardware" per CPU (struct fake_vcpu_hw) moved by arch_vcpu_load and
 * arch_vcpu_unload, switched lazily as arch/armv7/cpu.c does, so a core
 * bug that touches banked state of a vCPU that is not loaded shows up as a
 * fake error. Stage-2 page hooks are in tests/unit/fake_pt.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "kernel.h"
#include "platform.h"

#include "../armv7/hyp_regs.h"

#include "arch_fake.h"

/* ---- what boot/ provides on ARM ---- */
struct percpu percpu[MAX_CPUS];
unsigned nr_cpus;
struct platform platform;

/* ---- fake machine state ---- */
static unsigned cur_cpu;
static bool lock_held;
static uint64_t clock_now;
static uint64_t deadlines[MAX_CPUS];
static unsigned ipis[MAX_CPUS];
static bool masked[1024];
static unsigned power_offs, tlb_flushes;
static char console[4096];
static size_t console_len;
static struct fake_vcpu_hw hw[MAX_CPUS];
static unsigned vcpu_loads;
static uint32_t abort_va, abort_hpfar;
static struct fake_injection last_injection;
static unsigned injections;

static unsigned errors;
static char first_error[256];
static char panic_message[256];

static jmp_buf *jump; /* set while fake_run runs kernel code */
static enum fake_outcome outcome;
static struct thread *entered;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char buf[sizeof(first_error)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (errors++ == 0)
		memcpy(first_error, buf, sizeof(first_error));
	fprintf(stderr, "arch_fake: %s\n", buf);
}

void fake_arch_reset(unsigned cpus)
{
	if (cpus == 0 || cpus > MAX_CPUS)
		cpus = 1;
	memset(percpu, 0, sizeof(percpu));
	for (unsigned i = 0; i < cpus; i++) {
		percpu[i].id = i;
		percpu[i].online = true;
		percpu[i].hw_native = true;
	}
	nr_cpus = cpus;
	memset(&platform, 0, sizeof(platform));
	platform.nr_cpus = cpus;
	cur_cpu = 0;
	lock_held = false;
	clock_now = 0;
	memset(deadlines, 0, sizeof(deadlines));
	memset(ipis, 0, sizeof(ipis));
	memset(masked, 0, sizeof(masked));
	power_offs = tlb_flushes = 0;
	console_len = 0;
	console[0] = 0;
	memset(hw, 0, sizeof(hw));
	vcpu_loads = 0;
	abort_va = abort_hpfar = 0;
	last_injection = (struct fake_injection){FAKE_INJ_NONE, 0, false, 0};
	injections = 0;
	errors = 0;
	first_error[0] = 0;
	panic_message[0] = 0;
	jump = NULL;
	outcome = FAKE_NONE;
	entered = NULL;
}

void fake_set_cpu(unsigned cpu)
{
	if (cpu >= nr_cpus)
		fail("fake_set_cpu(%u) with %u CPUs", cpu, nr_cpus);
	else
		cur_cpu = cpu;
}

unsigned fake_get_cpu(void)
{
	return cur_cpu;
}

struct percpu *this_cpu(void)
{
	return &percpu[cur_cpu];
}

/* ---- running kernel code ---- */
struct thread *fake_run(fake_fn *fn, void *arg)
{
	jmp_buf here;
	if (jump) {
		fail("fake_run called from inside the kernel");
		return NULL;
	}
	outcome = FAKE_NONE;
	entered = NULL;
	jump = &here;
	if (setjmp(here) == 0) {
		fn(arg);
		outcome = FAKE_RETURNED;
	}
	jump = NULL;
	lock_held = false; /* the CPU left the kernel */
	return outcome == FAKE_ENTERED ? entered : NULL;
}

enum fake_outcome fake_last_outcome(void)
{
	return outcome;
}

static __attribute__((noreturn)) void leave_kernel(enum fake_outcome how, struct thread *t)
{
	outcome = how;
	entered = t;
	if (!jump) {
		fprintf(stderr, "arch_fake: kernel left (%d) outside fake_run\n", how);
		abort();
	}
	longjmp(*jump, 1);
}

struct entry {
	struct thread *t;
	uint32_t hsr, addr;
};

/* The current thread, as the trap vector finds it (cpu.c c_trap). */
static bool make_current(struct thread *t)
{
	if (!t || !t->used || t->cpu != cur_cpu) {
		fail("trap from a thread that cannot run on CPU %u", cur_cpu);
		return false;
	}
	this_cpu()->current = t;
	return true;
}

static void svc_entry(void *arg)
{
	struct thread *t = arg;
	arch_lock();
	if (t->state != TS_RUNNABLE)
		schedule();
	syscall_dispatch(t);
	schedule();
}

static void exit_entry(void *arg)
{
	struct entry *e = arg;
	arch_lock();
	if (e->t->state != TS_RUNNABLE)
		schedule();
	vcpu_exit(e->t, e->hsr);
}

static void fault_entry(void *arg)
{
	struct entry *e = arg;
	arch_lock();
	if (e->t->state != TS_RUNNABLE)
		schedule();
	native_fault(e->t, e->hsr, e->addr);
	schedule();
}

static void tick_entry(void *arg)
{
	(void)arg;
	arch_lock();
	sched_tick();
	schedule();
}

static void schedule_entry(void *arg)
{
	(void)arg;
	arch_lock();
	schedule();
}

struct thread *fake_svc(struct thread *t)
{
	if (!make_current(t))
		return NULL;
	return fake_run(svc_entry, t);
}

struct thread *fake_exit(struct thread *t, uint32_t hsr)
{
	if (!make_current(t))
		return NULL;
	if (!t->vcpu) {
		fail("guest exit of a native thread");
		return NULL;
	}
	struct entry e = {t, hsr, 0};
	return fake_run(exit_entry, &e);
}

struct thread *fake_fault(struct thread *t, uint32_t hsr, uint32_t addr)
{
	if (!make_current(t))
		return NULL;
	struct entry e = {t, hsr, addr};
	return fake_run(fault_entry, &e);
}

struct thread *fake_tick(void)
{
	return fake_run(tick_entry, NULL);
}

struct thread *fake_schedule(void)
{
	return fake_run(schedule_entry, NULL);
}

/* ---- the big lock ---- */
void arch_lock(void)
{
	if (lock_held)
		fail("big kernel lock taken twice (deadlock on hardware)");
	lock_held = true;
}

void arch_unlock(void)
{
	if (!lock_held)
		fail("big kernel lock released but not held");
	lock_held = false;
}

/* ---- entering threads ---- */
static bool on_a_run_queue(const struct thread *t)
{
	for (unsigned c = 0; c < MAX_CPUS; c++)
		for (const struct thread *q = percpu[c].runq[0]; q; q = q->next)
			if (q == t)
				return true;
	return false;
}

static void check_enter(struct percpu *c, struct thread *t)
{
	if (!t) {
		fail("arch_enter(NULL)");
		return;
	}
	if (!t->used)
		fail("entering a freed thread");
	if (t->state != TS_RUNNABLE)
		fail("entering a thread in state %u", t->state);
	if (c->current != t)
		fail("entering a thread that is not current");
	if (t->cpu != c->id)
		fail("entering a thread of CPU %u on CPU %u", t->cpu, c->id);
	if (on_a_run_queue(t))
		fail("entering a thread still on a run queue");
	if (!t->as)
		fail("entering a thread without an address space");
	if (!lock_held)
		fail("arch_enter without the big lock");
}

/* As arch/armv7/cpu.c enter_vcpu: lazy switch, then the pending reply. */
static void enter_vcpu(struct percpu *c, struct thread *t)
{
	struct vcpu *v = t->vcpu;
	if (c->loaded != v) {
		if (c->loaded)
			arch_vcpu_unload(c->loaded);
		arch_vcpu_load(v);
		c->loaded = v;
	}
	c->hw_native = false;
	if (v->reply_pending)
		vcpu_finish_reply(t);
	if (v->queued)
		arch_vcpu_flush_lrs(v);
	if (v->wfi_requested) {
		v->wfi_requested = false;
		if (!arch_vcpu_has_pending(v)) {
			t->state = TS_WFI;
			schedule();
		}
	}
}

void arch_enter(struct thread *t)
{
	struct percpu *c = this_cpu();
	check_enter(c, t);
	if (t && t->vcpu)
		enter_vcpu(c, t);
	else
		c->hw_native = true;
	if (lock_held)
		arch_unlock();
	leave_kernel(FAKE_ENTERED, t);
}

void arch_idle(void)
{
	if (this_cpu()->current)
		fail("idle with a current thread");
	if (lock_held)
		arch_unlock();
	leave_kernel(FAKE_IDLE, NULL);
}

/* ---- counter and timers ---- */
void fake_clock_set(uint64_t now)
{
	clock_now = now;
}

void fake_clock_advance(uint64_t ticks)
{
	clock_now += ticks;
}

uint64_t fake_timer_deadline(unsigned cpu)
{
	return cpu < MAX_CPUS ? deadlines[cpu] : 0;
}

uint64_t arch_counter(void)
{
	return clock_now;
}

uint32_t arch_counter_freq(void)
{
	return FAKE_COUNTER_FREQ;
}

void arch_timer_set(uint64_t deadline)
{
	deadlines[cur_cpu] = deadline;
}

/* ---- guest context ---- */
struct fake_vcpu_hw *fake_vcpu_hw(unsigned cpu)
{
	return cpu < MAX_CPUS ? &hw[cpu] : NULL;
}

unsigned fake_vcpu_loads(void)
{
	return vcpu_loads;
}

static struct fake_vcpu_hw *loaded_hw(const struct vcpu *v, const char *what)
{
	struct fake_vcpu_hw *h = &hw[cur_cpu];
	if (this_cpu()->loaded != v || h->holder != v)
		fail("%s on a vCPU that is not loaded on CPU %u", what, cur_cpu);
	return h;
}

void arch_vcpu_reset(struct vcpu *v)
{
	v->cp15[FAKE_C_SCTLR] = 0x00c50078u; /* Cortex-A15 reset value */
	v->gich_hcr = GICH_HCR_EN;
}

void arch_vcpu_load(struct vcpu *v)
{
	struct fake_vcpu_hw *h = &hw[cur_cpu];
	memcpy(h->banked, v->banked, sizeof(h->banked));
	memcpy(h->cp15, v->cp15, sizeof(h->cp15));
	memcpy(h->lr, v->lr, sizeof(h->lr));
	h->holder = v;
	vcpu_loads++;
}

void arch_vcpu_unload(struct vcpu *v)
{
	struct fake_vcpu_hw *h = loaded_hw(v, "unload");
	memcpy(v->banked, h->banked, sizeof(h->banked));
	memcpy(v->cp15, h->cp15, sizeof(h->cp15));
	memcpy(v->lr, h->lr, sizeof(h->lr));
	h->holder = NULL;
}

static int lr_holding(const struct fake_vcpu_hw *h, uint32_t id)
{
	for (unsigned i = 0; i < FAKE_NR_LRS; i++)
		if ((h->lr[i] & GICH_LR_STATE_MASK) && (h->lr[i] & GICH_LR_ID_MASK) == id)
			return (int)i;
	return -1;
}

static int lr_free(const struct fake_vcpu_hw *h)
{
	for (unsigned i = 0; i < FAKE_NR_LRS; i++)
		if (!(h->lr[i] & GICH_LR_STATE_MASK))
			return (int)i;
	return -1;
}

/* As arch/armv7/gic.c: queued interrupts into free list registers. */
void arch_vcpu_flush_lrs(struct vcpu *v)
{
	struct fake_vcpu_hw *h = loaded_hw(v, "flush_lrs");
	unsigned kept = 0;
	for (unsigned i = 0; i < v->queued; i++) {
		uint32_t lr = v->queue[i];
		int slot = lr_holding(h, lr & GICH_LR_ID_MASK);
		if (slot >= 0) {
			h->lr[slot] |= GICH_LR_PENDING;
			continue;
		}
		slot = lr_free(h);
		if (slot < 0) {
			v->queue[kept++] = lr;
			continue;
		}
		h->lr[slot] = lr | GICH_LR_PENDING;
	}
	v->queued = kept;
}

bool arch_vcpu_has_pending(const struct vcpu *v)
{
	if (v->queued)
		return true;
	bool here = this_cpu()->loaded == v && hw[cur_cpu].holder == v;
	for (unsigned i = 0; i < FAKE_NR_LRS; i++)
		if ((here ? hw[cur_cpu].lr[i] : v->lr[i]) & GICH_LR_PENDING)
			return true;
	return false;
}

static uint32_t *banked_sp_lr(struct fake_vcpu_hw *h, struct thread *t, unsigned n)
{
	unsigned base;
	switch (t->regs.cpsr & PSR_MODE_MASK) {
	case PSR_MODE_SVC: base = FAKE_B_SVC; break;
	case PSR_MODE_ABT: base = FAKE_B_ABT; break;
	case PSR_MODE_UND: base = FAKE_B_UND; break;
	case PSR_MODE_IRQ: base = FAKE_B_IRQ; break;
	case PSR_MODE_FIQ: base = FAKE_B_FIQ_SP; break;
	default: return n == 13 ? &t->regs.sp_usr : &t->regs.lr_usr;
	}
	return &h->banked[base + (n - 13)];
}

static bool in_fiq_mode(const struct thread *t)
{
	return (t->regs.cpsr & PSR_MODE_MASK) == PSR_MODE_FIQ;
}

uint32_t arch_vcpu_get_gpr(struct thread *t, unsigned n)
{
	struct fake_vcpu_hw *h = loaded_hw(t->vcpu, "get_gpr");
	if (n > 15) {
		fail("get_gpr(%u)", n);
		return 0;
	}
	if (n >= 8 && n <= 12 && in_fiq_mode(t))
		return h->banked[FAKE_B_FIQ_R8 + n - 8];
	if (n <= 12)
		return t->regs.r[n];
	if (n == 15)
		return t->regs.pc + 8;
	return *banked_sp_lr(h, t, n);
}

void arch_vcpu_set_gpr(struct thread *t, unsigned n, uint32_t val)
{
	struct fake_vcpu_hw *h = loaded_hw(t->vcpu, "set_gpr");
	if (n > 15)
		fail("set_gpr(%u)", n);
	else if (n >= 8 && n <= 12 && in_fiq_mode(t))
		h->banked[FAKE_B_FIQ_R8 + n - 8] = val;
	else if (n <= 12)
		t->regs.r[n] = val;
	else if (n == 15)
		t->regs.pc = val;
	else
		*banked_sp_lr(h, t, n) = val;
}

void fake_set_abort(uint32_t va, uint32_t ipa)
{
	abort_va = va;
	abort_hpfar = (ipa >> 8) & 0xfffffff0u;
}

void arch_vcpu_exit_info(uint32_t hsr, uint32_t *ipa, uint32_t *va)
{
	(void)hsr;
	*va = abort_va;
	*ipa = ((abort_hpfar & 0xfffffff0u) << 8) | (abort_va & 0xfffu);
}

/* ARM ARM B1.8.3, reduced: mode, masks, vector from VBAR (SCTLR.V/TE/EE
 * are left to the ARMv7 code and its integration tests). */
static void take_guest_exception(struct fake_vcpu_hw *h, struct thread *t, unsigned bank,
                                 uint32_t mode, uint32_t lr, uint32_t offset)
{
	h->banked[bank + 1] = lr;
	h->banked[bank + 2] = t->regs.cpsr;
	uint32_t cpsr = t->regs.cpsr & (PSR_F | PSR_A | 0xf0000000u);
	cpsr |= mode | PSR_I;
	if (mode == PSR_MODE_ABT)
		cpsr |= PSR_A;
	t->regs.cpsr = cpsr;
	t->regs.pc = h->cp15[FAKE_C_VBAR] + offset;
}

static uint32_t trapped_insn(const struct thread *t, uint32_t hsr)
{
	return HSR_EC(hsr) == HV_EC_HVC ? t->regs.pc - 4 : t->regs.pc;
}

static void record_injection(enum fake_inject kind, uint32_t va, bool write, uint32_t hsr)
{
	last_injection = (struct fake_injection){kind, va, write, hsr};
	injections++;
}

void arch_vcpu_inject_dabt(struct thread *t, uint32_t va, bool write, uint32_t hsr)
{
	struct fake_vcpu_hw *h = loaded_hw(t->vcpu, "inject_dabt");
	record_injection(FAKE_INJ_DABT, va, write, hsr);
	h->cp15[FAKE_C_DFAR] = va;
	h->cp15[FAKE_C_DFSR] = 0x08u | (write ? 1u << 11 : 0);
	take_guest_exception(h, t, FAKE_B_ABT, PSR_MODE_ABT, trapped_insn(t, hsr) + 8, 0x10);
}

void arch_vcpu_inject_pabt(struct thread *t, uint32_t va, uint32_t hsr)
{
	struct fake_vcpu_hw *h = loaded_hw(t->vcpu, "inject_pabt");
	record_injection(FAKE_INJ_PABT, va, false, hsr);
	h->cp15[FAKE_C_IFAR] = va;
	h->cp15[FAKE_C_IFSR] = 0x08u;
	take_guest_exception(h, t, FAKE_B_ABT, PSR_MODE_ABT, trapped_insn(t, hsr) + 4, 0x0c);
}

void arch_vcpu_inject_undef(struct thread *t, uint32_t hsr)
{
	struct fake_vcpu_hw *h = loaded_hw(t->vcpu, "inject_undef");
	record_injection(FAKE_INJ_UNDEF, 0, false, hsr);
	uint32_t step = (t->regs.cpsr & PSR_T) ? 2 : 4;
	take_guest_exception(h, t, FAKE_B_UND, PSR_MODE_UND, trapped_insn(t, hsr) + step, 0x04);
}

struct fake_injection fake_last_injection(void)
{
	return last_injection;
}

unsigned fake_injections(void)
{
	return injections;
}

bool arch_vfp_trap(struct thread *t, uint32_t hsr)
{
	if (HSR_EC(hsr) != HV_EC_CP10)
		return false;
	this_cpu()->vfp_owner = t;
	return true;
}

/* ---- interrupts, console, power ---- */
void arch_send_ipi(unsigned cpu)
{
	if (cpu >= nr_cpus || !percpu[cpu].online)
		fail("IPI to CPU %u, which is not online", cpu);
	else
		ipis[cpu]++;
}

unsigned fake_ipis(unsigned cpu)
{
	return cpu < MAX_CPUS ? ipis[cpu] : 0;
}

void arch_irq_mask(uint32_t irq)
{
	if (irq < 1024)
		masked[irq] = true;
	else
		fail("mask of INTID %u", irq);
}

void arch_irq_unmask(uint32_t irq)
{
	if (irq < 1024)
		masked[irq] = false;
	else
		fail("unmask of INTID %u", irq);
}

bool fake_irq_masked(uint32_t irq)
{
	return irq < 1024 && masked[irq];
}

void arch_putc(char c)
{
	if (console_len + 1 < sizeof(console)) {
		console[console_len++] = c;
		console[console_len] = 0;
	}
}

const char *fake_console(void)
{
	return console;
}

void arch_system_off(void)
{
	power_offs++;
}

unsigned fake_power_offs(void)
{
	return power_offs;
}

void arch_tlb_flush_all_guests(void)
{
	tlb_flushes++;
}

unsigned fake_tlb_flushes(void)
{
	return tlb_flushes;
}

void arch_stop(const char *why)
{
	snprintf(panic_message, sizeof(panic_message), "%s", why);
	if (!jump) {
		fprintf(stderr, "arch_fake: panic outside fake_run: %s\n", why);
		abort();
	}
	leave_kernel(FAKE_PANIC, NULL);
}

/* ---- errors ---- */
unsigned fake_errors(void)
{
	return errors;
}

const char *fake_first_error(void)
{
	return first_error;
}

const char *fake_panic_message(void)
{
	return panic_message;
}
