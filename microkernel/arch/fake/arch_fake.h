/*
 * Controls of the host fake of arch.h (arch_fake.c) for unit tests.
 *
 * The kernel's noreturn exits, arch_enter() and arch_idle(), longjmp back
 * into fake_run(), which reports which thread the kernel entered (or NULL:
 * the CPU went idle). The fake_* entry helpers mirror what the ARMv7 trap
 * handlers (arch/armv7/cpu.c c_trap, c_irq) do around the portable core.
 *
 * Invariants checked at every arch_enter (each violation is counted, see
 * fake_errors()): the thread is used, runnable, current on this CPU, pinned
 * to it, on no run queue, has an address space, and the big lock is held.
 */
#ifndef ARCH_FAKE_H
#define ARCH_FAKE_H

#include <stdbool.h>
#include <stdint.h>

struct thread;
struct vcpu;

#define FAKE_COUNTER_FREQ 62500000u /* CNTFRQ of QEMU virt */
#define FAKE_NR_LRS       4u

/* struct vcpu.banked layout, as the ARMv7 banked_save lays it out */
enum {
	FAKE_B_SVC = 0, /* SP, LR, SPSR */
	FAKE_B_ABT = 3,
	FAKE_B_UND = 6,
	FAKE_B_IRQ = 9,
	FAKE_B_FIQ_R8 = 12, /* r8..r12 */
	FAKE_B_FIQ_SP = 17, /* SP, LR, SPSR */
	FAKE_B_NR = 20
};
/* struct vcpu.cp15 slots the fake gives a meaning to (as arch/armv7/cpu.c) */
enum {
	FAKE_C_SCTLR = 0,
	FAKE_C_DFSR = 4,
	FAKE_C_IFSR = 5,
	FAKE_C_DFAR = 8,
	FAKE_C_IFAR = 9,
	FAKE_C_VBAR = 14
};

/* The guest context a CPU holds (what arch_vcpu_load/unload move). */
struct fake_vcpu_hw {
	const struct vcpu *holder; /* whose state this is, NULL: none */
	uint32_t banked[23];
	uint32_t cp15[26];
	uint32_t lr[FAKE_NR_LRS];
};

enum fake_outcome {
	FAKE_NONE,
	FAKE_RETURNED, /* the function returned to the test */
	FAKE_ENTERED,  /* arch_enter(t): t runs */
	FAKE_IDLE,     /* arch_idle(): nothing to run */
	FAKE_PANIC,    /* panic() */
};

enum fake_inject { FAKE_INJ_NONE, FAKE_INJ_DABT, FAKE_INJ_PABT, FAKE_INJ_UNDEF };
struct fake_injection {
	enum fake_inject kind;
	uint32_t va;
	bool write;
	uint32_t hsr;
};

/* Fresh CPUs 0..cpus-1 (online), clock at 0, records cleared, CPU 0. */
void fake_arch_reset(unsigned cpus);
void fake_set_cpu(unsigned cpu); /* which CPU this_cpu() is */
unsigned fake_get_cpu(void);

/* Run fn on the current fake CPU; the thread the kernel entered, or NULL. */
typedef void fake_fn(void *arg);
struct thread *fake_run(fake_fn *fn, void *arg);
enum fake_outcome fake_last_outcome(void);

/* Kernel entries, on the current fake CPU; each makes t current first.
 * Return the thread entered next (NULL: idle or panic). */
struct thread *fake_svc(struct thread *t); /* c_trap SVC: REPLY_RECV fast path, dispatch */
struct thread *fake_exit(struct thread *t, uint32_t hsr); /* a guest exit (vcpu_exit) */
struct thread *fake_fault(struct thread *t, uint32_t hsr, uint32_t addr); /* native */
struct thread *fake_tick(void);     /* hyp timer interrupt: sched_tick, schedule */
struct thread *fake_schedule(void); /* an interrupt that only reschedules (IPI) */

/* The counter */
void fake_clock_set(uint64_t now);
void fake_clock_advance(uint64_t ticks);
uint64_t fake_timer_deadline(unsigned cpu);

/* Abort registers the next arch_vcpu_exit_info reads (HDFAR/HIFAR, HPFAR). */
void fake_set_abort(uint32_t va, uint32_t ipa);

struct fake_vcpu_hw *fake_vcpu_hw(unsigned cpu);
unsigned fake_vcpu_loads(void);
struct fake_injection fake_last_injection(void);
unsigned fake_injections(void);

unsigned fake_ipis(unsigned cpu); /* arch_send_ipi calls per target */
bool fake_irq_masked(uint32_t irq);
unsigned fake_power_offs(void);
unsigned fake_tlb_flushes(void);
const char *fake_console(void); /* what arch_putc printed */

/* Broken invariants seen (arch_enter checks, misuse of the fake). */
unsigned fake_errors(void);
const char *fake_first_error(void);
const char *fake_panic_message(void);

#endif
