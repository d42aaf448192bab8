/*
 * IPC stubs, in assembly so a monitor's answer-and-wait costs a handful of
 * instructions: the message words move between struct hv_msg {badge, m[6]}
 * and r1..r6 with one LDM/STM each (abi.h).
 */
	.syntax unified
	.arm
	.text

/* int NAME(uint32_t ep, struct hv_msg *msg); send: m goes out in r1..r6;
 * badge: r7 comes back into msg->badge. m is always filled on return. */
.macro IPC_STUB name, nr, send, badge
	.global	\name
\name:
	push	{r4-r8, lr}
	mov	r8, r1
	.if \send
	add	r12, r8, #4
	ldm	r12, {r1-r6}
	.endif
	mov	r7, #\nr
	svc	#0
	.if \badge
	str	r7, [r8]
	.endif
	add	r12, r8, #4
	stm	r12, {r1-r6}
	pop	{r4-r8, pc}
.endm

	IPC_STUB hv_call, 0, 1, 0	/* HV_SYS_CALL: m is the request, then the reply */
	IPC_STUB hv_reply_recv, 1, 1, 1	/* HV_SYS_REPLY_RECV: the reply, then the next message */
	IPC_STUB hv_recv, 2, 0, 1	/* HV_SYS_RECV */
