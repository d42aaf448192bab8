/*
 * Virtual PL011 UART (ARM PrimeCell UART TRM, DDI0183). The register
 * behaviour is described in vpl011.c.
 *
 * The state is plain data without pointers: it lives in the monitor's state
 * region and a restarted monitor picks it up as it is.
 */
#ifndef VMM_VPL011_H
#define VMM_VPL011_H

#include <stdbool.h>
#include <stdint.h>

#define VPL011_RX_FIFO_SIZE 32

struct vpl011 {
	uint32_t cr;
	uint32_t lcr_h;
	uint32_t ibrd;
	uint32_t fbrd;
	uint32_t ifls;
	uint32_t imsc;
	uint32_t ris;
	uint32_t dmacr;
	uint32_t ilpr;
	uint32_t rx_head;  /* index of the oldest received byte */
	uint32_t rx_count; /* bytes in rx_fifo */
	uint8_t rx_fifo[VPL011_RX_FIFO_SIZE];
};

/* Interrupt bits of IMSC, RIS, MIS and ICR. */
#define VPL011_INT_RX (1u << 4)
#define VPL011_INT_TX (1u << 5)
#define VPL011_INT_RT (1u << 6)

void vpl011_init(struct vpl011 *u);

/* size 1, 2 or 4 at an offset aligned to it, below 0x1000; else -1. */
int vpl011_read(struct vpl011 *u, uint32_t offset, unsigned size, uint32_t *val);

/* *tx_char = the byte a DR write transmits, else -1. */
int vpl011_write(struct vpl011 *u, uint32_t offset, unsigned size, uint32_t val, int *tx_char);

/* A byte arrives on the line: 0, or -1 when the RX FIFO is full. */
int vpl011_rx_push(struct vpl011 *u, uint8_t c);

/* The level of the UART's combined interrupt line. */
bool vpl011_irq_level(const struct vpl011 *u);

#endif
