/*
 * HYP vectors and the trap entry/exit path (ARM ARM B1.8 "Exception
 * handling", B1.9.? Hyp mode). Before returning to a thread, SP_hyp is left
 * pointing at that thread's struct regs, so the next trap stores the
 * interrupted context straight into it, then moves to the CPU's own stack.
 * In Hyp mode LR is LR_usr and the return state is in ELR_hyp/SPSR_hyp.
 */
#include "asm_offsets.h"

	.syntax unified
	.arch armv7-a
	.arch_extension virt
	.arch_extension sec
	.arch_extension idiv
	.fpu neon-vfpv4
	.arm

/* The interrupted context into the thread's struct regs (at sp); r12 =
 * this CPU's struct percpu, from HTPIDR. */
.macro SAVE_CONTEXT
	stmia	sp, {r0-r12}
	mrs	r8, sp_usr
	mov	r9, lr
	mrs	r10, elr_hyp
	mrs	r11, spsr
	add	r12, sp, #REGS_SP
	stmia	r12, {r8-r11}			@ sp_usr, lr_usr, pc, cpsr
	mrc	p15, 4, r12, c13, c0, 2
.endm

	.section .text.vectors, "ax"
	.align	5
	.global	hyp_vectors
hyp_vectors:
	b	hyp_bad_exception	@ 0x00 reset (unused)
	b	hyp_bad_exception	@ 0x04 undefined instruction in Hyp mode
	b	hyp_bad_exception	@ 0x08 HVC/SVC in Hyp mode
	b	hyp_bad_exception	@ 0x0c prefetch abort in Hyp mode
	b	hyp_bad_exception	@ 0x10 data abort in Hyp mode
	b	hyp_trap		@ 0x14 Hyp trap: every guest and PL0 exit
	b	hyp_irq			@ 0x18 IRQ
	b	hyp_bad_exception	@ 0x1c FIQ

hyp_trap:
	SAVE_CONTEXT
	b	hyp_trap_fast			@ fastpath.S; else c_trap, locked

hyp_irq:
	SAVE_CONTEXT
	ldr	sp, [r12, #PERCPU_STACK_TOP]
	b	c_irq

hyp_bad_exception:
	mrc	p15, 4, r0, c5, c2, 0	@ HSR
	mrs	r1, elr_hyp
	mrc	p15, 4, r2, c6, c0, 0	@ HDFAR
	b	c_bad_exception

/* void arch_return(struct regs *r): eret into the context r; the one way
 * out of the kernel. SP_hyp is left at r for the next trap. */
	.text
	.global	arch_return
	.global	return_to_sp
arch_return:
	mov	sp, r0
return_to_sp:
	ldrd	r0, r1, [sp, #REGS_SP]
	msr	sp_usr, r0
	mov	lr, r1
	ldrd	r0, r1, [sp, #REGS_PC]
	msr	elr_hyp, r0
	msr	spsr_cxsf, r1
	ldmia	sp, {r0-r12}
	eret

/* Banked guest registers, in the order of struct vcpu.banked. */
	.global	banked_save
banked_save:
	mrs	r1, sp_svc
	mrs	r2, lr_svc
	mrs	r3, spsr_svc
	stmia	r0!, {r1-r3}
	mrs	r1, sp_abt
	mrs	r2, lr_abt
	mrs	r3, spsr_abt
	stmia	r0!, {r1-r3}
	mrs	r1, sp_und
	mrs	r2, lr_und
	mrs	r3, spsr_und
	stmia	r0!, {r1-r3}
	mrs	r1, sp_irq
	mrs	r2, lr_irq
	mrs	r3, spsr_irq
	stmia	r0!, {r1-r3}
	mrs	r1, r8_fiq
	mrs	r2, r9_fiq
	mrs	r3, r10_fiq
	stmia	r0!, {r1-r3}
	mrs	r1, r11_fiq
	mrs	r2, r12_fiq
	mrs	r3, sp_fiq
	stmia	r0!, {r1-r3}
	mrs	r1, lr_fiq
	mrs	r2, spsr_fiq
	stmia	r0!, {r1-r2}
	bx	lr

	.global	banked_restore
banked_restore:
	ldmia	r0!, {r1-r3}
	msr	sp_svc, r1
	msr	lr_svc, r2
	msr	spsr_svc, r3
	ldmia	r0!, {r1-r3}
	msr	sp_abt, r1
	msr	lr_abt, r2
	msr	spsr_abt, r3
	ldmia	r0!, {r1-r3}
	msr	sp_und, r1
	msr	lr_und, r2
	msr	spsr_und, r3
	ldmia	r0!, {r1-r3}
	msr	sp_irq, r1
	msr	lr_irq, r2
	msr	spsr_irq, r3
	ldmia	r0!, {r1-r3}
	msr	r8_fiq, r1
	msr	r9_fiq, r2
	msr	r10_fiq, r3
	ldmia	r0!, {r1-r3}
	msr	r11_fiq, r1
	msr	r12_fiq, r2
	msr	sp_fiq, r3
	ldmia	r0!, {r1-r2}
	msr	lr_fiq, r1
	msr	spsr_fiq, r2
	bx	lr

/* VFP/Advanced SIMD state (32 double registers on Cortex-A15). The caller
 * has lifted the HCPTR trap; FPEXC.EN is forced on while copying. */
	.global	vfp_save
vfp_save:				@ r0 = d0..d31, r1 = &fpscr, r2 = &fpexc
	vmrs	r3, fpexc
	str	r3, [r2]
	orr	r3, r3, #(1 << 30)
	vmsr	fpexc, r3
	vstmia	r0!, {d0-d15}
	vstmia	r0!, {d16-d31}
	vmrs	r3, fpscr
	str	r3, [r1]
	bx	lr

	.global	vfp_restore
vfp_restore:
	mov	r3, #(1 << 30)
	vmsr	fpexc, r3
	vldmia	r0!, {d0-d15}
	vldmia	r0!, {d16-d31}
	ldr	r3, [r1]
	vmsr	fpscr, r3
	ldr	r3, [r2]
	vmsr	fpexc, r3
	bx	lr

/* Banked access for the guest's current mode, used at exits. */
	.global	banked_read_fiq_r8_r12
banked_read_fiq_r8_r12:			@ r0 = uint32_t[5]
	mrs	r1, r8_fiq
	mrs	r2, r9_fiq
	mrs	r3, r10_fiq
	stmia	r0!, {r1-r3}
	mrs	r1, r11_fiq
	mrs	r2, r12_fiq
	stmia	r0!, {r1-r2}
	bx	lr

	.global	banked_write_fiq_r8_r12
banked_write_fiq_r8_r12:
	ldmia	r0!, {r1-r3}
	msr	r8_fiq, r1
	msr	r9_fiq, r2
	msr	r10_fiq, r3
	ldmia	r0!, {r1-r2}
	msr	r11_fiq, r1
	msr	r12_fiq, r2
	bx	lr
