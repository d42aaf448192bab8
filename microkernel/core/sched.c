/*
 * Per-CPU priority scheduling with time slices. Threads are pinned to a CPU;
 * each CPU has one run queue ordered by priority (FIFO within a priority).
 * The running thread is not on the queue. A 1 ms hyp-timer tick ends
 * slices, expires receive timeouts and wakes idle vCPUs whose virtual timer
 * has fired while their state was not on a CPU.
 */
#include "arch.h"
#include "kernel.h"

#define TICK_US 1000

extern struct thread threads[MAX_THREADS];

/* On every tick and switch: 32-bit, so a UDIV rather than a 64-bit division
 * routine (exact for counters in whole kHz, us up to 68 ms at 62.5 MHz). */
static uint64_t us_to_ticks(uint32_t us)
{
	return arch_counter_freq() / 1000u * us / 1000u;
}

void sched_enqueue(struct thread *t)
{
	struct percpu *c = &percpu[t->cpu];
	struct thread **pp = &c->runq[0];
	while (*pp && (*pp)->prio >= t->prio)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

void sched_dequeue(struct thread *t)
{
	struct percpu *c = &percpu[t->cpu];
	for (struct thread **pp = &c->runq[0]; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			t->next = NULL;
			return;
		}
	}
}

/* Make t runnable on its CPU; kick that CPU if t should preempt it. */
void sched_wake(struct thread *t)
{
	t->state = TS_RUNNABLE;
	t->timeout = 0;
	sched_enqueue(t);
	struct percpu *c = &percpu[t->cpu];
	if (c != this_cpu() && (!c->current || c->current->prio < t->prio))
		arch_send_ipi(t->cpu);
}

void sched_timeout_arm(struct thread *t, uint64_t ticks)
{
	t->timeout = ticks ? arch_counter() + ticks : 0;
}

static struct thread *runq_pop(struct percpu *c)
{
	struct thread *t = c->runq[0];
	if (t) {
		c->runq[0] = t->next;
		t->next = NULL;
	}
	return t;
}

__attribute__((noreturn)) void schedule(void)
{
	struct percpu *c = this_cpu();
	struct thread *cur = c->current;
	struct thread *head = c->runq[0];
	uint64_t now = arch_counter();

	if (cur && cur->state == TS_RUNNABLE) {
		bool keep = !head || head->prio < cur->prio ||
		            (head->prio == cur->prio && now < cur->slice_end);
		if (keep)
			switch_to(cur);
		sched_enqueue(cur);
	}
	struct thread *next = runq_pop(c);
	if (!next) {
		c->current = NULL;
		arch_idle();
	}
	next->slice_end = now + us_to_ticks(TIME_SLICE_US);
	switch_to(next);
}

/* A vCPU idle in WFI whose timer fired while it was off the CPU. */
static void wake_on_virtual_timer(struct thread *t, uint64_t now)
{
	struct vcpu *v = t->vcpu;
	if (this_cpu()->loaded == v || (v->cntv_ctl & 3) != 1)
		return;
	if (now - t->as->cntvoff < v->cntv_cval)
		return;
	v->cntv_ctl |= 2; /* IMASK until the guest's EOI, as for a loaded vCPU */
	vcpu_inject(v, HV_VIRQ_VTIMER | (0xa0u >> 3) << 23 | (1u << 19));
}

void sched_tick(void)
{
	struct percpu *c = this_cpu();
	uint64_t now = arch_counter();

	arch_timer_set(now + us_to_ticks(TICK_US));
	for (unsigned i = 0; i < MAX_THREADS; i++) {
		struct thread *t = &threads[i];
		if (!t->used || &percpu[t->cpu] != c)
			continue;
		if (t->timeout && now >= t->timeout && t->state == TS_RECV) {
			ipc_cancel(t);
			t->regs.r[0] = (uint32_t)HV_ETIMEDOUT;
			sched_wake(t);
		} else if (t->state == TS_WFI) {
			wake_on_virtual_timer(t, now);
		}
	}
}
