/*
 * Syscall stubs for PL0 servers (convention in abi.h). A receive returns
 * the status, and fills *badge and msg[0..5].
 */
#ifndef HV_SYSCALL_H
#define HV_SYSCALL_H

#include <hv/abi.h>
#include <stddef.h>
#include <stdint.h>

struct hv_msg {
	uint32_t badge;
	uint32_t m[HV_MSG_WORDS];
};

/* Every register r0..r7 is in or out; the kernel preserves the rest. */
static inline int hv_syscall7(uint32_t nr, uint32_t a[7])
{
	register uint32_t r0 __asm__("r0") = a[0];
	register uint32_t r1 __asm__("r1") = a[1];
	register uint32_t r2 __asm__("r2") = a[2];
	register uint32_t r3 __asm__("r3") = a[3];
	register uint32_t r4 __asm__("r4") = a[4];
	register uint32_t r5 __asm__("r5") = a[5];
	register uint32_t r6 __asm__("r6") = a[6];
	register uint32_t r7 __asm__("r7") = nr;
	__asm__ volatile("svc #0"
	                 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6),
	                   "+r"(r7)
	                 :
	                 : "memory");
	a[0] = r7; /* badge, for the receive family */
	a[1] = r1;
	a[2] = r2;
	a[3] = r3;
	a[4] = r4;
	a[5] = r5;
	a[6] = r6;
	return (int)r0;
}

static inline int hv_sys(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                         uint32_t a4, uint32_t a5, uint32_t a6)
{
	uint32_t a[7] = {a0, a1, a2, a3, a4, a5, a6};
	return hv_syscall7(nr, a);
}

/* In lib/src/ipc.S. hv_call: msg->m is the request, then the reply.
 * hv_reply_recv: msg->m is the reply, then the next message. */
int hv_call(uint32_t ep, struct hv_msg *msg);
int hv_recv(uint32_t ep, struct hv_msg *msg);
int hv_reply_recv(uint32_t ep, struct hv_msg *msg);
/* The same from two buffers: out is sent, in is received. */
int hv_reply_recv_split(uint32_t ep, const struct hv_msg *out, struct hv_msg *in);

static inline int hv_recv_op(uint32_t nr, uint32_t ep, uint32_t arg1, struct hv_msg *msg)
{
	uint32_t a[7] = {ep, arg1};
	int err = hv_syscall7(nr, a);
	msg->badge = a[0];
	for (int i = 0; i < HV_MSG_WORDS; i++)
		msg->m[i] = a[1 + i];
	return err;
}

static inline int hv_recv_timeout(uint32_t ep, uint32_t ticks, struct hv_msg *msg)
{
	return hv_recv_op(HV_SYS_RECV_TIMEOUT, ep, ticks, msg);
}

static inline int hv_signal(uint32_t ntfn)
{
	return hv_sys(HV_SYS_SIGNAL, ntfn, 0, 0, 0, 0, 0, 0);
}

static inline int hv_wait(uint32_t ntfn, uint32_t *bits)
{
	uint32_t a[7] = {ntfn};
	int err = hv_syscall7(HV_SYS_WAIT, a);
	*bits = a[1];
	return err;
}

static inline int hv_yield(void)
{
	return hv_sys(HV_SYS_YIELD, 0, 0, 0, 0, 0, 0, 0);
}

static inline int hv_obj_create(uint32_t control, uint32_t type, uint32_t slot, uint32_t arg)
{
	return hv_sys(HV_SYS_OBJ_CREATE, control, type, slot, arg, 0, 0, 0);
}

static inline int hv_memory_split(uint32_t control, uint32_t slot, uint32_t parent, uint32_t pa,
                                  uint32_t size)
{
	return hv_sys(HV_SYS_OBJ_CREATE, control, HV_OBJ_MEMORY, slot, parent, pa, size, 0);
}

static inline int hv_cap_copy(uint32_t aspace, uint32_t dslot, uint32_t sslot, uint32_t rights,
                              uint32_t badge)
{
	return hv_sys(HV_SYS_CAP_COPY, aspace, dslot, sslot, rights, badge, 0, 0);
}

static inline int hv_cap_delete(uint32_t aspace, uint32_t slot)
{
	return hv_sys(HV_SYS_CAP_DELETE, aspace, slot, 0, 0, 0, 0, 0);
}

static inline int hv_map(uint32_t aspace, uint32_t mem, uint32_t pa, uint32_t ipa, uint32_t size,
                         uint32_t flags)
{
	return hv_sys(HV_SYS_MAP, aspace, mem, pa, ipa, size, flags, 0);
}

static inline int hv_unmap(uint32_t aspace, uint32_t ipa, uint32_t size)
{
	return hv_sys(HV_SYS_UNMAP, aspace, ipa, size, 0, 0, 0, 0);
}

static inline int hv_thread_config(uint32_t thread, uint32_t aspace, uint32_t pc, uint32_t sp,
                                   uint32_t prio, uint32_t cpu, uint32_t fault_ep, uint32_t badge)
{
	return hv_sys(HV_SYS_THREAD_CONFIG, thread, aspace, pc, sp, prio | cpu << 8, fault_ep,
	              badge);
}

static inline int hv_thread_resume(uint32_t thread)
{
	return hv_sys(HV_SYS_THREAD_RESUME, thread, 0, 0, 0, 0, 0, 0);
}

static inline int hv_thread_suspend(uint32_t thread)
{
	return hv_sys(HV_SYS_THREAD_SUSPEND, thread, 0, 0, 0, 0, 0, 0);
}

static inline int hv_obj_destroy(uint32_t slot)
{
	return hv_sys(HV_SYS_OBJ_DESTROY, slot, 0, 0, 0, 0, 0, 0);
}

static inline int hv_vcpu_set_reg(uint32_t vcpu, uint32_t reg, uint32_t val)
{
	return hv_sys(HV_SYS_VCPU_SET_REG, vcpu, reg, val, 0, 0, 0, 0);
}

static inline int hv_vcpu_get_reg(uint32_t vcpu, uint32_t reg, uint32_t *val)
{
	uint32_t a[7] = {vcpu, reg};
	int err = hv_syscall7(HV_SYS_VCPU_GET_REG, a);
	*val = a[1];
	return err;
}

static inline int hv_vcpu_inject(uint32_t vcpu, uint32_t lr)
{
	return hv_sys(HV_SYS_VCPU_INJECT, vcpu, lr, 0, 0, 0, 0, 0);
}

struct hv_exit_stats {
	uint32_t count;
	uint64_t cost;
	uint32_t serial;
};

static inline int hv_vcpu_stats(uint32_t vcpu, uint32_t ec, struct hv_exit_stats *s)
{
	uint32_t a[7] = {vcpu, ec};
	int err = hv_syscall7(HV_SYS_VCPU_STATS, a);
	s->count = a[1];
	s->cost = a[2] | (uint64_t)a[3] << 32;
	s->serial = a[4];
	return err;
}

static inline int hv_vcpu_notify_eoi(uint32_t vcpu, uint32_t ntfn)
{
	return hv_sys(HV_SYS_VCPU_NOTIFY_EOI, vcpu, ntfn, 0, 0, 0, 0, 0);
}

static inline int hv_irq_bind(uint32_t irq, uint32_t ntfn)
{
	return hv_sys(HV_SYS_IRQ_BIND, irq, ntfn, 0, 0, 0, 0, 0);
}

static inline int hv_irq_ack(uint32_t irq)
{
	return hv_sys(HV_SYS_IRQ_ACK, irq, 0, 0, 0, 0, 0, 0);
}

static inline int hv_bind_ntfn(uint32_t thread, uint32_t ntfn)
{
	return hv_sys(HV_SYS_BIND_NTFN, thread, ntfn, 0, 0, 0, 0, 0);
}

static inline uint64_t hv_time(uint32_t *freq)
{
	uint32_t a[7] = {0};
	hv_syscall7(HV_SYS_TIME, a);
	if (freq)
		*freq = a[3];
	return a[1] | (uint64_t)a[2] << 32;
}

static inline int hv_debug_write(uint32_t cap, const void *buf, uint32_t len)
{
	return hv_sys(HV_SYS_DEBUG_WRITE, cap, (uint32_t)buf, len, 0, 0, 0, 0);
}

static inline int hv_power_off(uint32_t control, uint32_t failed)
{
	return hv_sys(HV_SYS_POWER_OFF, control, failed, 0, 0, 0, 0, 0);
}

#endif
