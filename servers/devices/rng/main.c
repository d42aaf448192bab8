/*
 * The entropy server (servers/devices/rng): a virtio driver at PL0 for
 * QEMU's virtio-rng device (virtio 1.2 section 5.4) on its virtio-mmio
 * transport, version 2 (4.2), that hands the host's entropy to monitors
 * over IPC (proto.h, RNG_GET).
 *
 * It sees only the page of its transport (HV_SRV_DEVICE, Device memory)
 * and one page of its own memory (HV_SRV_DMA) whose physical address init
 * tells it: the device reads the queue and writes the entropy there, by
 * physical address. Page layout:
 *   0x000 descriptor table (QUEUE_NUM entries, 16-byte aligned, 2.7)
 *   0x100 available ring    0x200 used ring    0x400 the pool buffer
 * One buffer is in flight at a time: when the pool is used up the server
 * posts it again, notifies the device and waits for its interrupt. Bytes
 * given out are wiped from the pool, so none is given twice.
 */
#include <hv/layout.h>
#include <hv/log.h>
#include <hv/proto.h>
#include <hv/syscall.h>
#include <hv/virtio_drv.h>
#include <stdbool.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#define QUEUE_NUM 4u
#define AVAIL_OFF 0x100u
#define USED_OFF  0x200u
#define POOL_OFF  0x400u
#define POOL_SIZE 256u

static const struct rng_info *const info = (const struct rng_info *)HV_SRV_BOOTINFO;
static struct virtio_drv dev = {.name = "rng"};
static uint8_t *const dma = (uint8_t *)HV_SRV_DMA;
static volatile struct vring_desc *const desc = (volatile struct vring_desc *)HV_SRV_DMA;
static volatile struct vring_avail *const avail =
    (volatile struct vring_avail *)(HV_SRV_DMA + AVAIL_OFF);
static volatile struct vring_used *const used =
    (volatile struct vring_used *)(HV_SRV_DMA + USED_OFF);
static uint16_t last_used;
static uint32_t pool_len, pool_pos;
static bool device_ok;

static int device_init(void)
{
	uint32_t features; /* none asked for */
	dev.regs = (volatile uint32_t *)info->mmio_ipa;
	dev.queue_pa = info->dma_pa;
	memset(dma, 0, POOL_OFF);
	if (virtio_drv_start(&dev, VIRTIO_ID_RNG, 0, &features) ||
	    virtio_drv_queue(&dev, QUEUE_NUM, QUEUE_NUM, AVAIL_OFF, USED_OFF) < 0)
		return -1; /* the rings hold QUEUE_NUM */
	return hv_irq_bind(RNG_CAP_IRQ, RNG_CAP_NTFN) ? -1 : 0;
}

/* The device answered: its interrupt acknowledged at the transport, then
 * unmasked again at the GIC. */
static void ack_interrupt(void)
{
	virtio_drv_write(&dev, VIRTIO_MMIO_INTERRUPT_ACK,
	                 virtio_drv_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS));
	hv_irq_ack(RNG_CAP_IRQ);
}

/* Post the pool buffer (2.7.13) and wait until the device used it. */
static int refill(void)
{
	desc[0].addr = info->dma_pa + POOL_OFF;
	desc[0].len = POOL_SIZE;
	desc[0].flags = VRING_DESC_F_WRITE;
	desc[0].next = 0;
	avail->ring[avail->idx % QUEUE_NUM] = 0;
	__asm__ volatile("dmb sy" ::: "memory");
	avail->idx++;
	virtio_drv_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	while (used->idx == last_used) {
		if (virtio_drv_read(&dev, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET)
			return -1;
		uint32_t bits;
		hv_wait(RNG_CAP_NTFN, &bits);
		ack_interrupt();
	}
	__asm__ volatile("dmb sy" ::: "memory");
	/* one buffer out, so exactly it comes back (2.7.8) */
	if ((uint16_t)(used->idx - last_used) != 1 || used->ring[last_used % QUEUE_NUM].id != 0)
		return -1;
	uint32_t len = used->ring[last_used % QUEUE_NUM].len;
	last_used++;
	ack_interrupt();
	pool_len = len < POOL_SIZE ? len : POOL_SIZE;
	pool_pos = 0;
	return pool_len ? 0 : -1;
}

/* RNG_GET: m[1] bytes wanted -> m[0] bytes given, m[1..5] the bytes. */
static void serve(uint32_t *m)
{
	uint32_t want = m[1];
	if (m[0] != RNG_GET || want == 0 || want > RNG_MSG_BYTES) {
		m[0] = (uint32_t)HV_EINVAL;
		return;
	}
	if (device_ok && pool_pos == pool_len && refill()) {
		device_ok = false; /* its rings are in an unknown state: no more requests */
		log_printf("rng: the virtio-rng device failed: no more entropy to serve\n");
	}
	if (!device_ok) {
		m[0] = (uint32_t)HV_ESTATE;
		return;
	}
	uint32_t n = pool_len - pool_pos < want ? pool_len - pool_pos : want;
	uint8_t bytes[RNG_MSG_BYTES] = {0};
	memcpy(bytes, dma + POOL_OFF + pool_pos, n);
	memset(dma + POOL_OFF + pool_pos, 0, n); /* never given twice */
	pool_pos += n;
	m[0] = n;
	memcpy(&m[1], bytes, sizeof(bytes));
}

int main(void);
int main(void)
{
	log_init(0, (struct hv_ring *)info->ring_ipa, RNG_CAP_LOG);
	device_ok = device_init() == 0;
	if (device_ok)
		log_printf("rng: virtio-rng ready, transport at 0x%08x\n", (unsigned)info->mmio_pa);
	else
		log_printf("rng: the virtio-rng device did not come up: no entropy to serve\n");
	struct hv_msg msg = {0};
	bool reply = false;
	for (;;) {
		int err = reply ? hv_reply_recv(RNG_CAP_EP, &msg) : hv_recv(RNG_CAP_EP, &msg);
		reply = false;
		if (err || msg.badge == HV_BADGE_NTFN)
			continue;
		serve(msg.m);
		reply = true;
	}
}
