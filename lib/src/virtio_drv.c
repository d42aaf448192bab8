/* Device bring-up for PL0 virtio drivers (hv/virtio_drv.h). */
#include <hv/log.h>
#include <hv/virtio_drv.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#define MAGIC_VIRT  0x74726976u                       /* "virt" */
#define FEATURE_V1  (1u << (VIRTIO_F_VERSION_1 - 32)) /* in the high word */
#define DRIVER_BITS (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER)

uint32_t virtio_drv_read(const struct virtio_drv *d, uint32_t off)
{
	return d->regs[off / 4];
}

void virtio_drv_write(const struct virtio_drv *d, uint32_t off, uint32_t val)
{
	__asm__ volatile("dsb sy" ::: "memory"); /* the rings before the device sees this */
	d->regs[off / 4] = val;
}

static int failed(const struct virtio_drv *d)
{
	virtio_drv_write(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_FAILED);
	return -1;
}

/* 4.2.3.1.1: the transport is version 2 and holds device_id. */
static int probe(const struct virtio_drv *d, uint32_t device_id)
{
	if (virtio_drv_read(d, VIRTIO_MMIO_MAGIC_VALUE) != MAGIC_VIRT)
		return -1;
	if (virtio_drv_read(d, VIRTIO_MMIO_VERSION) != 2) {
		log_printf("%s: the transport is legacy (version %u), version 2 needed "
		           "(QEMU: -global virtio-mmio.force-legacy=false)\n",
		           d->name, (unsigned)virtio_drv_read(d, VIRTIO_MMIO_VERSION));
		return -1;
	}
	return virtio_drv_read(d, VIRTIO_MMIO_DEVICE_ID) == device_id ? 0 : -1;
}

/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK. */
int virtio_drv_start(const struct virtio_drv *d, uint32_t device_id, uint32_t want, uint32_t *got)
{
	if (probe(d, device_id))
		return failed(d);
	virtio_drv_write(d, VIRTIO_MMIO_STATUS, 0);
	virtio_drv_write(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	virtio_drv_write(d, VIRTIO_MMIO_STATUS, DRIVER_BITS);
	virtio_drv_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	if (!(virtio_drv_read(d, VIRTIO_MMIO_DEVICE_FEATURES) & FEATURE_V1))
		return failed(d);
	virtio_drv_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	*got = virtio_drv_read(d, VIRTIO_MMIO_DEVICE_FEATURES) & want;
	virtio_drv_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	virtio_drv_write(d, VIRTIO_MMIO_DRIVER_FEATURES, *got);
	virtio_drv_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	virtio_drv_write(d, VIRTIO_MMIO_DRIVER_FEATURES, FEATURE_V1);
	virtio_drv_write(d, VIRTIO_MMIO_STATUS, DRIVER_BITS | VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(virtio_drv_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK))
		return failed(d);
	return 0;
}

static void queue_addr(const struct virtio_drv *d, uint32_t low_off, uint32_t page_off)
{
	virtio_drv_write(d, low_off, d->queue_pa + page_off);
	virtio_drv_write(d, low_off + 4, 0);
}

/* 4.2.3.2: queue 0, then DRIVER_OK. */
int virtio_drv_queue(const struct virtio_drv *d, uint32_t num, uint32_t min, uint32_t avail_off,
                     uint32_t used_off)
{
	virtio_drv_write(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	uint32_t max = virtio_drv_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (virtio_drv_read(d, VIRTIO_MMIO_QUEUE_READY) || max < min)
		return failed(d);
	if (num > max)
		num = max;
	virtio_drv_write(d, VIRTIO_MMIO_QUEUE_NUM, num);
	queue_addr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, 0);
	queue_addr(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail_off);
	queue_addr(d, VIRTIO_MMIO_QUEUE_USED_LOW, used_off);
	virtio_drv_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	virtio_drv_write(d, VIRTIO_MMIO_STATUS,
	                 DRIVER_BITS | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	return (int)num;
}
