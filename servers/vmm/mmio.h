/*
 * Decoding of trapped guest data aborts (HSR ISS for EC 0x24, ARM ARM
 * B3.13.6) and dispatch of the access to a device model by address.
 */
#ifndef VMM_MMIO_H
#define VMM_MMIO_H

#include <stdbool.h>
#include <stdint.h>

struct mmio_access {
	uint32_t ipa;
	uint8_t size; /* 1, 2 or 4 bytes */
	bool write;
	bool sign_extend; /* loads only */
	uint8_t rt;
	uint32_t value; /* stores: Rt truncated to size; loads: 0 */
};

/* 0, or -1 if the HSR is not a data abort with a valid syndrome (ISV=0). */
int mmio_decode(uint32_t hsr, uint32_t ipa, uint32_t rt_value, struct mmio_access *a);

/* The value a load puts in Rt: raw truncated to the size, sign-extended if SSE. */
uint32_t mmio_load_value(const struct mmio_access *a, uint32_t raw);

/* A device's frame. read/write return 0, or -1 for a bad access (abort). */
struct mmio_region {
	uint32_t base;
	uint32_t size;
	int (*read)(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t *val);
	int (*write)(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t val);
	void *ctx;
};

/* The region containing ipa, or NULL; regions do not overlap. */
const struct mmio_region *mmio_find(const struct mmio_region *regions, unsigned n, uint32_t ipa);

#endif
