/* Functions shared inside the ARMv7 port and with boot/. */
#ifndef ARMV7_H
#define ARMV7_H

#include <stdint.h>

struct vcpu;

/* struct vcpu.cp15[], by register */
enum cp15_slot {
	C_SCTLR,
	C_CPACR,
	C_TTBCR,
	C_DACR,
	C_DFSR,
	C_IFSR,
	C_ADFSR,
	C_AIFSR,
	C_DFAR,
	C_IFAR,
	C_PRRR,
	C_NMRR,
	C_AMAIR0,
	C_AMAIR1,
	C_VBAR,
	C_CONTEXTIDR,
	C_TPIDRURW,
	C_TPIDRURO,
	C_TPIDRPRW,
	C_CNTKCTL,
	C_CSSELR,
	C_NR
};

#define CPACR_CP10_CP11_FULL (0xfu << 20)

void gic_init_distributor(void);
void gic_init_cpu(void);
void gic_vcpu_save(struct vcpu *v);
void gic_vcpu_restore(const struct vcpu *v);
void pt_pool_init(uint32_t start, uint32_t end);
void platform_read(const void *fdt);

#endif
