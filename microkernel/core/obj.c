/*
 * Fixed pools of kernel objects, and their creation and destruction.
 * VMIDs are 8 bits and handed out round robin; before a VMID is used again
 * every guest TLB entry is flushed (ARM ARM B3.10.2, TLB maintenance).
 */
#include "arch.h"
#include "arch_pt.h"
#include "kernel.h"

#include <string.h>

struct aspace aspaces[MAX_ASPACES];
struct thread threads[MAX_THREADS];
static struct vcpu vcpus[MAX_VCPUS];
static struct endpoint endpoints[MAX_ENDPOINTS];
static struct ntfn ntfns[MAX_NTFNS];

static uint8_t next_vmid = 1;

static bool vmid_in_use(uint8_t vmid)
{
	for (unsigned i = 0; i < MAX_ASPACES; i++)
		if (aspaces[i].used && aspaces[i].vmid == vmid)
			return true;
	return false;
}

/* VMID 0 is never used, so a zero VTTBR never matches a live space. */
static uint8_t vmid_alloc(void)
{
	while (next_vmid == 0 || vmid_in_use(next_vmid))
		next_vmid++;
	return next_vmid++;
}

struct aspace *aspace_alloc(bool guest)
{
	for (unsigned i = 0; i < MAX_ASPACES; i++) {
		struct aspace *as = &aspaces[i];
		if (as->used)
			continue;
		memset(as, 0, sizeof(*as));
		as->vmid = vmid_alloc();
		if (s2pt_init(&as->pt, as->vmid) != HV_OK)
			return NULL;
		as->used = true;
		as->guest = guest;
		as->vttbr = arch_pt_pa(as->pt.root) | ((uint64_t)as->vmid << 48);
		return as;
	}
	return NULL;
}

/* The space must have no threads left. Its VMID's TLB entries go with it. */
void aspace_free(struct aspace *as)
{
	cap_revoke_object(as);
	s2pt_destroy(&as->pt);
	arch_tlb_flush_all_guests();
	for (unsigned c = 0; c < MAX_CPUS; c++)
		if (percpu[c].current && percpu[c].current->as == as)
			panic("freeing a live address space");
	memset(as, 0, sizeof(*as));
}

/* A free object of a pool whose objects start with `bool used`, zeroed
 * and marked used. */
static void *pool_take(void *pool, size_t size, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		char *obj = (char *)pool + i * size;
		if (!*(bool *)obj) {
			memset(obj, 0, size);
			*(bool *)obj = true;
			return obj;
		}
	}
	return NULL;
}

struct thread *thread_alloc(void)
{
	for (unsigned i = 0; i < MAX_THREADS; i++) {
		if (!threads[i].used) {
			memset(&threads[i], 0, sizeof(threads[i]));
			threads[i].used = true;
			threads[i].vfp.fpexc = 1u << 30; /* FPEXC.EN: usable at first touch */
			return &threads[i];
		}
	}
	return NULL;
}

struct vcpu *vcpu_alloc(void)
{
	struct vcpu *v = pool_take(vcpus, sizeof(vcpus[0]), MAX_VCPUS);
	if (v)
		arch_vcpu_reset(v);
	return v;
}

/* t goes away: no notification may keep it as its waiter. */
void ntfns_forget_waiter(const struct thread *t)
{
	for (unsigned i = 0; i < MAX_NTFNS; i++)
		if (ntfns[i].used && ntfns[i].waiter == t)
			ntfns[i].waiter = NULL;
}

/* Endpoint ep goes away: threads whose exits or faults went there have
 * none until reconfigured. */
void threads_forget_endpoint(const struct endpoint *ep)
{
	for (unsigned i = 0; i < MAX_THREADS; i++)
		if (threads[i].used && threads[i].fault_ep == ep)
			threads[i].fault_ep = NULL;
}

void vcpus_forget_ntfn(const struct ntfn *n)
{
	for (unsigned i = 0; i < MAX_VCPUS; i++)
		if (vcpus[i].used && vcpus[i].eoi_ntfn == n)
			vcpus[i].eoi_ntfn = NULL;
}

struct endpoint *endpoint_alloc(void)
{
	return pool_take(endpoints, sizeof(endpoints[0]), MAX_ENDPOINTS);
}

struct ntfn *ntfn_alloc(void)
{
	return pool_take(ntfns, sizeof(ntfns[0]), MAX_NTFNS);
}

/* Lazily switched state (armv7/cpu.c): which CPUs hold a thread's FP
 * registers or a vCPU's guest context. */
void thread_lazy_gone(struct thread *t)
{
	for (unsigned i = 0; i < MAX_CPUS; i++)
		if (percpu[i].vfp_owner == t)
			percpu[i].vfp_owner = NULL;
	if (t->vcpu)
		vcpu_lazy_forget(t->vcpu);
}

bool thread_lazy_held(const struct thread *t)
{
	for (unsigned i = 0; i < MAX_CPUS; i++)
		if (percpu[i].vfp_owner == t || (t->vcpu && percpu[i].loaded == t->vcpu))
			return true;
	return false;
}

/* The vCPU is not running: CPUs that still hold its state forget it (it is
 * being reset or freed, so nothing needs saving). */
void vcpu_lazy_forget(struct vcpu *v)
{
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (percpu[i].loaded == v)
			percpu[i].loaded = NULL;
		if (percpu[i].vfp_owner == v->thread)
			percpu[i].vfp_owner = NULL;
	}
}

/* A thread running on another CPU cannot be freed under it: that CPU is
 * kicked and the caller retries (HV_EBUSY). */
int thread_destroy(struct thread *t)
{
	for (unsigned c = 0; c < MAX_CPUS; c++) {
		if (percpu[c].current != t)
			continue;
		if (&percpu[c] == this_cpu())
			return HV_EINVAL;
		t->state = TS_INACTIVE;
		arch_send_ipi(c);
		return HV_EBUSY;
	}
	ipc_cancel(t);
	if (t->caller)
		ipc_abandon_caller(t);
	if (t->replier)
		t->replier->caller = NULL;
	if (t->bound)
		t->bound->bound = NULL;
	thread_lazy_gone(t);
	if (t->vcpu)
		t->vcpu->used = false;
	if (t->as)
		t->as->threads--;
	cap_revoke_object(t);
	memset(t, 0, sizeof(*t));
	return HV_OK;
}
