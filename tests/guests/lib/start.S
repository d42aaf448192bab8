/*
 * Entry, secondary-CPU entry and exception vectors of the test guests.
 *
 * Boot (Linux ARM boot protocol): SVC mode, MMU off, r0=0, r1=~0, r2=DTB.
 * Per CPU (index = MPIDR.Aff0) there is one stack block above .bss
 * (section .stacks, not zeroed) holding the SVC, ABT, UND, IRQ and FIQ
 * stacks. Exceptions are handled on their own mode's stack: the entry saves
 * r0-r12, the return address and SPSR (struct exc_frame), plus d0-d7 and
 * FPSCR, calls exc_dispatch(type, frame), and returns with RFE to whatever
 * frame->ret says.
 */
	.syntax unified
	.arm
	.arch_extension virt

#define MODE_FIQ 0x11
#define MODE_IRQ 0x12
#define MODE_SVC 0x13
#define MODE_ABT 0x17
#define MODE_UND 0x1b

#define EXC_UNDEF 1
#define EXC_SVC 2
#define EXC_PABT 3
#define EXC_DABT 4
#define EXC_IRQ 5
#define EXC_FIQ 6

/* Stack sizes per CPU; the block is STACK_PER_CPU bytes (guest.ld). */
#define STACK_SVC 0x4000
#define STACK_ABT 0x2000
#define STACK_UND 0x2000
#define STACK_IRQ 0x1000
#define STACK_FIQ 0x0800
#define STACK_PER_CPU (STACK_SVC + STACK_ABT + STACK_UND + STACK_IRQ + STACK_FIQ)
#define MAX_CPUS 4

/* Set every mode's sp for CPU index \cpu (clobbers \cpu, r1); ends in SVC. */
.macro setup_stacks cpu
	ldr	r1, =STACK_PER_CPU
	mul	\cpu, \cpu, r1
	ldr	r1, =__stacks_start
	add	\cpu, \cpu, r1
	add	\cpu, \cpu, #STACK_FIQ
	cps	#MODE_FIQ
	mov	sp, \cpu
	add	\cpu, \cpu, #STACK_IRQ
	cps	#MODE_IRQ
	mov	sp, \cpu
	add	\cpu, \cpu, #STACK_UND
	cps	#MODE_UND
	mov	sp, \cpu
	add	\cpu, \cpu, #STACK_ABT
	cps	#MODE_ABT
	mov	sp, \cpu
	add	\cpu, \cpu, #STACK_SVC
	cps	#MODE_SVC
	mov	sp, \cpu
.endm

/* CPACR: cp10/cp11 full access; FPEXC.EN. Clobbers r0. */
.macro enable_vfp
	mrc	p15, 0, r0, c1, c0, 2
	orr	r0, r0, #(0xf << 20)
	mcr	p15, 0, r0, c1, c0, 2
	isb
	mov	r0, #0x40000000
	vmsr	fpexc, r0
	mov	r0, #0
	vmsr	fpscr, r0
.endm

.macro set_vbar
	ldr	r0, =vectors
	mcr	p15, 0, r0, c12, c0, 0
	isb
.endm

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	cpsid	aif
	mov	r10, r2                 /* DTB */
	set_vbar
	mov	r0, #0
	setup_stacks r0
	/* zero .bss (the stacks live above it, in .stacks) */
	ldr	r0, =__bss_start
	ldr	r1, =__bss_end
	mov	r2, #0
1:	cmp	r0, r1
	strlo	r2, [r0], #4
	blo	1b
	enable_vfp
	ldr	r0, =guest_dtb
	str	r10, [r0]
	mov	r0, r10
	bl	main
	bl	system_off
2:	wfi
	b	2b
	.size _start, . - _start

/* PSCI CPU_ON entry: SVC mode, MMU off, r0 = context. */
	.global secondary_entry
	.type secondary_entry, %function
secondary_entry:
	cpsid	aif
	mov	r10, r0
	set_vbar
	mrc	p15, 0, r0, c0, c0, 5   /* MPIDR */
	and	r0, r0, #0xff
	cmp	r0, #MAX_CPUS
	bhs	3f
	setup_stacks r0
	enable_vfp
	mov	r0, r10
	bl	secondary_c_entry
3:	wfi
	b	3b
	.size secondary_entry, . - secondary_entry

/* ---- vectors ------------------------------------------------------------ */
	.section .text.vectors, "ax"
	.balign 32
	.global vectors
vectors:
	b	.                       /* reset: not taken (SCTLR.V=0, VBAR) */
	b	vec_undef
	b	vec_svc
	b	vec_pabt
	b	vec_dabt
	b	.                       /* hyp trap: never at PL1 */
	b	vec_irq
	b	vec_fiq

.macro exc_entry mode, type
	srsdb	sp!, #\mode             /* push LR_<mode>, SPSR_<mode> */
	push	{r0-r12}
	mov	r0, #\type
	b	exc_common
.endm

vec_undef:	exc_entry MODE_UND, EXC_UNDEF
vec_svc:	exc_entry MODE_SVC, EXC_SVC
vec_pabt:	exc_entry MODE_ABT, EXC_PABT
vec_dabt:	exc_entry MODE_ABT, EXC_DABT
vec_irq:	exc_entry MODE_IRQ, EXC_IRQ
vec_fiq:	exc_entry MODE_FIQ, EXC_FIQ

/* r0 = type, sp = struct exc_frame (r0-r12, ret, spsr). */
exc_common:
	mov	r5, sp                  /* frame (r5, r6 survive the C call) */
	mov	r1, sp
	vmrs	r6, fpscr
	vpush	{d0-d7}
	bic	sp, sp, #7
	bl	exc_dispatch
	sub	sp, r5, #64
	vpop	{d0-d7}
	vmsr	fpscr, r6
	pop	{r0-r12}
	rfeia	sp!                     /* pc = frame->ret, cpsr = frame->spsr */

	.ltorg
