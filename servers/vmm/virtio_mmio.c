/*
 * The virtio-mmio transport, version 2: virtio 1.2 section 4.2.2 (register
 * layout), 4.2.3 (initialization and operation), 2.1 (device status), 2.2
 * and 6 (feature bits). Device tree node the monitor gives the guest:
 *
 *	virtio_mmio@a000000 { compatible = "virtio,mmio"; dma-coherent;
 *		reg = <0x0a000000 0x200>; interrupts = <0 16 4>; };
 *
 * Registers (32-bit accesses only, 4.2.2.2; the config space from 0x100 is
 * empty for the devices here: it reads as 0 at any size, writes ignored):
 *   0x000 MagicValue "virt"  0x004 Version 2  0x008 DeviceID  0x00c VendorID
 *   0x010 DeviceFeatures, 32 bits at a time by DeviceFeaturesSel (0x014):
 *         the model's features and VIRTIO_F_VERSION_1 (6: a device MUST
 *         offer it; this one also requires it)
 *   0x020 DriverFeatures by DriverFeaturesSel (0x024); ignored once
 *         FEATURES_OK is set
 *   0x030 QueueSel; 0x034 QueueNumMax (0 for a queue that does not exist);
 *   0x038 QueueNum; 0x080-0x0a4 QueueDesc/Driver/Device Low/High: taken
 *         only while the selected queue is not ready (4.2.2.3)
 *   0x044 QueueReady: writing 1 checks the rings (virtqueue.c vq_check); a
 *         bad queue sets DEVICE_NEEDS_RESET instead
 *   0x050 QueueNotify: the queue index; processed once DRIVER_OK is set
 *         (2.1.2: no buffers are used before)
 *   0x060 InterruptStatus, 0x064 InterruptACK (clears the bits written)
 *   0x070 Status: 0 resets the device (4.2.2.1: InterruptStatus and every
 *         QueueReady cleared); FEATURES_OK stays clear when the driver's
 *         features are not a subset of the offered ones with VERSION_1
 *         (2.2.2, 3.1.1); DRIVER_OK without FEATURES_OK is not taken;
 *         DEVICE_NEEDS_RESET is the device's and kept until a reset
 *   0x0ac SHMSel, 0x0b0-0x0bc SHMLen/Base: no shared memory, length -1
 *   0x0fc ConfigGeneration: 0 (the config space never changes)
 * The legacy registers (GuestPageSize, QueueAlign, QueuePFN) and anything
 * else below 0x100 abort.
 *
 * Interrupt: one line, level-sensitive, high while InterruptStatus is not
 * 0 (4.2.3.4); the monitor samples it again when the guest EOIs.
 */
#include "virtio_mmio.h"

#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#define MAGIC_VIRT    0x74726976u /* "virt", little endian (4.2.2) */
#define MMIO_VERSION  2u
#define VENDOR_ID     0x00007668u /* "hv" */
#define FEATURE_V1    (1ull << VIRTIO_F_VERSION_1)
#define NO_SHM_LENGTH 0xffffffffu

static uint64_t offered(const struct virtio_device *dev)
{
	return dev->features | FEATURE_V1;
}

static const struct vq_state *selected(const struct virtio_mmio *v, const struct virtio_device *dev)
{
	return v->queue_sel < dev->nr_queues ? &v->vq[v->queue_sel] : NULL;
}

void virtio_mmio_reset(struct virtio_mmio *v)
{
	memset(v, 0, sizeof(*v));
}

static uint32_t half(uint64_t v, uint32_t sel)
{
	return sel == 0 ? (uint32_t)v : sel == 1 ? (uint32_t)(v >> 32) : 0;
}

/* The selected queue's registers; a queue that does not exist reads 0. */
static int read_queue(const struct vq_state *q, const struct virtio_device *dev, uint32_t off,
                      uint32_t *val)
{
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM_MAX: *val = q ? dev->queue_num_max : 0; return 0;
	case VIRTIO_MMIO_QUEUE_NUM: *val = q ? q->num : 0; return 0;
	case VIRTIO_MMIO_QUEUE_READY: *val = q ? q->ready : 0; return 0;
	case VIRTIO_MMIO_QUEUE_DESC_LOW: *val = q ? half(q->desc, 0) : 0; return 0;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: *val = q ? half(q->desc, 1) : 0; return 0;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW: *val = q ? half(q->driver, 0) : 0; return 0;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: *val = q ? half(q->driver, 1) : 0; return 0;
	case VIRTIO_MMIO_QUEUE_USED_LOW: *val = q ? half(q->device, 0) : 0; return 0;
	case VIRTIO_MMIO_QUEUE_USED_HIGH: *val = q ? half(q->device, 1) : 0; return 0;
	default: return -1;
	}
}

int virtio_mmio_read(const struct virtio_mmio *v, const struct virtio_device *dev, uint32_t off,
                     unsigned size, uint32_t *val)
{
	if (off >= VIRTIO_MMIO_SLOT_SIZE)
		return -1;
	*val = 0;
	if (off >= VIRTIO_MMIO_CONFIG)
		return 0; /* no device-specific configuration */
	if (size != 4 || (off & 3))
		return -1;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: *val = MAGIC_VIRT; return 0;
	case VIRTIO_MMIO_VERSION: *val = MMIO_VERSION; return 0;
	case VIRTIO_MMIO_DEVICE_ID: *val = dev->device_id; return 0;
	case VIRTIO_MMIO_VENDOR_ID: *val = VENDOR_ID; return 0;
	case VIRTIO_MMIO_DEVICE_FEATURES: *val = half(offered(dev), v->dev_features_sel); return 0;
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
	case VIRTIO_MMIO_DRIVER_FEATURES:
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
	case VIRTIO_MMIO_QUEUE_SEL:
	case VIRTIO_MMIO_QUEUE_NOTIFY:
	case VIRTIO_MMIO_INTERRUPT_ACK:
	case VIRTIO_MMIO_SHM_SEL:
	case VIRTIO_MMIO_CONFIG_GENERATION: return 0; /* write-only, or constant 0 */
	case VIRTIO_MMIO_INTERRUPT_STATUS: *val = v->isr; return 0;
	case VIRTIO_MMIO_STATUS: *val = v->status; return 0;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH: *val = NO_SHM_LENGTH; return 0;
	default: return read_queue(selected(v, dev), dev, off, val);
	}
}

void virtio_mmio_needs_reset(struct virtio_mmio *v, int error)
{
	if (v->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	v->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	v->error = (uint32_t)error;
	if (v->status & VIRTIO_CONFIG_S_DRIVER_OK)
		v->isr |= VIRTIO_MMIO_INT_CONFIG; /* 2.1.2 */
}

bool virtio_mmio_queue_live(const struct virtio_mmio *v, unsigned q)
{
	uint32_t s = v->status;
	return q < VIRTIO_MMIO_MAX_QUEUES && v->vq[q].ready && (s & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(s & VIRTIO_CONFIG_S_NEEDS_RESET);
}

bool virtio_mmio_irq_level(const struct virtio_mmio *v)
{
	return v->isr != 0;
}

/* 2.2.2 and 6: a subset of what was offered, with VIRTIO_F_VERSION_1. */
static bool features_acceptable(const struct virtio_mmio *v, const struct virtio_device *dev)
{
	return !(v->drv_features & ~offered(dev)) && (v->drv_features & FEATURE_V1);
}

static uint32_t live_queues(const struct virtio_mmio *v, const struct virtio_device *dev)
{
	uint32_t kick = 0;
	for (unsigned q = 0; q < dev->nr_queues; q++)
		if (virtio_mmio_queue_live(v, q))
			kick |= 1u << q;
	return kick;
}

static void write_status(struct virtio_mmio *v, const struct virtio_device *dev, uint32_t val,
                         uint32_t *kick)
{
	if (val == 0) {
		virtio_mmio_reset(v);
		return;
	}
	uint32_t old = v->status;
	uint32_t s =
	    (val & 0xffu & ~VIRTIO_CONFIG_S_NEEDS_RESET) | (old & VIRTIO_CONFIG_S_NEEDS_RESET);
	if ((s & VIRTIO_CONFIG_S_FEATURES_OK) && !(old & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !features_acceptable(v, dev))
		s &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	if (!(s & VIRTIO_CONFIG_S_FEATURES_OK))
		s &= ~VIRTIO_CONFIG_S_DRIVER_OK;
	v->status = s;
	if ((s & VIRTIO_CONFIG_S_DRIVER_OK) && !(old & VIRTIO_CONFIG_S_DRIVER_OK))
		*kick |= live_queues(v, dev); /* buffers made available before DRIVER_OK */
}

static void write_driver_features(struct virtio_mmio *v, uint32_t val)
{
	if (v->status & VIRTIO_CONFIG_S_FEATURES_OK)
		return;
	if (v->drv_features_sel == 0)
		v->drv_features = (v->drv_features & ~0xffffffffull) | val;
	else if (v->drv_features_sel == 1)
		v->drv_features = (v->drv_features & 0xffffffffull) | (uint64_t)val << 32;
}

static void set_half(uint64_t *reg, unsigned which, uint32_t val)
{
	unsigned shift = which * 32;
	*reg = (*reg & ~(0xffffffffull << shift)) | (uint64_t)val << shift;
}

static void write_ready(struct virtio_mmio *v, const struct virtio_device *dev,
                        const struct guest_mem *gm, struct vq_state *q, uint32_t val)
{
	if (!val) {
		q->ready = 0;
		return;
	}
	if (q->ready)
		return;
	int err = vq_check(gm, q, dev->queue_num_max);
	if (err) {
		virtio_mmio_needs_reset(v, err);
		return;
	}
	q->last_avail = q->used_idx = 0;
	q->ready = 1;
}

static bool queue_register(uint32_t off)
{
	return off == VIRTIO_MMIO_QUEUE_NUM || off == VIRTIO_MMIO_QUEUE_READY ||
	       (off >= VIRTIO_MMIO_QUEUE_DESC_LOW && off <= VIRTIO_MMIO_QUEUE_USED_HIGH &&
	        (off & 0xf) <= 4);
}

/* The selected queue's configuration: only while it is not ready. */
static int write_queue(struct virtio_mmio *v, const struct virtio_device *dev,
                       const struct guest_mem *gm, uint32_t off, uint32_t val)
{
	struct vq_state *q = v->queue_sel < dev->nr_queues ? &v->vq[v->queue_sel] : NULL;
	if (!queue_register(off))
		return -1;
	if (!q || (q->ready && off != VIRTIO_MMIO_QUEUE_READY))
		return 0; /* ignored */
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM: q->num = val; return 0;
	case VIRTIO_MMIO_QUEUE_READY: write_ready(v, dev, gm, q, val); return 0;
	case VIRTIO_MMIO_QUEUE_DESC_LOW: set_half(&q->desc, 0, val); return 0;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: set_half(&q->desc, 1, val); return 0;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW: set_half(&q->driver, 0, val); return 0;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: set_half(&q->driver, 1, val); return 0;
	case VIRTIO_MMIO_QUEUE_USED_LOW: set_half(&q->device, 0, val); return 0;
	case VIRTIO_MMIO_QUEUE_USED_HIGH: set_half(&q->device, 1, val); return 0;
	default: return -1;
	}
}

int virtio_mmio_write(struct virtio_mmio *v, const struct virtio_device *dev,
                      const struct guest_mem *gm, uint32_t off, unsigned size, uint32_t val,
                      uint32_t *kick)
{
	*kick = 0;
	if (off >= VIRTIO_MMIO_SLOT_SIZE)
		return -1;
	if (off >= VIRTIO_MMIO_CONFIG)
		return 0; /* no device-specific configuration */
	if (size != 4 || (off & 3))
		return -1;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: v->dev_features_sel = val; return 0;
	case VIRTIO_MMIO_DRIVER_FEATURES: write_driver_features(v, val); return 0;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: v->drv_features_sel = val; return 0;
	case VIRTIO_MMIO_QUEUE_SEL: v->queue_sel = val; return 0;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (val < dev->nr_queues && virtio_mmio_queue_live(v, val))
			*kick = 1u << val;
		return 0;
	case VIRTIO_MMIO_INTERRUPT_ACK: v->isr &= ~val; return 0;
	case VIRTIO_MMIO_STATUS: write_status(v, dev, val, kick); return 0;
	case VIRTIO_MMIO_SHM_SEL: return 0;
	default: return write_queue(v, dev, gm, off, val);
	}
}
