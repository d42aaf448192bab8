/*
 * The virtio block device (virtio 1.2 section 5.2) on the virtio-mmio
 * transport: request parsing and validation, the configuration space, and
 * the requestq loop. Where the sectors are is the caller's: in the monitor
 * an IPC call to the block server (servers/devices/blk), in tests a fake.
 */
#ifndef VMM_VIRTIO_BLK_H
#define VMM_VIRTIO_BLK_H

#include <hv/proto.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio_mmio.h"

#define VIRTIO_BLK_QUEUE_MAX 128u
#define VIRTIO_BLK_SEG_MAX   (VIRTIO_BLK_QUEUE_MAX - 2) /* header and status besides */

extern const struct virtio_device virtio_blk_device;

/* Request layouts that make the device need a reset (5.2.6, 2.7.4.2). */
enum virtio_blk_error {
	BLK_ERR_HEADER = -20, /* the first buffer is not a 16-byte readable header */
	BLK_ERR_STATUS = -21, /* the last buffer is not a 1-byte writable status */
	BLK_ERR_DATA = -22,   /* a data buffer of the wrong direction for the type */
	BLK_ERR_SEGS = -23,   /* more data buffers than seg_max */
};

/* A request, parsed from its chain: data buffers are c->seg[1 .. 1+ndata). */
struct blk_request {
	uint32_t type; /* VIRTIO_BLK_T_* */
	uint64_t sector;
	unsigned ndata;
	uint32_t data_len;
	uint32_t status_addr; /* guest address of the status byte */
};

/* 5.2.6: header, data, status. 0, or a virtio_blk_error / vq_error. */
int virtio_blk_parse(const struct guest_mem *gm, const struct vq_chain *c, struct blk_request *r);

/* What the device answers without doing I/O: VIRTIO_BLK_S_OK when the
 * request should go to the disk, VIRTIO_BLK_S_IOERR (sectors beyond the
 * capacity, a length not a multiple of 512), VIRTIO_BLK_S_UNSUPP. */
uint8_t virtio_blk_check(const struct blk_request *r, uint64_t capacity);

/* 5.2.4: the configuration space (capacity, seg_max), any access size. */
int virtio_blk_config_read(uint64_t capacity, uint32_t off, unsigned size, uint32_t *val);

/* A request taken from the requestq, waiting for its batch to be done. */
struct blk_pending {
	struct vq_chain c;
	struct blk_request r;
	uint8_t status; /* VIRTIO_BLK_S_*: the check's, or the backend's if for_io */
	bool for_io;    /* passed the checks: the backend does it */
};

/* Do the requests of p[0..n) that are for_io, setting their status: 0, or
 * a negative error (the backend is unavailable: they fail with IOERR). */
typedef int (*blk_io_fn)(void *ctx, struct blk_pending *p, unsigned n);

/*
 * Serve the requestq: the available chains are parsed and checked, those
 * that pass go to the backend in batches (at most BLK_BATCH_MAX requests
 * and BLK_BATCH_SEGS data buffers, proto.h), then each gets its status
 * byte and its used element, in ring order (not yet published:
 * vq_publish). A bad chain sets DEVICE_NEEDS_RESET; those before it are
 * completed. Returns the requests completed.
 */
int virtio_blk_process(struct virtio_mmio *v, const struct guest_mem *gm, uint64_t capacity,
                       blk_io_fn io, void *ctx);

#endif
