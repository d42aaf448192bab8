/*
 * The Hyp trap (ARM ARM B1.9, HSR in B3.13.6): its entry, its fast paths,
 * and the one way out of the kernel (arch_return).
 *
 * The fast paths are the round trips the exit protocol is built on:
 *   exit:        a vCPU's HVC, or its data abort with a valid syndrome, to
 *                its monitor already waiting on this CPU;
 *   call:        a native CALL to a receiver already waiting on this CPU;
 *   reply-recv:  a native REPLY_RECV whose caller runs next on this CPU, a
 *                native thread or the vCPU whose context this CPU holds.
 * Written straight-line in assembly on purpose: every exit pays for each
 * instruction here twice. They do what the general code does (vcpu.c
 * vcpu_exit/vcpu_do_reply, ipc.c ipc_call/ipc_reply/ipc_recv, cpu.c
 * arch_enter) for the cases they accept. Every condition is checked before
 * anything changes; anything else goes to c_trap, with the lock held.
 *
 * Registers: sp = the current thread (struct regs is its first member),
 * r12 = this CPU's struct percpu. A native caller's r0-r7 (cap, message,
 * syscall number) stay live; a vCPU's registers are all saved, so free.
 * Branches skip the common case's untaken work: a condition-failed
 * instruction still costs one.
 */
#include "asm_offsets.h"
#include "context.inc"

	.syntax unified
	.arch armv7-a
	.arch_extension virt
	.arm

#if HV_OK != 0 || HV_SYS_CALL != 0 || TS_RUNNABLE != 1 || V_TPIDRURO != V_TPIDRURW + 4 ||         \
    V_WFI_REQUESTED != V_REPLY_PENDING + 1 || REGS_CPSR != REGS_PC + 4 || T_CPU != T_PRIO + 1 ||     \
    T_PRIO % 2 != 0
#error "trap.S relies on these values and layouts"
#endif

/* The big kernel lock (arch.h), held by this CPU's percpu address. */
.macro LOCK a, tmp
	ldr	\a, =big_kernel_lock
1:	ldrex	\tmp, [\a]
	cmp	\tmp, #0
	strexeq	\tmp, r12, [\a]
	cmpeq	\tmp, #0
	bne	1b
	dmb	ish
.endm

/* ep = the endpoint in the current thread's cap slot idx, with right. */
.macro CAP_ENDPOINT idx, right, ep, tmp, t2
	cmp	\idx, #HV_CAP_SLOTS
	bhs	trap_slow
	ldr	\tmp, [sp, #T_AS]
	add	\tmp, \tmp, \idx, lsl #CAP_SHIFT
	ldrh	\ep, [\tmp, #AS_CAPS + CAP_TYPE]	@ type, rights << 8
	bic	\ep, \ep, #((0xff & ~\right) << 8)
	movw	\t2, #(HV_CAP_ENDPOINT | \right << 8)
	cmp	\ep, \t2
	bne	trap_slow
	ldr	\ep, [\tmp, #AS_CAPS + CAP_OBJ]
.endm

/* Thread th, pinned to this CPU, is not outranked by the head of the run
 * queue: it may take the CPU now (sched.c's policy). Quick when th is on
 * the current thread's CPU at no lower priority: nothing queued outranks
 * the running thread (a wake-up in flight from another CPU preempts by IPI
 * as soon as this trap returns). */
.macro MAY_RUN_HERE th, a, b
	ldrh	\a, [\th, #T_PRIO]		@ prio | cpu << 8
	ldrh	\b, [sp, #T_PRIO]
	cmp	\a, \b				@ a >= b: th's CPU >= ours, and
	orrhs	\b, \b, #0xff			@ a <= our CPU | 0xff: the same
	cmphs	\b, \a				@ CPU, th's priority >= ours
	bhs	1f
	ldrb	\a, [\th, #T_CPU]
	ldrb	\b, [sp, #T_CPU]
	cmp	\a, \b
	bne	trap_slow
	ldr	\a, [r12, #PERCPU_RUNQ]
	cmp	\a, #0
	beq	1f
	ldrb	\a, [\a, #T_PRIO]
	ldrb	\b, [\th, #T_PRIO]
	cmp	\a, \b
	bhi	trap_slow
1:
.endm

/* r = the first receiver waiting on ep, if it may run here. */
.macro DIRECT_RECEIVER ep, r, a, b
	ldr	\r, [\ep, #EP_RECEIVERS]
	cmp	\r, #0
	beq	trap_slow
	MAY_RUN_HERE \r, \a, \b
.endm

/* The current thread calls r, taken off ep's queue: r now owes it the
 * reply (ipc_call, transfer). zero holds 0; tmp, t2 are clobbered. */
.macro HAND_OVER ep, r, zero, tmp, t2
	ldr	\tmp, [\r, #T_NEXT]
	str	\tmp, [\ep, #EP_RECEIVERS]
	str	\zero, [\r, #T_NEXT]
	str	\zero, [\r, #T_EP]
	str	\zero, [\r, #T_TIMEOUT]
	str	\zero, [\r, #T_TIMEOUT + 4]
	ldr	\tmp, [\r, #T_BOUND]
	cmp	\tmp, #0
	beq	1f
	ldr	\t2, [\tmp, #NTFN_WAITER]
	cmp	\t2, \r
	streq	\zero, [\tmp, #NTFN_WAITER]
1:	mov	\tmp, #TS_RUNNABLE
	strb	\tmp, [\r, #T_STATE]
	str	sp, [\r, #T_CALLER]
	str	\r, [sp, #T_REPLIER]
	mov	\tmp, #TS_REPLY
	strb	\tmp, [sp, #T_STATE]
	str	\r, [r12, #PERCPU_CURRENT]
.endm

	.text
	.global	hyp_trap
hyp_trap:
	SAVE_CONTEXT
	LOCK	r8, r10
	mrc	p15, 4, r9, c5, c2, 0		@ HSR
	ldrb	r8, [sp, #T_STATE]
	cmp	r8, #TS_RUNNABLE		@ else suspended meanwhile
	bne	trap_slow
	lsr	r8, r9, #26			@ HSR.EC
	cmp	r8, #HV_EC_SVC			@ natives only: a guest's SVC stays
	bne	exit_fast			@ in the guest (HCR.TGE is 0)
	cmp	r7, #HV_SYS_REPLY_RECV
	beq	reply_recv_fast
	cmp	r7, #HV_SYS_CALL
	bne	trap_slow

/* CALL: r0 = endpoint cap, r1-r6 = message. */
call_fast:
	CAP_ENDPOINT r0, HV_RIGHT_WRITE, r11, r10, r9
	DIRECT_RECEIVER r11, r8, r9, lr
	ldr	r7, [r10, #AS_CAPS + CAP_BADGE]
	mov	r0, #HV_OK
	stmia	r8, {r0-r7}			@ receiver: status, message, badge
	HAND_OVER r11, r8, r0, r9, r10
	b	enter_thread			@ native to native: HCR stays

/* Maybe a vCPU exit: r8 = EC, r9 = HSR. The message is built as vcpu_exit
 * does: r5 = HSR, r6-r9 = words 1-4, r10 = serial; lr = struct vcpu. */
exit_fast:
	ldr	lr, [sp, #T_VCPU]
	cmp	lr, #0
	beq	trap_slow
	ldr	r0, [sp, #T_FAULT_EP]
	cmp	r0, #0
	beq	trap_slow
	DIRECT_RECEIVER r0, r1, r2, r3
	mov	r5, r9
	cmp	r8, #HV_EC_HVC
	ldmiaeq	sp, {r6-r9}			@ HVC: the guest's r0-r3
	beq	1f
	cmp	r8, #HV_EC_DABT_LOW
	bne	trap_slow
	tst	r5, #HSR_DABT_ISV
	beq	trap_slow
	mov	r7, #0
	tst	r5, #HSR_DABT_WNR
	beq	2f
	ubfx	r2, r5, #16, #4			@ SRT
	cmp	r2, #8				@ r8-r12 may be banked (FIQ mode)
	bhs	trap_slow
	ldr	r7, [sp, r2, lsl #2]		@ the value written
2:	mrc	p15, 4, r2, c6, c0, 0		@ HDFAR
	mrc	p15, 4, r3, c6, c0, 4		@ HPFAR: IPA[39:12] at [31:4]
	str	r2, [lr, #V_FAULT_VA]
	bic	r3, r3, #0xf
	ubfx	r2, r2, #0, #12
	orr	r6, r2, r3, lsl #8		@ the fault IPA
	mov	r8, #0
	mov	r9, #0
1:	mrrc	p15, 0, r2, r3, c14		@ CNTPCT: the exit's cost starts here
	strd	r2, r3, [lr, #V_EXIT_STAMP]
	ldr	r10, [lr, #V_SERIAL]
	ldr	r11, [sp, #T_FAULT_BADGE]
	add	r10, r10, #1
	str	r10, [lr, #V_SERIAL]
	add	r2, sp, #T_MSG
	stmia	r2, {r5-r10}			@ the exit, kept until it is answered
	mov	r4, #HV_OK
	stmia	r1, {r4-r11}			@ monitor: status, message, badge
	HAND_OVER r0, r1, r4, r2, r3
	str	r11, [sp, #T_BADGE]		@ a vCPU's call is sent again, as it
	mov	r2, #1				@ was, if its monitor dies (ipc.c)
	strb	r2, [sp, #T_IS_CALL]
	/* guest to native (cpu.c enter_native): keep the guest's user
	 * registers, give the server none of them, let it reach FP */
	mrc	p15, 0, r2, c13, c0, 2		@ TPIDRURW
	mrc	p15, 0, r3, c13, c0, 3		@ TPIDRURO
	strd	r2, r3, [lr, #V_TPIDRURW]
	mrc	p15, 0, r2, c1, c0, 2		@ CPACR
	str	r2, [lr, #V_CPACR]
	mcr	p15, 0, r4, c13, c0, 2
	mcr	p15, 0, r4, c13, c0, 3
	mov	r2, #CPACR_CP10_CP11_FULL
	mcr	p15, 0, r2, c1, c0, 2
	mov	r2, #1
	strb	r2, [r12, #PERCPU_HW_NATIVE]
	ldr	r2, =HCR_NATIVE
	mcr	p15, 4, r2, c1, c1, 0		@ HCR
	mov	r8, r1
	b	enter_thread

/* REPLY_RECV: r0 = endpoint cap, r1-r6 = the reply to the caller. */
reply_recv_fast:
	CAP_ENDPOINT r0, HV_RIGHT_READ, r11, r10, r9
	ldr	r8, [sp, #T_CALLER]
	cmp	r8, #0
	beq	trap_slow
	ldr	r9, [r11, #EP_SENDERS]		@ a queued sender is received next
	ldr	r10, [r11, #EP_RECEIVERS]
	orrs	r9, r9, r10
	bne	trap_slow
	ldr	r9, [sp, #T_BOUND]		@ pending notification bits win
	cmp	r9, #0
	beq	1f
	ldr	r9, [r9, #NTFN_WORD]
	cmp	r9, #0
	bne	trap_slow
1:	MAY_RUN_HERE r8, r9, r10
	ldr	lr, [r8, #T_VCPU]
	cmp	lr, #0
	bne	reply_vcpu_fast
	mov	r0, #HV_OK
	stmia	r8, {r0-r6}			@ caller: status, reply (its r7 is
						@ HV_SYS_CALL, 0, as deliver() sets)

/* The current thread waits on ep r11 again; the caller r8 runs. */
reply_done:
	mov	r9, #0
	str	r9, [sp, #T_CALLER]
	str	r9, [r8, #T_REPLIER]
	str	r9, [sp, #T_NEXT]
	str	r11, [sp, #T_EP]
	str	sp, [r11, #EP_RECEIVERS]
	ldr	r10, [sp, #T_BOUND]
	cmp	r10, #0
	strne	sp, [r10, #NTFN_WAITER]
	mov	r10, #TS_RECV
	strb	r10, [sp, #T_STATE]
	mov	r10, #TS_RUNNABLE
	strb	r10, [r8, #T_STATE]
	str	r8, [r12, #PERCPU_CURRENT]

/* Enter thread r8, HCR already set for it: FP trap, stage 2, unlock. */
enter_thread:
	ldr	r9, [r12, #PERCPU_VFP_OWNER]
	subs	r9, r9, r8
	movne	r9, #HCPTR_VFP_TRAP
	mcr	p15, 4, r9, c1, c1, 2		@ HCPTR
	ldr	r9, [r8, #T_AS]
	ldrd	r10, r11, [r9, #AS_VTTBR]
	mcrr	p15, 6, r10, r11, c2		@ VTTBR; ERET synchronizes both
	ldr	r9, =big_kernel_lock
	mov	r10, #0
	dmb	ish
	str	r10, [r9]
	mov	sp, r8

/* void arch_return(struct regs *r): eret into r. SP_hyp stays at r, where
 * the next trap saves. In Hyp mode LR is LR_usr. */
return_to_sp:
	ldr	r0, [sp, #REGS_SP]
	ldrd	r2, r3, [sp, #REGS_PC]
	msr	sp_usr, r0
	msr	elr_hyp, r2
	msr	spsr_cxsf, r3
	ldmia	sp, {r0-r12, lr}
	eret

	.global	arch_return
arch_return:
	mov	sp, r0
	b	return_to_sp

/* The caller r8 is vCPU lr, whose context this CPU holds: carry out the
 * reply r1-r5 (vcpu_do_reply) for SET_RT (a load into r0-r7), SET_R0_R3
 * and ADVANCE outside an IT block; anything else in C. */
reply_vcpu_fast:
	ldr	r9, [r12, #PERCPU_LOADED]
	cmp	r9, lr
	bne	trap_slow
	ldr	r9, [lr, #V_QUEUED]		@ interrupts to put in list registers
	ldrh	r10, [lr, #V_REPLY_PENDING]	@ and V_WFI_REQUESTED
	orrs	r9, r9, r10
	bne	trap_slow
	bics	r9, r1, #(HV_REPLY_SET_RT | HV_REPLY_SET_R0_R3 | HV_REPLY_ADVANCE)
	bne	trap_slow
	ldr	r10, [r8, #T_MSG]		@ the exit's HSR
	lsr	r9, r10, #26
	tst	r1, #HV_REPLY_SET_RT
	beq	1f
	cmp	r9, #HV_EC_DABT_LOW
	bne	trap_slow
	tst	r10, #HSR_DABT_ISV
	beq	trap_slow
	ubfx	r0, r10, #16, #4		@ SRT
	cmp	r0, #8
	bhs	trap_slow
1:	tst	r1, #HV_REPLY_ADVANCE
	beq	2f
	cmp	r9, #HV_EC_HVC
	biceq	r1, r1, #HV_REPLY_ADVANCE	@ an HVC's return address is past it
	beq	2f
	ldr	r7, [r8, #REGS_CPSR]
	tst	r7, #PSR_IT_HI			@ stepping an IT block: in C
	tsteq	r7, #PSR_IT_LO
	bne	trap_slow
2:	/* accepted; nothing has changed so far */
	tst	r1, #HV_REPLY_SET_RT
	strne	r2, [r8, r0, lsl #2]
	tst	r1, #HV_REPLY_SET_R0_R3
	stmiane	r8, {r2-r5}
	tst	r1, #HV_REPLY_ADVANCE
	beq	3f
	ldr	r6, [r8, #REGS_PC]
	tst	r10, #HSR_IL			@ a 32-bit or a 16-bit instruction
	addne	r6, r6, #4
	addeq	r6, r6, #2
	str	r6, [r8, #REGS_PC]
3:	/* the exit's count and cost (vcpu_stats_close) */
	add	r7, lr, r9, lsl #V_STATS_SHIFT
	ldr	r6, [r7, #V_STATS + STAT_COUNT]!
	add	r6, r6, #1
	str	r6, [r7]
	mrrc	p15, 0, r2, r3, c14		@ CNTPCT
	ldrd	r4, r5, [lr, #V_EXIT_STAMP]
	subs	r2, r2, r4
	sbc	r3, r3, r5
	ldrd	r4, r5, [r7, #STAT_COST - STAT_COUNT]
	adds	r4, r4, r2
	adc	r5, r5, r3
	strd	r4, r5, [r7, #STAT_COST - STAT_COUNT]
	/* native to guest (cpu.c enter_vcpu): its user registers back */
	ldrd	r2, r3, [lr, #V_TPIDRURW]
	mcr	p15, 0, r2, c13, c0, 2		@ TPIDRURW
	mcr	p15, 0, r3, c13, c0, 3		@ TPIDRURO
	ldr	r2, [lr, #V_CPACR]
	mcr	p15, 0, r2, c1, c0, 2		@ CPACR
	mov	r2, #0
	strb	r2, [r12, #PERCPU_HW_NATIVE]
	ldr	r2, =HCR_GUEST
	mcr	p15, 4, r2, c1, c1, 0		@ HCR
	b	reply_done

/* Anything else: the general C path, lock held, on this CPU's stack. */
trap_slow:
	ldr	sp, [r12, #PERCPU_STACK_TOP]
	b	c_trap

	.ltorg
