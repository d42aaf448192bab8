/*
 * Single-instruction accessors for fault probing (see guest.h). Each access
 * is one ARM instruction directly followed by "bx lr": when it aborts and
 * the handler skips it, the probe simply returns.
 */
	.syntax unified
	.arm
	.text

.macro probe name
	.global \name
	.type \name, %function
	.balign 4
\name:
.endm

probe probe_read32
	ldr	r0, [r0]
	bx	lr
probe probe_read16
	ldrh	r0, [r0]
	bx	lr
probe probe_read8
	ldrb	r0, [r0]
	bx	lr
probe probe_write32
	str	r1, [r0]
	bx	lr
probe probe_write16
	strh	r1, [r0]
	bx	lr
probe probe_write8
	strb	r1, [r0]
	bx	lr
probe probe_ldm2
	ldm	r0, {r2, r3}
	bx	lr
probe probe_stm2
	mov	r2, r1
	mov	r3, r1
	stm	r0, {r2, r3}
	bx	lr
probe probe_ldrd
	ldrd	r2, r3, [r0]
	bx	lr
probe probe_strd
	mov	r2, r1
	mov	r3, r1
	strd	r2, r3, [r0]
	bx	lr
