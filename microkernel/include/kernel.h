/*
 * Kernel objects: address spaces, threads (PL0 servers and vCPUs), endpoints,
 * notifications, IRQ handlers, capabilities, and the per-CPU state.
 * Objects live in fixed pools; a capability names one by pointer.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <hv/abi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "s2pt.h"

#define MAX_CPUS      4
#define MAX_ASPACES   32
#define MAX_THREADS   64
#define MAX_VCPUS     16
#define MAX_ENDPOINTS 64
#define MAX_NTFNS     64
#define MAX_IRQS      256
#define NR_LRS_MAX    16
#define VIRQ_QUEUE    32

#define PRIO_MAX      255
#define TIME_SLICE_US 10000

struct thread;

/* Saved at every trap and IRQ: the entry stores straight into it, in this
 * order (context.inc); HV_REG_* name them through reg_slot (syscall.c). */
struct regs {
	uint32_t r[13];
	uint32_t lr_usr;
	uint32_t sp_usr;
	uint32_t pc;
	uint32_t cpsr;
};

struct cap {
	uint8_t type;   /* enum hv_cap_type */
	uint8_t rights; /* HV_RIGHT_* */
	uint16_t pad;
	uint32_t badge;
	union {
		void *obj;
		struct {
			uint32_t base; /* MEMORY/DEVICE range, page aligned */
			uint32_t size;
		} mem;
		uint32_t irq;
	};
};

struct aspace {
	bool used;
	bool guest; /* true: a VM's space (HCR_GUEST), false: native */
	uint8_t vmid;
	uint16_t threads; /* threads running in it */
	struct s2pt pt;
	uint64_t vttbr;
	uint64_t cntvoff; /* a VM's virtual counter offset, shared by its vCPUs */
	struct cap caps[HV_CAP_SLOTS];
};

struct endpoint {
	bool used;
	struct thread *senders;   /* FIFO of threads blocked sending/calling */
	struct thread *receivers; /* FIFO of threads blocked receiving */
};

struct ntfn {
	bool used;
	uint32_t word;
	struct thread *waiter; /* one waiter (WAIT or bound RECV) */
	struct thread *bound;  /* thread whose RECV also returns these bits */
};

enum thread_state {
	TS_INACTIVE, /* created, or suspended */
	TS_RUNNABLE,
	TS_SEND,    /* blocked calling an endpoint, message in t->msg */
	TS_RECV,    /* blocked receiving on t->ep */
	TS_REPLY,   /* waiting for t->replier's reply */
	TS_NTFN,    /* blocked in WAIT */
	TS_WFI,     /* vCPU idle until a virtual interrupt is pending */
	TS_FAULTED, /* native thread whose fault went to its supervisor */
	TS_HALTED,  /* vCPU stopped by its monitor */
};

/* Guest-only context, switched lazily: it stays in the CPU while native
 * threads run (they cannot reach PL1 state), so an exit to the monitor and
 * back costs no save/restore of it. */
struct vcpu {
	bool used; /* first, as in every pooled object (obj.c) */
	struct thread *thread;
	uint32_t mpidr;
	uint32_t serial;     /* exits so far; sent with every exit */
	uint64_t exit_stamp; /* counter at the exit being handled */
	uint32_t fault_va;   /* HDFAR/HIFAR of the exit being handled */
	bool reply_pending;  /* t->msg holds a reply to apply at next entry */
	bool wfi_requested;  /* the reply asked to wait for an interrupt */
	uint32_t banked[23]; /* SP/LR/SPSR of svc abt und irq, fiq r8-r14 SPSR */
	uint32_t cp15[26];
	uint64_t cp15_64[3]; /* TTBR0, TTBR1, PAR */
	uint32_t cntv_ctl;
	uint64_t cntv_cval;
	uint32_t gich_vmcr, gich_apr, gich_hcr;
	uint32_t lr[NR_LRS_MAX];
	struct ntfn *eoi_ntfn; /* told when the guest EOIs an LR marked EOI */
	uint32_t eoi_bits;
	uint32_t queue[VIRQ_QUEUE]; /* injected, waiting for a free LR */
	unsigned queued;
	struct {
		uint32_t count;
		uint64_t cost;
	} stats[HV_EC_COUNT];
};

struct thread {
	struct regs regs; /* first: the trap vector saves here */
	uint8_t state;
	bool used;
	uint8_t prio;
	uint8_t cpu; /* pinned; after prio (trap.S reads both at once) */
	struct aspace *as;
	struct vcpu *vcpu;         /* NULL for a native thread */
	struct thread *next;       /* run queue or endpoint queue link */
	struct endpoint *ep;       /* queue it is blocked on */
	struct endpoint *fault_ep; /* exits and faults go here */
	uint32_t fault_badge;
	uint32_t badge;             /* of a send queued on an endpoint */
	uint32_t msg[HV_MSG_WORDS]; /* message of a pending send */
	bool is_call;               /* that queued send expects a reply */
	struct thread *caller;      /* whose reply this thread owes */
	struct thread *replier;     /* who owes this thread a reply */
	struct ntfn *bound;
	uint64_t timeout; /* absolute counter, 0 = none */
	uint64_t slice_end;
	struct { /* FP/SIMD registers, switched lazily */
		uint64_t d[32];
		uint32_t fpscr, fpexc;
	} vfp;
};

struct percpu {
	uint32_t stack_top; /* read by entry.S: keep first */
	unsigned id;
	struct thread *current; /* NULL: idle */
	struct vcpu *loaded;    /* guest context held by the CPU */
	struct thread *runq[1]; /* run queue head, ordered by priority */
	bool online;
	bool hw_native;           /* CPU last entered a native thread */
	struct thread *vfp_owner; /* whose FP registers the CPU holds */
};

/* ---- core services ---- */
extern struct percpu percpu[MAX_CPUS];
extern unsigned nr_cpus;

#ifdef __arm__
/* HTPIDR holds this CPU's struct percpu (set at boot). */
static inline struct percpu *this_cpu(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 4, %0, c13, c0, 2" : "=r"(v));
	return (struct percpu *)v;
}
#else
struct percpu *this_cpu(void);
#endif
void kputs(const char *s);
void kputhex(uint32_t v);
__attribute__((noreturn)) void panic(const char *why);

/* objects (obj.c) */
struct aspace *aspace_alloc(bool guest);
void aspace_free(struct aspace *as);
struct thread *thread_alloc(void);
int thread_destroy(struct thread *t);
struct endpoint *endpoint_alloc(void);
struct ntfn *ntfn_alloc(void);
struct vcpu *vcpu_alloc(void);
void thread_lazy_gone(struct thread *t);       /* forget it in every CPU's lazy state */
bool thread_lazy_held(const struct thread *t); /* some CPU holds its state lazily */
void vcpu_lazy_forget(struct vcpu *v);         /* drop lazily held copies */
void vcpus_forget_ntfn(const struct ntfn *n);
void ntfns_forget_waiter(const struct thread *t);
void threads_forget_endpoint(const struct endpoint *ep);

/* capabilities (cap.c) */
/* The capability in slot, if it has this type and at least these rights. */
static inline struct cap *cap_lookup(struct aspace *as, uint32_t slot, unsigned type,
                                     unsigned rights)
{
	if (slot >= HV_CAP_SLOTS)
		return NULL;
	struct cap *c = &as->caps[slot];
	if (c->type != type || (c->rights & rights) != rights)
		return NULL;
	return c;
}
struct cap *cap_slot_empty(struct aspace *as, uint32_t slot);
int cap_copy(struct aspace *dst, uint32_t dslot, struct aspace *src, uint32_t sslot,
             uint32_t rights, uint32_t badge);
int cap_delete(struct aspace *as, uint32_t slot);
void cap_revoke_object(void *obj);

/* scheduler (sched.c) */
void sched_enqueue(struct thread *t);
void sched_dequeue(struct thread *t);
void sched_wake(struct thread *t);
__attribute__((noreturn)) void schedule(void);
static inline __attribute__((noreturn)) void switch_to(struct thread *t)
{
	this_cpu()->current = t;
	arch_enter(t);
}
void sched_tick(void);
void sched_timeout_arm(struct thread *t, uint64_t ticks);

/* IPC (ipc.c) */
struct thread *ipc_call(struct thread *t, struct endpoint *ep, uint32_t badge, bool call);
void ipc_recv(struct thread *t, struct endpoint *ep, bool block);
struct thread *ipc_reply(struct thread *t, const uint32_t *msg);
void ipc_abandon_caller(struct thread *server);
void ipc_cancel(struct thread *t);
void ntfn_signal(struct ntfn *n, uint32_t bits);
void ntfn_wait(struct thread *t, struct ntfn *n);

/* vCPUs (vcpu.c) */
void vcpu_exit(struct thread *t, uint32_t hsr);
void vcpu_apply_reply(struct thread *t, const uint32_t *msg);
int vcpu_inject(struct vcpu *v, uint32_t lr);
void vcpu_stats_close(struct vcpu *v);
void vcpu_finish_reply(struct thread *t);
void vcpu_reset(struct thread *t);
void vcpu_do_reply(struct thread *t, const uint32_t *reply, uint32_t hsr);

/* faults of native threads (syscall.c) */
void native_fault(struct thread *t, uint32_t hsr, uint32_t addr);
void syscall_dispatch(struct thread *t);

/* interrupts (irq.c) */
void irq_handle(void);
void irq_deliver(uint32_t irq);
int irq_bind(uint32_t irq, struct ntfn *n, uint32_t bits);
void irq_unbind_ntfn(struct ntfn *n);
int irq_ack(uint32_t irq);

#endif
