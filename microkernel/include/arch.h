/*
 * What the portable kernel asks of the CPU. Two implementations:
 * arch/armv7 (the real one) and arch/fake (host unit tests).
 */
#ifndef ARCH_H
#define ARCH_H

#include <stdbool.h>
#include <stdint.h>

struct thread;
struct vcpu;
struct regs;

#ifdef __arm__
extern volatile uint32_t big_kernel_lock;

/* The big kernel lock, taken on every entry and dropped on the way out.
 * A plain spin: QEMU's round-robin vCPU scheduling (used with -icount)
 * treats WFE as a yield and can starve the waiting CPU behind the holder. */
static inline __attribute__((always_inline)) void arch_lock(void)
{
	while (__atomic_exchange_n(&big_kernel_lock, 1, __ATOMIC_ACQUIRE))
		;
}

static inline __attribute__((always_inline)) void arch_unlock(void)
{
	__atomic_store_n(&big_kernel_lock, 0, __ATOMIC_RELEASE);
}
#else
void arch_lock(void);
void arch_unlock(void);
#endif

uint64_t arch_counter(void);            /* CNTPCT */
uint32_t arch_counter_freq(void);       /* CNTFRQ */
void arch_timer_set(uint64_t deadline); /* this CPU's hyp timer */

/* Load t's address space and trap configuration, then eret into it. */
__attribute__((noreturn)) void arch_enter(struct thread *t);
__attribute__((noreturn)) void arch_idle(void);

void arch_vcpu_reset(struct vcpu *v);
bool arch_vfp_trap(struct thread *t, uint32_t hsr); /* lazy FP switch */

void arch_vcpu_unload(struct vcpu *v);    /* CPU state -> v */
void arch_vcpu_load(struct vcpu *v);      /* v -> CPU state */
void arch_vcpu_flush_lrs(struct vcpu *v); /* queued virqs into free LRs */
bool arch_vcpu_has_pending(const struct vcpu *v);
/* The guest's view of r0-r15 for its current mode; vCPU loaded here. */
uint32_t arch_vcpu_get_gpr(struct thread *t, unsigned n);
void arch_vcpu_set_gpr(struct thread *t, unsigned n, uint32_t val);
/* Take an exception at the guest's own vector (ARM ARM B1.8.3). */
void arch_vcpu_inject_dabt(struct thread *t, uint32_t va, bool write, uint32_t hsr);
void arch_vcpu_inject_pabt(struct thread *t, uint32_t va, uint32_t hsr);
void arch_vcpu_inject_undef(struct thread *t, uint32_t hsr);
void arch_vcpu_exit_info(uint32_t hsr, uint32_t *ipa, uint32_t *va);

void arch_send_ipi(unsigned cpu);
void arch_irq_mask(uint32_t irq);
void arch_irq_unmask(uint32_t irq);

void arch_putc(char c);
__attribute__((noreturn)) void arch_stop(const char *why); /* after a panic */
void arch_system_off(void);
void arch_tlb_flush_all_guests(void);

#endif
