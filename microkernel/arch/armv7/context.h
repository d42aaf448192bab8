/* Saving a trapped context, for the Hyp trap and IRQ entries (assembly). */
#ifndef CONTEXT_H
#define CONTEXT_H

/* The interrupted context into the thread's struct regs, at SP_hyp (ARM ARM
 * B1.9: in Hyp mode LR is LR_usr; the return state is in ELR_hyp and
 * SPSR_hyp). r12 = this CPU's struct percpu, from HTPIDR. */
.macro SAVE_CONTEXT
	stmia	sp, {r0-r12, lr}
	mrs	r8, sp_usr
	mrs	r9, elr_hyp
	mrs	r10, spsr
	add	r11, sp, #REGS_SP
	stmia	r11, {r8-r10}			@ sp_usr, pc, cpsr
	mrc	p15, 4, r12, c13, c0, 2
.endm

#endif
