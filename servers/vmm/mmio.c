/*
 * MMIO decoding, following the ARM Architecture Reference Manual ARMv7-A/R
 * (DDI0406C), B3.13.6: the ISS of a Data Abort taken to Hyp mode (EC 0x24)
 * holds, when ISV is set, what the trapped load or store was.
 *
 * The mmio_region table is the monitor's device map; it is rebuilt by each
 * monitor instance (it holds pointers, so it never lives in the state region).
 */
#include "mmio.h"

#include <stddef.h>

#include <hv/abi.h>

#define HSR_EC_SHIFT      26
#define HSR_ISS_ISV       (1u << 24) /* syndrome valid */
#define HSR_ISS_SAS_SHIFT 22         /* access size: 0 byte, 1 halfword, 2 word */
#define HSR_ISS_SAS_MASK  3u
#define HSR_ISS_SSE       (1u << 21) /* sign-extend the loaded value */
#define HSR_ISS_SRT_SHIFT 16         /* register transferred */
#define HSR_ISS_SRT_MASK  0xFu
#define HSR_ISS_WNR       (1u << 6) /* write, not read */
#define SAS_WORD          2u

static uint32_t size_mask(unsigned size)
{
	return size >= 4 ? ~0u : (1u << (8 * size)) - 1;
}

int mmio_decode(uint32_t hsr, uint32_t ipa, uint32_t rt_value, struct mmio_access *a)
{
	uint32_t sas = (hsr >> HSR_ISS_SAS_SHIFT) & HSR_ISS_SAS_MASK;

	if ((hsr >> HSR_EC_SHIFT) != HV_EC_DABT_LOW || !(hsr & HSR_ISS_ISV))
		return -1;
	if (sas > SAS_WORD)
		return -1; /* doubleword: reserved in AArch32 */
	a->ipa = ipa;
	a->size = (uint8_t)(1u << sas);
	a->write = (hsr & HSR_ISS_WNR) != 0;
	a->sign_extend = !a->write && (hsr & HSR_ISS_SSE) != 0;
	a->rt = (uint8_t)((hsr >> HSR_ISS_SRT_SHIFT) & HSR_ISS_SRT_MASK);
	a->value = a->write ? rt_value & size_mask(a->size) : 0;
	return 0;
}

uint32_t mmio_load_value(const struct mmio_access *a, uint32_t raw)
{
	uint32_t value = raw & size_mask(a->size);

	if (a->sign_extend && (a->size == 1 || a->size == 2) && (value >> (8 * a->size - 1)) & 1)
		value |= ~size_mask(a->size);
	return value;
}

static bool region_contains(const struct mmio_region *r, uint32_t ipa)
{
	return ipa - r->base < r->size; /* unsigned: also false below base */
}

/* A VM has a handful of emulated devices: a linear scan is the fastest. */
const struct mmio_region *mmio_find(const struct mmio_region *regions, unsigned n, uint32_t ipa)
{
	for (unsigned i = 0; i < n; i++)
		if (region_contains(&regions[i], ipa))
			return &regions[i];
	return NULL;
}
