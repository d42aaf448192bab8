/* What boot/ learnt from the host device tree. */
#ifndef PLATFORM_H
#define PLATFORM_H

#include <stdint.h>

struct platform {
	uint32_t ram_base, ram_size;
	uint32_t gicd, gicc, gich, gicv;
	uint32_t uart;
	uint32_t uart_irq;
	uint32_t psci_hvc; /* 0: SMC conduit, 1: HVC */
	unsigned nr_cpus;
};

extern struct platform platform;

#endif
