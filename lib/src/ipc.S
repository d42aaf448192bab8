/*
 * IPC stubs, in assembly so a monitor's answer-and-wait costs a handful of
 * instructions: the message words move between struct hv_msg {badge, m[6]}
 * and r1..r6 with one LDM/STM each (abi.h).
 */
	.syntax unified
	.arm
	.text

/* int NAME(uint32_t ep, struct hv_msg *msg); send: m goes out in r1..r6;
 * badge: r7 comes back into msg->badge. m is always filled on return.
 * split: int NAME(uint32_t ep, const struct hv_msg *out, struct hv_msg *in),
 * the message sent from out, the one received into in. */
.macro IPC_STUB name, nr, send, badge, split=0
	.global	\name
\name:
	push	{r4-r8, lr}
	.if \split
	add	r7, r1, #4
	add	r12, r2, #4
	ldm	r7, {r1-r6}
	.else
	add	r12, r1, #4			@ the kernel preserves r12 (abi.h)
	.if \send
	ldm	r12, {r1-r6}
	.endif
	.endif
	mov	r7, #\nr
	svc	#0
	.if \badge
	str	r7, [r12, #-4]
	.endif
	stm	r12, {r1-r6}
	pop	{r4-r8, pc}
.endm

	IPC_STUB hv_call, 0, 1, 0	/* HV_SYS_CALL: m is the request, then the reply */
	IPC_STUB hv_reply_recv, 1, 1, 1	/* HV_SYS_REPLY_RECV: the reply, then the next message */
	IPC_STUB hv_reply_recv_split, 1, 1, 1, 1
	IPC_STUB hv_recv, 2, 0, 1	/* HV_SYS_RECV */
