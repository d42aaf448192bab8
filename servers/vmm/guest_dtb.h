/*
 * The guest's device tree, built by the monitor with libfdt: memory, CPUs
 * with PSCI, the GICv2, the generic timer, the PL011 console and the
 * virtio-mmio transports.
 */
#ifndef VMM_GUEST_DTB_H
#define VMM_GUEST_DTB_H

#include <stdint.h>

struct guest_dtb_params {
	uint32_t ram_base;
	uint32_t ram_size;
	unsigned nr_cpus;     /* 1..8 (the GIC's PPI CPU mask is 8 bits wide) */
	const char *bootargs; /* NULL: no bootargs property */
	uint32_t initrd_start;
	uint32_t initrd_end; /* 0, 0 = no initrd */
	uint32_t gicd;
	uint32_t gicc;
	uint32_t uart;
	uint32_t uart_irq;       /* INTID, an SPI (>= 32) */
	unsigned nr_virtio;      /* virtio-mmio transports, 0..GUEST_DTB_MAX_VIRTIO */
	uint32_t virtio;         /* the first; the others follow every 0x200 */
	uint32_t virtio_irq;     /* its INTID (an SPI); the others follow */
	const uint8_t *rng_seed; /* /chosen/rng-seed, or NULL */
	uint32_t rng_seed_len;
	/* more transports: bit i, transport i (i < GUEST_DTB_MAX_VIRTIO) */
	uint32_t virtio_mask;
};

#define GUEST_DTB_MAX_VIRTIO 8

/* 0, or a negative libfdt error (-FDT_ERR_NOSPACE: buf too small,
 * -FDT_ERR_BADVALUE: bad parameters). The blob's totalsize is what it uses. */
int guest_dtb_build(void *buf, uint32_t bufsize, const struct guest_dtb_params *p);

#endif
