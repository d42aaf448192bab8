/* Structure offsets and constants for the assembly (entry.S, trap.S,
 * context.inc), generated into build/asm_offsets.h. */
#include "armv7.h"
#include "hyp_regs.h"
#include "kernel.h"

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %0\"" ::"i"(val))

void offsets(void);
void offsets(void)
{
	DEFINE(REGS_SP, offsetof(struct regs, sp_usr));
	DEFINE(REGS_PC, offsetof(struct regs, pc));
	DEFINE(REGS_CPSR, offsetof(struct regs, cpsr));

	DEFINE(T_STATE, offsetof(struct thread, state));
	DEFINE(T_PRIO, offsetof(struct thread, prio));
	DEFINE(T_CPU, offsetof(struct thread, cpu));
	DEFINE(T_AS, offsetof(struct thread, as));
	DEFINE(T_VCPU, offsetof(struct thread, vcpu));
	DEFINE(T_NEXT, offsetof(struct thread, next));
	DEFINE(T_EP, offsetof(struct thread, ep));
	DEFINE(T_FAULT_EP, offsetof(struct thread, fault_ep));
	DEFINE(T_FAULT_BADGE, offsetof(struct thread, fault_badge));
	DEFINE(T_BADGE, offsetof(struct thread, badge));
	DEFINE(T_MSG, offsetof(struct thread, msg));
	DEFINE(T_IS_CALL, offsetof(struct thread, is_call));
	DEFINE(T_CALLER, offsetof(struct thread, caller));
	DEFINE(T_REPLIER, offsetof(struct thread, replier));
	DEFINE(T_BOUND, offsetof(struct thread, bound));
	DEFINE(T_TIMEOUT, offsetof(struct thread, timeout));

	DEFINE(V_SERIAL, offsetof(struct vcpu, serial));
	DEFINE(V_EXIT_STAMP, offsetof(struct vcpu, exit_stamp));
	DEFINE(V_FAULT_VA, offsetof(struct vcpu, fault_va));
	DEFINE(V_REPLY_PENDING, offsetof(struct vcpu, reply_pending));
	DEFINE(V_WFI_REQUESTED, offsetof(struct vcpu, wfi_requested));
	DEFINE(V_CPACR, offsetof(struct vcpu, cp15[C_CPACR]));
	DEFINE(V_TPIDRURW, offsetof(struct vcpu, cp15[C_TPIDRURW]));
	DEFINE(V_TPIDRURO, offsetof(struct vcpu, cp15[C_TPIDRURO]));
	DEFINE(V_QUEUED, offsetof(struct vcpu, queued));
	DEFINE(V_STATS, offsetof(struct vcpu, stats));
	DEFINE(V_STATS_SHIFT, __builtin_ctz(sizeof(((struct vcpu *)0)->stats[0])));
	DEFINE(STAT_COUNT, offsetof(struct vcpu, stats[0].count) - offsetof(struct vcpu, stats));
	DEFINE(STAT_COST, offsetof(struct vcpu, stats[0].cost) - offsetof(struct vcpu, stats));

	DEFINE(AS_VTTBR, offsetof(struct aspace, vttbr));
	DEFINE(AS_CAPS, offsetof(struct aspace, caps));
	DEFINE(CAP_SHIFT, __builtin_ctz(sizeof(struct cap)));
	DEFINE(CAP_TYPE, offsetof(struct cap, type));
	DEFINE(CAP_BADGE, offsetof(struct cap, badge));
	DEFINE(CAP_OBJ, offsetof(struct cap, obj));
	DEFINE(EP_SENDERS, offsetof(struct endpoint, senders));
	DEFINE(EP_RECEIVERS, offsetof(struct endpoint, receivers));
	DEFINE(NTFN_WORD, offsetof(struct ntfn, word));
	DEFINE(NTFN_WAITER, offsetof(struct ntfn, waiter));

	DEFINE(PERCPU_STACK_TOP, offsetof(struct percpu, stack_top));
	DEFINE(PERCPU_CURRENT, offsetof(struct percpu, current));
	DEFINE(PERCPU_LOADED, offsetof(struct percpu, loaded));
	DEFINE(PERCPU_RUNQ, offsetof(struct percpu, runq));
	DEFINE(PERCPU_HW_NATIVE, offsetof(struct percpu, hw_native));
	DEFINE(PERCPU_VFP_OWNER, offsetof(struct percpu, vfp_owner));

	DEFINE(TS_RUNNABLE, TS_RUNNABLE);
	DEFINE(TS_RECV, TS_RECV);
	DEFINE(TS_REPLY, TS_REPLY);
	DEFINE(HCR_GUEST, HCR_GUEST);
	DEFINE(HCR_NATIVE, HCR_NATIVE);
	DEFINE(HCPTR_VFP_TRAP, HCPTR_VFP_TRAP);
	DEFINE(CPACR_CP10_CP11_FULL, CPACR_CP10_CP11_FULL);
	DEFINE(PSR_IT_HI, PSR_IT_MASK & 0xffff0000u);
	DEFINE(PSR_IT_LO, PSR_IT_MASK & 0xffffu);
	DEFINE(HSR_IL, HSR_IL);
	DEFINE(HSR_DABT_ISV, HSR_DABT_ISV);
	DEFINE(HSR_DABT_WNR, HSR_DABT_WNR);

	DEFINE(HV_OK, HV_OK);
	DEFINE(HV_SYS_CALL, HV_SYS_CALL);
	DEFINE(HV_SYS_REPLY_RECV, HV_SYS_REPLY_RECV);
	DEFINE(HV_CAP_SLOTS, HV_CAP_SLOTS);
	DEFINE(HV_CAP_ENDPOINT, HV_CAP_ENDPOINT);
	DEFINE(HV_RIGHT_READ, HV_RIGHT_READ);
	DEFINE(HV_RIGHT_WRITE, HV_RIGHT_WRITE);
	DEFINE(HV_EC_SVC, HV_EC_SVC);
	DEFINE(HV_EC_HVC, HV_EC_HVC);
	DEFINE(HV_EC_DABT_LOW, HV_EC_DABT_LOW);
	DEFINE(HV_REPLY_SET_RT, HV_REPLY_SET_RT);
	DEFINE(HV_REPLY_SET_R0_R3, HV_REPLY_SET_R0_R3);
	DEFINE(HV_REPLY_ADVANCE, HV_REPLY_ADVANCE);
}
