/*
 * System calls from PL0 servers (SVC, trapped to HYP with HCR.TGE=1).
 * Each handler first decodes and validates every argument (capability
 * type and rights, ranges, states) and only then changes anything, so a
 * bad call returns an error and leaves the system as it was.
 */
#include "arch.h"
#include "kernel.h"
#include "platform.h"

#include "../arch/armv7/hyp_regs.h"

#include <string.h>

#define ARG(n)          (t->regs.r[n])
#define DEBUG_WRITE_MAX 256u

static struct cap *lookup(struct thread *t, uint32_t slot, unsigned type, unsigned rights)
{
	return cap_lookup(t->as, slot, type, rights);
}

static struct aspace *lookup_aspace(struct thread *t, uint32_t slot)
{
	struct cap *c = lookup(t, slot, HV_CAP_ASPACE, HV_RIGHT_GRANT);
	return c ? c->obj : NULL;
}

static struct thread *lookup_thread(struct thread *t, uint32_t slot, unsigned rights)
{
	struct cap *c = lookup(t, slot, HV_CAP_THREAD, rights);
	return c ? c->obj : NULL;
}

static struct thread *lookup_vcpu(struct thread *t, uint32_t slot, unsigned rights)
{
	struct thread *v = lookup_thread(t, slot, rights);
	return v && v->vcpu ? v : NULL;
}

static bool running_anywhere(const struct thread *t)
{
	for (unsigned c = 0; c < MAX_CPUS; c++)
		if (percpu[c].current == t)
			return true;
	return false;
}

/* Copy from a server's memory, page by page through its stage-2 table. */
static int copy_from_user(struct aspace *as, uint32_t ipa, uint32_t len, char *out)
{
	while (len) {
		uint64_t pa;
		unsigned attr;
		if (s2pt_lookup(&as->pt, ipa, &pa, &attr) != HV_OK || !(attr & HV_MAP_R) ||
		    (attr & S2_DEVICE) || pa >> 32)
			return HV_EFAULT;
		uint32_t chunk = 4096 - (ipa & 4095);
		if (chunk > len)
			chunk = len;
		memcpy(out, (const void *)(uintptr_t)pa, chunk);
		out += chunk;
		ipa += chunk;
		len -= chunk;
	}
	return HV_OK;
}

static int sys_debug_write(struct thread *t)
{
	char buf[DEBUG_WRITE_MAX];
	if (!lookup(t, ARG(0), HV_CAP_DEBUG, HV_RIGHT_WRITE))
		return HV_ECAP;
	if (ARG(2) > DEBUG_WRITE_MAX || ARG(1) + ARG(2) < ARG(1))
		return HV_EINVAL;
	int err = copy_from_user(t->as, ARG(1), ARG(2), buf);
	if (err)
		return err;
	for (uint32_t i = 0; i < ARG(2); i++)
		arch_putc(buf[i]);
	return HV_OK;
}

static int create_thread(struct cap *dst, uint32_t arg, bool with_vcpu)
{
	if (with_vcpu && arg > 255)
		return HV_EINVAL;
	struct thread *th = thread_alloc();
	if (!th)
		return HV_ENOMEM;
	if (with_vcpu) {
		th->vcpu = vcpu_alloc();
		if (!th->vcpu) {
			th->used = false;
			return HV_ENOMEM;
		}
		th->vcpu->thread = th;
		th->vcpu->mpidr = (1u << 31) | arg;
	}
	th->state = TS_INACTIVE;
	dst->type = HV_CAP_THREAD;
	dst->obj = th;
	return HV_OK;
}

static int create_memory(struct thread *t, struct cap *dst)
{
	struct cap *parent = lookup(t, ARG(3), HV_CAP_MEMORY, 0);
	if (!parent)
		parent = lookup(t, ARG(3), HV_CAP_DEVICE, 0);
	if (!parent)
		return HV_ECAP;
	uint32_t pa = ARG(4), size = ARG(5);
	if ((pa | size) & 4095 || size == 0 || pa + size < pa)
		return HV_EINVAL;
	if (pa < parent->mem.base || pa + size > parent->mem.base + parent->mem.size)
		return HV_ERANGE;
	*dst = *parent;
	dst->mem.base = pa;
	dst->mem.size = size;
	return HV_OK;
}

static int sys_obj_create(struct thread *t)
{
	if (!lookup(t, ARG(0), HV_CAP_CONTROL, HV_RIGHT_WRITE))
		return HV_ECAP;
	struct cap *dst = cap_slot_empty(t->as, ARG(2));
	if (!dst)
		return HV_EBUSY;
	struct cap c = {.rights = HV_RIGHTS_ALL};
	int err = HV_OK;
	switch (ARG(1)) {
	case HV_OBJ_ASPACE: {
		if (ARG(3) > 1)
			return HV_EINVAL;
		struct aspace *as = aspace_alloc(ARG(3) == 1);
		if (!as)
			return HV_ENOMEM;
		as->cntvoff = arch_counter();
		c.type = HV_CAP_ASPACE;
		c.obj = as;
		break;
	}
	case HV_OBJ_THREAD:
	case HV_OBJ_VCPU: err = create_thread(&c, ARG(3), ARG(1) == HV_OBJ_VCPU); break;
	case HV_OBJ_ENDPOINT:
		c.type = HV_CAP_ENDPOINT;
		c.obj = endpoint_alloc();
		err = c.obj ? HV_OK : HV_ENOMEM;
		break;
	case HV_OBJ_NOTIFICATION:
		c.type = HV_CAP_NOTIFICATION;
		c.obj = ntfn_alloc();
		err = c.obj ? HV_OK : HV_ENOMEM;
		break;
	case HV_OBJ_IRQ:
		if (ARG(3) < 32 || ARG(3) >= MAX_IRQS)
			return HV_EINVAL;
		c.type = HV_CAP_IRQ;
		c.irq = ARG(3);
		break;
	case HV_OBJ_MEMORY: err = create_memory(t, &c); break;
	default: return HV_EINVAL;
	}
	if (err == HV_OK)
		*dst = c;
	return err;
}

static int sys_cap_copy(struct thread *t)
{
	struct aspace *as = lookup_aspace(t, ARG(0));
	if (!as)
		return HV_ECAP;
	return cap_copy(as, ARG(1), t->as, ARG(2), ARG(3), ARG(4));
}

static int sys_cap_delete(struct thread *t)
{
	struct aspace *as = lookup_aspace(t, ARG(0));
	if (!as)
		return HV_ECAP;
	return cap_delete(as, ARG(1));
}

static int sys_map(struct thread *t)
{
	struct aspace *as = lookup_aspace(t, ARG(0));
	if (!as)
		return HV_ECAP;
	uint32_t pa = ARG(2), ipa = ARG(3), size = ARG(4), flags = ARG(5);
	struct cap *mem = lookup(t, ARG(1), HV_CAP_MEMORY, HV_RIGHT_READ);
	if (!mem)
		mem = lookup(t, ARG(1), HV_CAP_DEVICE, HV_RIGHT_READ);
	if (!mem)
		return HV_ECAP;
	if ((flags & ~HV_MAP_RWX) || !(flags & (HV_MAP_R | HV_MAP_W)))
		return HV_EINVAL;
	if ((flags & HV_MAP_W) && !(mem->rights & HV_RIGHT_WRITE))
		return HV_ERIGHTS;
	if (pa + size < pa || pa < mem->mem.base || pa + size > mem->mem.base + mem->mem.size)
		return HV_ERANGE;
	unsigned attr = flags;
	if (mem->type == HV_CAP_DEVICE) {
		if (flags & HV_MAP_X)
			return HV_EINVAL;
		attr |= S2_DEVICE;
	}
	return s2pt_map(&as->pt, ipa, pa, size, attr);
}

static int sys_unmap(struct thread *t)
{
	struct aspace *as = lookup_aspace(t, ARG(0));
	if (!as)
		return HV_ECAP;
	return s2pt_unmap(&as->pt, ARG(1), ARG(2));
}

static bool valid_guest_cpsr(uint32_t cpsr)
{
	switch (cpsr & PSR_MODE_MASK) {
	case PSR_MODE_USR:
	case PSR_MODE_FIQ:
	case PSR_MODE_IRQ:
	case PSR_MODE_SVC:
	case PSR_MODE_ABT:
	case PSR_MODE_UND:
	case PSR_MODE_SYS: return true;
	default: return false; /* never Hyp or Monitor mode */
	}
}

static int sys_thread_config(struct thread *t)
{
	struct thread *th = lookup_thread(t, ARG(0), HV_RIGHT_GRANT);
	struct aspace *as = lookup_aspace(t, ARG(1));
	if (!th || !as)
		return HV_ECAP;
	unsigned prio = ARG(4) & 0xff, cpu = (ARG(4) >> 8) & 0xff;
	struct endpoint *fault_ep = NULL;
	if (ARG(5)) {
		struct cap *ep = lookup(t, ARG(5), HV_CAP_ENDPOINT, HV_RIGHT_WRITE);
		if (!ep)
			return HV_ECAP;
		fault_ep = ep->obj;
	}
	if (cpu >= nr_cpus || !percpu[cpu].online || (ARG(4) >> 16))
		return HV_EINVAL;
	if (as->guest != (th->vcpu != NULL) || (th->vcpu && !fault_ep))
		return HV_EINVAL; /* a vCPU's exits must go somewhere */
	if (th->state != TS_INACTIVE || running_anywhere(th))
		return HV_ESTATE;
	if (cpu != th->cpu && thread_lazy_held(th))
		return HV_EBUSY; /* its lazily switched state still sits on its old CPU */
	if (th->as)
		th->as->threads--;
	th->as = as;
	as->threads++;
	th->prio = prio;
	th->cpu = cpu;
	th->fault_ep = fault_ep;
	th->fault_badge = ARG(6);
	th->regs.pc = ARG(2);
	th->regs.sp_usr = ARG(3);
	th->regs.cpsr = th->vcpu ? PSR_MODE_SVC | PSR_A | PSR_I | PSR_F : PSR_MODE_USR;
	return HV_OK;
}

static int sys_thread_resume(struct thread *t)
{
	struct thread *th = lookup_thread(t, ARG(0), HV_RIGHT_WRITE);
	if (!th)
		return HV_ECAP;
	if (!th->as || (th->state != TS_INACTIVE && th->state != TS_HALTED) || running_anywhere(th))
		return HV_ESTATE; /* a suspended thread still leaving a CPU: retry */
	if (th->vcpu && th->state == TS_HALTED)
		th->vcpu->reply_pending = false; /* a fresh start, e.g. PSCI CPU_ON */
	sched_wake(th);
	return HV_OK;
}

static int sys_thread_suspend(struct thread *t)
{
	struct thread *th = lookup_thread(t, ARG(0), HV_RIGHT_WRITE);
	if (!th)
		return HV_ECAP;
	if (th == t || th->state == TS_SEND || th->state == TS_REPLY)
		return HV_ESTATE;
	ipc_cancel(th);
	th->state = TS_INACTIVE;
	for (unsigned c = 0; c < MAX_CPUS; c++)
		if (percpu[c].current == th)
			arch_send_ipi(c);
	return HV_OK;
}

static void endpoint_destroy(struct endpoint *ep)
{
	struct thread *queues[2] = {ep->senders, ep->receivers};
	for (unsigned q = 0; q < 2; q++) {
		for (struct thread *w = queues[q], *next; w; w = next) {
			next = w->next;
			w->ep = NULL;
			w->next = NULL;
			if (w->bound && w->bound->waiter == w)
				w->bound->waiter = NULL;
			w->regs.r[0] = (uint32_t)HV_EPEER;
			if (w->vcpu || w->state == TS_FAULTED)
				w->state = w->vcpu ? TS_HALTED : TS_FAULTED;
			else
				sched_wake(w);
		}
	}
	threads_forget_endpoint(ep);
	cap_revoke_object(ep);
	ep->used = false;
}

static void ntfn_destroy(struct ntfn *n)
{
	irq_unbind_ntfn(n);
	vcpus_forget_ntfn(n);
	struct thread *w = n->waiter;
	if (w && (w->state == TS_NTFN || (w->state == TS_RECV && w->bound == n))) {
		ipc_cancel(w);
		w->regs.r[0] = (uint32_t)HV_EPEER;
		sched_wake(w);
	}
	n->waiter = NULL;
	if (n->bound)
		n->bound->bound = NULL;
	cap_revoke_object(n);
	n->used = false;
}

static int sys_obj_destroy(struct thread *t)
{
	uint32_t slot = ARG(0);
	if (slot == 0 || slot >= HV_CAP_SLOTS)
		return HV_EINVAL;
	struct cap *c = &t->as->caps[slot];
	if (!(c->rights & HV_RIGHT_GRANT))
		return HV_ERIGHTS;
	switch (c->type) {
	case HV_CAP_THREAD: return thread_destroy(c->obj);
	case HV_CAP_ASPACE: {
		struct aspace *as = c->obj;
		if (as->threads || as == t->as)
			return HV_EBUSY;
		aspace_free(as);
		return HV_OK;
	}
	case HV_CAP_ENDPOINT: endpoint_destroy(c->obj); return HV_OK;
	case HV_CAP_NOTIFICATION: ntfn_destroy(c->obj); return HV_OK;
	default: return HV_ECAP;
	}
}

/* Where HV_REG_R0..HV_REG_CPSR live in struct regs (abi.h numbering). */
static uint32_t *reg_slot(struct thread *v, uint32_t reg)
{
	switch (reg) {
	case HV_REG_SP: return &v->regs.sp_usr;
	case HV_REG_LR: return &v->regs.lr_usr;
	case HV_REG_PC: return &v->regs.pc;
	case HV_REG_CPSR: return &v->regs.cpsr;
	default: return &v->regs.r[reg];
	}
}

static int sys_vcpu_get_reg(struct thread *t)
{
	struct thread *v = lookup_vcpu(t, ARG(0), HV_RIGHT_READ);
	if (!v)
		return HV_ECAP;
	if (ARG(1) >= HV_REG_NR || ARG(1) == HV_REG_RESET)
		return HV_EINVAL;
	if (running_anywhere(v))
		return HV_ESTATE;
	ARG(1) = ARG(1) == HV_REG_MPIDR ? v->vcpu->mpidr : *reg_slot(v, ARG(1));
	return HV_OK;
}

static int sys_vcpu_set_reg(struct thread *t)
{
	struct thread *v = lookup_vcpu(t, ARG(0), HV_RIGHT_WRITE);
	if (!v)
		return HV_ECAP;
	uint32_t reg = ARG(1), val = ARG(2);
	if (reg >= HV_REG_NR || (reg == HV_REG_CPSR && !valid_guest_cpsr(val)))
		return HV_EINVAL;
	if (reg == HV_REG_MPIDR && (val & ~0xffu))
		return HV_EINVAL;
	/* only a stopped vCPU: a repeated PSCI CPU_ON must not move a live one */
	if ((v->state != TS_INACTIVE && v->state != TS_HALTED) || running_anywhere(v))
		return HV_ESTATE;
	if (reg == HV_REG_RESET)
		vcpu_reset(v);
	else if (reg == HV_REG_MPIDR)
		v->vcpu->mpidr = (1u << 31) | val;
	else if (reg == HV_REG_CPSR)
		v->regs.cpsr = val & ~(PSR_J | PSR_IT_MASK); /* a clean entry state */
	else
		*reg_slot(v, reg) = val;
	return HV_OK;
}

static int sys_vcpu_inject(struct thread *t)
{
	struct thread *v = lookup_vcpu(t, ARG(0), HV_RIGHT_WRITE);
	if (!v)
		return HV_ECAP;
	return vcpu_inject(v->vcpu, ARG(1));
}

static int sys_vcpu_stats(struct thread *t)
{
	struct thread *v = lookup_vcpu(t, ARG(0), HV_RIGHT_READ);
	if (!v)
		return HV_ECAP;
	if (ARG(1) >= HV_EC_COUNT)
		return HV_EINVAL;
	const struct vcpu *vc = v->vcpu;
	ARG(4) = vc->serial;
	ARG(2) = (uint32_t)vc->stats[ARG(1)].cost;
	ARG(3) = (uint32_t)(vc->stats[ARG(1)].cost >> 32);
	ARG(1) = vc->stats[ARG(1)].count;
	return HV_OK;
}

static int sys_vcpu_notify_eoi(struct thread *t)
{
	struct thread *v = lookup_vcpu(t, ARG(0), HV_RIGHT_GRANT);
	struct cap *n = lookup(t, ARG(1), HV_CAP_NOTIFICATION, HV_RIGHT_WRITE);
	if (!v || !n)
		return HV_ECAP;
	v->vcpu->eoi_ntfn = n->obj;
	v->vcpu->eoi_bits = n->badge ? n->badge : 1;
	return HV_OK;
}

static int sys_irq_bind(struct thread *t)
{
	struct cap *irq = lookup(t, ARG(0), HV_CAP_IRQ, HV_RIGHT_WRITE);
	if (!irq)
		return HV_ECAP;
	if (ARG(1) == 0)
		return irq_bind(irq->irq, NULL, 0);
	struct cap *n = lookup(t, ARG(1), HV_CAP_NOTIFICATION, HV_RIGHT_WRITE);
	if (!n)
		return HV_ECAP;
	return irq_bind(irq->irq, n->obj, n->badge ? n->badge : 1);
}

static int sys_irq_ack(struct thread *t)
{
	struct cap *irq = lookup(t, ARG(0), HV_CAP_IRQ, HV_RIGHT_WRITE);
	return irq ? irq_ack(irq->irq) : HV_ECAP;
}

static int sys_bind_ntfn(struct thread *t)
{
	struct thread *th = lookup_thread(t, ARG(0), HV_RIGHT_GRANT);
	struct cap *n = lookup(t, ARG(1), HV_CAP_NOTIFICATION, HV_RIGHT_READ);
	if (!th || !n)
		return HV_ECAP;
	struct ntfn *nt = n->obj;
	if (th->vcpu || (nt->bound && nt->bound != th) || (th->bound && th->bound != nt))
		return HV_EBUSY;
	th->bound = nt;
	nt->bound = th;
	return HV_OK;
}

static int sys_time(struct thread *t)
{
	uint64_t now = arch_counter();
	ARG(1) = (uint32_t)now;
	ARG(2) = (uint32_t)(now >> 32);
	ARG(3) = arch_counter_freq();
	return HV_OK;
}

static int sys_power_off(struct thread *t)
{
	if (!lookup(t, ARG(0), HV_CAP_CONTROL, HV_RIGHT_WRITE))
		return HV_ECAP;
	kputs(ARG(1) ? "hv: all VMs stopped, some failed\n" : "hv: all VMs powered off\n");
	arch_system_off();
	return HV_OK;
}

static int sys_signal(struct thread *t)
{
	struct cap *n = lookup(t, ARG(0), HV_CAP_NOTIFICATION, HV_RIGHT_WRITE);
	if (!n)
		return HV_ECAP;
	ntfn_signal(n->obj, n->badge ? n->badge : 1);
	return HV_OK;
}

typedef int (*syscall_fn)(struct thread *t);

static const syscall_fn simple_calls[HV_SYS_NR] = {
    [HV_SYS_SIGNAL] = sys_signal,
    [HV_SYS_DEBUG_WRITE] = sys_debug_write,
    [HV_SYS_OBJ_CREATE] = sys_obj_create,
    [HV_SYS_CAP_COPY] = sys_cap_copy,
    [HV_SYS_CAP_DELETE] = sys_cap_delete,
    [HV_SYS_MAP] = sys_map,
    [HV_SYS_UNMAP] = sys_unmap,
    [HV_SYS_THREAD_CONFIG] = sys_thread_config,
    [HV_SYS_THREAD_RESUME] = sys_thread_resume,
    [HV_SYS_THREAD_SUSPEND] = sys_thread_suspend,
    [HV_SYS_OBJ_DESTROY] = sys_obj_destroy,
    [HV_SYS_VCPU_GET_REG] = sys_vcpu_get_reg,
    [HV_SYS_VCPU_SET_REG] = sys_vcpu_set_reg,
    [HV_SYS_VCPU_INJECT] = sys_vcpu_inject,
    [HV_SYS_VCPU_STATS] = sys_vcpu_stats,
    [HV_SYS_IRQ_BIND] = sys_irq_bind,
    [HV_SYS_IRQ_ACK] = sys_irq_ack,
    [HV_SYS_BIND_NTFN] = sys_bind_ntfn,
    [HV_SYS_TIME] = sys_time,
    [HV_SYS_POWER_OFF] = sys_power_off,
    [HV_SYS_VCPU_NOTIFY_EOI] = sys_vcpu_notify_eoi,
};

/* Switch to a thread made runnable by a reply, unless it must queue. */
static __attribute__((noreturn)) void finish_reply_recv(struct thread *t, struct thread *c)
{
	struct thread *head = this_cpu()->runq[0];
	if (c && t->state != TS_RUNNABLE && (!head || head->prio <= c->prio))
		switch_to(c);
	if (c)
		sched_enqueue(c);
	schedule();
}

/* The IPC calls block or switch threads; the rest return a status. */
void syscall_dispatch(struct thread *t)
{
	uint32_t nr = t->regs.r[7];
	struct cap *c;

	switch (nr) {
	case HV_SYS_CALL:
		c = lookup(t, ARG(0), HV_CAP_ENDPOINT, HV_RIGHT_WRITE);
		if (!c)
			break;
		memcpy(t->msg, &ARG(1), sizeof(t->msg));
		struct thread *server = ipc_call(t, c->obj, c->badge, true);
		if (server)
			switch_to(server);
		schedule();
	case HV_SYS_REPLY_RECV:
	case HV_SYS_RECV:
	case HV_SYS_RECV_TIMEOUT: {
		c = lookup(t, ARG(0), HV_CAP_ENDPOINT, HV_RIGHT_READ);
		if (!c)
			break;
		struct thread *caller = NULL;
		if (nr == HV_SYS_REPLY_RECV)
			caller = ipc_reply(t, &ARG(1)); /* the fast path did not apply */
		bool block = nr != HV_SYS_RECV_TIMEOUT || ARG(1) != 0;
		uint32_t ticks = nr == HV_SYS_RECV_TIMEOUT ? ARG(1) : 0;
		ipc_recv(t, c->obj, block);
		if (t->state == TS_RECV && ticks)
			sched_timeout_arm(t, ticks);
		finish_reply_recv(t, caller);
	}
	case HV_SYS_WAIT:
		c = lookup(t, ARG(0), HV_CAP_NOTIFICATION, HV_RIGHT_READ);
		if (!c)
			break;
		ntfn_wait(t, c->obj);
		schedule();
	case HV_SYS_YIELD:
		t->slice_end = 0;
		t->regs.r[0] = HV_OK;
		schedule();
	default:
		if (nr < HV_SYS_NR && simple_calls[nr])
			t->regs.r[0] = (uint32_t)simple_calls[nr](t);
		else
			t->regs.r[0] = (uint32_t)HV_ENOSYS;
		return;
	}
	t->regs.r[0] = (uint32_t)HV_ECAP;
}

/* A native thread faulted: it stops, and its supervisor hears of it. */
void native_fault(struct thread *t, uint32_t hsr, uint32_t addr)
{
	t->msg[0] = hsr;
	t->msg[1] = addr;
	t->msg[2] = t->regs.pc;
	t->msg[3] = t->msg[4] = 0;
	t->msg[5] = HV_FAULT_NATIVE;
	t->state = TS_FAULTED;
	if (t->fault_ep) {
		ipc_call(t, t->fault_ep, t->fault_badge, false);
		return;
	}
	kputs("hv: thread faulted with no supervisor, HSR ");
	kputhex(hsr);
	kputs(" PC ");
	kputhex(t->regs.pc);
	kputs("\n");
}
