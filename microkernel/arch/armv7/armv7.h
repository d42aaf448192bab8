/* Functions shared inside the ARMv7 port and with boot/. */
#ifndef ARMV7_H
#define ARMV7_H

#include <stdint.h>

struct vcpu;

void gic_init_distributor(void);
void gic_init_cpu(void);
void gic_vcpu_save(struct vcpu *v);
void gic_vcpu_restore(const struct vcpu *v);
void pt_pool_init(uint32_t start, uint32_t end);
void platform_read(const void *fdt);

#endif
