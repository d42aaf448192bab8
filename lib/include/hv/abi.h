/*
 * The kernel/server ABI: syscall numbers, error codes, capability types and
 * rights, the exit message a monitor receives and the reply it sends back.
 * Included by microkernel/ and by everything in lib/ and servers/.
 *
 * Calling convention (PL0 "svc #0", trapped to HYP with HCR.TGE=1):
 *   in:  r7 = syscall number, r0..r6 = arguments
 *   out: r0 = status (HV_OK or a negative HV_E*), r1..r6 = results,
 *        r7 = badge for the receive family. Other registers are preserved.
 */
#ifndef HV_ABI_H
#define HV_ABI_H

#include <stdint.h>

/* ---- syscall numbers ---------------------------------------------------- */
enum hv_syscall {
	HV_SYS_CALL = 0,       /* r0=ep cap, r1..r6=msg -> r0=status, r1..r6=reply */
	HV_SYS_REPLY_RECV = 1, /* r0=ep cap, r1..r6=reply -> r0, r7=badge, r1..r6 */
	HV_SYS_RECV = 2,       /* r0=ep cap -> r0, r7=badge, r1..r6=msg */
	HV_SYS_SIGNAL = 3,     /* r0=ntfn cap: OR the cap's badge into the word */
	HV_SYS_WAIT = 4,       /* r0=ntfn cap -> r1=bits */
	HV_SYS_YIELD = 5,
	HV_SYS_DEBUG_WRITE = 6,    /* r0=debug cap, r1=ptr, r2=len: raw kernel UART */
	HV_SYS_OBJ_CREATE = 7,     /* r0=control cap, r1=type, r2=dest slot, r3=arg */
	HV_SYS_CAP_COPY = 8,       /* r0=aspace cap (dest table), r1=dest slot,
	                              r2=src slot, r3=rights mask, r4=badge (0: keep) */
	HV_SYS_CAP_DELETE = 9,     /* r0=aspace cap (table), r1=slot */
	HV_SYS_MAP = 10,           /* r0=aspace cap, r1=mem cap, r2=pa, r3=ipa,
	                              r4=size, r5=HV_MAP_* flags */
	HV_SYS_UNMAP = 11,         /* r0=aspace cap, r1=ipa, r2=size */
	HV_SYS_THREAD_CONFIG = 12, /* r0=thread cap, r1=aspace cap, r2=pc, r3=sp,
	                              r4=prio | cpu << 8, r5=fault ep cap,
	                              r6=fault badge */
	HV_SYS_THREAD_RESUME = 13, /* r0=thread cap */
	HV_SYS_THREAD_SUSPEND = 14,
	HV_SYS_OBJ_DESTROY = 15,     /* r0=slot: destroy the object the cap names */
	HV_SYS_VCPU_GET_REG = 16,    /* r0=vcpu cap, r1=HV_REG_* -> r1=value */
	HV_SYS_VCPU_SET_REG = 17,    /* r0=vcpu cap, r1=HV_REG_*, r2=value */
	HV_SYS_VCPU_INJECT = 18,     /* r0=vcpu cap, r1=virtual INTID */
	HV_SYS_VCPU_STATS = 19,      /* r0=vcpu cap, r1=EC -> r1=count, r2=cost lo,
	                                r3=cost hi (counter ticks), r4=serial */
	HV_SYS_IRQ_BIND = 20,        /* r0=irq cap, r1=ntfn cap */
	HV_SYS_IRQ_ACK = 21,         /* r0=irq cap */
	HV_SYS_BIND_NTFN = 22,       /* r0=thread cap, r1=ntfn cap: bound notification */
	HV_SYS_RECV_TIMEOUT = 23,    /* like RECV, r1=timeout in counter ticks */
	HV_SYS_TIME = 24,            /* -> r1=counter lo, r2=hi, r3=frequency */
	HV_SYS_POWER_OFF = 25,       /* r0=control cap, r1=1 if a VM failed: stop */
	HV_SYS_VCPU_NOTIFY_EOI = 26, /* r0=vcpu cap, r1=ntfn cap: signalled when the guest
	                                EOIs an interrupt injected with LR.EOI (bit 19) */
	HV_SYS_NR
};

/* ---- status codes ------------------------------------------------------- */
#define HV_OK        0
#define HV_EINVAL    (-1) /* malformed argument */
#define HV_ECAP      (-2) /* slot empty, of the wrong type, or without the rights the call needs */
#define HV_ERIGHTS   (-3) /* a right this particular use needs (W mapping, destroy) */
#define HV_EFAULT    (-4) /* pointer not mapped in the caller's space */
#define HV_ENOMEM    (-5) /* kernel object or table pool exhausted */
#define HV_EBUSY     (-6) /* object in use, slot occupied, range mapped */
#define HV_ERANGE    (-7) /* address/size outside the capability */
#define HV_ENOSYS    (-8) /* unknown syscall */
#define HV_ESTATE    (-9) /* object not in a state that allows this */
#define HV_ETIMEDOUT (-10)
#define HV_EPEER     (-11) /* IPC partner died; the call may be retried */

/* ---- capabilities ------------------------------------------------------- */
#define HV_CAP_SLOTS 256

enum hv_cap_type {
	HV_CAP_NULL = 0,
	HV_CAP_CONTROL, /* create kernel objects */
	HV_CAP_MEMORY,  /* a physical range that may be mapped */
	HV_CAP_DEVICE,  /* a physical MMIO range, mapped as Device memory */
	HV_CAP_ASPACE,  /* stage-2 table + VMID, and its capability table */
	HV_CAP_THREAD,  /* a PL0 thread or, with a vCPU, a guest CPU */
	HV_CAP_ENDPOINT,
	HV_CAP_NOTIFICATION,
	HV_CAP_IRQ,
	HV_CAP_DEBUG, /* may print through the kernel's UART */
	HV_CAP_TYPES
};

#define HV_RIGHT_READ  1u
#define HV_RIGHT_WRITE 2u
#define HV_RIGHT_GRANT 4u /* may install caps in / map into / reconfigure */
#define HV_RIGHTS_ALL  7u

/* OBJ_CREATE types (r1); r3 is the argument noted. */
enum hv_obj_type {
	HV_OBJ_ASPACE = 1, /* arg: 0 = native server space, 1 = guest space */
	HV_OBJ_THREAD = 2, /* arg: 0 */
	HV_OBJ_VCPU = 3,   /* arg: vCPU index in its VM (MPIDR.Aff0) */
	HV_OBJ_ENDPOINT = 4,
	HV_OBJ_NOTIFICATION = 5,
	HV_OBJ_IRQ = 6,    /* arg: physical INTID (SPI) */
	HV_OBJ_MEMORY = 7, /* arg: slot of a MEMORY cap; r4=pa, r5=size:
	                      a smaller MEMORY cap inside it */
};

/* MAP flags */
#define HV_MAP_R   1u
#define HV_MAP_W   2u
#define HV_MAP_X   4u
#define HV_MAP_RWX 7u

/* ---- vCPU register ids for GET_REG/SET_REG ------------------------------ */
enum hv_reg {
	HV_REG_R0 = 0, /* r0..r12 are 0..12; SP and LR are the usr/sys bank */
	HV_REG_R1 = 1,
	HV_REG_R2 = 2,
	HV_REG_SP = 13,
	HV_REG_LR = 14,
	HV_REG_PC = 15,
	HV_REG_CPSR = 16,
	HV_REG_MPIDR = 17,
	HV_REG_RESET = 18, /* SET_REG only: architectural reset state (PSCI CPU_ON) */
	HV_REG_NR
};

/* ---- guest exits -------------------------------------------------------- */
/*
 * A vCPU exit is an IPC call from the vCPU to its monitor's endpoint:
 *   badge = the vCPU's fault badge (set in THREAD_CONFIG)
 *   m[0] = HSR (EC in [31:26], IL in [25], ISS in [24:0])
 *   m[1] = fault IPA (aborts), guest r0 (HVC/SMC), else the trapped PC
 *   m[2] = Rt value for a data-abort write, guest r1 (HVC/SMC), or for
 *          trapped CP15 accesses the value of Rt
 *   m[3] = guest r2 (HVC/SMC)
 *   m[4] = guest r3 (HVC/SMC)
 *   m[5] = exit serial: counts this vCPU's exits; a re-delivered exit (its
 *          monitor died before replying) carries the same serial again.
 * A fault of a native thread reaches its supervisor the same way, with
 * m[0] = HSR, m[1] = fault address, m[2] = PC, m[5] = HV_FAULT_NATIVE.
 * A trapped instruction whose condition fails never reaches the monitor:
 * the kernel steps over it.
 */
#define HV_MSG_WORDS    6
#define HV_FAULT_NATIVE 0xffffffffu
#define HV_BADGE_NTFN   0xffffffffu /* receive returned notification bits in m[0] */

/* HSR exception classes (ARM ARM B3.13.6, "Use of the HSR") */
#define HV_EC_UNKNOWN  0x00
#define HV_EC_WFI_WFE  0x01
#define HV_EC_CP15_32  0x03
#define HV_EC_CP15_64  0x04
#define HV_EC_CP14_MR  0x05
#define HV_EC_CP14_LS  0x06
#define HV_EC_CP10     0x07 /* HCPTR trap */
#define HV_EC_CP10_ID  0x08
#define HV_EC_CP14_64  0x0c
#define HV_EC_SVC      0x11
#define HV_EC_HVC      0x12
#define HV_EC_SMC      0x13
#define HV_EC_IABT_LOW 0x20
#define HV_EC_IABT_HYP 0x21
#define HV_EC_DABT_LOW 0x24
#define HV_EC_DABT_HYP 0x25
#define HV_EC_COUNT    0x40

/* Reply to an exit: m[0] is a set of HV_REPLY_* actions, done in this order. */
#define HV_REPLY_RESUME    0u        /* resume unchanged (retry the instruction) */
#define HV_REPLY_SET_RT    (1u << 0) /* m[1] -> Rt of the trapped load/MRC */
#define HV_REPLY_SET_R0_R3 (1u << 1) /* m[1..4] -> r0..r3 (HVC/SMC result) */
#define HV_REPLY_ADVANCE                                                                           \
	(1u << 2)                       /* skip the trapped instruction (not needed after          \
	                                     HVC: its return address is past it) */
#define HV_REPLY_INJECT_DABT  (1u << 3) /* guest takes a data abort, DFAR = its VA */
#define HV_REPLY_INJECT_PABT  (1u << 4)
#define HV_REPLY_INJECT_UNDEF (1u << 5)
#define HV_REPLY_WFI          (1u << 6) /* block until a virtual IRQ is pending */
#define HV_REPLY_HALT         (1u << 7) /* stop this vCPU (PSCI CPU_OFF/SYSTEM_OFF) */

/* Virtual INTIDs, GICv2 */
#define HV_VIRQ_VTIMER 27

#endif
