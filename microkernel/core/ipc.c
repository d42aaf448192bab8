/*
 * Synchronous endpoints and notifications.
 *
 * A call blocks the caller until the receiver replies; the receiver holds a
 * one-shot reply right (t->caller). A vCPU exit is such a call, made by the
 * kernel on the vCPU's behalf. If the receiver dies before replying, a
 * native caller gets HV_EPEER and a vCPU's exit is put back at the head of
 * the endpoint's queue, unchanged (same serial), for the next receiver:
 * that is how a restarted monitor sees the exit its predecessor lost.
 */
#include "arch.h"
#include "kernel.h"

static void queue_append(struct thread **head, struct thread *t)
{
	while (*head)
		head = &(*head)->next;
	t->next = NULL;
	*head = t;
}

static void queue_remove(struct thread **head, struct thread *t)
{
	for (; *head; head = &(*head)->next) {
		if (*head == t) {
			*head = t->next;
			t->next = NULL;
			return;
		}
	}
}

static void deliver(struct thread *to, const uint32_t *msg, uint32_t badge)
{
	to->regs.r[0] = HV_OK;
	for (unsigned i = 0; i < HV_MSG_WORDS; i++)
		to->regs.r[1 + i] = msg[i];
	to->regs.r[7] = badge;
}

/* Hand the sender's message to the receiver and settle the sender. */
static void transfer(struct thread *sender, struct thread *receiver)
{
	receiver->timeout = 0;
	deliver(receiver, sender->msg, sender->badge);
	if (sender->is_call) {
		sender->state = TS_REPLY;
		sender->replier = receiver;
		receiver->caller = sender;
	} else if (sender->state != TS_FAULTED) {
		sender->regs.r[0] = HV_OK;
		sched_wake(sender);
	}
}

/*
 * t's message is in t->msg. A fault send leaves t in TS_FAULTED. Returns
 * the receiver when it is on this CPU and the caller now blocks: the
 * caller switches to it directly (the exit fast path), skipping the queue.
 */
struct thread *ipc_call(struct thread *t, struct endpoint *ep, uint32_t badge, bool call)
{
	t->badge = badge;
	t->is_call = call;
	struct thread *r = ep->receivers;
	if (!r) {
		if (t->state != TS_FAULTED)
			t->state = TS_SEND;
		t->ep = ep;
		queue_append(&ep->senders, t);
		return NULL;
	}
	ep->receivers = r->next;
	r->next = NULL;
	r->ep = NULL;
	if (r->bound && r->bound->waiter == r)
		r->bound->waiter = NULL;
	transfer(t, r);
	struct thread *head = percpu[t->cpu].runq[0];
	if (call && r->cpu == t->cpu && !(head && head->prio > r->prio)) {
		r->state = TS_RUNNABLE;
		return r;
	}
	sched_wake(r);
	return NULL;
}

/* Receive, or block. Bound notification bits win over messages. */
void ipc_recv(struct thread *t, struct endpoint *ep, bool block)
{
	if (t->caller)
		ipc_abandon_caller(t);
	if (t->bound && t->bound->word) {
		t->regs.r[0] = HV_OK;
		t->regs.r[1] = t->bound->word;
		t->regs.r[7] = HV_BADGE_NTFN;
		t->bound->word = 0;
		return;
	}
	struct thread *s = ep->senders;
	if (s) {
		ep->senders = s->next;
		s->next = NULL;
		s->ep = NULL;
		transfer(s, t);
		return;
	}
	if (!block) {
		t->regs.r[0] = (uint32_t)HV_ETIMEDOUT;
		return;
	}
	t->state = TS_RECV;
	t->ep = ep;
	queue_append(&ep->receivers, t);
	if (t->bound)
		t->bound->waiter = t;
}

/* Returns the caller when it may run next on this CPU without queueing. */
struct thread *ipc_reply(struct thread *t, const uint32_t *msg)
{
	struct thread *c = t->caller;
	if (!c)
		return NULL;
	t->caller = NULL;
	c->replier = NULL;
	if (c->vcpu) {
		vcpu_apply_reply(c, msg);
		if (c->state != TS_REPLY)
			return NULL; /* halted or waiting for an interrupt */
	} else {
		deliver(c, msg, 0);
	}
	if (c->cpu == t->cpu) {
		c->state = TS_RUNNABLE;
		return c;
	}
	sched_wake(c);
	return NULL;
}

void ipc_abandon_caller(struct thread *server)
{
	struct thread *c = server->caller;
	server->caller = NULL;
	c->replier = NULL;
	if (c->vcpu) {
		struct endpoint *ep = c->fault_ep;
		c->state = TS_SEND;
		c->ep = ep;
		c->next = ep->senders;
		ep->senders = c;
		return;
	}
	c->regs.r[0] = (uint32_t)HV_EPEER;
	sched_wake(c);
}

/* Take t off whatever queue it waits on. */
void ipc_cancel(struct thread *t)
{
	if (t->ep) {
		queue_remove(&t->ep->senders, t);
		queue_remove(&t->ep->receivers, t);
		t->ep = NULL;
	}
	if (t->bound && t->bound->waiter == t)
		t->bound->waiter = NULL;
	if (t->state == TS_NTFN)
		ntfns_forget_waiter(t);
	if (t->state == TS_RUNNABLE && this_cpu()->current != t)
		sched_dequeue(t);
	t->timeout = 0;
}

void ntfn_signal(struct ntfn *n, uint32_t bits)
{
	n->word |= bits;
	struct thread *w = n->waiter;
	if (!w)
		return;
	n->waiter = NULL;
	if (w->state == TS_NTFN) {
		w->regs.r[0] = HV_OK;
		w->regs.r[1] = n->word;
		n->word = 0;
		sched_wake(w);
	} else if (w->state == TS_RECV && w->bound == n) {
		ipc_cancel(w);
		w->regs.r[0] = HV_OK;
		w->regs.r[1] = n->word;
		w->regs.r[7] = HV_BADGE_NTFN;
		n->word = 0;
		sched_wake(w);
	}
}

void ntfn_wait(struct thread *t, struct ntfn *n)
{
	if (n->word) {
		t->regs.r[0] = HV_OK;
		t->regs.r[1] = n->word;
		n->word = 0;
		return;
	}
	if (n->waiter && n->waiter != t) {
		t->regs.r[0] = (uint32_t)HV_EBUSY; /* one waiter per notification */
		return;
	}
	t->state = TS_NTFN;
	n->waiter = t;
}
