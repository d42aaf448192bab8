/*
 * The block server's checks of what a monitor asks (proto.h, BLK_RW),
 * apart from the driver so that host unit tests run them.
 */
#ifndef BLK_CHECK_H
#define BLK_CHECK_H

#include <hv/proto.h>
#include <stdbool.h>
#include <stdint.h>

/* [addr, addr + len) is guest RAM of the disk's VM: its physical address,
 * else 0 (also for len 0). */
uint32_t blk_ram_pa(const struct blk_disk *d, uint32_t addr, uint32_t len);

/* bytes from `sector` are whole sectors, all on the disk. */
bool blk_sectors_ok(const struct blk_disk *d, uint64_t sector, uint64_t bytes);

/* The batch's counts hold together: at most BLK_BATCH_MAX requests of at
 * most BLK_MAX_SEGS buffers each, nsegs their sum, at most BLK_BATCH_SEGS. */
bool blk_batch_ok(const struct blk_batch *b);

#endif
