/* The block server's checks: see check.h. */
#include "check.h"

#include <hv/layout.h>

uint32_t blk_ram_pa(const struct blk_disk *d, uint32_t addr, uint32_t len)
{
	uint32_t off = addr - HV_GUEST_RAM;
	if (addr < HV_GUEST_RAM || len == 0 || off >= d->ram_size || len > d->ram_size - off)
		return 0;
	return d->ram_pa + off;
}

bool blk_sectors_ok(const struct blk_disk *d, uint64_t sector, uint64_t bytes)
{
	return bytes % BLK_SECTOR == 0 && sector <= d->sectors &&
	       bytes / BLK_SECTOR <= d->sectors - sector;
}

bool blk_batch_ok(const struct blk_batch *b)
{
	uint32_t total = 0;
	if (b->nreqs > BLK_BATCH_MAX || b->nsegs > BLK_BATCH_SEGS)
		return false;
	for (unsigned i = 0; i < b->nreqs; i++) {
		if (b->req[i].nsegs > BLK_MAX_SEGS)
			return false;
		total += b->req[i].nsegs;
	}
	return total == b->nsegs;
}
