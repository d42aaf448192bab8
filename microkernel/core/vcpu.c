/*
 * Guest exits. Every trap a guest causes becomes a call from its vCPU to its
 * monitor's endpoint carrying what the monitor needs (abi.h); the monitor's
 * reply is recorded here and carried out on the vCPU's own CPU just before
 * it enters the guest again (arch_enter), where its banked state is loaded.
 */
#include "arch.h"
#include "kernel.h"

#include "../arch/armv7/hyp_regs.h"

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
	if (!t->fault_ep) { /* its monitor's endpoint is gone */
		t->state = TS_HALTED;
		schedule();
	}
	fastpath_exit(t);
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
	else if ((msg[0] & HV_REPLY_WFI) && !arch_vcpu_has_pending(v))
		t->state = TS_WFI;
}

static void advance_pc(struct thread *t, uint32_t hsr)
{
	t->regs.pc += (hsr & HSR_IL) ? 4 : 2;
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
	if (rt < 8)
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

static bool vcpu_queued(const struct vcpu *v, uint32_t id)
{
	for (unsigned i = 0; i < v->queued; i++)
		if ((v->queue[i] & GICH_LR_ID_MASK) == id)
			return true;
	return false;
}

/* lr is a GICH_LR value without its state bits (GIC spec 5.3.11). */
int vcpu_inject(struct vcpu *v, uint32_t lr)
{
	uint32_t id = lr & GICH_LR_ID_MASK;
	if (id >= 1020 || (lr & (GICH_LR_STATE_MASK | (1u << 31))))
		return HV_EINVAL;
	if (!vcpu_queued(v, id)) {
		if (v->queued == VIRQ_QUEUE)
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
