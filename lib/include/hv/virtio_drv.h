/*
 * Bringing up a device behind a virtio-mmio transport, version 2, from a
 * PL0 device server (virtio 1.2 sections 3.1.1 and 4.2.3): the part every
 * driver does alike. Queues live in one page whose physical address the
 * device is given; the rings' use is each driver's own.
 */
#ifndef HV_VIRTIO_DRV_H
#define HV_VIRTIO_DRV_H

#include <stdint.h>

struct virtio_drv {
	volatile uint32_t *regs; /* the transport's registers, mapped */
	uint32_t queue_pa;       /* physical address of the queue page */
	const char *name;        /* for messages */
};

uint32_t virtio_drv_read(const struct virtio_drv *d, uint32_t off);
/* Ordered after every earlier write to the rings (DSB). */
void virtio_drv_write(const struct virtio_drv *d, uint32_t off, uint32_t val);

/* A version 2 device of device_id: reset, ACKNOWLEDGE, DRIVER, VERSION_1
 * and the low feature bits of want the device has (*got), FEATURES_OK.
 * 0, or -1 (the device is then marked FAILED). */
int virtio_drv_start(const struct virtio_drv *d, uint32_t device_id, uint32_t want, uint32_t *got);

/* Queue 0 of up to num entries (at least min), its rings at these offsets
 * in the queue page (the descriptor table at 0), then DRIVER_OK. The
 * entries given, or -1 (the device is then marked FAILED). */
int virtio_drv_queue(const struct virtio_drv *d, uint32_t num, uint32_t min, uint32_t avail_off,
                     uint32_t used_off);

#endif
