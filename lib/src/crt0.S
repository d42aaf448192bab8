/* PL0 server entry: stack at the top of the image region, zeroed bss. */
	.syntax unified
	.arm
	.section .text.start, "ax"
	.global	_start
_start:
	ldr	sp, =0x00100000		@ HV_SRV_STACK_TOP
	ldr	r0, =__bss_start
	ldr	r1, =__bss_end
	mov	r2, #0
1:	cmp	r0, r1
	strlo	r2, [r0], #4
	blo	1b
	ldr	r0, =0x00100000		@ HV_SRV_BOOTINFO
	bl	main
	udf	#0			@ main returned: fault, so the supervisor hears
