/* Unit tests of the split-virtqueue walker (servers/vmm/virtqueue.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <linux/virtio_ring.h>

#include "virtqueue.h"

#define RAM_BASE 0x40000000u
#define RAM_SIZE 0x10000u
#define DESC     (RAM_BASE + 0x1000)
#define AVAIL    (RAM_BASE + 0x2000)
#define USED     (RAM_BASE + 0x3000)
#define BUF      (RAM_BASE + 0x8000)
#define NUM      8u

static uint8_t ram[RAM_SIZE] __attribute__((aligned(16)));
static const struct guest_mem gm = {ram, RAM_BASE, RAM_SIZE};
static struct vq_state q;

static void *at(uint32_t addr)
{
	return ram + (addr - RAM_BASE);
}

static struct vring_desc *desc(unsigned i)
{
	return (struct vring_desc *)at(DESC) + i;
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
	*desc(i) = (struct vring_desc){addr, len, flags, next};
}

static void make_available(uint16_t head)
{
	avail()->ring[avail()->idx % NUM] = head;
	avail()->idx++;
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	q = (struct vq_state){
	    .num = NUM, .ready = 1, .desc = DESC, .driver = AVAIL, .device = USED};
	return 0;
}

static void test_guest_ptr_bounds(void **state)
{
	(void)state;
	assert_ptr_equal(guest_ptr(&gm, RAM_BASE, 16, 16), ram);
	assert_ptr_equal(guest_ptr(&gm, RAM_BASE + RAM_SIZE - 4, 4, 4), ram + RAM_SIZE - 4);
	assert_null(guest_ptr(&gm, RAM_BASE + RAM_SIZE - 4, 5, 1));   /* runs past the end */
	assert_null(guest_ptr(&gm, RAM_BASE - 1, 1, 1));              /* below RAM */
	assert_null(guest_ptr(&gm, RAM_BASE + RAM_SIZE, 1, 1));       /* just past it */
	assert_null(guest_ptr(&gm, RAM_BASE + 2, 4, 4));              /* misaligned */
	assert_null(guest_ptr(&gm, 0x100000000ull + RAM_BASE, 4, 4)); /* above 4 GiB */
	assert_null(guest_ptr(&gm, RAM_BASE + 8, 0xfffffff0u, 1));    /* length wraps */
}

static void test_check_rings(void **state)
{
	(void)state;
	assert_int_equal(vq_check(&gm, &q, 64), VQ_OK);
	q.num = 6; /* not a power of two */
	assert_int_equal(vq_check(&gm, &q, 64), VQ_ERR_RING);
	q.num = 128; /* above QueueNumMax */
	assert_int_equal(vq_check(&gm, &q, 64), VQ_ERR_RING);
	q.num = 0;
	assert_int_equal(vq_check(&gm, &q, 64), VQ_ERR_RING);
	q.num = NUM;
	q.desc = DESC + 8; /* descriptor table needs 16-byte alignment */
	assert_int_equal(vq_check(&gm, &q, 64), VQ_ERR_RING);
	q.desc = DESC;
	q.device = USED + 2; /* used ring needs 4 */
	assert_int_equal(vq_check(&gm, &q, 64), VQ_ERR_RING);
	q.device = RAM_BASE + RAM_SIZE - 8; /* runs past the end of RAM */
	assert_int_equal(vq_check(&gm, &q, 64), VQ_ERR_RING);
	q.device = USED;
	q.driver = 0x1000; /* outside RAM */
	assert_int_equal(vq_check(&gm, &q, 64), VQ_ERR_RING);
}

static void test_pop_single_and_empty(void **state)
{
	struct vq_chain c;
	(void)state;
	assert_int_equal(vq_pop(&gm, &q, &c), 0);
	set_desc(3, BUF, 64, VRING_DESC_F_WRITE, 0);
	make_available(3);
	assert_int_equal(vq_pop(&gm, &q, &c), 1);
	assert_int_equal(c.head, 3);
	assert_int_equal(c.nsegs, 1);
	assert_int_equal(c.seg[0].addr, BUF);
	assert_int_equal(c.seg[0].len, 64);
	assert_true(c.seg[0].write);
	assert_int_equal(c.write_len, 64);
	assert_int_equal(c.read_len, 0);
	assert_int_equal(q.last_avail, 1);
	assert_int_equal(vq_pop(&gm, &q, &c), 0);
}

static void test_pop_chain(void **state)
{
	struct vq_chain c;
	(void)state;
	set_desc(0, BUF, 16, VRING_DESC_F_NEXT, 5);
	set_desc(5, BUF + 16, 100, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(2, BUF + 200, 8, VRING_DESC_F_WRITE, 7); /* next ignored without NEXT */
	make_available(0);
	assert_int_equal(vq_pop(&gm, &q, &c), 1);
	assert_int_equal(c.nsegs, 3);
	assert_int_equal(c.read_len, 16);
	assert_int_equal(c.write_len, 108);
	assert_false(c.seg[0].write);
	assert_int_equal(c.seg[2].addr, BUF + 200);
}

/* The longest chain is the queue size; one more descriptor is a loop. */
static void test_full_length_chain(void **state)
{
	struct vq_chain c;
	(void)state;
	for (unsigned i = 0; i < NUM; i++)
		set_desc(i, BUF + 16 * i, 16,
		         VRING_DESC_F_WRITE | (i + 1 < NUM ? VRING_DESC_F_NEXT : 0),
		         (uint16_t)(i + 1));
	make_available(0);
	assert_int_equal(vq_pop(&gm, &q, &c), 1);
	assert_int_equal(c.nsegs, NUM);
}

static void expect_error(int err)
{
	struct vq_chain c;
	struct vq_state before = q;
	assert_int_equal(vq_pop(&gm, &q, &c), err);
	assert_int_equal(q.last_avail, before.last_avail); /* nothing taken */
}

static void test_loops(void **state)
{
	(void)state;
	set_desc(0, BUF, 16, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0); /* to itself */
	make_available(0);
	expect_error(VQ_ERR_LOOP);
	setup(NULL);
	set_desc(1, BUF, 16, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 4);
	set_desc(4, BUF, 16, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 6);
	set_desc(6, BUF, 16, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1); /* 1 -> 4 -> 6 -> 1 */
	make_available(1);
	expect_error(VQ_ERR_LOOP);
}

static void test_out_of_range_addresses(void **state)
{
	(void)state;
	static const uint64_t bad[][2] = {
	    {RAM_BASE - 16, 16},             /* below RAM */
	    {RAM_BASE + RAM_SIZE, 1},        /* just past it */
	    {RAM_BASE + RAM_SIZE - 8, 9},    /* crosses the end */
	    {0x0a000000, 4},                 /* a device */
	    {0x100000000ull | BUF, 4},       /* above 4 GiB */
	    {RAM_BASE + 0x100, 0xffffff00u}, /* length wraps around */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup(NULL);
		set_desc(0, BUF, 8, VRING_DESC_F_NEXT, 1);
		set_desc(1, bad[i][0], (uint32_t)bad[i][1], VRING_DESC_F_WRITE, 0);
		make_available(0);
		expect_error(VQ_ERR_ADDR);
	}
}

static void test_bad_indices(void **state)
{
	(void)state;
	make_available(NUM); /* head past the table */
	expect_error(VQ_ERR_INDEX);
	setup(NULL);
	set_desc(0, BUF, 8, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0x100);
	make_available(0);
	expect_error(VQ_ERR_INDEX);
	setup(NULL);
	set_desc(0, BUF, 8, VRING_DESC_F_WRITE, 0);
	avail()->idx = (uint16_t)(NUM + 1); /* more than the queue holds */
	expect_error(VQ_ERR_AVAIL);
}

static void test_wrong_lengths(void **state)
{
	(void)state;
	set_desc(0, BUF, 0, VRING_DESC_F_WRITE, 0);
	make_available(0);
	expect_error(VQ_ERR_LEN);
	/* two buffers of 2.25 GiB in a (pretend) 2.75 GiB RAM: over the 4 GiB a
	 * chain may have; the walk never touches the buffers themselves */
	struct guest_mem big = {ram, RAM_BASE, 0xb0000000u};
	setup(NULL);
	set_desc(0, RAM_BASE + 0x10000, 0x90000000u, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(1, RAM_BASE + 0x10000, 0x90000000u, VRING_DESC_F_WRITE, 0);
	make_available(0);
	struct vq_chain c;
	assert_int_equal(vq_pop(&big, &q, &c), VQ_ERR_LEN);
}

static void test_indirect_and_order(void **state)
{
	(void)state;
	set_desc(0, BUF, 16, VRING_DESC_F_INDIRECT, 0);
	make_available(0);
	expect_error(VQ_ERR_INDIRECT);
	setup(NULL);
	set_desc(0, BUF, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(1, BUF + 16, 16, 0, 0); /* readable after writable: 2.7.4.2 */
	make_available(0);
	expect_error(VQ_ERR_ORDER);
}

static void test_push_and_publish(void **state)
{
	(void)state;
	assert_int_equal(vq_push(&gm, &q, 5, 20), VQ_OK);
	assert_int_equal(used()->ring[0].id, 5);
	assert_int_equal(used()->ring[0].len, 20);
	assert_int_equal(used()->idx, 0); /* not visible before publish */
	assert_int_equal(q.used_idx, 1);
	vq_publish(&gm, &q);
	vq_publish(&gm, &q); /* idempotent */
	assert_int_equal(used()->idx, 1);
	q.used_idx = 0xffff; /* the index wraps, the ring position too */
	assert_int_equal(vq_push(&gm, &q, 2, 4), VQ_OK);
	assert_int_equal(used()->ring[0xffff % NUM].id, 2);
	assert_int_equal(q.used_idx, 0);
}

static void test_interrupt_suppression(void **state)
{
	(void)state;
	assert_true(vq_wants_interrupt(&gm, &q));
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	assert_false(vq_wants_interrupt(&gm, &q));
}

/* The available index wraps at 16 bits without losing a chain. */
static void test_index_wrap(void **state)
{
	struct vq_chain c;
	(void)state;
	q.last_avail = 0xfffe;
	avail()->idx = 0xfffe;
	set_desc(0, BUF, 4, VRING_DESC_F_WRITE, 0);
	set_desc(1, BUF, 4, VRING_DESC_F_WRITE, 0);
	make_available(0);
	make_available(1);
	assert_int_equal(avail()->idx, 0);
	assert_int_equal(vq_pop(&gm, &q, &c), 1);
	assert_int_equal(c.head, 0);
	assert_int_equal(vq_pop(&gm, &q, &c), 1);
	assert_int_equal(c.head, 1);
	assert_int_equal(vq_pop(&gm, &q, &c), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_guest_ptr_bounds, setup),
	    cmocka_unit_test_setup(test_check_rings, setup),
	    cmocka_unit_test_setup(test_pop_single_and_empty, setup),
	    cmocka_unit_test_setup(test_pop_chain, setup),
	    cmocka_unit_test_setup(test_full_length_chain, setup),
	    cmocka_unit_test_setup(test_loops, setup),
	    cmocka_unit_test_setup(test_out_of_range_addresses, setup),
	    cmocka_unit_test_setup(test_bad_indices, setup),
	    cmocka_unit_test_setup(test_wrong_lengths, setup),
	    cmocka_unit_test_setup(test_indirect_and_order, setup),
	    cmocka_unit_test_setup(test_push_and_publish, setup),
	    cmocka_unit_test_setup(test_interrupt_suppression, setup),
	    cmocka_unit_test_setup(test_index_wrap, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
