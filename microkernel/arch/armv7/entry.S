/*
 * HYP vectors (ARM ARM B1.8 "Exception handling", B1.9 Hyp mode), the IRQ
 * entry, and the copies of guest state that need banked-register or FP
 * instructions. Before returning to a thread, SP_hyp is left pointing at
 * its struct regs, so the next trap or IRQ saves the interrupted context
 * straight into it, then moves to the CPU's own stack. The trap entry and
 * the way out are in trap.S.
 */
#include "asm_offsets.h"
#include "context.inc"

	.syntax unified
	.arch armv7-a
	.arch_extension virt
	.arch_extension sec
	.arch_extension idiv
	.fpu neon-vfpv4
	.arm

	.section .text.vectors, "ax"
	.align	5
	.global	hyp_vectors
hyp_vectors:
	b	hyp_bad_exception	@ 0x00 reset (unused)
	b	hyp_bad_exception	@ 0x04 undefined instruction in Hyp mode
	b	hyp_bad_exception	@ 0x08 HVC/SVC in Hyp mode
	b	hyp_bad_exception	@ 0x0c prefetch abort in Hyp mode
	b	hyp_bad_exception	@ 0x10 data abort in Hyp mode
	b	hyp_trap		@ 0x14 Hyp trap (trap.S): every guest and PL0 exit
	b	hyp_irq			@ 0x18 IRQ
	b	hyp_bad_exception	@ 0x1c FIQ

hyp_irq:
	SAVE_CONTEXT
	ldr	sp, [r12, #PERCPU_STACK_TOP]
	b	c_irq

hyp_bad_exception:
	mrc	p15, 4, r0, c5, c2, 0	@ HSR
	mrs	r1, elr_hyp
	mrc	p15, 4, r2, c6, c0, 0	@ HDFAR
	b	c_bad_exception

	.text
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
