/*
 * virtioblk: drives the monitor's virtio-blk device itself, as a virtio
 * 1.2 driver would (3.1.1, 4.2.3, 5.2), with the MMU off:
 *   - finds the virtio,mmio node whose DeviceID is 2 (a block device);
 *   - negotiates VERSION_1, SEG_MAX and FLUSH; reads capacity and seg_max
 *     from the configuration space (5.2.4);
 *   - writes a pattern (byte i = 7 i + seed, seed=N in bootargs, default
 *     3) to sectors 8..9 in two buffers, flushes, reads it
 *     back in one buffer (each completion in the used ring with an
 *     interrupt, status VIRTIO_BLK_S_OK, the used length right);
 *   - a read at the capacity gets VIRTIO_BLK_S_IOERR, an unknown type
 *     VIRTIO_BLK_S_UNSUPP (5.2.6.1), the device still usable;
 *   - an 8-byte header: DEVICE_NEEDS_RESET and a configuration change
 *     interrupt; after a reset the device works again and the pattern is
 *     still there.
 * With restart=1 in bootargs (and testhooks=on) it then measures, in
 * instructions under -icount shift=0, from a monitor fault (hvc
 * 0x86000F00) to the next completed disk read:
 *   bench: restart_under_io N insns
 * Prints "virtioblk: PASS ..." or a FAIL line.
 */
#include "guest.h"

#include <libfdt.h>
#include <string.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

const char guest_name[] = "virtioblk";

#define QN              8u
#define MAGIC_VIRT      0x74726976u
#define GICD_ISENABLER  0x100u
#define GICD_IPRIORITYR 0x400u
#define WAIT_LOOPS      20000000u
#define SECTOR          512u
#define STATUS_DRIVER   (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER)
#define FEATURES_LOW    (1u << VIRTIO_BLK_F_SEG_MAX | 1u << VIRTIO_BLK_F_FLUSH)
#define FEATURE_V1      (1u << (VIRTIO_F_VERSION_1 - 32))

static struct vring_desc desc[QN] __attribute__((aligned(16)));
static struct {
	struct vring_avail hdr;
	uint16_t ring[QN];
} avail __attribute__((aligned(4)));
static struct {
	struct vring_used hdr;
	struct vring_used_elem ring[QN];
} used __attribute__((aligned(4)));
static struct virtio_blk_outhdr hdr __attribute__((aligned(16)));
static volatile uint8_t status;
static uint8_t wbuf[2 * SECTOR], rbuf[2 * SECTOR];

static uint32_t base, intid;
static volatile uint32_t irqs, isr_seen, wrong_irqs;
static uint16_t last_used;
static uint64_t capacity;

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

/* The block device's transport from the device tree: reg and INTID. */
static int find_node(void)
{
	int node = -1, len;
	while ((node = fdt_node_offset_by_compatible(guest_dtb, node, "virtio,mmio")) >= 0) {
		const fdt32_t *reg = fdt_getprop(guest_dtb, node, "reg", &len);
		const fdt32_t *irq = fdt_getprop(guest_dtb, node, "interrupts", NULL);
		if (!reg || len != 8 || !irq)
			guest_fail("virtio node without reg or interrupts");
		base = fdt32_to_cpu(reg[0]);
		intid = fdt32_to_cpu(irq[1]) + 32;
		if (rd(VIRTIO_MMIO_MAGIC_VALUE) == MAGIC_VIRT && rd(VIRTIO_MMIO_VERSION) == 2 &&
		    rd(VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_BLOCK)
			return 0;
	}
	return -1;
}

/* 3.1.1 and 4.2.3.2, then DRIVER_OK, with a fresh ring. */
static void bring_up(void)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, STATUS_DRIVER);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	if ((rd(VIRTIO_MMIO_DEVICE_FEATURES) & FEATURES_LOW) != FEATURES_LOW)
		guest_fail("SEG_MAX or FLUSH not offered");
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, FEATURES_LOW);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, FEATURE_V1);
	wr(VIRTIO_MMIO_STATUS, STATUS_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK))
		guest_fail("FEATURES_OK refused");
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

static void post(void)
{
	avail.ring[avail.hdr.idx % QN] = 0;
	dmb();
	avail.hdr.idx++;
	dmb();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static void wait_used(void)
{
	for (uint32_t i = 0; i < WAIT_LOOPS && *(volatile uint16_t *)&used.hdr.idx == last_used;
	     i++)
		;
	if (*(volatile uint16_t *)&used.hdr.idx != (uint16_t)(last_used + 1))
		guest_fail("used idx %u, want %u (status 0x%lx)", used.hdr.idx, last_used + 1,
		           (unsigned long)rd(VIRTIO_MMIO_STATUS));
}

/*
 * One request: header, `n` data buffers of len bytes from buf (written by
 * the device for IN), status. Waits for it; returns the status byte.
 */
static uint8_t request(uint32_t type, uint64_t sector, uint8_t *buf, unsigned n, uint32_t len)
{
	bool in = type == VIRTIO_BLK_T_IN;
	hdr = (struct virtio_blk_outhdr){type, 0, sector};
	status = 0xee;
	desc[0] = (struct vring_desc){(uint32_t)&hdr, sizeof(hdr), VRING_DESC_F_NEXT, 1};
	for (unsigned i = 0; i < n; i++)
		desc[1 + i] = (struct vring_desc){(uint32_t)(buf + i * len), len,
		                                  VRING_DESC_F_NEXT | (in ? VRING_DESC_F_WRITE : 0),
		                                  (uint16_t)(2 + i)};
	desc[1 + n] = (struct vring_desc){(uint32_t)&status, 1, VRING_DESC_F_WRITE, 0};
	isr_seen = 0;
	post();
	wait_used();
	struct vring_used_elem e = used.ring[last_used % QN];
	last_used++;
	uint32_t want = (in && status == VIRTIO_BLK_S_OK ? n * len : 0) + 1;
	if (e.id != 0 || e.len != want)
		guest_fail("used element id %lu len %lu, want len %lu", (unsigned long)e.id,
		           (unsigned long)e.len, (unsigned long)want);
	return status;
}

static void expect_status(uint8_t got, uint8_t want, const char *what)
{
	if (got != want)
		guest_fail("%s: status %u, want %u", what, got, want);
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

static void write_flush_read(void)
{
	uint32_t seed = bootarg_u32("seed", 3);
	for (unsigned i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (uint8_t)(i * 7 + seed);
	expect_status(request(VIRTIO_BLK_T_OUT, 8, wbuf, 2, SECTOR), VIRTIO_BLK_S_OK, "write");
	if (!(isr_seen & VIRTIO_MMIO_INT_VRING))
		guest_fail("no used buffer interrupt");
	expect_status(request(VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0), VIRTIO_BLK_S_OK, "flush");
	memset(rbuf, 0, sizeof(rbuf));
	expect_status(request(VIRTIO_BLK_T_IN, 8, rbuf, 1, 2 * SECTOR), VIRTIO_BLK_S_OK, "read");
	if (memcmp(rbuf, wbuf, sizeof(rbuf)))
		guest_fail("read back differs from what was written");
}

static void bad_requests(void)
{
	expect_status(request(VIRTIO_BLK_T_IN, capacity, rbuf, 1, SECTOR), VIRTIO_BLK_S_IOERR,
	              "read at the capacity");
	expect_status(request(VIRTIO_BLK_T_IN, capacity - 1, rbuf, 1, 2 * SECTOR),
	              VIRTIO_BLK_S_IOERR, "read across the end");
	expect_status(request(0x55, 0, NULL, 0, 0), VIRTIO_BLK_S_UNSUPP, "unknown type");
	/* a header of 8 bytes: a layout the device does not take */
	desc[0] = (struct vring_desc){(uint32_t)&hdr, 8, VRING_DESC_F_NEXT, 1};
	desc[1] = (struct vring_desc){(uint32_t)&status, 1, VRING_DESC_F_WRITE, 0};
	isr_seen = 0;
	post();
	if (!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET))
		guest_fail("short header: no DEVICE_NEEDS_RESET");
	for (uint32_t i = 0; i < WAIT_LOOPS && !(isr_seen & VIRTIO_MMIO_INT_CONFIG); i++)
		;
	if (!(isr_seen & VIRTIO_MMIO_INT_CONFIG))
		guest_fail("short header: no configuration change interrupt");
}

static void restart_under_io(void)
{
	uint32_t freq = counter_freq();
	uint64_t t0 = read_cntvct();
	int32_t r = psci_call(HV_TESTHOOK_CRASH_MONITOR, 0, 0, 0);
	if (r != 0) {
		gprintf("bench: restart_under_io unavailable (hvc returned %ld; testhooks=on)\n",
		        (long)r);
		return;
	}
	expect_status(request(VIRTIO_BLK_T_IN, 8, rbuf, 1, SECTOR), VIRTIO_BLK_S_OK,
	              "read after restart");
	uint64_t d = (read_cntvct() - t0) * 1000000000ull / freq;
	gprintf("bench: restart_under_io %llu insns (monitor fault to the next completed disk "
	        "read)\n",
	        (unsigned long long)d);
}

int main(const void *dtb);
int main(const void *dtb)
{
	(void)dtb;
	if (find_node())
		guest_fail("no virtio-blk device");
	enable_interrupt();
	bring_up();
	uint32_t lo, hi, seg_max;
	lo = rd(VIRTIO_MMIO_CONFIG);
	hi = rd(VIRTIO_MMIO_CONFIG + 4);
	seg_max = rd(VIRTIO_MMIO_CONFIG + 12);
	capacity = lo | (uint64_t)hi << 32;
	if (capacity < 16 || seg_max < 2)
		guest_fail("capacity %lu, seg_max %lu", (unsigned long)lo, (unsigned long)seg_max);
	write_flush_read();
	bad_requests();
	wr(VIRTIO_MMIO_STATUS, 0);
	bring_up();
	memset(rbuf, 0, sizeof(rbuf));
	expect_status(request(VIRTIO_BLK_T_IN, 8, rbuf, 2, SECTOR), VIRTIO_BLK_S_OK,
	              "read after reset");
	if (memcmp(rbuf, wbuf, sizeof(rbuf)))
		guest_fail("after the reset the disk differs");
	irq_disable();
	if (wrong_irqs)
		guest_fail("%lu interrupts of another INTID", (unsigned long)wrong_irqs);
	gprintf("virtioblk: PASS irq=%lu irqs=%lu capacity=%lu seg_max=%lu\n", (unsigned long)intid,
	        (unsigned long)irqs, (unsigned long)lo, (unsigned long)seg_max);
	if (bootarg_u32("restart", 0))
		restart_under_io();
	return 0;
}
