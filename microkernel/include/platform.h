/* What boot/ learnt from the host device tree. */
#ifndef PLATFORM_H
#define PLATFORM_H

#include <stdint.h>

struct platform {
	uint32_t ram_base, ram_size;
	uint32_t gicd, gicc, gich, gicv;
	uint32_t uart;
	uint32_t uart_irq;
	uint32_t psci_hvc;                 /* 0: SMC conduit, 1: HVC */
	uint32_t virtio_base, virtio_size; /* span of the virtio,mmio nodes, or 0 */
	unsigned nr_cpus;
};

extern struct platform platform;

#endif
