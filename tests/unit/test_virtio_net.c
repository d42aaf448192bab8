/* Unit tests of the virtio network device (servers/vmm/virtio_net.c) on
 * the virtio-mmio transport, with its two frame rings (<hv/netring.h>) in
 * plain memory: configuration space, features, the transmit and receive
 * paths, a full ring, bad chains, and a monitor that dies before its
 * commit (the same work done again gives the same result). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "virtio_net.h"

#define RAM_BASE 0x40000000u
#define RAM_SIZE 0x40000u
#define NUM      8u
#define BUF      (RAM_BASE + 0x10000) /* buffers, 2 KiB apart */
#define HDR      VIRTIO_NET_HDR_SIZE

/* the queues' rings: receiveq at 0x1000.., transmitq at 0x4000.. */
#define DESC(q)  (RAM_BASE + 0x1000 + (q)*0x3000)
#define AVAIL(q) (DESC(q) + 0x1000)
#define USED(q)  (DESC(q) + 0x2000)

static uint8_t ram[RAM_SIZE] __attribute__((aligned(16)));
static const struct guest_mem gm = {ram, RAM_BASE, RAM_SIZE};
static const struct virtio_device *const dev = &virtio_net_device;
static const uint8_t mac[6] = {0x02, 0x68, 0x76, 0, 0, 1};
static struct virtio_net n;
static struct net_ring *tx, *rx;
static uint32_t kick;

static void *at(uint32_t addr)
{
	return ram + (addr - RAM_BASE);
}

static void wr(uint32_t off, uint32_t val)
{
	assert_int_equal(virtio_mmio_write(&n.t, dev, &gm, off, 4, val, &kick), 0);
}

static uint32_t rd(uint32_t off)
{
	uint32_t val = 0xdeadbeef;
	assert_int_equal(virtio_mmio_read(&n.t, dev, off, 4, &val), 0);
	return val;
}

static void setup_queue(unsigned q)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, NUM);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC(q));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL(q));
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, USED(q));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static const uint32_t driver_bits = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	memset(&n, 0, sizeof(n));
	tx = calloc(1, sizeof(*tx));
	rx = calloc(1, sizeof(*rx));
	wr(VIRTIO_MMIO_STATUS, driver_bits);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_NET_F_MAC);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));
	wr(VIRTIO_MMIO_STATUS, driver_bits | VIRTIO_CONFIG_S_FEATURES_OK);
	setup_queue(VIRTIO_NET_RXQ);
	setup_queue(VIRTIO_NET_TXQ);
	wr(VIRTIO_MMIO_STATUS,
	   driver_bits | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(tx);
	free(rx);
	return 0;
}

static void set_desc(unsigned q, unsigned i, uint32_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
	((struct vring_desc *)at(DESC(q)))[i] = (struct vring_desc){addr, len, flags, next};
}

static void make_available(unsigned q, uint16_t head)
{
	struct vring_avail *a = at(AVAIL(q));
	a->ring[a->idx % NUM] = head;
	a->idx++;
}

static struct vring_used *used(unsigned q)
{
	return at(USED(q));
}

static void fill_frame(uint8_t *p, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* A transmit chain at descriptor d: header, then the frame in a second buffer. */
static void post_tx(unsigned d, uint32_t len, uint8_t seed)
{
	uint32_t buf = BUF + d * 0x800;
	memset(at(buf), 0, HDR);
	fill_frame(at(buf + HDR + 64), len, seed);
	set_desc(VIRTIO_NET_TXQ, d, buf, HDR, VRING_DESC_F_NEXT, (uint16_t)(d + 1));
	set_desc(VIRTIO_NET_TXQ, d + 1, buf + HDR + 64, len, 0, 0);
	make_available(VIRTIO_NET_TXQ, (uint16_t)d);
}

/* A receive buffer of len bytes at descriptor d. */
static void post_rx(unsigned d, uint32_t len)
{
	set_desc(VIRTIO_NET_RXQ, d, BUF + 0x8000 + d * 0x800, len, VRING_DESC_F_WRITE, 0);
	make_available(VIRTIO_NET_RXQ, (uint16_t)d);
}

/* The switch's side: a frame into the RX ring. */
static void ring_put(uint32_t len, uint8_t seed)
{
	struct net_slot *s = net_ring_slot(rx, rx->prod);
	s->len = len;
	fill_frame(s->data, len, seed);
	rx->prod++;
}

static void test_config_space(void **state)
{
	uint32_t val;
	(void)state;
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(virtio_net_config_read(mac, i, 1, &val), 0);
		assert_int_equal(val, mac[i]);
	}
	assert_int_equal(virtio_net_config_read(mac, 6, 2, &val), 0);
	assert_int_equal(val, VIRTIO_NET_S_LINK_UP);
	assert_int_equal(virtio_net_config_read(mac, 4, 4, &val), 0);
	assert_int_equal(val, 0x00010100u);
	assert_int_equal(virtio_net_config_read(mac, 0x40, 4, &val), 0);
	assert_int_equal(val, 0);
	assert_int_equal(virtio_net_config_read(mac, 1, 2, &val), -1); /* misaligned */
	assert_int_equal(virtio_net_config_read(mac, 0, 8, &val), -1);
}

static void test_features_and_queues(void **state)
{
	(void)state;
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), 1);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES),
	                 (1u << VIRTIO_NET_F_MAC) | (1u << VIRTIO_NET_F_STATUS));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1u << (VIRTIO_F_VERSION_1 - 32));
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0); /* no control queue */
	assert_true(virtio_mmio_queue_live(&n.t, VIRTIO_NET_RXQ));
	assert_true(virtio_mmio_queue_live(&n.t, VIRTIO_NET_TXQ));
}

static void test_tx_strips_header(void **state)
{
	(void)state;
	post_tx(0, 60, 1);
	post_tx(2, 1514, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TXQ);
	assert_int_equal(kick, 1u << VIRTIO_NET_TXQ);
	assert_int_equal(virtio_net_tx(&n, &gm, tx), 2);
	assert_int_equal(n.tx_prod, 2);
	assert_int_equal(tx->prod, 0); /* published by the caller, after its commit */
	uint8_t want[NET_FRAME_MAX];
	fill_frame(want, 60, 1);
	assert_int_equal(tx->slot[0].len, 60);
	assert_memory_equal(tx->slot[0].data, want, 60);
	fill_frame(want, 1514, 2);
	assert_int_equal(tx->slot[1].len, 1514);
	assert_memory_equal(tx->slot[1].data, want, 1514);
	assert_int_equal(n.t.vq[VIRTIO_NET_TXQ].used_idx, 2);
	assert_int_equal(used(VIRTIO_NET_TXQ)->ring[1].id, 2);
	assert_int_equal(used(VIRTIO_NET_TXQ)->ring[1].len, 0);
	assert_true(n.t.isr & VIRTIO_MMIO_INT_VRING);
}

static void test_tx_bad_lengths_dropped(void **state)
{
	(void)state;
	set_desc(VIRTIO_NET_TXQ, 0, BUF, HDR + 10, 0, 0); /* shorter than an Ethernet header */
	make_available(VIRTIO_NET_TXQ, 0);
	post_tx(2, NET_FRAME_MAX + 1, 3);
	post_tx(4, 100, 4);
	assert_int_equal(virtio_net_tx(&n, &gm, tx), 1);
	assert_int_equal(n.dropped, 2);
	assert_int_equal(n.tx_prod, 1);
	assert_int_equal(tx->slot[0].len, 100);
	assert_int_equal(n.t.vq[VIRTIO_NET_TXQ].used_idx, 3); /* every chain given back */
	assert_false(n.t.status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_tx_full_ring_waits(void **state)
{
	(void)state;
	n.tx_prod = tx->prod = NET_RING_SLOTS - 1; /* one slot left */
	post_tx(0, 60, 5);
	post_tx(2, 60, 6);
	assert_int_equal(virtio_net_tx(&n, &gm, tx), 1);
	assert_int_equal(n.t.vq[VIRTIO_NET_TXQ].last_avail, 1); /* the second waits */
	assert_int_equal(tx->want_space, 1);
	tx->cons = 1; /* the switch took one */
	tx->want_space = 0;
	assert_int_equal(virtio_net_tx(&n, &gm, tx), 1);
	assert_int_equal(n.tx_prod, NET_RING_SLOTS + 1);
	assert_int_equal(tx->slot[0].len, 60); /* slot 128 % 128 */
}

static void test_tx_bad_chains_need_reset(void **state)
{
	(void)state;
	set_desc(VIRTIO_NET_TXQ, 0, BUF, HDR, VRING_DESC_F_NEXT, 1);
	set_desc(VIRTIO_NET_TXQ, 1, BUF + 0x100, 60, VRING_DESC_F_NEXT, 0); /* a loop */
	make_available(VIRTIO_NET_TXQ, 0);
	assert_int_equal(virtio_net_tx(&n, &gm, tx), 0);
	assert_true(n.t.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(n.t.error, (uint32_t)VQ_ERR_LOOP);
	assert_true(n.t.isr & VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(n.tx_prod, 0);
}

static void test_tx_writable_buffer_needs_reset(void **state)
{
	(void)state;
	set_desc(VIRTIO_NET_TXQ, 0, BUF, 100, VRING_DESC_F_WRITE, 0);
	make_available(VIRTIO_NET_TXQ, 0);
	assert_int_equal(virtio_net_tx(&n, &gm, tx), 0);
	assert_true(n.t.status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_tx_outside_ram_needs_reset(void **state)
{
	(void)state;
	set_desc(VIRTIO_NET_TXQ, 0, RAM_BASE + RAM_SIZE - 8, 100, 0, 0);
	make_available(VIRTIO_NET_TXQ, 0);
	assert_int_equal(virtio_net_tx(&n, &gm, tx), 0);
	assert_int_equal(n.t.error, (uint32_t)VQ_ERR_ADDR);
}

static void test_rx_delivers_with_header(void **state)
{
	(void)state;
	memset(at(BUF + 0x8000), 0xaa, 0x800);
	post_rx(0, HDR + 1518);
	post_rx(1, HDR + 1518);
	ring_put(60, 9);
	ring_put(1514, 10);
	assert_int_equal(virtio_net_rx(&n, &gm, rx), 2);
	assert_int_equal(n.rx_cons, 2);
	assert_int_equal(rx->cons, 0); /* published by the caller */
	struct virtio_net_hdr_v1 want_hdr = {.num_buffers = 1};
	assert_memory_equal(at(BUF + 0x8000), &want_hdr, HDR);
	uint8_t want[1514];
	fill_frame(want, 60, 9);
	assert_memory_equal(at(BUF + 0x8000 + HDR), want, 60);
	assert_int_equal(used(VIRTIO_NET_RXQ)->ring[0].len, HDR + 60);
	fill_frame(want, 1514, 10);
	assert_memory_equal(at(BUF + 0x8800 + HDR), want, 1514);
	assert_int_equal(used(VIRTIO_NET_RXQ)->ring[1].len, HDR + 1514);
	assert_true(n.t.isr & VIRTIO_MMIO_INT_VRING);
}

static void test_rx_waits_for_buffers(void **state)
{
	(void)state;
	ring_put(60, 11);
	assert_int_equal(virtio_net_rx(&n, &gm, rx), 0);
	assert_int_equal(n.rx_cons, 0); /* the frame waits in the ring */
	assert_false(n.t.isr & VIRTIO_MMIO_INT_VRING);
	post_rx(0, HDR + 1518);
	assert_int_equal(virtio_net_rx(&n, &gm, rx), 1);
	assert_int_equal(n.rx_cons, 1);
}

static void test_rx_small_buffer_and_bad_length(void **state)
{
	(void)state;
	post_rx(0, HDR + 100);
	rx->slot[0].len = 5000; /* no switch writes this: skipped */
	rx->prod = 1;
	ring_put(200, 12); /* too big for the buffer: dropped, the buffer stays */
	ring_put(80, 13);
	assert_int_equal(virtio_net_rx(&n, &gm, rx), 1);
	assert_int_equal(n.dropped, 2);
	assert_int_equal(n.rx_cons, 3);
	assert_int_equal(used(VIRTIO_NET_RXQ)->ring[0].len, HDR + 80);
}

static void test_rx_readable_buffer_needs_reset(void **state)
{
	(void)state;
	set_desc(VIRTIO_NET_RXQ, 0, BUF, 2000, 0, 0);
	make_available(VIRTIO_NET_RXQ, 0);
	ring_put(60, 14);
	assert_int_equal(virtio_net_rx(&n, &gm, rx), 0);
	assert_true(n.t.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(n.rx_cons, 0);
}

static void test_rx_impossible_indices_ignored(void **state)
{
	(void)state;
	post_rx(0, HDR + 1518);
	rx->prod = NET_RING_SLOTS + 5;
	assert_int_equal(virtio_net_rx(&n, &gm, rx), 0);
	assert_int_equal(n.rx_cons, 0);
}

static void test_not_live_does_nothing(void **state)
{
	(void)state;
	wr(VIRTIO_MMIO_STATUS, 0); /* reset */
	post_tx(0, 60, 1);
	ring_put(60, 1);
	assert_int_equal(virtio_net_tx(&n, &gm, tx), 0);
	assert_int_equal(virtio_net_rx(&n, &gm, rx), 0);
	assert_int_equal(n.tx_prod, 0);
	assert_int_equal(n.rx_cons, 0);
}

/* A monitor that dies before its commit: its successor starts from the
 * committed copy and does the same work, with the same result. */
static void test_redo_after_crash_is_identical(void **state)
{
	(void)state;
	post_tx(0, 300, 20);
	post_tx(2, 400, 21);
	post_rx(0, HDR + 1518);
	ring_put(500, 22);
	struct virtio_net committed = n;
	virtio_net_tx(&n, &gm, tx);
	virtio_net_rx(&n, &gm, rx);
	struct virtio_net first = n;
	static struct net_ring tx_first;
	static uint8_t ram_first[RAM_SIZE];
	tx_first = *tx;
	memcpy(ram_first, ram, RAM_SIZE);
	n = committed; /* the crash: back to the committed state */
	virtio_net_tx(&n, &gm, tx);
	virtio_net_rx(&n, &gm, rx);
	assert_memory_equal(&n, &first, sizeof(n));
	assert_memory_equal(tx, &tx_first, sizeof(*tx));
	assert_memory_equal(ram, ram_first, RAM_SIZE);
	assert_int_equal(n.tx_prod, 2);
	assert_int_equal(n.rx_cons, 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_config_space),
	    T(test_features_and_queues),
	    T(test_tx_strips_header),
	    T(test_tx_bad_lengths_dropped),
	    T(test_tx_full_ring_waits),
	    T(test_tx_bad_chains_need_reset),
	    T(test_tx_writable_buffer_needs_reset),
	    T(test_tx_outside_ram_needs_reset),
	    T(test_rx_delivers_with_header),
	    T(test_rx_waits_for_buffers),
	    T(test_rx_small_buffer_and_bad_length),
	    T(test_rx_readable_buffer_needs_reset),
	    T(test_rx_impossible_indices_ignored),
	    T(test_not_live_does_nothing),
	    T(test_redo_after_crash_is_identical),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
