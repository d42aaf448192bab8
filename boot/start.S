/*
 * Entry from QEMU, in Hyp mode with the MMU off, for the boot CPU (_start)
 * and for CPUs started with PSCI CPU_ON (secondary_entry, r0 = CPU index).
 */
	.syntax unified
	.arch armv7-a
	.arch_extension virt
	.arm

#define STACK_SIZE 8192

	.section .text.boot, "ax"
	.global	_start
_start:
	cpsid	aif
	mrs	r0, cpsr
	and	r0, r0, #0x1f
	cmp	r0, #0x1a		@ Hyp mode?
	bne	not_in_hyp
	ldr	r0, =__bss_start
	ldr	r1, =__bss_end
	mov	r2, #0
1:	cmp	r0, r1
	strlo	r2, [r0], #4
	blo	1b
	mov	r0, #0
	bl	stack_top_of
	mov	sp, r0
	bl	boot_main		@ does not return

	.global	secondary_entry
secondary_entry:
	cpsid	aif
	mov	r4, r0
	bl	stack_top_of
	mov	sp, r0
	mov	r0, r4
	bl	secondary_main

not_in_hyp:				@ nothing sensible to do without Hyp mode
	wfi
	b	not_in_hyp

/* r0 = CPU index -> r0 = top of its kernel stack; no stack used. */
stack_top_of:
	ldr	r1, =kernel_stacks
	add	r0, r0, #1
	mov	r2, #STACK_SIZE
	mla	r0, r0, r2, r1
	bx	lr
