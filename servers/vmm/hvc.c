/*
 * HVC from the guest: PSCI 0.2 (psci.c decides, this file acts on the
 * vCPUs) and, for VMs started with testhooks=on, a call that makes this
 * monitor fault on purpose so that recovery can be measured from inside.
 * HVC's return address is already past the instruction, so no ADVANCE.
 */
#include "vmm.h"

#define HVC_TEST_CRASH 0x86000f00u
#define GUEST_CPSR_SVC 0x1d3u /* SVC mode, A/I/F masked (Linux booting.rst) */

/* PSCI CPU_ON (DEN0022 5.6): from reset state, MMU off, at entry (bit 0:
 * Thumb), r0 = context. A repeat after a monitor crash changes nothing:
 * the kernel only writes registers of a stopped vCPU. */
static void start_vcpu(const struct psci_result *r)
{
	uint32_t cap = vcpu_cap(r->cpu);
	if (hv_vcpu_set_reg(cap, HV_REG_RESET, 0))
		return; /* already started */
	hv_vcpu_set_reg(cap, HV_REG_PC, r->entry & ~1u);
	hv_vcpu_set_reg(cap, HV_REG_R0, r->context);
	hv_vcpu_set_reg(cap, HV_REG_CPSR, GUEST_CPSR_SVC | (r->entry & 1u) << 5);
	hv_thread_resume(cap);
}

/* The new PSCI state is in the spare copy d: commit it with the event,
 * then tell init (again after a crash: see main.c). */
static void power_event(struct exit *e, struct devstate *d, uint32_t what)
{
	e->reply[0] = HV_REPLY_HALT;
	d->power_event = 1 + what;
	dev_commit(e);
	tell_init_power(what);
}

void tell_init_power(uint32_t what)
{
	struct hv_msg msg = {.m = {INIT_POWER, what}};
	hv_call(VMM_CAP_INIT, &msg); /* init stops this VM, and this monitor */
}

static void test_crash(struct exit *e)
{
	dev_begin();
	e->reply[1] = 0;
	dev_commit(e); /* the next monitor answers this exit with 0 */
	monitor_crash();
}

void handle_hvc(struct exit *e)
{
	uint32_t fn = e->m[1];
	e->reply[0] = HV_REPLY_SET_R0_R3;
	e->reply[2] = e->m[2];
	e->reply[3] = e->m[3];
	e->reply[4] = e->m[4];
	if (fn == HVC_TEST_CRASH && info->testhooks)
		test_crash(e);

	struct psci_state after = dev_current()->psci;
	struct psci_result r;
	psci_call(&after, e->vcpu, fn, e->m[2], e->m[3], e->m[4], &r);
	e->reply[1] = (uint32_t)r.ret;
	if (r.effect == PSCI_WAIT_CALLER)
		e->reply[0] |= HV_REPLY_WFI; /* CPU_SUSPEND: r0 = SUCCESS once woken */
	if (r.effect == PSCI_NONE || r.effect == PSCI_WAIT_CALLER)
		return; /* VERSION, FEATURES, AFFINITY_INFO, SUSPEND, errors: nothing changes */

	struct devstate *d = dev_begin();
	d->psci = after;
	switch (r.effect) {
	case PSCI_START_CPU: start_vcpu(&r); break;
	case PSCI_STOP_CALLER: e->reply[0] = HV_REPLY_HALT; break;
	case PSCI_SYSTEM_OFF: power_event(e, d, INIT_POWER_OFF); return;
	case PSCI_SYSTEM_RESET: power_event(e, d, INIT_POWER_RESET); return;
	default: break;
	}
	dev_commit(e);
}
