/*
 * virtiorng: drives the monitor's virtio-rng device itself, as a virtio 1.2
 * driver would (3.1.1, 4.2.3, 5.4), with the MMU off:
 *   - finds the virtio,mmio node in its device tree (reg, interrupts);
 *   - MagicValue, Version 2, DeviceID 4;
 *   - a driver without VIRTIO_F_VERSION_1 does not get FEATURES_OK;
 *   - negotiates VERSION_1, sets up the requestq, DRIVER_OK;
 *   - two reads of 16 bytes, each completed in the used ring with an
 *     interrupt (InterruptStatus bit 0), the two different;
 *   - a descriptor outside RAM: DEVICE_NEEDS_RESET and a configuration
 *     change interrupt (bit 1); a reset, then a descriptor loop: the same;
 *   - after a reset the device works again.
 * Prints "virtiorng: PASS ..." or a FAIL line. With "expect=absent" in
 * bootargs it checks instead that the VM has no virtio device (no node, and
 * the transport's address aborts).
 */
#include "guest.h"

#include <libfdt.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

const char guest_name[] = "virtiorng";

#define QN              4u
#define REQ_BYTES       16u
#define MAGIC_VIRT      0x74726976u
#define GICD_ISENABLER  0x100u
#define GICD_IPRIORITYR 0x400u
#define NOT_RAM         0x10000000u
#define WAIT_LOOPS      2000000u
#define STATUS_DRIVER   (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER)

static struct vring_desc desc[QN] __attribute__((aligned(16)));
static struct {
	struct vring_avail hdr;
	uint16_t ring[QN];
} avail __attribute__((aligned(4)));
static struct {
	struct vring_used hdr;
	struct vring_used_elem ring[QN];
} used __attribute__((aligned(4)));
static uint8_t bufs[3][REQ_BYTES] __attribute__((aligned(4)));

static uint32_t base, intid;
static volatile uint32_t irqs, isr_seen, wrong_irqs;
static uint16_t last_used;

static uint32_t rd(uint32_t off)
{
	return mmio_read32(base + off);
}

static void wr(uint32_t off, uint32_t val)
{
	mmio_write32(base + off, val);
}

static void on_irq(uint32_t iar)
{
	if ((iar & 0x3ff) != intid) {
		wrong_irqs++;
		return;
	}
	uint32_t s = rd(VIRTIO_MMIO_INTERRUPT_STATUS);
	isr_seen |= s;
	wr(VIRTIO_MMIO_INTERRUPT_ACK, s);
	irqs++;
}

/* The transport from the device tree: reg and the SPI's INTID. */
static int find_node(void)
{
	int node = fdt_node_offset_by_compatible(guest_dtb, -1, "virtio,mmio"), len;
	if (node < 0)
		return -1;
	const fdt32_t *reg = fdt_getprop(guest_dtb, node, "reg", &len);
	const fdt32_t *irq = fdt_getprop(guest_dtb, node, "interrupts", NULL);
	if (!reg || len != 8 || !irq || !fdt_getprop(guest_dtb, node, "dma-coherent", NULL))
		guest_fail("virtio node without reg, interrupts or dma-coherent");
	base = fdt32_to_cpu(reg[0]);
	intid = fdt32_to_cpu(irq[1]) + 32;
	return 0;
}

static void check_absent(void)
{
	if (find_node() == 0)
		guest_fail("a virtio node in a VM without rng");
	exc_set_hook(exc_hook_skip);
	probe_read32(0x0a000000u);
	if (exc_count_type(EXC_DABT) != 1)
		guest_fail("the transport's address did not abort");
	gprintf("virtiorng: PASS absent\n");
}

/* 3.1.1 up to FEATURES_OK; returns the status read back. */
static uint32_t negotiate(uint32_t features_high)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, STATUS_DRIVER);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	if (!(rd(VIRTIO_MMIO_DEVICE_FEATURES) & (1u << (VIRTIO_F_VERSION_1 - 32))))
		guest_fail("VIRTIO_F_VERSION_1 not offered");
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, features_high);
	wr(VIRTIO_MMIO_STATUS, STATUS_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	return rd(VIRTIO_MMIO_STATUS);
}

/* 4.2.3.2 and DRIVER_OK, with a fresh ring. */
static void bring_up(void)
{
	if (!(negotiate(1u << (VIRTIO_F_VERSION_1 - 32)) & VIRTIO_CONFIG_S_FEATURES_OK))
		guest_fail("FEATURES_OK refused with VIRTIO_F_VERSION_1");
	memset(&avail, 0, sizeof(avail));
	memset(&used, 0, sizeof(used));
	last_used = 0;
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	if (rd(VIRTIO_MMIO_QUEUE_READY) || rd(VIRTIO_MMIO_QUEUE_NUM_MAX) < QN)
		guest_fail("queue 0 not usable");
	wr(VIRTIO_MMIO_QUEUE_NUM, QN);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)&avail);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)&used);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS,
	   STATUS_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	if (rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET)
		guest_fail("device needs a reset after set-up");
}

static void post(uint16_t head)
{
	avail.ring[avail.hdr.idx % QN] = head;
	dmb();
	avail.hdr.idx++;
	dmb();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static void wait_irq_bit(uint32_t bit, const char *what)
{
	for (uint32_t i = 0; i < WAIT_LOOPS && !(isr_seen & bit); i++)
		;
	if (!(isr_seen & bit))
		guest_fail("no interrupt for %s (irqs %lu, status 0x%lx)", what,
		           (unsigned long)irqs, (unsigned long)rd(VIRTIO_MMIO_STATUS));
}

/* One buffer of entropy through the requestq. */
static void read_entropy(uint16_t d, uint8_t *buf)
{
	desc[d] = (struct vring_desc){(uint32_t)buf, REQ_BYTES, VRING_DESC_F_WRITE, 0};
	isr_seen = 0;
	post(d);
	wait_irq_bit(VIRTIO_MMIO_INT_VRING, "a used buffer");
	if (used.hdr.idx != (uint16_t)(last_used + 1))
		guest_fail("used idx %u, want %u", used.hdr.idx, last_used + 1);
	struct vring_used_elem e = used.ring[last_used % QN];
	last_used++;
	if (e.id != d || e.len == 0 || e.len > REQ_BYTES)
		guest_fail("used element id %lu len %lu", (unsigned long)e.id,
		           (unsigned long)e.len);
}

static void expect_needs_reset(const char *what)
{
	isr_seen = 0;
	post(0);
	if (!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET))
		guest_fail("%s: no DEVICE_NEEDS_RESET", what);
	wait_irq_bit(VIRTIO_MMIO_INT_CONFIG, what);
	wr(VIRTIO_MMIO_STATUS, 0);
	if (rd(VIRTIO_MMIO_STATUS) != 0 || rd(VIRTIO_MMIO_QUEUE_READY) != 0)
		guest_fail("%s: reset did not clear the device", what);
}

static void enable_interrupt(void)
{
	irq_set_hook(on_irq);
	mmio_write8(GICD_BASE + GICD_IPRIORITYR + intid, 0xa0);
	mmio_write32(GICD_BASE + GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
	mmio_write32(GICD_BASE, 1);
	mmio_write32(GICC_BASE + GICC_PMR, 0xff);
	mmio_write32(GICC_BASE + GICC_CTLR, 1);
	__asm__ volatile("cpsie i" ::: "memory");
}

static void check_identity(void)
{
	if (rd(VIRTIO_MMIO_MAGIC_VALUE) != MAGIC_VIRT || rd(VIRTIO_MMIO_VERSION) != 2 ||
	    rd(VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_RNG)
		guest_fail("not a version 2 entropy device: magic 0x%lx version %lu id %lu",
		           (unsigned long)rd(VIRTIO_MMIO_MAGIC_VALUE),
		           (unsigned long)rd(VIRTIO_MMIO_VERSION),
		           (unsigned long)rd(VIRTIO_MMIO_DEVICE_ID));
	if (negotiate(0) & VIRTIO_CONFIG_S_FEATURES_OK)
		guest_fail("FEATURES_OK without VIRTIO_F_VERSION_1");
}

int main(const void *dtb);
int main(const void *dtb)
{
	(void)dtb;
	if (strstr(bootargs(), "expect=absent")) {
		check_absent();
		return 0;
	}
	if (find_node())
		guest_fail("no virtio,mmio node");
	check_identity();
	enable_interrupt();
	bring_up();
	read_entropy(0, bufs[0]);
	read_entropy(1, bufs[1]);
	if (!memcmp(bufs[0], bufs[1], REQ_BYTES))
		guest_fail("two reads gave the same bytes");

	desc[0] = (struct vring_desc){NOT_RAM, REQ_BYTES, VRING_DESC_F_WRITE, 0};
	expect_needs_reset("descriptor outside RAM");
	bring_up();
	desc[0] =
	    (struct vring_desc){(uint32_t)bufs[2], 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1};
	desc[1] =
	    (struct vring_desc){(uint32_t)bufs[2], 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0};
	expect_needs_reset("descriptor loop");
	bring_up();
	read_entropy(2, bufs[2]);
	irq_disable();
	if (wrong_irqs)
		guest_fail("%lu interrupts of another INTID", (unsigned long)wrong_irqs);
	gprintf("virtiorng: PASS irq=%lu irqs=%lu bytes=%02x%02x%02x%02x %02x%02x%02x%02x\n",
	        (unsigned long)intid, (unsigned long)irqs, bufs[0][0], bufs[0][1], bufs[0][2],
	        bufs[0][3], bufs[1][0], bufs[1][1], bufs[1][2], bufs[1][3]);
	return 0;
}
