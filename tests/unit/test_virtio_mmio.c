/* Unit tests of the virtio-mmio transport (servers/vmm/virtio_mmio.c) and
 * the entropy device on it (servers/vmm/virtio_rng.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "virtio_rng.h"

#define RAM_BASE 0x40000000u
#define RAM_SIZE 0x10000u
#define DESC     (RAM_BASE + 0x1000)
#define AVAIL    (RAM_BASE + 0x2000)
#define USED     (RAM_BASE + 0x3000)
#define BUF      (RAM_BASE + 0x8000)
#define NUM      8u

static uint8_t ram[RAM_SIZE] __attribute__((aligned(16)));
static const struct guest_mem gm = {ram, RAM_BASE, RAM_SIZE};
static const struct virtio_device *const dev = &virtio_rng_device;
static struct virtio_mmio v;
static uint32_t kick;

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	virtio_mmio_reset(&v);
	kick = 0;
	return 0;
}

static uint32_t rd(uint32_t off)
{
	uint32_t val = 0xdeadbeef;
	assert_int_equal(virtio_mmio_read(&v, dev, off, 4, &val), 0);
	return val;
}

static void wr(uint32_t off, uint32_t val)
{
	assert_int_equal(virtio_mmio_write(&v, dev, &gm, off, 4, val, &kick), 0);
}

static void *at(uint32_t addr)
{
	return ram + (addr - RAM_BASE);
}

static struct vring_avail *avail(void)
{
	return at(AVAIL);
}

static struct vring_used *used(void)
{
	return at(USED);
}

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	((struct vring_desc *)at(DESC))[i] = (struct vring_desc){addr, len, flags, next};
}

static void make_available(uint16_t head)
{
	avail()->ring[avail()->idx % NUM] = head;
	avail()->idx++;
}

/* 3.1.1 and 4.2.3.1.1 as a driver does it, up to FEATURES_OK. */
static void negotiate(uint32_t high)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, high);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
}

static void setup_queue(uint32_t num)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, USED);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

#define STATUS_UP                                                                                  \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |      \
	 VIRTIO_CONFIG_S_DRIVER_OK)

static void bring_up(void)
{
	negotiate(1u << (VIRTIO_F_VERSION_1 - 32));
	setup_queue(NUM);
	wr(VIRTIO_MMIO_STATUS, STATUS_UP);
}

/* ---- the fake entropy source ------------------------------------------- */
static uint8_t next_byte;
static unsigned calls;
static int fail_after = -1; /* calls before it fails; -1: never */

static int fake_entropy(void *ctx, uint8_t *buf, uint32_t n)
{
	(void)ctx;
	if (fail_after >= 0 && calls >= (unsigned)fail_after)
		return -11;
	calls++;
	if (n > 20)
		n = 20; /* what one IPC message carries */
	for (uint32_t i = 0; i < n; i++)
		buf[i] = ++next_byte;
	return (int)n;
}

static int process(void)
{
	return virtio_rng_process(&v, &gm, fake_entropy, NULL);
}

static int setup_rng(void **state)
{
	setup(state);
	next_byte = 0;
	calls = 0;
	fail_after = -1;
	return 0;
}

/* ---- transport ------------------------------------------------------------ */
static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	assert_int_not_equal(rd(VIRTIO_MMIO_VENDOR_ID), 0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1u << (VIRTIO_F_VERSION_1 - 32));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	assert_int_equal(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu); /* no shared memory */
}

static void test_bad_accesses(void **state)
{
	uint32_t val;
	(void)state;
	assert_int_equal(virtio_mmio_read(&v, dev, VIRTIO_MMIO_MAGIC_VALUE, 1, &val), -1);
	assert_int_equal(virtio_mmio_read(&v, dev, VIRTIO_MMIO_STATUS, 2, &val), -1);
	assert_int_equal(virtio_mmio_read(&v, dev, VIRTIO_MMIO_VERSION + 1, 4, &val), -1);
	assert_int_equal(virtio_mmio_read(&v, dev, VIRTIO_MMIO_QUEUE_PFN, 4, &val),
	                 -1); /* legacy */
	assert_int_equal(virtio_mmio_read(&v, dev, 0x200, 4, &val), -1);
	assert_int_equal(virtio_mmio_write(&v, dev, &gm, VIRTIO_MMIO_STATUS, 1, 1, &kick), -1);
	assert_int_equal(
	    virtio_mmio_write(&v, dev, &gm, VIRTIO_MMIO_GUEST_PAGE_SIZE, 4, 4096, &kick), -1);
	assert_int_equal(virtio_mmio_write(&v, dev, &gm, VIRTIO_MMIO_MAGIC_VALUE, 4, 0, &kick), -1);
	assert_int_equal(virtio_mmio_write(&v, dev, &gm, 0x1fc, 4, 0, &kick),
	                 0); /* config: ignored */
	assert_int_equal(virtio_mmio_read(&v, dev, 0x101, 1, &val), 0);
	assert_int_equal(val, 0);
	assert_int_equal(v.status, 0);
}

static void test_features_ok_needs_version_1(void **state)
{
	(void)state;
	negotiate(0); /* a legacy driver */
	assert_false(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	wr(VIRTIO_MMIO_STATUS, STATUS_UP); /* DRIVER_OK is not taken either */
	assert_false(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
	negotiate(1u << (VIRTIO_F_VERSION_1 - 32) | 1u << (VIRTIO_F_RING_PACKED - 32));
	assert_false(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK); /* not offered */
	negotiate(1u << (VIRTIO_F_VERSION_1 - 32));
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0); /* too late: ignored */
	assert_int_equal(v.drv_features, 1ull << VIRTIO_F_VERSION_1);
}

static void test_queue_setup(void **state)
{
	(void)state;
	negotiate(1u << (VIRTIO_F_VERSION_1 - 32));
	wr(VIRTIO_MMIO_QUEUE_SEL, 1); /* the rng has one queue */
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTIO_RNG_QUEUE_MAX);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	setup_queue(NUM);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), DESC);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1234); /* ignored while ready (4.2.2.3) */
	wr(VIRTIO_MMIO_QUEUE_NUM, 2);
	assert_int_equal(v.vq[0].desc, DESC);
	assert_int_equal(v.vq[0].num, NUM);
	assert_false(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_bad_queue_needs_reset(void **state)
{
	(void)state;
	negotiate(1u << (VIRTIO_F_VERSION_1 - 32));
	setup_queue(3); /* not a power of two */
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* before DRIVER_OK no configuration change interrupt (2.1.2) */
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	wr(VIRTIO_MMIO_STATUS, rd(VIRTIO_MMIO_STATUS) & ~VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET); /* the device's bit */
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
}

static void test_notify_and_driver_ok(void **state)
{
	(void)state;
	negotiate(1u << (VIRTIO_F_VERSION_1 - 32));
	setup_queue(NUM);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(kick, 0); /* 2.1.2: no buffers used before DRIVER_OK */
	wr(VIRTIO_MMIO_STATUS, STATUS_UP);
	assert_int_equal(kick, 1); /* what was made available meanwhile */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(kick, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1); /* no such queue */
	assert_int_equal(kick, 0);
}

static void test_interrupt_status_and_reset(void **state)
{
	(void)state;
	bring_up();
	virtio_mmio_needs_reset(&v, VQ_ERR_LOOP);
	assert_true(virtio_mmio_irq_level(&v));
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_false(virtio_mmio_queue_live(&v, 0));
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_false(virtio_mmio_irq_level(&v));
	wr(VIRTIO_MMIO_STATUS, 0); /* 4.2.2.1: everything cleared */
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(v.drv_features, 0);
	bring_up(); /* and usable again */
	assert_true(virtio_mmio_queue_live(&v, 0));
}

/* ---- the entropy device --------------------------------------------------- */
static void test_rng_fills_buffers(void **state)
{
	(void)state;
	bring_up();
	set_desc(0, BUF, 16, VRING_DESC_F_WRITE, 0);
	set_desc(1, BUF + 64, 30, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	set_desc(2, BUF + 128, 10, VRING_DESC_F_WRITE, 0);
	make_available(0);
	make_available(1);
	assert_int_equal(process(), 2);
	assert_int_equal(used()->ring[0].id, 0);
	assert_int_equal(used()->ring[0].len, 16);
	assert_int_equal(used()->ring[1].id, 1);
	assert_int_equal(used()->ring[1].len, 40);
	assert_int_equal(ram[BUF - RAM_BASE], 1);
	assert_int_equal(ram[BUF - RAM_BASE + 15], 16);
	assert_int_equal(ram[BUF - RAM_BASE + 16], 0); /* nothing past the buffer */
	assert_int_equal(ram[BUF + 128 - RAM_BASE + 9], 56);
	assert_int_equal(used()->idx, 0); /* published by the monitor after its commit */
	vq_publish(&gm, &v.vq[0]);
	assert_int_equal(used()->idx, 2);
	assert_int_equal(v.isr, VIRTIO_MMIO_INT_VRING);
}

static void test_rng_gives_at_most_chain_max(void **state)
{
	(void)state;
	bring_up();
	set_desc(0, BUF, 4096, VRING_DESC_F_WRITE, 0);
	make_available(0);
	assert_int_equal(process(), 1);
	assert_int_equal(used()->ring[0].len, VIRTIO_RNG_CHAIN_MAX);
}

static void test_rng_readable_buffer_needs_reset(void **state)
{
	(void)state;
	bring_up();
	set_desc(0, BUF, 16, 0, 0); /* 5.4.6.1: the driver MUST NOT */
	make_available(0);
	assert_int_equal(process(), 0);
	assert_true(v.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(v.isr, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(calls, 0);
}

static void test_rng_bad_descriptor_needs_reset(void **state)
{
	(void)state;
	bring_up();
	set_desc(0, BUF, 16, VRING_DESC_F_WRITE, 0);
	set_desc(1, 0x10000000, 16, VRING_DESC_F_WRITE, 0); /* not RAM */
	make_available(0);
	make_available(1);
	assert_int_equal(process(), 1); /* the good one before it is used */
	assert_true(v.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(v.error, (uint32_t)VQ_ERR_ADDR);
	assert_int_equal(v.isr, VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	make_available(0);
	assert_int_equal(process(), 0); /* nothing more until a reset */
}

static void test_rng_source_failure(void **state)
{
	(void)state;
	bring_up();
	set_desc(0, BUF, 16, VRING_DESC_F_WRITE, 0);
	make_available(0);
	fail_after = 0;
	assert_int_equal(process(), -11);
	assert_int_equal(v.vq[0].last_avail, 0); /* still available */
	assert_int_equal(v.vq[0].used_idx, 0);
	assert_int_equal(v.isr, 0);
	fail_after = -1;
	assert_int_equal(process(), 1);
}

/* Another vCPU that keeps making the chain available while the monitor
 * serves it gets at most a queue's worth of chains per notify. */
static int endless_entropy(void *ctx, uint8_t *buf, uint32_t n)
{
	(void)ctx;
	if (calls < 4 * NUM) /* not forever: a regression fails, not hangs */
		make_available(0);
	return fake_entropy(NULL, buf, n);
}

static void test_rng_bounded_per_notify(void **state)
{
	(void)state;
	bring_up();
	set_desc(0, BUF, 16, VRING_DESC_F_WRITE, 0);
	make_available(0);
	assert_int_equal(virtio_rng_process(&v, &gm, endless_entropy, NULL), NUM);
	assert_int_equal(calls, NUM);
}

static void test_rng_no_interrupt_flag(void **state)
{
	(void)state;
	bring_up();
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	set_desc(0, BUF, 16, VRING_DESC_F_WRITE, 0);
	make_available(0);
	assert_int_equal(process(), 1);
	assert_int_equal(v.isr, 0);
}

/*
 * Restart consistency (the monitor's commit protocol, vmm.h): a handler
 * works on a copy of the state and the guest sees used->idx only after the
 * copy is committed. A crash before the commit loses the copy: the
 * re-delivered notification, run again on the old state, uses the same
 * chains at the same used-ring positions. A crash after the commit but
 * before the publish: the next monitor publishes the committed index.
 */
static void test_rng_restart_consistency(void **state)
{
	(void)state;
	bring_up();
	set_desc(0, BUF, 16, VRING_DESC_F_WRITE, 0);
	set_desc(1, BUF + 32, 8, VRING_DESC_F_WRITE, 0);
	make_available(0);
	make_available(1);
	struct virtio_mmio committed = v;

	/* first monitor: processes on its spare copy, dies before the commit */
	assert_int_equal(process(), 2);
	struct virtio_mmio lost = v;
	assert_int_equal(used()->idx, 0); /* the guest saw nothing */

	/* its successor: the same exit, on the committed state */
	v = committed;
	assert_int_equal(process(), 2);
	assert_memory_equal(&v, &lost, sizeof(v)); /* the same device state */
	assert_int_equal(used()->ring[0].id, 0);
	assert_int_equal(used()->ring[1].id, 1);
	assert_int_equal(used()->ring[1].len, 8);
	committed = v; /* commits; dies before publishing */

	/* the next one publishes at start: once or twice, the same */
	vq_publish(&gm, &committed.vq[0]);
	vq_publish(&gm, &committed.vq[0]);
	assert_int_equal(used()->idx, 2);
	assert_int_equal(process(), 0); /* nothing used twice */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_identity, setup),
	    cmocka_unit_test_setup(test_bad_accesses, setup),
	    cmocka_unit_test_setup(test_features_ok_needs_version_1, setup),
	    cmocka_unit_test_setup(test_queue_setup, setup),
	    cmocka_unit_test_setup(test_bad_queue_needs_reset, setup),
	    cmocka_unit_test_setup(test_notify_and_driver_ok, setup),
	    cmocka_unit_test_setup(test_interrupt_status_and_reset, setup),
	    cmocka_unit_test_setup(test_rng_fills_buffers, setup_rng),
	    cmocka_unit_test_setup(test_rng_gives_at_most_chain_max, setup_rng),
	    cmocka_unit_test_setup(test_rng_readable_buffer_needs_reset, setup_rng),
	    cmocka_unit_test_setup(test_rng_bad_descriptor_needs_reset, setup_rng),
	    cmocka_unit_test_setup(test_rng_source_failure, setup_rng),
	    cmocka_unit_test_setup(test_rng_bounded_per_notify, setup_rng),
	    cmocka_unit_test_setup(test_rng_no_interrupt_flag, setup_rng),
	    cmocka_unit_test_setup(test_rng_restart_consistency, setup_rng),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
