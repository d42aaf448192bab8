/*
 * The virtio entropy device (virtio 1.2 section 5.4) on the virtio-mmio
 * transport. Where the bytes come from is the caller's: in the monitor an
 * IPC call to the entropy server (servers/devices/rng), in tests a fake.
 */
#ifndef VMM_VIRTIO_RNG_H
#define VMM_VIRTIO_RNG_H

#include <stdint.h>

#include "virtio_mmio.h"

/* Most bytes given for one buffer (5.4.6: the device MAY use less than the
 * whole buffer); bounds the work of one notification. */
#define VIRTIO_RNG_CHAIN_MAX 256u
#define VIRTIO_RNG_QUEUE_MAX 64u

extern const struct virtio_device virtio_rng_device;

/* Up to n bytes of entropy into buf: how many (1..n), or a negative error. */
typedef int (*entropy_fn)(void *ctx, uint8_t *buf, uint32_t n);

/*
 * Serve the requestq: fill each available chain's device-writable buffers
 * and put it in the used ring (not yet published: vq_publish). A bad chain
 * sets DEVICE_NEEDS_RESET. Returns the chains used, or the entropy source's
 * error (the chain it failed on stays available; those before it are used).
 */
int virtio_rng_process(struct virtio_mmio *v, const struct guest_mem *gm, entropy_fn get,
                       void *ctx);

#endif
