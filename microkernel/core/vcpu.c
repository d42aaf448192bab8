/*
 * Guest exits. Every trap a guest causes becomes a call from its vCPU to its
 * monitor's endpoint carrying what the monitor needs (abi.h); the monitor's
 * reply is recorded here and carried out on the vCPU's own CPU just before
 * it enters the guest again (arch_enter), where its banked state is loaded.
 */
#include "arch.h"
#include "kernel.h"

#include "../arch/armv7/hyp_regs.h"

#include <string.h>

/* Step over the trapped instruction, and through a Thumb IT block
 * (ARM ARM A2.5.2, ITSTATE advance). */
static void advance_itstate(struct thread *t)
{
	uint32_t cpsr = t->regs.cpsr;
	uint32_t it = ((cpsr >> 25) & 3) | ((cpsr >> 8) & 0xfc);
	it = (it & 7) ? (it & 0xe0) | ((it << 1) & 0x1f) : 0;
	cpsr &= ~PSR_IT_MASK;
	t->regs.cpsr = cpsr | (it & 3) << 25 | (it >> 2) << 10;
}

static void advance_pc(struct thread *t, uint32_t hsr)
{
	t->regs.pc += (hsr & HSR_IL) ? 4 : 2;
	if (t->regs.cpsr & PSR_IT_MASK) /* only inside a Thumb IT block */
		advance_itstate(t);
}

/* Whether a trapped instruction's condition holds (ARM ARM B3.13.6: ISS.CV
 * and COND for the exception classes 0x01-0x0c; A8.3 for the codes). An
 * implementation may trap an instruction that fails its condition: then it
 * is simply stepped over. */
static bool condition_holds(uint32_t hsr, uint32_t cpsr)
{
	unsigned ec = HSR_EC(hsr);
	if (ec < HV_EC_WFI_WFE || ec > HV_EC_CP14_64 || !(hsr & (1u << 24)))
		return true;
	bool n = cpsr >> 31 & 1, z = cpsr >> 30 & 1, c = cpsr >> 29 & 1, v = cpsr >> 28 & 1;
	bool holds;
	switch ((hsr >> 21) & 7) {
	case 0: holds = z; break;
	case 1: holds = c; break;
	case 2: holds = n; break;
	case 3: holds = v; break;
	case 4: holds = c && !z; break;
	case 5: holds = n == v; break;
	case 6: holds = !z && n == v; break;
	default: return true; /* AL */
	}
	return ((hsr >> 20) & 1) ? !holds : holds; /* odd codes are the inverse */
}

/* Hot path: written straight-line on purpose. */
void vcpu_exit(struct thread *t, uint32_t hsr)
{
	struct vcpu *v = t->vcpu;
	unsigned ec = HSR_EC(hsr);
	uint32_t *m = t->msg;

	v->exit_stamp = arch_counter();
	m[0] = hsr;
	m[1] = m[2] = m[3] = m[4] = 0;
	m[5] = ++v->serial;
	switch (ec) {
	case HV_EC_DABT_LOW:
		arch_vcpu_exit_info(hsr, &m[1], &v->fault_va);
		if ((hsr & HSR_DABT_ISV) && (hsr & HSR_DABT_WNR)) {
			unsigned rt = HSR_DABT_SRT(hsr);
			m[2] =
			    rt < 8 ? t->regs.r[rt] : arch_vcpu_get_gpr(t, rt); /* r0-r7 unbanked */
		}
		break;
	case HV_EC_IABT_LOW: arch_vcpu_exit_info(hsr, &m[1], &v->fault_va); break;
	case HV_EC_HVC:
	case HV_EC_SMC:
		m[1] = t->regs.r[0];
		m[2] = t->regs.r[1];
		m[3] = t->regs.r[2];
		m[4] = t->regs.r[3];
		break;
	case HV_EC_CP15_32:
	case HV_EC_CP14_MR:
		if (!(hsr & HSR_CP_READ))
			m[2] = arch_vcpu_get_gpr(t, HSR_CP_RT(hsr));
		break;
	case HV_EC_CP15_64:
	case HV_EC_CP14_64:
		if (!(hsr & HSR_CP_READ)) {
			m[2] = arch_vcpu_get_gpr(t, HSR_CP_RT(hsr));
			m[3] = arch_vcpu_get_gpr(t, (hsr >> 10) & 0xf);
		}
		break;
	default: m[1] = t->regs.pc; break;
	}
	if (!condition_holds(hsr, t->regs.cpsr)) {
		advance_pc(t, hsr);
		switch_to(t);
	}
	if (!t->fault_ep) { /* its monitor's endpoint is gone */
		t->state = TS_HALTED;
		schedule();
	}
	struct thread *monitor = ipc_call(t, t->fault_ep, t->fault_badge, true);
	if (monitor)
		switch_to(monitor);
	schedule();
}

void vcpu_stats_close(struct vcpu *v)
{
	unsigned ec = HSR_EC(v->thread->msg[0]);
	v->stats[ec].count++;
	v->stats[ec].cost += arch_counter() - v->exit_stamp;
}

/* Called at reply time, possibly on another CPU: decide the vCPU's state
 * now, change its registers later (vcpu_finish_reply). */
void vcpu_apply_reply(struct thread *t, const uint32_t *msg)
{
	struct vcpu *v = t->vcpu;
	uint32_t hsr = t->msg[0];
	vcpu_stats_close(v);
	for (unsigned i = 0; i < HV_MSG_WORDS; i++)
		t->msg[i] = msg[i];
	t->msg[5] = hsr; /* the reply's last word is unused: keep the HSR */
	v->reply_pending = true;
	if (msg[0] & HV_REPLY_HALT)
		t->state = TS_HALTED;
	else if (msg[0] & HV_REPLY_WFI)
		v->wfi_requested = true; /* decided on the vCPU's own CPU (arch_enter) */
}

static void inject_exception(struct thread *t, uint32_t action, uint32_t hsr)
{
	struct vcpu *v = t->vcpu;
	if (action & HV_REPLY_INJECT_DABT)
		arch_vcpu_inject_dabt(t, v->fault_va, hsr & HSR_DABT_WNR, hsr);
	else if (action & HV_REPLY_INJECT_PABT)
		arch_vcpu_inject_pabt(t, v->fault_va, hsr);
	else
		arch_vcpu_inject_undef(t, hsr);
}

static void set_rt(struct thread *t, unsigned rt, uint32_t val)
{
	if (rt == 15) /* MRC to APSR_nzcv: the flags (ARM ARM B6.1.1) */
		t->regs.cpsr = (t->regs.cpsr & 0x0fffffffu) | (val & 0xf0000000u);
	else if (rt < 8)
		t->regs.r[rt] = val; /* r0-r7 are never banked */
	else
		arch_vcpu_set_gpr(t, rt, val);
}

/* Carry out a reply; the vCPU's context is loaded on this CPU. hsr is the
 * exit's. On every exit's way back: kept short. */
void vcpu_do_reply(struct thread *t, const uint32_t *reply, uint32_t hsr)
{
	uint32_t a = reply[0];
	unsigned ec = HSR_EC(hsr);

	if (a & HV_REPLY_SET_RT) {
		if (ec == HV_EC_DABT_LOW && (hsr & HSR_DABT_ISV))
			set_rt(t, HSR_DABT_SRT(hsr), reply[1]);
		else if (ec == HV_EC_CP15_32 || ec == HV_EC_CP14_MR)
			set_rt(t, HSR_CP_RT(hsr), reply[1]);
	}
	if (a & HV_REPLY_SET_R0_R3) {
		t->regs.r[0] = reply[1];
		t->regs.r[1] = reply[2];
		t->regs.r[2] = reply[3];
		t->regs.r[3] = reply[4];
	}
	if ((a & HV_REPLY_ADVANCE) && ec != HV_EC_HVC)
		advance_pc(t, hsr);
	if (a & (HV_REPLY_INJECT_DABT | HV_REPLY_INJECT_PABT | HV_REPLY_INJECT_UNDEF))
		inject_exception(t, a, hsr);
}

/* On the vCPU's CPU, its context loaded: carry out the recorded reply. */
void vcpu_finish_reply(struct thread *t)
{
	t->vcpu->reply_pending = false;
	vcpu_do_reply(t, t->msg, t->msg[5]);
}

/* Same interrupt: same ID and, for an SGI, same source CPU. */
static bool vcpu_queued(const struct vcpu *v, uint32_t lr)
{
	for (unsigned i = 0; i < v->queued; i++)
		if ((v->queue[i] & GICH_LR_SOURCE_ID) == (lr & GICH_LR_SOURCE_ID))
			return true;
	return false;
}

/* PSCI CPU_ON: the vCPU starts from its architectural reset state, not
 * from where it stopped: registers, CP15, timer, FP and GIC interface. */
void vcpu_reset(struct thread *t)
{
	struct vcpu *v = t->vcpu;
	struct vcpu keep = *v;
	vcpu_lazy_forget(v);
	memset(v, 0, sizeof(*v));
	v->used = true;
	v->thread = t;
	v->mpidr = keep.mpidr;
	v->serial = keep.serial;
	v->eoi_ntfn = keep.eoi_ntfn;
	v->eoi_bits = keep.eoi_bits;
	memcpy(v->stats, keep.stats, sizeof(v->stats));
	arch_vcpu_reset(v);
	memset(&t->regs, 0, sizeof(t->regs));
	memset(&t->vfp, 0, sizeof(t->vfp));
	t->regs.cpsr = PSR_MODE_SVC | PSR_A | PSR_I | PSR_F;
}

/* lr is a GICH_LR value without its state bits (GIC spec 5.3.11). */
int vcpu_inject(struct vcpu *v, uint32_t lr)
{
	uint32_t id = lr & GICH_LR_ID_MASK;
	if (id >= 1020 || (lr & (GICH_LR_STATE_MASK | (1u << 31))))
		return HV_EINVAL;
	if (!vcpu_queued(v, lr)) {
		/* the last slot is kept for the kernel's own virtual timer */
		if (v->queued >= VIRQ_QUEUE - (id == HV_VIRQ_VTIMER ? 0 : 1))
			return HV_ENOMEM;
		v->queue[v->queued++] = lr;
	}
	struct thread *t = v->thread;
	if (t->state == TS_WFI) {
		sched_wake(t);
		return HV_OK;
	}
	for (unsigned c = 0; c < MAX_CPUS; c++)
		if (percpu[c].current == t && &percpu[c] != this_cpu())
			arch_send_ipi(c); /* it refills its LRs on the way back in */
	return HV_OK;
}
