/*
 * The IPC, scheduler and object core (microkernel/core: ipc.c, sched.c,
 * vcpu.c, syscall.c, obj.c, cap.c, irq.c) on the host, over the
 * arch fake (microkernel/arch/fake). Every scenario goes through the
 * kernel's own entries as the ARMv7 trap handlers call them: a syscall
 * (registers per lib/include/hv/abi.h), a guest exit (vcpu_exit with an
 * HSR), a native fault, a timer tick, an interrupt; thread_destroy too.
 *
 * The world: a root task (prio 250, CPU 0) in a native space R holding
 * every capability, parked in RECV on its supervisor endpoint S_SUP, where
 * native faults arrive; an interrupt bound to its notification wakes it
 * (kick_root). Servers and monitors share R's capability table.
 *
 * HSR encodings are written out from the ARM ARM (B3.13.6): EC [31:26],
 * IL [25]; data abort ISS: ISV [24], SAS [23:22], SRT [19:16], WnR [6].
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel.h"

#include "../../microkernel/arch/fake/arch_fake.h"
#include "fake_pt.h"

extern struct aspace aspaces[MAX_ASPACES];
extern struct thread threads[MAX_THREADS];

/* Capability slots in R */
enum {
	S_CTRL = 1,
	S_SELF = 2,  /* R itself */
	S_MEM = 3,   /* RAM that may be mapped */
	S_SUP = 4,   /* supervisor endpoint: native faults */
	S_RNTFN = 5, /* root's bound notification */
	S_ROOT = 6,  /* root's thread */
	S_KICK = 7,  /* an interrupt bound to S_RNTFN */
	S_EP = 10,   /* service / monitor endpoint, unbadged */
	S_EPB = 11,  /* S_EP with badge 0x55, write only */
	S_GUEST = 20,
	S_NTFN = 30,
	S_NTFN_A = 31, /* badge 0x04 */
	S_NTFN_B = 32, /* badge 0x30 */
	S_NTFN2 = 33,
	S_T0 = 40, /* threads from here */
};

#define MEM_BASE    0x40000000u
#define MEM_SIZE    0x00100000u
#define KICK_IRQ    40u
#define GUEST_PC    0x40008000u
#define SLICE_TICKS ((uint64_t)FAKE_COUNTER_FREQ * TIME_SLICE_US / 1000000)

#define EC(ec)       ((uint32_t)(ec) << 26)
#define HSR_IL32     (1u << 25)
#define DABT_ISV     (1u << 24)
#define DABT_SAS(s)  ((uint32_t)(s) << 22)
#define DABT_SRT(rt) ((uint32_t)(rt) << 16)
#define DABT_WNR     (1u << 6)

static uint32_t dabt_hsr(bool write, unsigned rt)
{
	return EC(HV_EC_DABT_LOW) | HSR_IL32 | DABT_ISV | DABT_SAS(2) | DABT_SRT(rt) |
	       (write ? DABT_WNR : 0);
}

static uint32_t hvc_hsr(uint16_t imm)
{
	return EC(HV_EC_HVC) | HSR_IL32 | imm;
}

static struct aspace *R;
static struct thread *root;
static struct ntfn *root_ntfn;

/* Objects from the static pools of obj.c, given back after each test. */
static bool *pooled[64];
static unsigned n_pooled;

/* ---- running syscalls ---- */
static struct thread *do_sys(struct thread *t, uint32_t nr, const uint32_t *a, size_t n)
{
	for (unsigned i = 0; i < 7; i++)
		t->regs.r[i] = i < n ? a[i] : 0;
	t->regs.r[7] = nr;
	return fake_svc(t);
}

#define ARGS(...)                                                                                  \
	(const uint32_t[])                                                                         \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}
#define NARGS(...)      (sizeof(ARGS(__VA_ARGS__)) / sizeof(uint32_t))
#define SYS(t, nr, ...) do_sys(t, nr, ARGS(__VA_ARGS__), NARGS(__VA_ARGS__))

/* A syscall by root, which stays on the CPU: its status. */
static int32_t rsys_(uint32_t nr, const uint32_t *a, size_t n)
{
	assert_ptr_equal(do_sys(root, nr, a, n), root);
	return (int32_t)root->regs.r[0];
}
#define RSYS(nr, ...) rsys_(nr, ARGS(__VA_ARGS__), NARGS(__VA_ARGS__))

static void assert_msg(const struct thread *t, const uint32_t *m, uint32_t badge)
{
	assert_int_equal(t->regs.r[0], HV_OK);
	for (unsigned i = 0; i < HV_MSG_WORDS; i++)
		assert_int_equal(t->regs.r[1 + i], m[i]);
	assert_int_equal(t->regs.r[7], badge);
}

static void new_obj(uint32_t type, uint32_t slot, uint32_t arg)
{
	assert_int_equal(RSYS(HV_SYS_OBJ_CREATE, S_CTRL, type, slot, arg), HV_OK);
	struct cap *c = &R->caps[slot];
	if (type == HV_OBJ_ENDPOINT || type == HV_OBJ_NOTIFICATION)
		pooled[n_pooled++] = c->obj;
	if (type == HV_OBJ_VCPU)
		pooled[n_pooled++] = &((struct thread *)c->obj)->vcpu->used;
}

static struct endpoint *ep_at(uint32_t slot)
{
	assert_int_equal(R->caps[slot].type, HV_CAP_ENDPOINT);
	return R->caps[slot].obj;
}

static struct ntfn *ntfn_at(uint32_t slot)
{
	assert_int_equal(R->caps[slot].type, HV_CAP_NOTIFICATION);
	return R->caps[slot].obj;
}

/* A native server in R, configured, inactive; its faults go to root. */
static struct thread *native(uint32_t slot, unsigned prio, unsigned cpu)
{
	new_obj(HV_OBJ_THREAD, slot, 0);
	assert_int_equal(RSYS(HV_SYS_THREAD_CONFIG, slot, S_SELF, 0x10000u + slot * 0x100u,
	                      0x20000u, prio | cpu << 8, S_SUP, 0x100u + slot),
	                 HV_OK);
	struct thread *t = R->caps[slot].obj;
	assert_int_equal(t->state, TS_INACTIVE);
	return t;
}

/* A vCPU of the guest space; its exits go to S_EP with badge. */
static struct thread *vcpu(uint32_t slot, unsigned prio, unsigned cpu, uint32_t badge)
{
	if (R->caps[S_GUEST].type == HV_CAP_NULL)
		new_obj(HV_OBJ_ASPACE, S_GUEST, 1);
	new_obj(HV_OBJ_VCPU, slot, 0);
	assert_int_equal(
	    RSYS(HV_SYS_THREAD_CONFIG, slot, S_GUEST, GUEST_PC, 0, prio | cpu << 8, S_EP, badge),
	    HV_OK);
	struct thread *t = R->caps[slot].obj;
	assert_non_null(t->vcpu);
	assert_int_equal(t->regs.cpsr & 0x1f, 0x13); /* starts in SVC mode */
	return t;
}

static void resume(uint32_t slot)
{
	assert_int_equal(RSYS(HV_SYS_THREAD_RESUME, slot), HV_OK);
}

/* Root waits for faults; whatever the CPU runs next. */
static struct thread *park_root(void)
{
	struct thread *next = SYS(root, HV_SYS_RECV, S_SUP);
	assert_int_equal(root->state, TS_RECV);
	return next;
}

/* The interrupt bound to root's notification fires (as c_irq does). */
static void kick_fn(void *arg)
{
	(void)arg;
	arch_lock();
	irq_deliver(KICK_IRQ);
	schedule();
}

static void kick_root(void)
{
	assert_ptr_equal(fake_run(kick_fn, NULL), root);
	assert_int_equal(root->regs.r[0], HV_OK);
	assert_int_equal(root->regs.r[1], 0x8000u);
	assert_int_equal(root->regs.r[7], HV_BADGE_NTFN);
	assert_true(fake_irq_masked(KICK_IRQ));
	assert_int_equal(RSYS(HV_SYS_IRQ_ACK, S_KICK), HV_OK);
	assert_false(fake_irq_masked(KICK_IRQ));
}

static bool on_runq(const struct thread *t)
{
	for (const struct thread *q = percpu[t->cpu].runq[0]; q; q = q->next)
		if (q == t)
			return true;
	return false;
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset(2);
	fake_pt_reset();
	memset(aspaces, 0, sizeof(aspaces));
	memset(threads, 0, sizeof(threads));
	n_pooled = 0;

	/* what boot does for the root task */
	R = aspace_alloc(false);
	assert_non_null(R);
	root = thread_alloc();
	root->as = R;
	R->threads = 1;
	root->prio = 250;
	root->cpu = 0;
	root->state = TS_RUNNABLE;
	root->regs.cpsr = 0x10;
	percpu[0].current = root;
	R->caps[S_CTRL] = (struct cap){.type = HV_CAP_CONTROL, .rights = HV_RIGHTS_ALL};
	R->caps[S_SELF] = (struct cap){.type = HV_CAP_ASPACE, .rights = HV_RIGHTS_ALL, .obj = R};
	R->caps[S_MEM] = (struct cap){
	    .type = HV_CAP_MEMORY, .rights = HV_RIGHTS_ALL, .mem = {MEM_BASE, MEM_SIZE}};
	R->caps[S_ROOT] = (struct cap){.type = HV_CAP_THREAD, .rights = HV_RIGHTS_ALL, .obj = root};

	new_obj(HV_OBJ_ENDPOINT, S_SUP, 0);
	new_obj(HV_OBJ_NOTIFICATION, S_RNTFN, 0);
	assert_int_equal(RSYS(HV_SYS_CAP_COPY, S_SELF, 8, S_RNTFN, HV_RIGHTS_ALL, 0x8000), HV_OK);
	assert_int_equal(RSYS(HV_SYS_BIND_NTFN, S_ROOT, S_RNTFN), HV_OK);
	new_obj(HV_OBJ_IRQ, S_KICK, KICK_IRQ);
	assert_int_equal(RSYS(HV_SYS_IRQ_BIND, S_KICK, 8), HV_OK);
	root_ntfn = ntfn_at(S_RNTFN);

	new_obj(HV_OBJ_ENDPOINT, S_EP, 0);
	assert_int_equal(RSYS(HV_SYS_CAP_COPY, S_SELF, S_EPB, S_EP, HV_RIGHT_WRITE, 0x55), HV_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsigned errs = fake_errors();
	const char *first = fake_first_error();
	for (unsigned i = 0; i < n_pooled; i++)
		*pooled[i] = false;
	n_pooled = 0;
	if (errs)
		print_error("arch fake: %u error(s), first: %s\n", errs, first);
	assert_int_equal(errs, 0);
	assert_int_equal(fake_pt_errors(), 0);
	return 0;
}

/* ======================================================================= */
/* 1. call and reply-and-receive, fast paths                               */
/* ======================================================================= */

static void test_call_switches_directly_to_waiting_receiver(void **state)
{
	(void)state;
	struct thread *srv = native(S_T0, 100, 0);
	struct thread *cli = native(S_T0 + 1, 100, 0);
	struct endpoint *ep = ep_at(S_EP);
	resume(S_T0);
	resume(S_T0 + 1);
	assert_ptr_equal(park_root(), srv);

	assert_ptr_equal(SYS(srv, HV_SYS_RECV, S_EP), cli);
	assert_int_equal(srv->state, TS_RECV);
	assert_ptr_equal(ep->receivers, srv);

	const uint32_t m[6] = {11, 22, 33, 44, 55, 66};
	assert_ptr_equal(SYS(cli, HV_SYS_CALL, S_EPB, 11, 22, 33, 44, 55, 66), srv);
	assert_msg(srv, m, 0x55);
	assert_int_equal(cli->state, TS_REPLY);
	assert_ptr_equal(cli->replier, srv);
	assert_ptr_equal(srv->caller, cli);
	assert_null(ep->receivers);
	assert_null(ep->senders);
	assert_ptr_equal(percpu[0].current, srv);
	assert_null(percpu[0].runq[0]); /* a direct switch: nothing was queued */

	const uint32_t r[6] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6};
	assert_ptr_equal(SYS(srv, HV_SYS_REPLY_RECV, S_EP, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6),
	                 cli);
	assert_int_equal(cli->regs.r[0], HV_OK);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(cli->regs.r[1 + i], r[i]);
	assert_int_equal(cli->state, TS_RUNNABLE);
	assert_null(cli->replier);
	assert_null(srv->caller);
	assert_int_equal(srv->state, TS_RECV);
	assert_ptr_equal(ep->receivers, srv);
	assert_null(percpu[0].runq[0]);
}

/* Two receivers waiting: the fast path steps aside; same semantics, FIFO. */
static void test_call_and_reply_general_path(void **state)
{
	(void)state;
	struct thread *s1 = native(S_T0, 100, 0);
	struct thread *s2 = native(S_T0 + 1, 100, 0);
	struct thread *cli = native(S_T0 + 2, 100, 0);
	struct endpoint *ep = ep_at(S_EP);
	resume(S_T0);
	resume(S_T0 + 1);
	resume(S_T0 + 2);
	assert_ptr_equal(park_root(), s1);
	assert_ptr_equal(SYS(s1, HV_SYS_RECV, S_EP), s2);
	assert_ptr_equal(SYS(s2, HV_SYS_RECV, S_EP), cli);
	assert_ptr_equal(ep->receivers, s1);
	assert_ptr_equal(s1->next, s2);

	const uint32_t m[6] = {1, 2, 3, 4, 5, 6};
	assert_ptr_equal(SYS(cli, HV_SYS_CALL, S_EPB, 1, 2, 3, 4, 5, 6), s1);
	assert_msg(s1, m, 0x55);
	assert_int_equal(cli->state, TS_REPLY);
	assert_ptr_equal(ep->receivers, s2);

	assert_ptr_equal(SYS(s1, HV_SYS_REPLY_RECV, S_EP, 7, 8, 9, 10, 11, 12), cli);
	const uint32_t r[6] = {7, 8, 9, 10, 11, 12};
	assert_msg(cli, r, 0);
	assert_int_equal(s1->state, TS_RECV);
	assert_ptr_equal(ep->receivers, s2);
	assert_ptr_equal(s2->next, s1);
	assert_null(percpu[0].runq[0]);
}

/* ======================================================================= */
/* 2. a call with no receiver queues                                       */
/* ======================================================================= */

static void test_call_without_receiver_queues_until_recv(void **state)
{
	(void)state;
	struct thread *cli = native(S_T0, 100, 0);
	struct thread *srv = native(S_T0 + 1, 100, 0);
	struct endpoint *ep = ep_at(S_EP);
	resume(S_T0);
	resume(S_T0 + 1);
	assert_ptr_equal(park_root(), cli);

	assert_ptr_equal(SYS(cli, HV_SYS_CALL, S_EPB, 1, 2, 3, 4, 5, 6), srv);
	assert_int_equal(cli->state, TS_SEND);
	assert_ptr_equal(ep->senders, cli);
	assert_ptr_equal(cli->ep, ep);

	const uint32_t m[6] = {1, 2, 3, 4, 5, 6};
	assert_ptr_equal(SYS(srv, HV_SYS_RECV, S_EP), srv); /* no blocking */
	assert_msg(srv, m, 0x55);
	assert_null(ep->senders);
	assert_null(cli->ep);
	assert_int_equal(cli->state, TS_REPLY);
	assert_ptr_equal(srv->caller, cli);

	assert_ptr_equal(SYS(srv, HV_SYS_REPLY_RECV, S_EP, 9, 8, 7, 6, 5, 4), cli);
	const uint32_t r[6] = {9, 8, 7, 6, 5, 4};
	assert_int_equal(cli->regs.r[0], HV_OK);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(cli->regs.r[1 + i], r[i]);
	assert_int_equal(srv->state, TS_RECV);
}

/* ======================================================================= */
/* 3. a guest exit reaches the monitor as abi.h describes                  */
/* ======================================================================= */

static void test_vcpu_data_abort_exit_message(void **state)
{
	(void)state;
	struct thread *mon = native(S_T0, 150, 0);
	struct thread *v = vcpu(S_T0 + 1, 100, 0, 0x77);
	v->vcpu->banked[FAKE_B_SVC] = 0x4800fff0u; /* SP_svc, in the saved context */
	resume(S_T0);
	resume(S_T0 + 1);
	assert_ptr_equal(park_root(), mon);
	assert_ptr_equal(SYS(mon, HV_SYS_RECV, S_EP), v);
	assert_ptr_equal(percpu[0].loaded, v->vcpu);
	assert_int_equal(v->regs.pc, GUEST_PC);

	/* str r3, [r0]: a word write to the UART page, VA != IPA */
	fake_clock_set(1000);
	v->regs.r[3] = 0xcafef00du;
	fake_set_abort(0xf0001010u, 0x09000000u);
	uint32_t hsr = dabt_hsr(true, 3);
	assert_ptr_equal(fake_exit(v, hsr), mon);
	const uint32_t m1[6] = {hsr, 0x09000010u, 0xcafef00du, 0, 0, 1};
	assert_msg(mon, m1, 0x77);
	assert_int_equal(v->state, TS_REPLY);
	assert_ptr_equal(mon->caller, v);

	fake_clock_advance(500);
	assert_ptr_equal(SYS(mon, HV_SYS_REPLY_RECV, S_EP, HV_REPLY_ADVANCE), v);
	assert_int_equal(v->regs.pc, GUEST_PC + 4);
	assert_int_equal(v->regs.r[3], 0xcafef00du);

	/* str sp, [...] in SVC mode: the value is the banked SP_svc */
	hsr = dabt_hsr(true, 13);
	fake_set_abort(0xf0001014u, 0x09000000u);
	assert_ptr_equal(fake_exit(v, hsr), mon);
	const uint32_t m2[6] = {hsr, 0x09000014u, 0x4800fff0u, 0, 0, 2};
	assert_msg(mon, m2, 0x77);
	assert_ptr_equal(SYS(mon, HV_SYS_REPLY_RECV, S_EP, HV_REPLY_ADVANCE), v);

	/* a read carries no value; serial keeps counting */
	hsr = dabt_hsr(false, 2);
	fake_set_abort(0x00000ff8u, 0x08000000u);
	assert_ptr_equal(fake_exit(v, hsr), mon);
	const uint32_t m3[6] = {hsr, 0x08000ff8u, 0, 0, 0, 3};
	assert_msg(mon, m3, 0x77);

	/* two exits closed so far, 500 ticks spent in the monitor */
	assert_int_equal(SYS(mon, HV_SYS_VCPU_STATS, S_T0 + 1, HV_EC_DABT_LOW), mon);
	assert_int_equal(mon->regs.r[0], HV_OK);
	assert_int_equal(mon->regs.r[1], 2);
	assert_int_equal(mon->regs.r[2], 500);
	assert_int_equal(mon->regs.r[3], 0);
	assert_int_equal(mon->regs.r[4], 3);
	assert_int_equal(fake_vcpu_loads(), 1); /* the monitor did not unload the guest */
}

/* ======================================================================= */
/* 4. monitor restart                                                      */
/* ======================================================================= */

static void test_monitor_restart_redelivers_same_exit(void **state)
{
	(void)state;
	struct thread *mon = native(S_T0, 150, 0);
	struct thread *v = vcpu(S_T0 + 1, 100, 0, 0x77);
	struct endpoint *ep = ep_at(S_EP);
	resume(S_T0);
	resume(S_T0 + 1);
	assert_ptr_equal(park_root(), mon);
	assert_ptr_equal(SYS(mon, HV_SYS_RECV, S_EP), v);

	/* ldr r5, [r1] from an emulated register */
	v->regs.r[5] = 0x11111111u;
	uint32_t hsr = dabt_hsr(false, 5);
	fake_set_abort(0x00000010u, 0x09000000u);
	assert_ptr_equal(fake_exit(v, hsr), mon);
	uint32_t seen[8];
	memcpy(seen, mon->regs.r, sizeof(seen));
	assert_int_equal(seen[1], hsr);
	assert_int_equal(seen[2], 0x09000010u);
	assert_int_equal(seen[6], 1);
	assert_int_equal(seen[7], 0x77);

	/* the monitor crashes before replying; root hears of it */
	uint32_t fault = EC(HV_EC_DABT_LOW) | HSR_IL32 | 0x7;
	uint32_t mon_pc = mon->regs.pc;
	assert_ptr_equal(fake_fault(mon, fault, 0xdead0000u), root);
	const uint32_t fm[6] = {fault, 0xdead0000u, mon_pc, 0, 0, HV_FAULT_NATIVE};
	assert_msg(root, fm, 0x100u + S_T0);
	assert_int_equal(mon->state, TS_FAULTED);
	assert_int_equal(v->state, TS_REPLY); /* still owed a reply */

	/* root destroys it: the exit goes back, unchanged, to the queue head */
	assert_int_equal(RSYS(HV_SYS_OBJ_DESTROY, S_T0), HV_OK);
	assert_int_equal(R->caps[S_T0].type, HV_CAP_NULL);
	assert_false(mon->used);
	assert_int_equal(v->state, TS_SEND);
	assert_ptr_equal(ep->senders, v);
	assert_null(v->next);
	assert_ptr_equal(v->ep, ep);
	assert_null(v->replier);
	for (unsigned i = 0; i < HV_MSG_WORDS; i++)
		assert_int_equal(v->msg[i], seen[1 + i]);
	assert_int_equal(v->regs.r[5], 0x11111111u);
	assert_int_equal(v->regs.pc, GUEST_PC);

	/* a fresh monitor receives exactly the lost exit */
	struct thread *mon2 = native(S_T0, 150, 0);
	resume(S_T0);
	assert_ptr_equal(park_root(), mon2);
	assert_ptr_equal(SYS(mon2, HV_SYS_RECV, S_EP), mon2);
	assert_memory_equal(mon2->regs.r, seen, sizeof(seen));
	assert_int_equal(v->state, TS_REPLY);
	assert_ptr_equal(mon2->caller, v);
	assert_null(ep->senders);

	/* its reply: the load's value into Rt, then past the instruction */
	assert_ptr_equal(
	    SYS(mon2, HV_SYS_REPLY_RECV, S_EP, HV_REPLY_SET_RT | HV_REPLY_ADVANCE, 0x5a5a5a5au), v);
	assert_int_equal(v->regs.r[5], 0x5a5a5a5au);
	assert_int_equal(v->regs.pc, GUEST_PC + 4);
	assert_int_equal(mon2->state, TS_RECV);

	/* the serial goes on from the re-delivered exit, not past it */
	assert_ptr_equal(fake_exit(v, hvc_hsr(0)), mon2);
	assert_int_equal(mon2->regs.r[6], 2);
}

/* Exits queued behind the lost one keep their order; replies made through
 * the general path are carried out when the vCPU is entered again. */
static void test_monitor_restart_lost_exit_goes_first(void **state)
{
	(void)state;
	struct thread *mon = native(S_T0, 150, 0);
	struct thread *v1 = vcpu(S_T0 + 1, 100, 0, 0x71);
	struct thread *v2 = vcpu(S_T0 + 2, 100, 0, 0x72);
	struct endpoint *ep = ep_at(S_EP);
	new_obj(HV_OBJ_NOTIFICATION, S_NTFN, 0);
	resume(S_T0);
	resume(S_T0 + 1);
	resume(S_T0 + 2);
	assert_ptr_equal(park_root(), mon);
	assert_ptr_equal(SYS(mon, HV_SYS_RECV, S_EP), v1);

	v1->regs.r[0] = 0x84000000u; /* PSCI_VERSION */
	v1->regs.pc = GUEST_PC + 4;  /* an HVC exit has stepped over */
	assert_ptr_equal(fake_exit(v1, hvc_hsr(0)), mon);
	assert_int_equal(mon->regs.r[2], 0x84000000u);
	/* the monitor blocks elsewhere still owing v1's reply */
	assert_ptr_equal(SYS(mon, HV_SYS_WAIT, S_NTFN), v2);
	v2->regs.r[0] = 0x84000002u;
	assert_null(fake_exit(v2, hvc_hsr(0)));
	assert_int_equal(fake_last_outcome(), FAKE_IDLE);
	assert_ptr_equal(ep->senders, v2);

	assert_int_equal(thread_destroy(mon), HV_OK);
	assert_ptr_equal(ep->senders, v1);
	assert_ptr_equal(v1->next, v2);
	assert_int_equal(v1->state, TS_SEND);
	assert_int_equal(v2->state, TS_SEND);

	kick_root();
	struct thread *mon2 = native(S_T0, 150, 0);
	resume(S_T0);
	assert_ptr_equal(park_root(), mon2);
	assert_ptr_equal(SYS(mon2, HV_SYS_RECV, S_EP), mon2);
	const uint32_t m1[6] = {hvc_hsr(0), 0x84000000u, 0, 0, 0, 1};
	assert_msg(mon2, m1, 0x71);

	/* answer v1 and take v2's exit in one call */
	assert_ptr_equal(SYS(mon2, HV_SYS_REPLY_RECV, S_EP, HV_REPLY_SET_R0_R3, 0x10002, 1, 2, 3),
	                 mon2);
	const uint32_t m2[6] = {hvc_hsr(0), 0x84000002u, 0, 0, 0, 1};
	assert_msg(mon2, m2, 0x72);
	assert_int_equal(v1->state, TS_RUNNABLE);
	assert_true(on_runq(v1));
	assert_true(v1->vcpu->reply_pending);
	assert_int_equal(v1->regs.r[0], 0x84000000u); /* not before it is entered */

	assert_ptr_equal(SYS(mon2, HV_SYS_REPLY_RECV, S_EP, HV_REPLY_RESUME), v2);
	unsigned loads = fake_vcpu_loads();
	assert_ptr_equal(fake_exit(v2, hvc_hsr(1)), mon2);
	assert_ptr_equal(SYS(mon2, HV_SYS_WAIT, S_NTFN), v1);
	assert_int_equal(fake_vcpu_loads(), loads + 1);
	assert_ptr_equal(percpu[0].loaded, v1->vcpu);
	assert_false(v1->vcpu->reply_pending);
	assert_int_equal(v1->regs.r[0], 0x10002u);
	assert_int_equal(v1->regs.r[1], 1);
	assert_int_equal(v1->regs.r[2], 2);
	assert_int_equal(v1->regs.r[3], 3);
	assert_int_equal(v1->regs.pc, GUEST_PC + 4); /* ADVANCE was not asked */
}

/* The monitor on another CPU: the reply is made there and carried out
 * where the vCPU's state lives, when it is entered. */
static void test_exit_to_monitor_on_other_cpu(void **state)
{
	(void)state;
	struct thread *mon = native(S_T0, 150, 1);
	struct thread *v = vcpu(S_T0 + 1, 100, 0, 0x77);
	resume(S_T0);
	assert_int_equal(fake_ipis(1), 1); /* CPU 1 was idle */
	resume(S_T0 + 1);
	fake_set_cpu(1);
	assert_ptr_equal(fake_schedule(), mon);
	assert_null(SYS(mon, HV_SYS_RECV, S_EP));
	fake_set_cpu(0);
	assert_ptr_equal(park_root(), v);

	v->regs.r[9] = 0;
	uint32_t hsr = dabt_hsr(false, 9);
	fake_set_abort(0x100u, 0x09000000u);
	assert_null(fake_exit(v, hsr));
	assert_int_equal(fake_last_outcome(), FAKE_IDLE);
	assert_int_equal(fake_ipis(1), 2);
	assert_int_equal(v->state, TS_REPLY);
	assert_int_equal(mon->state, TS_RUNNABLE);

	fake_set_cpu(1);
	assert_ptr_equal(fake_schedule(), mon);
	assert_int_equal(mon->regs.r[1], hsr);
	assert_int_equal(mon->regs.r[2], 0x09000100u);
	assert_null(SYS(mon, HV_SYS_REPLY_RECV, S_EP, HV_REPLY_SET_RT | HV_REPLY_ADVANCE, 42));
	assert_int_equal(fake_ipis(0), 1);
	assert_int_equal(v->state, TS_RUNNABLE);
	assert_int_equal(v->regs.r[9], 0);
	assert_int_equal(v->regs.pc, GUEST_PC);

	fake_set_cpu(0);
	assert_ptr_equal(fake_schedule(), v);
	assert_int_equal(v->regs.r[9], 42);
	assert_int_equal(v->regs.pc, GUEST_PC + 4);
}

/* A reply may inject an abort instead of emulating the access. */
static void test_reply_injects_data_abort(void **state)
{
	(void)state;
	struct thread *mon = native(S_T0, 150, 0);
	struct thread *v = vcpu(S_T0 + 1, 100, 0, 0x77);
	v->vcpu->cp15[FAKE_C_VBAR] = 0x40000000u;
	resume(S_T0);
	resume(S_T0 + 1);
	assert_ptr_equal(park_root(), mon);
	assert_ptr_equal(SYS(mon, HV_SYS_RECV, S_EP), v);

	uint32_t hsr = dabt_hsr(true, 1);
	fake_set_abort(0xc0000abcu, 0x3f000000u);
	assert_ptr_equal(fake_exit(v, hsr), mon);
	assert_ptr_equal(SYS(mon, HV_SYS_REPLY_RECV, S_EP, HV_REPLY_INJECT_DABT), v);
	struct fake_injection inj = fake_last_injection();
	assert_int_equal(fake_injections(), 1);
	assert_int_equal(inj.kind, FAKE_INJ_DABT);
	assert_int_equal(inj.va, 0xc0000abcu); /* the guest's VA, not the IPA */
	assert_true(inj.write);
	assert_int_equal(v->regs.cpsr & 0x1f, 0x17); /* Abort mode */
	assert_int_equal(v->regs.pc, 0x40000010u);
	assert_int_equal(fake_vcpu_hw(0)->banked[FAKE_B_ABT + 1], GUEST_PC + 8);
}

/* WFI: the reply (skip the WFI) is carried out on the vCPU's own CPU, which
 * then finds nothing pending in the live list registers and lets it sleep
 * until an interrupt is injected; the LR fill happens when it is entered. */
static void test_reply_wfi_sleeps_until_inject(void **state)
{
	(void)state;
	struct thread *mon = native(S_T0, 150, 0);
	struct thread *v = vcpu(S_T0 + 1, 100, 0, 0x77);
	resume(S_T0);
	resume(S_T0 + 1);
	assert_ptr_equal(park_root(), mon);
	assert_ptr_equal(SYS(mon, HV_SYS_RECV, S_EP), v);
	uint32_t hsr = EC(HV_EC_WFI_WFE) | HSR_IL32;
	assert_ptr_equal(fake_exit(v, hsr), mon);
	assert_int_equal(mon->regs.r[2], GUEST_PC); /* m[1]: the PC */
	assert_null(SYS(mon, HV_SYS_REPLY_RECV, S_EP, HV_REPLY_WFI | HV_REPLY_ADVANCE));
	assert_int_equal(fake_last_outcome(), FAKE_IDLE);
	assert_int_equal(v->state, TS_WFI);
	assert_false(v->vcpu->reply_pending);
	assert_int_equal(v->regs.pc, GUEST_PC + 4);

	kick_root();
	assert_int_equal(RSYS(HV_SYS_VCPU_INJECT, S_T0 + 1, 48), HV_OK);
	assert_int_equal(v->state, TS_RUNNABLE);
	assert_int_equal(v->vcpu->queued, 1);
	assert_ptr_equal(park_root(), v);
	assert_int_equal(v->regs.pc, GUEST_PC + 4);
	assert_int_equal(v->vcpu->queued, 0);
	assert_int_equal(fake_vcpu_hw(0)->lr[0], 48u | 1u << 28); /* pending */
}

/* HALT (PSCI CPU_OFF): stopped until resumed, and a resume is a fresh
 * start, not the old reply. */
static void test_reply_halt_then_resume(void **state)
{
	(void)state;
	struct thread *mon = native(S_T0, 150, 0);
	struct thread *v = vcpu(S_T0 + 1, 100, 0, 0x77);
	resume(S_T0);
	resume(S_T0 + 1);
	assert_ptr_equal(park_root(), mon);
	assert_ptr_equal(SYS(mon, HV_SYS_RECV, S_EP), v);
	v->regs.r[0] = 0x84000002u; /* CPU_OFF */
	assert_ptr_equal(fake_exit(v, hvc_hsr(0)), mon);
	assert_null(SYS(mon, HV_SYS_REPLY_RECV, S_EP, HV_REPLY_HALT | HV_REPLY_SET_R0_R3, 7));
	assert_int_equal(v->state, TS_HALTED);
	assert_false(on_runq(v));
	kick_root();
	assert_int_equal(RSYS(HV_SYS_VCPU_SET_REG, S_T0 + 1, HV_REG_PC, 0x40100000u), HV_OK);
	assert_int_equal(RSYS(HV_SYS_THREAD_RESUME, S_T0 + 1), HV_OK);
	assert_ptr_equal(park_root(), v);
	assert_int_equal(v->regs.pc, 0x40100000u);
	assert_int_equal(v->regs.r[0], 0x84000002u); /* the HALT reply's r0 was dropped */
}

/* ======================================================================= */
/* 5. a native caller whose server dies                                    */
/* ======================================================================= */

static void test_caller_gets_epeer_when_server_dies(void **state)
{
	(void)state;
	struct thread *srv = native(S_T0, 100, 0);
	struct thread *cli = native(S_T0 + 1, 90, 0);
	resume(S_T0);
	resume(S_T0 + 1);
	assert_ptr_equal(park_root(), srv);
	assert_ptr_equal(SYS(srv, HV_SYS_RECV, S_EP), cli);
	assert_ptr_equal(SYS(cli, HV_SYS_CALL, S_EPB, 1, 2, 3, 4, 5, 6), srv);
	assert_int_equal(cli->state, TS_REPLY);

	assert_ptr_equal(fake_fault(srv, EC(HV_EC_UNKNOWN) | HSR_IL32, 0), root);
	assert_int_equal(RSYS(HV_SYS_OBJ_DESTROY, S_T0), HV_OK);
	assert_int_equal(cli->regs.r[0], (uint32_t)HV_EPEER);
	assert_int_equal(cli->state, TS_RUNNABLE);
	assert_null(cli->replier);
	assert_true(on_runq(cli));

	assert_ptr_equal(park_root(), cli);
	assert_int_equal(cli->regs.r[0], (uint32_t)HV_EPEER);
}

/* The other way round: a server owing a dead caller a reply is unharmed. */
static void test_reply_to_dead_caller_is_dropped(void **state)
{
	(void)state;
	struct thread *srv = native(S_T0, 100, 0);
	struct thread *cli = native(S_T0 + 1, 100, 0);
	struct endpoint *ep = ep_at(S_EP);
	resume(S_T0 + 1);
	resume(S_T0);
	assert_ptr_equal(park_root(), cli);
	assert_ptr_equal(SYS(cli, HV_SYS_CALL, S_EPB, 1, 2, 3, 4, 5, 6), srv);
	assert_ptr_equal(SYS(srv, HV_SYS_RECV, S_EP), srv);
	assert_ptr_equal(srv->caller, cli);

	assert_int_equal(thread_destroy(cli), HV_OK);
	assert_null(srv->caller);
	assert_null(SYS(srv, HV_SYS_REPLY_RECV, S_EP, 1));
	assert_int_equal(fake_last_outcome(), FAKE_IDLE);
	assert_int_equal(srv->state, TS_RECV);
	assert_ptr_equal(ep->receivers, srv);
	assert_null(percpu[0].runq[0]);
}

/* ======================================================================= */
/* 6. bad syscalls: an error, and nothing else changes                     */
/* ======================================================================= */

static struct thread snap_threads[MAX_THREADS];
static struct aspace snap_aspaces[MAX_ASPACES];
static struct percpu snap_percpu[MAX_CPUS];
static int snap_pages;

static void snapshot(void)
{
	memcpy(snap_threads, threads, sizeof(threads));
	memcpy(snap_aspaces, aspaces, sizeof(aspaces));
	memcpy(snap_percpu, percpu, sizeof(percpu));
	snap_pages = fake_pt_in_use();
}

static void bad_(int32_t want, uint32_t nr, const uint32_t *a, size_t n)
{
	snapshot();
	assert_int_equal(rsys_(nr, a, n), want);
	snap_threads[root - threads].regs = root->regs; /* r0..r7 were the call's */
	assert_memory_equal(threads, snap_threads, sizeof(threads));
	assert_memory_equal(aspaces, snap_aspaces, sizeof(aspaces));
	assert_memory_equal(percpu, snap_percpu, sizeof(percpu));
	assert_int_equal(fake_pt_in_use(), snap_pages);
}
#define BAD(want, nr, ...) bad_(want, nr, ARGS(__VA_ARGS__), NARGS(__VA_ARGS__))

static void test_bad_cap_slot(void **state)
{
	(void)state;
	struct thread *srv = native(S_T0, 100, 0);
	resume(S_T0);
	BAD(HV_ECAP, HV_SYS_CALL, 200, 1, 2, 3);       /* empty slot */
	BAD(HV_ECAP, HV_SYS_CALL, HV_CAP_SLOTS, 1);    /* past the table */
	BAD(HV_ECAP, HV_SYS_CALL, 0xffffffffu, 1);     /* far past it */
	BAD(HV_ECAP, HV_SYS_CALL, S_MEM, 1);           /* wrong type */
	BAD(HV_ECAP, HV_SYS_RECV, S_EPB);              /* no read right */
	BAD(HV_ECAP, HV_SYS_REPLY_RECV, S_NTFN, 1);    /* empty */
	BAD(HV_ECAP, HV_SYS_SIGNAL, S_EP);             /* not a notification */
	BAD(HV_ECAP, HV_SYS_WAIT, S_EP);               /* not a notification */
	BAD(HV_ECAP, HV_SYS_THREAD_SUSPEND, S_EP);     /* not a thread */
	BAD(HV_ECAP, HV_SYS_VCPU_SET_REG, S_T0, 0, 1); /* a thread, not a vCPU */
	assert_int_equal(srv->state, TS_RUNNABLE);
}

static void test_unknown_syscall(void **state)
{
	(void)state;
	BAD(HV_ENOSYS, HV_SYS_NR, S_EP);
	BAD(HV_ENOSYS, 99, S_EP);
	BAD(HV_ENOSYS, 0xffffffffu, S_EP);
}

static void test_obj_create_into_occupied_slot(void **state)
{
	(void)state;
	struct cap before = R->caps[S_EP];
	BAD(HV_EBUSY, HV_SYS_OBJ_CREATE, S_CTRL, HV_OBJ_THREAD, S_EP, 0);
	BAD(HV_EBUSY, HV_SYS_OBJ_CREATE, S_CTRL, HV_OBJ_ENDPOINT, S_EP, 0);
	BAD(HV_EBUSY, HV_SYS_OBJ_CREATE, S_CTRL, HV_OBJ_ASPACE, S_EP, 1);
	BAD(HV_EBUSY, HV_SYS_OBJ_CREATE, S_CTRL, HV_OBJ_ENDPOINT, 0, 0);
	assert_memory_equal(&R->caps[S_EP], &before, sizeof(before));
	/* the same call into a free slot works */
	assert_int_equal(RSYS(HV_SYS_OBJ_CREATE, S_CTRL, HV_OBJ_THREAD, S_T0, 0), HV_OK);
	assert_int_equal(R->caps[S_T0].type, HV_CAP_THREAD);
}

static void test_map_outside_memory_cap(void **state)
{
	(void)state;
	new_obj(HV_OBJ_ASPACE, S_GUEST, 1);
	struct aspace *g = R->caps[S_GUEST].obj;
	const uint32_t ipa = 0x80000000u;
	/* one page past the end, one page before the start, wrapping */
	BAD(HV_ERANGE, HV_SYS_MAP, S_GUEST, S_MEM, MEM_BASE + MEM_SIZE - 0x1000, ipa, 0x2000,
	    HV_MAP_RWX);
	BAD(HV_ERANGE, HV_SYS_MAP, S_GUEST, S_MEM, MEM_BASE - 0x1000, ipa, 0x1000, HV_MAP_R);
	BAD(HV_ERANGE, HV_SYS_MAP, S_GUEST, S_MEM, 0xfffff000u, ipa, 0x2000, HV_MAP_R);
	assert_int_equal(s2pt_lookup(&g->pt, ipa, NULL, NULL), HV_EFAULT);
	/* inside it, it maps */
	assert_int_equal(
	    RSYS(HV_SYS_MAP, S_GUEST, S_MEM, MEM_BASE + MEM_SIZE - 0x2000, ipa, 0x2000, HV_MAP_RWX),
	    HV_OK);
	uint64_t pa;
	assert_int_equal(s2pt_lookup(&g->pt, ipa + 0x1000, &pa, NULL), HV_OK);
	assert_int_equal(pa, MEM_BASE + MEM_SIZE - 0x1000);
}

static void test_thread_config_on_active_thread(void **state)
{
	(void)state;
	struct thread *t = native(S_T0, 100, 0);
	resume(S_T0);
	BAD(HV_ESTATE, HV_SYS_THREAD_CONFIG, S_T0, S_SELF, 0x5000, 0x6000, 7, 0, 0);
	assert_int_equal(t->prio, 100);
	assert_int_equal(t->regs.pc, 0x10000u + S_T0 * 0x100u);
	/* also while blocked */
	assert_ptr_equal(park_root(), t);
	assert_null(SYS(t, HV_SYS_RECV, S_EP));
	kick_root();
	BAD(HV_ESTATE, HV_SYS_THREAD_CONFIG, S_T0, S_SELF, 0x5000, 0x6000, 7, 0, 0);
	assert_int_equal(t->state, TS_RECV);
	/* an inactive one may be configured */
	native(S_T0 + 1, 100, 0);
	assert_int_equal(RSYS(HV_SYS_THREAD_CONFIG, S_T0 + 1, S_SELF, 0x5000, 0x6000, 7, 0, 0),
	                 HV_OK);
}

static void test_vcpu_set_reg_rejects_hyp_mode(void **state)
{
	(void)state;
	struct thread *v = vcpu(S_T0, 100, 0, 0x77);
	uint32_t cpsr = v->regs.cpsr;
	BAD(HV_EINVAL, HV_SYS_VCPU_SET_REG, S_T0, HV_REG_CPSR, 0x1a);        /* Hyp */
	BAD(HV_EINVAL, HV_SYS_VCPU_SET_REG, S_T0, HV_REG_CPSR, 0x600001dau); /* Hyp, flags */
	BAD(HV_EINVAL, HV_SYS_VCPU_SET_REG, S_T0, HV_REG_CPSR, 0x16);        /* Monitor */
	BAD(HV_EINVAL, HV_SYS_VCPU_SET_REG, S_T0, HV_REG_NR, 0);             /* no such reg */
	BAD(HV_EINVAL, HV_SYS_VCPU_SET_REG, S_T0, HV_REG_MPIDR, 0x100);      /* Aff0 only */
	assert_int_equal(v->regs.cpsr, cpsr);
	assert_int_equal(RSYS(HV_SYS_VCPU_SET_REG, S_T0, HV_REG_CPSR, 0x1d3), HV_OK); /* SVC */
	assert_int_equal(v->regs.cpsr, 0x1d3);
	assert_int_equal(RSYS(HV_SYS_VCPU_GET_REG, S_T0, HV_REG_CPSR), HV_OK);
	assert_int_equal(root->regs.r[1], 0x1d3);
}

/* HV_REG_* numbers reach the matching fields of struct regs. */
static void test_vcpu_regs_by_number(void **state)
{
	(void)state;
	struct thread *v = vcpu(S_T0, 100, 0, 0x77);
	const struct {
		uint32_t reg, *field;
	} regs[] = {{HV_REG_R0, &v->regs.r[0]},
	            {12, &v->regs.r[12]},
	            {HV_REG_SP, &v->regs.sp_usr},
	            {HV_REG_LR, &v->regs.lr_usr},
	            {HV_REG_PC, &v->regs.pc}};
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		uint32_t val = 0x1000u * (i + 1) + 4;
		assert_int_equal(RSYS(HV_SYS_VCPU_SET_REG, S_T0, regs[i].reg, val), HV_OK);
		assert_int_equal(*regs[i].field, val);
		*regs[i].field = val + 8;
		assert_int_equal(RSYS(HV_SYS_VCPU_GET_REG, S_T0, regs[i].reg), HV_OK);
		assert_int_equal(root->regs.r[1], val + 8);
	}
}

/* ======================================================================= */
/* 7. notifications                                                        */
/* ======================================================================= */

static void test_signal_wakes_bound_receiver(void **state)
{
	(void)state;
	struct thread *srv = native(S_T0, 100, 0);
	struct thread *sig = native(S_T0 + 1, 90, 0);
	struct endpoint *ep = ep_at(S_EP);
	new_obj(HV_OBJ_NOTIFICATION, S_NTFN, 0);
	struct ntfn *n = ntfn_at(S_NTFN);
	assert_int_equal(RSYS(HV_SYS_CAP_COPY, S_SELF, S_NTFN_A, S_NTFN, HV_RIGHT_WRITE, 0x04),
	                 HV_OK);
	assert_int_equal(RSYS(HV_SYS_CAP_COPY, S_SELF, S_NTFN_B, S_NTFN, HV_RIGHT_WRITE, 0x30),
	                 HV_OK);
	assert_int_equal(RSYS(HV_SYS_BIND_NTFN, S_T0, S_NTFN), HV_OK);
	resume(S_T0);
	resume(S_T0 + 1);
	assert_ptr_equal(park_root(), srv);
	assert_ptr_equal(SYS(srv, HV_SYS_RECV, S_EP), sig);
	assert_ptr_equal(ep->receivers, srv);

	/* the signal wakes the higher-priority receiver at once */
	assert_ptr_equal(SYS(sig, HV_SYS_SIGNAL, S_NTFN_A), srv);
	assert_int_equal(sig->regs.r[0], HV_OK);
	assert_int_equal(srv->regs.r[0], HV_OK);
	assert_int_equal(srv->regs.r[1], 0x04);
	assert_int_equal(srv->regs.r[7], HV_BADGE_NTFN);
	assert_null(ep->receivers);
	assert_null(srv->ep);
	assert_int_equal(n->word, 0);
	assert_true(on_runq(sig));

	/* bits OR together while nobody waits, an unbadged cap sends bit 0 */
	assert_ptr_equal(SYS(srv, HV_SYS_SIGNAL, S_NTFN_A), srv);
	assert_ptr_equal(SYS(srv, HV_SYS_SIGNAL, S_NTFN_B), srv);
	assert_ptr_equal(SYS(srv, HV_SYS_SIGNAL, S_NTFN), srv);
	assert_int_equal(n->word, 0x35);
	assert_ptr_equal(SYS(srv, HV_SYS_RECV, S_EP), srv);
	assert_int_equal(srv->regs.r[1], 0x35);
	assert_int_equal(srv->regs.r[7], HV_BADGE_NTFN);
	assert_int_equal(n->word, 0);
	assert_int_equal(srv->state, TS_RUNNABLE);
}

static void test_pending_bits_win_over_queued_message(void **state)
{
	(void)state;
	struct thread *cli = native(S_T0, 100, 0);
	struct thread *srv = native(S_T0 + 1, 100, 0);
	struct endpoint *ep = ep_at(S_EP);
	new_obj(HV_OBJ_NOTIFICATION, S_NTFN, 0);
	assert_int_equal(RSYS(HV_SYS_BIND_NTFN, S_T0 + 1, S_NTFN), HV_OK);
	assert_int_equal(RSYS(HV_SYS_SIGNAL, S_NTFN), HV_OK);
	resume(S_T0);
	resume(S_T0 + 1);
	assert_ptr_equal(park_root(), cli);
	assert_ptr_equal(SYS(cli, HV_SYS_CALL, S_EPB, 9, 9, 9, 9, 9, 9), srv);
	assert_ptr_equal(SYS(srv, HV_SYS_RECV, S_EP), srv);
	assert_int_equal(srv->regs.r[1], 1);
	assert_int_equal(srv->regs.r[7], HV_BADGE_NTFN);
	assert_ptr_equal(ep->senders, cli); /* still queued */
	assert_ptr_equal(SYS(srv, HV_SYS_RECV, S_EP), srv);
	assert_int_equal(srv->regs.r[1], 9);
	assert_int_equal(srv->regs.r[7], 0x55);
}

static void test_wait_blocks_until_signal(void **state)
{
	(void)state;
	struct thread *w = native(S_T0, 100, 0);
	new_obj(HV_OBJ_NOTIFICATION, S_NTFN2, 0);
	assert_int_equal(RSYS(HV_SYS_CAP_COPY, S_SELF, S_NTFN_A, S_NTFN2, HV_RIGHT_WRITE, 0x600),
	                 HV_OK);
	resume(S_T0);
	assert_ptr_equal(park_root(), w);
	assert_null(SYS(w, HV_SYS_WAIT, S_NTFN2));
	assert_int_equal(w->state, TS_NTFN);
	kick_root();
	assert_int_equal(RSYS(HV_SYS_SIGNAL, S_NTFN_A), HV_OK);
	assert_int_equal(w->state, TS_RUNNABLE); /* woken, but root outranks it */
	assert_ptr_equal(park_root(), w);
	assert_int_equal(w->regs.r[0], HV_OK);
	assert_int_equal(w->regs.r[1], 0x600);
	assert_int_equal(ntfn_at(S_NTFN2)->word, 0);
}

/* ======================================================================= */
/* 8. scheduler                                                            */
/* ======================================================================= */

static void test_higher_priority_runs_first(void **state)
{
	(void)state;
	struct thread *lo = native(S_T0, 60, 0);
	struct thread *hi = native(S_T0 + 1, 140, 0);
	new_obj(HV_OBJ_NOTIFICATION, S_NTFN, 0);
	/* woken in the opposite order */
	resume(S_T0);
	resume(S_T0 + 1);
	assert_ptr_equal(percpu[0].runq[0], hi);
	assert_ptr_equal(park_root(), hi);
	assert_ptr_equal(SYS(hi, HV_SYS_WAIT, S_NTFN), lo);

	/* lo's signal wakes hi, which takes the CPU from lo at once */
	assert_ptr_equal(SYS(lo, HV_SYS_SIGNAL, S_NTFN), hi);
	assert_int_equal(hi->regs.r[1], 1);
	assert_int_equal(lo->state, TS_RUNNABLE);
	assert_true(on_runq(lo));
	/* a yield does not hand the CPU to a lower priority */
	assert_ptr_equal(SYS(hi, HV_SYS_YIELD, 0), hi);
	assert_ptr_equal(SYS(hi, HV_SYS_WAIT, S_NTFN), lo);
}

static void test_equal_priorities_round_robin(void **state)
{
	(void)state;
	fake_clock_set(1000000);
	struct thread *a = native(S_T0, 100, 0);
	struct thread *b = native(S_T0 + 1, 100, 0);
	resume(S_T0);
	resume(S_T0 + 1);
	assert_ptr_equal(park_root(), a);
	assert_int_equal(a->slice_end, 1000000 + SLICE_TICKS);

	fake_clock_advance(SLICE_TICKS - 1);
	assert_ptr_equal(fake_tick(), a);
	assert_int_equal(fake_timer_deadline(0),
	                 1000000 + SLICE_TICKS - 1 + FAKE_COUNTER_FREQ / 1000);
	fake_clock_advance(1);
	assert_ptr_equal(fake_tick(), b);
	assert_true(on_runq(a));
	assert_int_equal(b->slice_end, 1000000 + 2 * SLICE_TICKS);
	fake_clock_advance(SLICE_TICKS / 2);
	assert_ptr_equal(fake_tick(), b);
	fake_clock_advance(SLICE_TICKS / 2);
	assert_ptr_equal(fake_tick(), a);
	assert_true(on_runq(b));
	/* a yield gives up the rest of the slice */
	assert_ptr_equal(SYS(a, HV_SYS_YIELD, 0), b);
	assert_ptr_equal(SYS(b, HV_SYS_YIELD, 0), a);
}

static void test_recv_timeout(void **state)
{
	(void)state;
	fake_clock_set(5000);
	struct thread *t = native(S_T0, 100, 0);
	resume(S_T0);
	assert_ptr_equal(park_root(), t);
	/* zero ticks: a poll */
	assert_ptr_equal(SYS(t, HV_SYS_RECV_TIMEOUT, S_EP, 0), t);
	assert_int_equal(t->regs.r[0], (uint32_t)HV_ETIMEDOUT);

	assert_null(SYS(t, HV_SYS_RECV_TIMEOUT, S_EP, 1000));
	assert_int_equal(t->state, TS_RECV);
	fake_clock_advance(999);
	assert_null(fake_tick());
	assert_int_equal(t->state, TS_RECV);
	fake_clock_advance(1);
	assert_ptr_equal(fake_tick(), t);
	assert_int_equal(t->regs.r[0], (uint32_t)HV_ETIMEDOUT);
	assert_null(ep_at(S_EP)->receivers);
}

static void test_wake_on_other_cpu_sends_ipi_only_to_preempt(void **state)
{
	(void)state;
	struct thread *busy = native(S_T0, 100, 1);
	struct thread *lo = native(S_T0 + 1, 50, 1);
	struct thread *hi = native(S_T0 + 2, 200, 1);
	resume(S_T0);
	assert_int_equal(fake_ipis(1), 1);
	fake_set_cpu(1);
	assert_ptr_equal(fake_schedule(), busy);
	fake_set_cpu(0);
	resume(S_T0 + 1);
	assert_int_equal(fake_ipis(1), 1); /* would not preempt */
	resume(S_T0 + 2);
	assert_int_equal(fake_ipis(1), 2);
	fake_set_cpu(1);
	assert_ptr_equal(fake_schedule(), hi);
	assert_ptr_equal(percpu[1].runq[0], busy);
	assert_ptr_equal(busy->next, lo);
	assert_int_equal(fake_ipis(0), 0);
}

/* CPU 0: a server (100) receiving, a client (50) about to call it, and a
 * high-priority thread (200) waiting on a notification; CPU 1: another
 * thread (100). */
static void setup_high_priority_waiter(struct thread **srv, struct thread **cli, struct thread **hi,
                                       struct thread **other)
{
	*srv = native(S_T0, 100, 0);
	*cli = native(S_T0 + 1, 50, 0);
	*hi = native(S_T0 + 2, 200, 0);
	*other = native(S_T0 + 3, 100, 1);
	new_obj(HV_OBJ_NOTIFICATION, S_NTFN, 0);
	resume(S_T0 + 2);
	resume(S_T0);
	resume(S_T0 + 1);
	resume(S_T0 + 3);
	assert_ptr_equal(park_root(), *hi);
	assert_ptr_equal(SYS(*hi, HV_SYS_WAIT, S_NTFN), *srv);
	assert_ptr_equal(SYS(*srv, HV_SYS_RECV, S_EP), *cli);
}

/* A reply while a higher priority waits on this CPU: it runs first, the
 * caller is queued with its reply. */
static void test_reply_yields_to_higher_priority(void **state)
{
	(void)state;
	struct thread *srv, *cli, *hi, *other;
	setup_high_priority_waiter(&srv, &cli, &hi, &other);
	assert_ptr_equal(SYS(cli, HV_SYS_CALL, S_EPB, 1, 2, 3, 4, 5, 6), srv);

	/* CPU 1 wakes hi; CPU 0 has not taken the IPI yet */
	fake_set_cpu(1);
	assert_ptr_equal(fake_schedule(), other);
	assert_ptr_equal(SYS(other, HV_SYS_SIGNAL, S_NTFN), other);
	assert_int_equal(fake_ipis(0), 1);
	fake_set_cpu(0);

	assert_ptr_equal(SYS(srv, HV_SYS_REPLY_RECV, S_EP, 7, 7, 7, 7, 7, 7), hi);
	assert_int_equal(cli->state, TS_RUNNABLE);
	assert_true(on_runq(cli));
	assert_int_equal(cli->regs.r[0], HV_OK);
	assert_int_equal(cli->regs.r[1], 7);
	assert_int_equal(srv->state, TS_RECV);
}

/* ---- regressions: bugs this file found in the core --------------------- */
/* A monitor killed while blocked in WAIT stays the notification's waiter:
 * its successor's WAIT gets HV_EBUSY (if the pool hands it a different
 * thread slot), and whoever reuses the dead slot gets the signal. */
static void regress_destroyed_waiter_stays_ntfn_waiter(void **state)
{
	(void)state;
	struct thread *old = native(S_T0, 100, 0);
	new_obj(HV_OBJ_NOTIFICATION, S_NTFN, 0);
	resume(S_T0);
	assert_ptr_equal(park_root(), old);
	assert_null(SYS(old, HV_SYS_WAIT, S_NTFN));
	kick_root();
	assert_int_equal(RSYS(HV_SYS_OBJ_DESTROY, S_T0), HV_OK);
	native(S_T0 + 1, 90, 0); /* takes the freed thread */
	struct thread *fresh = native(S_T0 + 2, 100, 0);
	resume(S_T0 + 2);
	assert_ptr_equal(park_root(), fresh);
	assert_null(SYS(fresh, HV_SYS_WAIT, S_NTFN));
	assert_int_equal(fresh->state, TS_NTFN);
}

/* A receive satisfied by a message leaves the bound notification's waiter
 * set: a later WAIT on another notification returns the bound one's bits. */
static void regress_bound_waiter_survives_message(void **state)
{
	(void)state;
	struct thread *srv = native(S_T0, 100, 0);
	struct thread *cli = native(S_T0 + 1, 90, 0);
	struct thread *sig = native(S_T0 + 2, 80, 0);
	new_obj(HV_OBJ_NOTIFICATION, S_NTFN, 0);
	new_obj(HV_OBJ_NOTIFICATION, S_NTFN2, 0);
	assert_int_equal(RSYS(HV_SYS_BIND_NTFN, S_T0, S_NTFN), HV_OK);
	resume(S_T0);
	resume(S_T0 + 1);
	resume(S_T0 + 2);
	assert_ptr_equal(park_root(), srv);
	assert_ptr_equal(SYS(srv, HV_SYS_RECV, S_EP), cli);
	assert_ptr_equal(SYS(cli, HV_SYS_CALL, S_EPB, 1, 2, 3, 4, 5, 6), srv);
	assert_ptr_equal(SYS(srv, HV_SYS_WAIT, S_NTFN2), sig);
	assert_ptr_equal(SYS(sig, HV_SYS_SIGNAL, S_NTFN), sig);
	assert_int_equal(srv->state, TS_NTFN);
	assert_int_equal(ntfn_at(S_NTFN)->word, 1); /* kept for srv's next RECV */
}

/* THREAD_CONFIG accepts a vCPU without a fault endpoint; its first exit
 * dereferenced NULL. */
static void regress_vcpu_without_fault_ep_accepted(void **state)
{
	(void)state;
	new_obj(HV_OBJ_ASPACE, S_GUEST, 1);
	new_obj(HV_OBJ_VCPU, S_T0, 0);
	assert_int_equal(RSYS(HV_SYS_THREAD_CONFIG, S_T0, S_GUEST, GUEST_PC, 0, 100, 0, 0),
	                 HV_EINVAL);
}

/* Destroying an endpoint leaves thread->fault_ep pointing at its pool slot:
 * the next endpoint allocated there receives a stranger's exits. */
static void regress_fault_ep_dangles_after_destroy(void **state)
{
	(void)state;
	struct thread *v = vcpu(S_T0, 100, 0, 0x77);
	struct endpoint *old = ep_at(S_EP);
	assert_int_equal(RSYS(HV_SYS_OBJ_DESTROY, S_EP), HV_OK);
	new_obj(HV_OBJ_ENDPOINT, 12, 0);
	struct thread *other = native(S_T0 + 1, 150, 0);
	resume(S_T0 + 1);
	resume(S_T0);
	assert_ptr_equal(park_root(), other);
	assert_ptr_equal(ep_at(12), old); /* the pool slot is reused */
	assert_ptr_equal(SYS(other, HV_SYS_RECV, 12), v);
	struct thread *next = fake_exit(v, hvc_hsr(0));
	assert_ptr_not_equal(next, other);
	assert_int_equal(other->state, TS_RECV);
	assert_int_equal(v->state, TS_HALTED); /* as when its endpoint dies under it */
}

/* A call through the general path does not switch to the receiver while a
 * higher priority is queued on this CPU (the fast path declines for that
 * very reason; the general path used to switch anyway). */
static void regress_call_general_path_ignores_priority(void **state)
{
	(void)state;
	struct thread *srv, *cli, *hi, *other;
	setup_high_priority_waiter(&srv, &cli, &hi, &other);
	fake_set_cpu(1);
	assert_ptr_equal(fake_schedule(), other);
	assert_ptr_equal(SYS(other, HV_SYS_SIGNAL, S_NTFN), other);
	fake_set_cpu(0);
	assert_ptr_equal(SYS(cli, HV_SYS_CALL, S_EPB, 1, 2, 3, 4, 5, 6), hi);
	assert_int_equal(srv->state, TS_RUNNABLE);
	assert_true(on_runq(srv));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_call_switches_directly_to_waiting_receiver),
	    T(test_call_and_reply_general_path),
	    T(test_call_without_receiver_queues_until_recv),
	    T(test_vcpu_data_abort_exit_message),
	    T(test_monitor_restart_redelivers_same_exit),
	    T(test_monitor_restart_lost_exit_goes_first),
	    T(test_exit_to_monitor_on_other_cpu),
	    T(test_reply_injects_data_abort),
	    T(test_reply_wfi_sleeps_until_inject),
	    T(test_reply_halt_then_resume),
	    T(test_caller_gets_epeer_when_server_dies),
	    T(test_reply_to_dead_caller_is_dropped),
	    T(test_bad_cap_slot),
	    T(test_unknown_syscall),
	    T(test_obj_create_into_occupied_slot),
	    T(test_map_outside_memory_cap),
	    T(test_thread_config_on_active_thread),
	    T(test_vcpu_set_reg_rejects_hyp_mode),
	    T(test_vcpu_regs_by_number),
	    T(test_signal_wakes_bound_receiver),
	    T(test_pending_bits_win_over_queued_message),
	    T(test_wait_blocks_until_signal),
	    T(test_higher_priority_runs_first),
	    T(test_equal_priorities_round_robin),
	    T(test_recv_timeout),
	    T(test_wake_on_other_cpu_sends_ipi_only_to_preempt),
	    T(test_reply_yields_to_higher_priority),
	    T(regress_destroyed_waiter_stays_ntfn_waiter),
	    T(regress_bound_waiter_survives_message),
	    T(regress_vcpu_without_fault_ep_accepted),
	    T(regress_fault_ep_dangles_after_destroy),
	    T(regress_call_general_path_ignores_priority),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
