/*
 * Runtime for the bare-metal test guests (tests/guests/NAME.c).
 *
 * A guest is entered at 0x40008000 in SVC mode with the MMU off, r0=0,
 * r1=~0, r2=DTB (Linux ARM boot protocol). start.S sets up the mode stacks,
 * zeroes .bss, enables VFP and calls main(dtb). When main returns, the guest
 * powers itself off with PSCI SYSTEM_OFF.
 *
 * Everything runs with the MMU (and so the caches) off: all data accesses
 * are Strongly-ordered, which keeps memory coherent between vCPUs without
 * cache maintenance, but forbids unaligned accesses (hence
 * -mno-unaligned-access in guests.mk).
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h> /* musl: vsnprintf for guests that format */

/* ---- the machine a guest sees (the monitor's DTB describes the same) ---- */
#define GUEST_RAM_BASE  0x40000000u
#define GUEST_LOAD_ADDR 0x40008000u
#define GICD_BASE       0x08000000u
#define GICC_BASE       0x08010000u
#define UART_BASE       0x09000000u

#define UART_DR      0x000u
#define UART_FR      0x018u
#define UART_FR_TXFF (1u << 5)

#define GICC_CTLR 0x000u
#define GICC_PMR  0x004u
#define GICC_IAR  0x00cu
#define GICC_EOIR 0x010u

#define VTIMER_PPI 27u

/* ---- PSCI 0.2 over "hvc #0" ---------------------------------------------- */
#define PSCI_VERSION           0x84000000u
#define PSCI_CPU_SUSPEND       0x84000001u
#define PSCI_CPU_OFF           0x84000002u
#define PSCI_CPU_ON            0x84000003u
#define PSCI_AFFINITY_INFO     0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF        0x84000008u
#define PSCI_SYSTEM_RESET      0x84000009u
#define PSCI_FEATURES          0x8400000Au

#define PSCI_RET_SUCCESS            0
#define PSCI_RET_NOT_SUPPORTED      (-1)
#define PSCI_RET_INVALID_PARAMETERS (-2)
#define PSCI_RET_DENIED             (-3)
#define PSCI_RET_ALREADY_ON         (-4)

/* Test hook (VM started with testhooks=on): the monitor faults on purpose,
 * is restarted, and the hvc returns 0. */
#define HV_TESTHOOK_CRASH_MONITOR 0x86000F00u

/* Raw HVC with r0..r3; returns r0 (r1..r3 are clobbered). */
int32_t psci_call(uint32_t fn, uint32_t a, uint32_t b, uint32_t c);
/* PSCI SYSTEM_OFF; never returns (spins if the call comes back). */
void system_off(void) __attribute__((noreturn));
/* A failed guest: print "NAME: FAIL reason", then power off. */
void guest_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* ---- MMIO --------------------------------------------------------------- */
static inline uint32_t mmio_read32(uint32_t addr)
{
	uint32_t v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uint32_t addr, uint32_t v)
{
	__asm__ volatile("str %0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

static inline uint32_t mmio_read8(uint32_t addr)
{
	uint32_t v;
	__asm__ volatile("ldrb %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write8(uint32_t addr, uint32_t v)
{
	__asm__ volatile("strb %0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

static inline void dmb(void)
{
	__asm__ volatile("dmb ish" ::: "memory");
}
static inline void dsb(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
}
static inline void isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cpsid if" ::: "memory");
}

static inline uint32_t read_cpsr(void)
{
	uint32_t v;
	__asm__ volatile("mrs %0, cpsr" : "=r"(v));
	return v;
}

static inline uint32_t read_mpidr(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 0, %0, c0, c0, 5" : "=r"(v));
	return v;
}

/*
 * Fault-probing accessors (probe.S). Each is a single ARM load or store
 * followed by "bx lr", so the skip-the-faulting-instruction logic in the
 * exception handler lands on the return. A probe that faults leaves its
 * result register unchanged: probe_read* then return `addr` itself, so use
 * exc_count()/exc_last() to tell whether the access aborted.
 */
uint32_t probe_read32(uint32_t addr);
uint32_t probe_read16(uint32_t addr);
uint32_t probe_read8(uint32_t addr);
void probe_write32(uint32_t addr, uint32_t v);
void probe_write16(uint32_t addr, uint32_t v);
void probe_write8(uint32_t addr, uint32_t v);
/* ldm/stm and ldrd/strd of two words: no valid syndrome for the monitor. */
void probe_ldm2(uint32_t addr);
void probe_stm2(uint32_t addr, uint32_t v);
void probe_ldrd(uint32_t addr);
void probe_strd(uint32_t addr, uint32_t v);

/* ---- counters (generic timer, virtual view) ------------------------------ */
static inline uint64_t read_cntvct(void)
{
	uint32_t lo, hi;
	isb();
	__asm__ volatile("mrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint32_t read_cntfrq(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(v));
	return v;
}

static inline void write_cntv_tval(uint32_t v)
{
	__asm__ volatile("mcr p15, 0, %0, c14, c3, 0" : : "r"(v));
	isb();
}

static inline uint32_t read_cntv_ctl(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 0, %0, c14, c3, 1" : "=r"(v));
	return v;
}

static inline void write_cntv_ctl(uint32_t v)
{
	__asm__ volatile("mcr p15, 0, %0, c14, c3, 1" : : "r"(v));
	isb();
}

#define CNTV_CTL_ENABLE  (1u << 0)
#define CNTV_CTL_IMASK   (1u << 1)
#define CNTV_CTL_ISTATUS (1u << 2)

/* CNTFRQ, or 62.5 MHz (QEMU's generic timer) if it reads as zero. */
uint32_t counter_freq(void);
/* Busy-wait `iterations` trips of an empty loop (no exits). */
void delay_loop(uint32_t iterations);

/* ---- console (PL011 data register, emulated by the monitor) ------------- */
void uart_putc(char c);
void uart_puts(const char *s);
/* printf through musl's vsnprintf; one line is written under a lock so
 * vCPUs do not interleave inside a line. */
int gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int gvprintf(const char *fmt, va_list ap);

/* The name every guest prefixes its result lines with ("hello", "seq"...). */
extern const char guest_name[];

/* ---- exceptions ---------------------------------------------------------- */
enum exc_type {
	EXC_UNDEF = 1,
	EXC_SVC = 2,
	EXC_PABT = 3,
	EXC_DABT = 4,
	EXC_IRQ = 5,
	EXC_FIQ = 6,
};

/* What start.S saves on the exception mode's stack. */
struct exc_frame {
	uint32_t r[13]; /* r0..r12 of the interrupted context */
	uint32_t ret;   /* return address: start.S adjusts it for the type */
	uint32_t spsr;
};

struct exc_info {
	enum exc_type type;
	uint32_t pc; /* address of the faulting / trapped instruction */
	uint32_t spsr;
	uint32_t dfar, dfsr; /* data abort */
	uint32_t ifar, ifsr; /* prefetch abort */
};

/*
 * A hook sees every undef, SVC, prefetch/data abort. It returns
 *   EXC_SKIP   resume after the faulting instruction,
 *   EXC_RETRY  resume at it (only if the hook fixed the cause),
 *   EXC_FATAL  print the exception and fail the guest.
 * With no hook installed every exception is fatal.
 */
enum exc_action { EXC_FATAL = 0, EXC_SKIP = 1, EXC_RETRY = 2 };
typedef enum exc_action (*exc_hook_t)(const struct exc_info *info, struct exc_frame *frame);
void exc_set_hook(exc_hook_t hook);
/* A ready-made hook: record the exception and skip the instruction. */
enum exc_action exc_hook_skip(const struct exc_info *info, struct exc_frame *frame);
/* Exceptions recorded by exc_hook_skip (all types, and per type). */
uint32_t exc_count(void);
uint32_t exc_count_type(enum exc_type type);
/* The last one recorded by exc_hook_skip. */
struct exc_info exc_last(void);

/* IRQs are masked in every guest; one that arrives anyway is acknowledged at
 * GICC and handed to this hook (NULL: print it and carry on). */
typedef void (*irq_hook_t)(uint32_t iar);
void irq_set_hook(irq_hook_t hook);

/* ---- secondary CPUs (PSCI CPU_ON entry) --------------------------------- */
/* Physical address to pass as PSCI CPU_ON's entry point. */
void secondary_entry(void);
/* What a secondary runs: called with the CPU_ON context. If it returns (or
 * is NULL) the CPU calls PSCI CPU_OFF. */
typedef void (*secondary_fn_t)(uint32_t context);
extern secondary_fn_t volatile secondary_fn;
#define GUEST_MAX_CPUS 4

/* ---- device tree ---------------------------------------------------------- */
/* The DTB main() was given (also saved by start.S). */
extern const void *guest_dtb;
/* "/chosen" bootargs, or "" (never NULL). */
const char *bootargs(void);
/* Value of "key=N" (decimal or 0x hex) in bootargs, or `def` if absent or
 * malformed. Options are separated by spaces or commas. */
uint32_t bootarg_u32(const char *key, uint32_t def);
/* Size of the RAM bank at 0x40000000 from /memory's reg, or 0. */
uint64_t dtb_ram_size(void);

#endif
