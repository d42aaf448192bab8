/* Unit tests of the block device (servers/vmm/virtio_blk.c, virtio 1.2
 * section 5.2): configuration space, request parsing and validation, the
 * requestq loop with a fake disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "virtio_blk.h"

#define RAM_BASE 0x40000000u
#define RAM_SIZE 0x40000u
#define DESC     (RAM_BASE + 0x1000)
#define AVAIL    (RAM_BASE + 0x2000)
#define USED     (RAM_BASE + 0x3000)
#define HDR      (RAM_BASE + 0x4000) /* 16 bytes per request */
#define STATUS   (RAM_BASE + 0x4800) /* one byte per request */
#define DATA     (RAM_BASE + 0x8000) /* 4 KiB per request */
#define NUM      128u
#define CAPACITY 64u /* sectors */

static uint8_t ram[RAM_SIZE] __attribute__((aligned(16)));
static const struct guest_mem gm = {ram, RAM_BASE, RAM_SIZE};
static const struct virtio_device *const dev = &virtio_blk_device;
static struct virtio_mmio v;
static uint32_t kick;

/* ---- the fake disk ------------------------------------------------------ */
static unsigned calls, nseen;
static struct blk_request seen[32];
static unsigned seen_nsegs[32];
static int answer;

static int fake_io(void *ctx, struct blk_pending *p, unsigned n)
{
	(void)ctx;
	calls++;
	for (unsigned i = 0; i < n; i++) {
		if (!p[i].for_io)
			continue;
		seen[nseen] = p[i].r;
		seen_nsegs[nseen++] = p[i].c.nsegs;
		if (answer >= 0)
			p[i].status = (uint8_t)answer;
	}
	return answer < 0 ? answer : 0;
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	virtio_mmio_reset(&v);
	kick = 0;
	calls = nseen = 0;
	answer = VIRTIO_BLK_S_OK;
	return 0;
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

static void bring_up(void)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_BLK_F_SEG_MAX | 1u << VIRTIO_BLK_F_FLUSH);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, NUM);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, USED);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	                           VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	assert_int_equal(v.status & VIRTIO_CONFIG_S_DRIVER_OK, VIRTIO_CONFIG_S_DRIVER_OK);
}

/*
 * Request k (0..3) as Linux lays it out, at descriptors 8k..: the header,
 * ndata buffers of len bytes each (writable for IN), the status byte.
 */
static void make_request(unsigned k, uint32_t type, uint64_t sector, unsigned ndata, uint32_t len)
{
	unsigned d = k * 4;
	struct virtio_blk_outhdr *h = at(HDR + 16 * k);
	*h = (struct virtio_blk_outhdr){type, 0, sector};
	set_desc(d, HDR + 16 * k, 16, VRING_DESC_F_NEXT, (uint16_t)(d + 1));
	bool in = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	uint16_t dflags = VRING_DESC_F_NEXT | (in ? VRING_DESC_F_WRITE : 0);
	for (unsigned i = 0; i < ndata; i++)
		set_desc(d + 1 + i, DATA + 0x1000 * k + len * i, len, dflags,
		         (uint16_t)(d + 2 + i));
	set_desc(d + 1 + ndata, STATUS + k, 1, VRING_DESC_F_WRITE, 0);
	*(uint8_t *)at(STATUS + k) = 0xee;
	avail()->ring[avail()->idx % NUM] = (uint16_t)d;
	avail()->idx++;
}

static int process(void)
{
	return virtio_blk_process(&v, &gm, CAPACITY, fake_io, NULL);
}

static uint8_t status_of(unsigned k)
{
	return *(uint8_t *)at(STATUS + k);
}

static void assert_needs_reset(void)
{
	assert_int_equal(process(), 0);
	assert_true(v.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_true(v.isr & VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(calls, 0);
}

/* ---- tests -------------------------------------------------------------- */

static void test_config_space(void **state)
{
	uint32_t val;
	(void)state;
	assert_int_equal(virtio_blk_config_read(0x123456789ull, 0, 4, &val), 0);
	assert_int_equal(val, 0x23456789u);
	assert_int_equal(virtio_blk_config_read(0x123456789ull, 4, 4, &val), 0);
	assert_int_equal(val, 0x1u);
	assert_int_equal(virtio_blk_config_read(1, 12, 4, &val), 0);
	assert_int_equal(val, VIRTIO_BLK_SEG_MAX);
	assert_int_equal(virtio_blk_config_read(0x1234, 0, 2, &val), 0);
	assert_int_equal(val, 0x1234u);
	assert_int_equal(virtio_blk_config_read(0x1234, 1, 1, &val), 0);
	assert_int_equal(val, 0x12u);
	assert_int_equal(virtio_blk_config_read(1, 20, 4, &val), 0); /* blk_size: not offered */
	assert_int_equal(val, 0);
	assert_int_equal(virtio_blk_config_read(1, 0xf8, 4, &val), 0); /* past the layout */
	assert_int_equal(val, 0);
	assert_int_equal(virtio_blk_config_read(1, 2, 4, &val), -1); /* misaligned */
	assert_int_equal(virtio_blk_config_read(1, 0, 8, &val), -1);
	assert_true(dev->features & (1ull << VIRTIO_BLK_F_FLUSH));
	assert_true(dev->features & (1ull << VIRTIO_BLK_F_SEG_MAX));
}

static void test_write_two_segments(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_OUT, 4, 2, 1024);
	assert_int_equal(process(), 1);
	assert_int_equal(calls, 1);
	assert_int_equal(seen[nseen - 1].type, VIRTIO_BLK_T_OUT);
	assert_int_equal(seen[nseen - 1].sector, 4);
	assert_int_equal(seen[nseen - 1].ndata, 2);
	assert_int_equal(seen[nseen - 1].data_len, 2048);
	assert_int_equal(seen_nsegs[nseen - 1], 4);
	assert_int_equal(status_of(0), VIRTIO_BLK_S_OK);
	assert_int_equal(used()->ring[0].id, 0);
	assert_int_equal(used()->ring[0].len, 1); /* only the status byte written */
	assert_int_equal(used()->idx, 0);         /* published after the commit */
	assert_int_equal(v.vq[0].used_idx, 1);
	assert_true(v.isr & VIRTIO_MMIO_INT_VRING);
}

static void test_read_counts_data(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_IN, CAPACITY - 2, 1, 1024); /* the last two sectors */
	assert_int_equal(process(), 1);
	assert_int_equal(status_of(0), VIRTIO_BLK_S_OK);
	assert_int_equal(used()->ring[0].len, 1025);
}

static void test_flush(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	assert_int_equal(process(), 1);
	assert_int_equal(calls, 1);
	assert_int_equal(seen[nseen - 1].type, VIRTIO_BLK_T_FLUSH);
	assert_int_equal(seen[nseen - 1].ndata, 0);
	assert_int_equal(status_of(0), VIRTIO_BLK_S_OK);
}

static void test_beyond_capacity_is_ioerr(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_OUT, CAPACITY - 1, 1, 1024);
	make_request(1, VIRTIO_BLK_T_IN, CAPACITY, 1, 512);
	make_request(2, VIRTIO_BLK_T_IN, ~0ull, 1, 512); /* sector + count wraps */
	assert_int_equal(process(), 3);
	assert_int_equal(calls, 0);
	for (unsigned k = 0; k < 3; k++)
		assert_int_equal(status_of(k), VIRTIO_BLK_S_IOERR);
	assert_int_equal(used()->ring[1].len, 1); /* no data given on an error */
	assert_false(v.status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_partial_sector_is_ioerr(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_OUT, 0, 1, 100);
	assert_int_equal(process(), 1);
	assert_int_equal(calls, 0);
	assert_int_equal(status_of(0), VIRTIO_BLK_S_IOERR);
}

static void test_unknown_type_unsupp(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_GET_ID, 0, 1, 512);
	make_request(1, 0x77, 0, 1, 512);
	assert_int_equal(process(), 2);
	assert_int_equal(calls, 0);
	assert_int_equal(status_of(0), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(status_of(1), VIRTIO_BLK_S_UNSUPP);
}

static void test_backend_failure_is_ioerr(void **state)
{
	(void)state;
	bring_up();
	answer = -11; /* the block server is gone */
	make_request(0, VIRTIO_BLK_T_IN, 0, 1, 512);
	assert_int_equal(process(), 1);
	assert_int_equal(status_of(0), VIRTIO_BLK_S_IOERR);
	assert_int_equal(used()->ring[0].len, 1);
}

static void test_several_per_notify(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_OUT, 0, 2, 512);
	make_request(1, VIRTIO_BLK_T_IN, 8, 1, 4096);
	make_request(2, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	assert_int_equal(process(), 3);
	assert_int_equal(calls, 1); /* one batch */
	assert_int_equal(nseen, 3);
	assert_int_equal(v.vq[0].used_idx, 3);
	assert_int_equal(used()->ring[1].id, 4);
	assert_int_equal(used()->ring[1].len, 4097);
	assert_int_equal(used()->ring[2].id, 8);
}

static void test_batches_of_batch_max(void **state)
{
	(void)state;
	bring_up();
	for (unsigned k = 0; k < BLK_BATCH_MAX + 4; k++)
		make_request(k, VIRTIO_BLK_T_IN, k, 1, 512);
	make_request(BLK_BATCH_MAX + 4, VIRTIO_BLK_T_IN, CAPACITY, 1, 512); /* no I/O */
	assert_int_equal(process(), BLK_BATCH_MAX + 5);
	assert_int_equal(calls, 2);
	assert_int_equal(nseen, BLK_BATCH_MAX + 4);
	for (unsigned k = 0; k < BLK_BATCH_MAX + 4; k++) {
		assert_int_equal(seen[k].sector, k); /* in ring order */
		assert_int_equal(status_of(k), VIRTIO_BLK_S_OK);
		assert_int_equal(used()->ring[k].id, 4 * k);
	}
	assert_int_equal(status_of(BLK_BATCH_MAX + 4), VIRTIO_BLK_S_IOERR);
}

static void test_requests_before_a_bad_one_complete(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_OUT, 0, 1, 512);
	make_request(1, VIRTIO_BLK_T_OUT, 1, 1, 512);
	set_desc(4, HDR + 16, 8, VRING_DESC_F_NEXT, 5);
	assert_int_equal(process(), 1);
	assert_int_equal(nseen, 1);
	assert_int_equal(status_of(0), VIRTIO_BLK_S_OK);
	assert_int_equal(status_of(1), 0xee);
	assert_int_equal(v.vq[0].used_idx, 1);
	assert_true(v.status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_short_header_needs_reset(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_OUT, 0, 1, 512);
	set_desc(0, HDR, 8, VRING_DESC_F_NEXT, 1);
	assert_needs_reset();
}

static void test_long_status_needs_reset(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_OUT, 0, 1, 512);
	set_desc(2, STATUS, 2, VRING_DESC_F_WRITE, 0);
	assert_needs_reset();
}

static void test_readonly_status_needs_reset(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	set_desc(1, STATUS, 1, 0, 0);
	assert_needs_reset();
}

static void test_header_only_needs_reset(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	set_desc(0, HDR, 16, 0, 0);
	assert_needs_reset();
}

static void test_write_into_device_needs_reset(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_OUT, 0, 2, 512);
	set_desc(2, DATA + 512, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 3);
	assert_needs_reset();
}

static void test_read_from_device_needs_reset(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_IN, 0, 1, 512);
	set_desc(1, DATA, 512, VRING_DESC_F_NEXT, 2); /* readable data before... */
	set_desc(2, STATUS, 1, VRING_DESC_F_WRITE, 0);
	assert_needs_reset();
}

static void test_flush_with_data_needs_reset(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_FLUSH, 0, 1, 512);
	assert_needs_reset();
}

static void test_buffer_outside_ram_needs_reset(void **state)
{
	(void)state;
	bring_up();
	make_request(0, VIRTIO_BLK_T_IN, 0, 1, 512);
	set_desc(1, RAM_BASE + RAM_SIZE - 256, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	assert_needs_reset();
}

static void test_not_before_driver_ok(void **state)
{
	(void)state;
	make_request(0, VIRTIO_BLK_T_IN, 0, 1, 512);
	assert_int_equal(process(), 0);
	assert_int_equal(calls, 0);
	assert_int_equal(status_of(0), 0xee);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_config_space, setup),
	    cmocka_unit_test_setup(test_write_two_segments, setup),
	    cmocka_unit_test_setup(test_read_counts_data, setup),
	    cmocka_unit_test_setup(test_flush, setup),
	    cmocka_unit_test_setup(test_beyond_capacity_is_ioerr, setup),
	    cmocka_unit_test_setup(test_partial_sector_is_ioerr, setup),
	    cmocka_unit_test_setup(test_unknown_type_unsupp, setup),
	    cmocka_unit_test_setup(test_backend_failure_is_ioerr, setup),
	    cmocka_unit_test_setup(test_several_per_notify, setup),
	    cmocka_unit_test_setup(test_batches_of_batch_max, setup),
	    cmocka_unit_test_setup(test_requests_before_a_bad_one_complete, setup),
	    cmocka_unit_test_setup(test_short_header_needs_reset, setup),
	    cmocka_unit_test_setup(test_long_status_needs_reset, setup),
	    cmocka_unit_test_setup(test_readonly_status_needs_reset, setup),
	    cmocka_unit_test_setup(test_header_only_needs_reset, setup),
	    cmocka_unit_test_setup(test_write_into_device_needs_reset, setup),
	    cmocka_unit_test_setup(test_read_from_device_needs_reset, setup),
	    cmocka_unit_test_setup(test_flush_with_data_needs_reset, setup),
	    cmocka_unit_test_setup(test_buffer_outside_ram_needs_reset, setup),
	    cmocka_unit_test_setup(test_not_before_driver_ok, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
