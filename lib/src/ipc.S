/*
 * Receive-family IPC stubs, in assembly so a monitor's answer-and-wait
 * costs a handful of instructions: the message words move between struct
 * hv_msg {badge, m[6]} and r1..r6 with one LDM/STM each (abi.h).
 */
	.syntax unified
	.arm
	.text

/* int hv_reply_recv(uint32_t ep, struct hv_msg *msg) */
	.global	hv_reply_recv
hv_reply_recv:
	push	{r4-r8, lr}
	mov	r8, r1
	add	r12, r8, #4
	ldm	r12, {r1-r6}
	mov	r7, #1			@ HV_SYS_REPLY_RECV
	svc	#0
	str	r7, [r8]
	add	r12, r8, #4
	stm	r12, {r1-r6}
	pop	{r4-r8, pc}

/* int hv_recv(uint32_t ep, struct hv_msg *msg) */
	.global	hv_recv
hv_recv:
	push	{r4-r8, lr}
	mov	r8, r1
	mov	r7, #2			@ HV_SYS_RECV
	svc	#0
	str	r7, [r8]
	add	r12, r8, #4
	stm	r12, {r1-r6}
	pop	{r4-r8, pc}

/* int hv_call(uint32_t ep, struct hv_msg *msg): m is request, then reply */
	.global	hv_call
hv_call:
	push	{r4-r8, lr}
	mov	r8, r1
	add	r12, r8, #4
	ldm	r12, {r1-r6}
	mov	r7, #0			@ HV_SYS_CALL
	svc	#0
	add	r12, r8, #4
	stm	r12, {r1-r6}
	pop	{r4-r8, pc}
