/*
 * banked: MMIO stores and loads through every register a mode banks (ARM
 * ARM B1.3.2): r8-r12 in FIQ mode, SP and LR in FIQ, IRQ, SVC, ABT, UND and
 * System mode, plus r10/r12 outside FIQ. Each access traps to the monitor
 * (GICD_IPRIORITYR, which keeps bits 0xf8 of each byte), which must find
 * the value in, and put the answer back into, the right bank. One line per
 * access; the other modes' copies must be left alone.
 */
#include "guest.h"

#include <stdbool.h>

const char guest_name[] = "banked";

#define PRIO_REG   (GICD_BASE + 0x420u) /* IPRIORITYR8: SPIs 32-35 */
#define PRIO_MASK  0xf8f8f8f8u
#define SVC_MARKER 0x5a5a5a5au

/* Store v from reg in mode, clear reg, load it back; return what came
 * back in r0, and the SVC copy of reg (set to SVC_MARKER first) in r1.
 * r4/r5 keep the mode's SP/LR so the mode is left as it was found. */
#define ACCESS(fn, mode, reg)                                                                      \
	static uint32_t fn(uint32_t v, uint32_t *svc_copy)                                         \
	{                                                                                          \
		register uint32_t r0 __asm__("r0");                                                \
		register uint32_t r1 __asm__("r1") = v;                                            \
		register uint32_t r2 __asm__("r2") = PRIO_REG;                                     \
		register uint32_t r3 __asm__("r3") = SVC_MARKER;                                   \
		__asm__ volatile("mov r6, " reg "\n\t"                                             \
		                 "mov " reg ", r3\n\t"                                             \
		                 "cps #" #mode "\n\t"                                              \
		                 "mov r4, sp\n\t"                                                  \
		                 "mov r5, lr\n\t"                                                  \
		                 "mov " reg ", r1\n\t"                                             \
		                 "str " reg ", [r2]\n\t"                                           \
		                 "mov " reg ", #0\n\t"                                             \
		                 "ldr " reg ", [r2]\n\t"                                           \
		                 "mov r0, " reg "\n\t"                                             \
		                 "mov sp, r4\n\t"                                                  \
		                 "mov lr, r5\n\t"                                                  \
		                 "cps #0x13\n\t"                                                   \
		                 "mov r3, " reg "\n\t"                                             \
		                 "mov " reg ", r6"                                                 \
		                 : "=r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)                          \
		                 :                                                                 \
		                 : "r4", "r5", "r6", "memory");                                    \
		*svc_copy = r3;                                                                    \
		return r0;                                                                         \
	}

ACCESS(fiq_r8, 0x11, "r8")
ACCESS(fiq_r9, 0x11, "r9")
ACCESS(fiq_r10, 0x11, "r10")
ACCESS(fiq_r11, 0x11, "r11")
ACCESS(fiq_r12, 0x11, "r12")
ACCESS(fiq_sp, 0x11, "sp")
ACCESS(fiq_lr, 0x11, "lr")
ACCESS(irq_sp, 0x12, "sp")
ACCESS(irq_lr, 0x12, "lr")
ACCESS(abt_sp, 0x17, "sp")
ACCESS(abt_lr, 0x17, "lr")
ACCESS(und_sp, 0x1b, "sp")
ACCESS(und_lr, 0x1b, "lr")
ACCESS(sys_sp, 0x1f, "sp")
ACCESS(sys_lr, 0x1f, "lr")
ACCESS(svc_sp, 0x13, "sp")
ACCESS(svc_lr, 0x13, "lr")
ACCESS(svc_r10, 0x13, "r10")
ACCESS(svc_r12, 0x13, "r12")

struct access {
	const char *name;
	uint32_t (*fn)(uint32_t, uint32_t *);
	bool banked; /* the SVC copy must keep SVC_MARKER */
};

static const struct access accesses[] = {
    {"fiq r8", fiq_r8, true},    {"fiq r9", fiq_r9, true},   {"fiq r10", fiq_r10, true},
    {"fiq r11", fiq_r11, true},  {"fiq r12", fiq_r12, true}, {"fiq sp", fiq_sp, true},
    {"fiq lr", fiq_lr, true},    {"irq sp", irq_sp, true},   {"irq lr", irq_lr, true},
    {"abt sp", abt_sp, true},    {"abt lr", abt_lr, true},   {"und sp", und_sp, true},
    {"und lr", und_lr, true},    {"sys sp", sys_sp, true},   {"sys lr", sys_lr, true},
    {"svc sp", svc_sp, false},   {"svc lr", svc_lr, false},  {"svc r10", svc_r10, false},
    {"svc r12", svc_r12, false},
};

int main(const void *dtb);

int main(const void *dtb)
{
	(void)dtb;
	unsigned failed = 0;
	for (unsigned i = 0; i < sizeof(accesses) / sizeof(accesses[0]); i++) {
		const struct access *a = &accesses[i];
		uint32_t v = (0x9e3779b9u * (i + 1)) & PRIO_MASK;
		uint32_t svc_copy = 0;
		uint32_t got = a->fn(v, &svc_copy);
		bool ok = got == v && (!a->banked || svc_copy == SVC_MARKER);
		gprintf("banked: %s %s wrote 0x%08lx read 0x%08lx svc copy 0x%08lx\n",
		        ok ? "ok" : "FAIL", a->name, (unsigned long)v, (unsigned long)got,
		        (unsigned long)svc_copy);
		failed += !ok;
	}
	gprintf(failed ? "banked: FAIL\n" : "banked: PASS\n");
	return 0;
}
