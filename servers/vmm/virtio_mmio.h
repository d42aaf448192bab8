/*
 * The virtio-mmio transport, version 2 (virtio 1.2 section 4.2), the
 * device side. Register offsets and status bits come from
 * <linux/virtio_mmio.h> and <linux/virtio_config.h>; the behaviour is
 * described in virtio_mmio.c. A device model (virtio_rng.c) supplies its
 * identity (struct virtio_device) and processes the queues it is kicked for.
 *
 * The state is plain data without pointers: it lives in the monitor's state
 * region and a restarted monitor picks it up as it is.
 */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "virtqueue.h"

#define VIRTIO_MMIO_MAX_QUEUES 2
#define VIRTIO_MMIO_SLOT_SIZE  0x200u /* registers and config space, as QEMU's */

/* What a device model is: constant, not part of the state. */
struct virtio_device {
	uint32_t device_id; /* <linux/virtio_ids.h> */
	uint64_t features;  /* offered besides VIRTIO_F_VERSION_1 */
	unsigned nr_queues; /* 1..VIRTIO_MMIO_MAX_QUEUES */
	uint32_t queue_num_max;
};

struct virtio_mmio {
	uint32_t status; /* device status field (2.1) */
	uint32_t isr;    /* InterruptStatus: VIRTIO_MMIO_INT_* */
	uint32_t dev_features_sel, drv_features_sel;
	uint64_t drv_features;
	uint32_t queue_sel;
	uint32_t error; /* the vq_error that set DEVICE_NEEDS_RESET, for the log */
	struct vq_state vq[VIRTIO_MMIO_MAX_QUEUES];
};

void virtio_mmio_reset(struct virtio_mmio *v);

/* Register reads have no side effects. 0, or -1 for a bad access (abort). */
int virtio_mmio_read(const struct virtio_mmio *v, const struct virtio_device *dev, uint32_t off,
                     unsigned size, uint32_t *val);

/* *kick gets bit q for every queue the device should now process (a
 * QueueNotify, or DRIVER_OK with queues already set up). 0, or -1. */
int virtio_mmio_write(struct virtio_mmio *v, const struct virtio_device *dev,
                      const struct guest_mem *gm, uint32_t off, unsigned size, uint32_t val,
                      uint32_t *kick);

/* An error only a reset clears (2.1.2): DEVICE_NEEDS_RESET, and a
 * configuration change interrupt once the driver is up. */
void virtio_mmio_needs_reset(struct virtio_mmio *v, int error);

/* Queue q may be used: DRIVER_OK, no DEVICE_NEEDS_RESET, QueueReady. */
bool virtio_mmio_queue_live(const struct virtio_mmio *v, unsigned q);

/* The level of the transport's interrupt line: InterruptStatus != 0. */
bool virtio_mmio_irq_level(const struct virtio_mmio *v);

#endif
