/*
 * IPC fast paths: a call, or a vCPU exit, to a receiver already waiting on
 * this CPU; and a reply-and-receive whose caller may run next here. These
 * are the round trips the exit protocol is built on, so they are written
 * straight-line on purpose: no queues, no scheduler, one switch. Anything
 * unusual falls back to the general code in ipc.c (same semantics).
 */
#include "arch.h"
#include "kernel.h"

#include "../arch/armv7/hyp_regs.h"

struct msg_words {
	uint32_t w[HV_MSG_WORDS];
};

/* A struct copy: LDM/STM, not a loop. */
static inline void copy_msg(uint32_t *dst, const uint32_t *src)
{
	*(struct msg_words *)dst = *(const struct msg_words *)src;
}

/* A receiver r waiting alone on ep, on this CPU, that nothing queued
 * here outranks. */
static inline struct thread *direct_receiver(struct endpoint *ep, const struct thread *t)
{
	struct thread *r = ep->receivers;
	if (!r || r->next || r->cpu != t->cpu)
		return NULL;
	struct thread *head = this_cpu()->runq[0]; /* t runs here */
	if (head && head->prio > r->prio)
		return NULL;
	return r;
}

/* Hand msg to r and make t wait for r's reply. */
static inline __attribute__((noreturn)) void call_switch(struct thread *t, struct endpoint *ep,
                                                         struct thread *r, const uint32_t *msg,
                                                         uint32_t badge)
{
	ep->receivers = NULL;
	r->ep = NULL;
	r->timeout = 0;
	if (r->bound)
		r->bound->waiter = NULL;
	r->regs.r[0] = HV_OK;
	copy_msg(&r->regs.r[1], msg);
	r->regs.r[7] = badge;
	r->state = TS_RUNNABLE;
	r->caller = t;
	t->badge = badge;
	t->is_call = true;
	t->replier = r;
	t->state = TS_REPLY;
	switch_to(r);
}

/* An exit whose monitor waits: t->msg is filled. */
void fastpath_exit(struct thread *t)
{
	struct endpoint *ep = t->fault_ep;
	struct thread *r = direct_receiver(ep, t);
	if (r)
		call_switch(t, ep, r, t->msg, t->fault_badge);
}

void fastpath_call(struct thread *t, struct endpoint *ep, uint32_t badge)
{
	struct thread *r = direct_receiver(ep, t);
	if (r)
		call_switch(t, ep, r, &t->regs.r[1], badge);
}

/* The vCPU's answer carried out now: its context is loaded on this CPU. */
static inline bool reply_to_vcpu(struct thread *c, const uint32_t *reply)
{
	struct vcpu *v = c->vcpu;
	if (this_cpu()->loaded != v || (reply[0] & (HV_REPLY_HALT | HV_REPLY_WFI)))
		return false;
	vcpu_stats_close(v);
	vcpu_do_reply(c, reply, c->msg[0]);
	return true;
}

void fastpath_reply_recv(struct thread *t, struct endpoint *ep)
{
	struct thread *c = t->caller;
	if (!c || c->cpu != t->cpu || ep->senders || ep->receivers || (t->bound && t->bound->word))
		return;
	struct thread *head = this_cpu()->runq[0]; /* t runs here */
	if (head && head->prio > c->prio)
		return;
	const uint32_t *reply = &t->regs.r[1];
	if (c->vcpu) {
		if (!reply_to_vcpu(c, reply))
			return;
	} else {
		c->regs.r[0] = HV_OK;
		copy_msg(&c->regs.r[1], reply);
	}
	t->caller = NULL;
	c->replier = NULL;
	t->state = TS_RECV;
	t->ep = ep;
	t->next = NULL;
	ep->receivers = t;
	if (t->bound)
		t->bound->waiter = t;
	c->state = TS_RUNNABLE;
	switch_to(c);
}
