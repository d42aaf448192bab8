/* Unit tests of the learning switch (servers/devices/switch/switch.c) on
 * frame rings in plain memory: flooding of broadcast and unknown
 * destinations, learning, filtering, a full RX ring (dropped, no wait),
 * bad lengths, a port with impossible indices, and the TX room signal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../servers/devices/switch/switch.h"

#define PORTS 3

static struct sw s;
static struct net_ring *txr[PORTS], *rxr[PORTS];
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void mac_of(unsigned port, uint8_t mac[6])
{
	const uint8_t m[6] = {0x02, 0x68, 0x76, 0, 0, (uint8_t)(port + 1)};
	memcpy(mac, m, 6);
}

static int setup(void **state)
{
	(void)state;
	sw_init(&s);
	for (unsigned i = 0; i < PORTS; i++) {
		txr[i] = calloc(1, sizeof(struct net_ring));
		rxr[i] = calloc(1, sizeof(struct net_ring));
		sw_add_port(&s, i, txr[i], rxr[i]);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < PORTS; i++) {
		free(txr[i]);
		free(rxr[i]);
	}
	return 0;
}

/* Port `from` sends a frame to dst (its source: its own address). */
static void send(unsigned from, const uint8_t dst[6], uint32_t len, uint8_t tag)
{
	struct net_ring *r = txr[from];
	struct net_slot *slot = net_ring_slot(r, r->prod);
	memset(slot->data, tag, len);
	memcpy(slot->data, dst, 6);
	mac_of(from, slot->data + 6);
	slot->len = len;
	r->prod++;
}

static uint32_t pending(unsigned port)
{
	return rxr[port]->prod - rxr[port]->cons;
}

static uint8_t last_tag(unsigned port)
{
	const struct net_slot *slot = net_ring_slot(rxr[port], rxr[port]->prod - 1);
	return slot->data[slot->len - 1];
}

static void test_broadcast_floods(void **state)
{
	(void)state;
	send(0, bcast, 60, 1);
	assert_int_equal(sw_run(&s), (1u << 1) | (1u << 2));
	assert_int_equal(pending(0), 0);
	assert_int_equal(pending(1), 1);
	assert_int_equal(pending(2), 1);
	assert_int_equal(txr[0]->cons, 1);
	assert_int_equal(last_tag(2), 1);
	uint8_t m[6];
	mac_of(0, m);
	assert_int_equal(sw_lookup(&s, m), 0); /* learned from the source */
}

static void test_learned_unicast_goes_to_one_port(void **state)
{
	uint8_t m0[6], m2[6];
	(void)state;
	mac_of(0, m0);
	mac_of(2, m2);
	send(2, m0, 100, 2); /* unknown destination: flooded; port 2 learned */
	assert_int_equal(sw_run(&s), (1u << 0) | (1u << 1));
	send(0, m2, 100, 3);
	assert_int_equal(sw_run(&s), 1u << 2);
	assert_int_equal(pending(1), 1); /* only the flood */
	assert_int_equal(pending(2), 1);
	assert_int_equal(last_tag(2), 3);
	assert_int_equal(s.forwarded, 1);
}

static void test_frame_to_its_own_port_filtered(void **state)
{
	uint8_t m1[6];
	(void)state;
	mac_of(1, m1);
	send(1, bcast, 60, 4); /* learn port 1 */
	sw_run(&s);
	send(1, m1, 60, 5);
	assert_int_equal(sw_run(&s), 0);
	assert_int_equal(s.filtered, 1);
}

static void test_full_rx_ring_drops_without_waiting(void **state)
{
	(void)state;
	for (unsigned k = 0; k < NET_RING_SLOTS + 3; k++) {
		send(0, bcast, 60, (uint8_t)k);
		sw_run(&s); /* port 1 and 2 never take anything */
	}
	assert_int_equal(pending(1), NET_RING_SLOTS);
	assert_int_equal(rxr[1]->drops, 3);
	assert_int_equal(txr[0]->cons, NET_RING_SLOTS + 3); /* the sender is never held up */
	rxr[1]->cons += 10;                                 /* the monitor takes ten */
	send(0, bcast, 60, 0x77);
	sw_run(&s);
	assert_int_equal(pending(1), NET_RING_SLOTS - 9);
	assert_int_equal(last_tag(1), 0x77);
}

static void test_bad_lengths_dropped(void **state)
{
	(void)state;
	send(0, bcast, 60, 6);
	net_ring_slot(txr[0], 0)->len = 5;
	send(0, bcast, 60, 7);
	net_ring_slot(txr[0], 1)->len = NET_FRAME_MAX + 1;
	send(0, bcast, 64, 8);
	sw_run(&s);
	assert_int_equal(txr[0]->drops, 2);
	assert_int_equal(pending(1), 1);
	assert_int_equal(last_tag(1), 8);
}

static void test_impossible_indices_break_the_port(void **state)
{
	(void)state;
	txr[0]->prod = NET_RING_SLOTS + 1; /* more than the ring holds */
	send(1, bcast, 60, 9);
	assert_int_equal(sw_run(&s), 1u << 2); /* not to the broken port */
	assert_int_equal(txr[0]->cons, 0);
	assert_int_equal(pending(0), 0);
}

static void test_room_signalled_when_asked(void **state)
{
	(void)state;
	send(0, bcast, 60, 10);
	txr[0]->want_space = 1;
	assert_true(sw_run(&s) & 1u);
	assert_int_equal(txr[0]->want_space, 0);
	send(0, bcast, 60, 11);
	assert_false(sw_run(&s) & 1u);
}

static void test_ports_taken_over_where_they_were(void **state)
{
	(void)state;
	txr[0]->prod = txr[0]->cons = 1000; /* a switch started on used rings */
	rxr[1]->prod = rxr[1]->cons = 2000;
	sw_add_port(&s, 0, txr[0], rxr[0]);
	sw_add_port(&s, 1, txr[1], rxr[1]);
	send(0, bcast, 60, 12);
	sw_run(&s);
	assert_int_equal(rxr[1]->prod, 2001);
	assert_int_equal(last_tag(1), 12);
}

static void test_table_replaces_oldest(void **state)
{
	uint8_t m[6] = {0x02, 0, 0, 0, 0, 0};
	(void)state;
	for (unsigned k = 0; k < SW_TABLE + 1; k++) {
		m[5] = (uint8_t)k;
		struct net_ring *r = txr[k % PORTS];
		struct net_slot *slot = net_ring_slot(r, r->prod);
		memcpy(slot->data, bcast, 6);
		memcpy(slot->data + 6, m, 6);
		slot->len = 60;
		r->prod++;
		sw_run(&s);
	}
	m[5] = 0;
	assert_int_equal(sw_lookup(&s, m), -1); /* the oldest gave way */
	m[5] = SW_TABLE;
	assert_int_equal(sw_lookup(&s, m), SW_TABLE % PORTS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_broadcast_floods),
	    T(test_learned_unicast_goes_to_one_port),
	    T(test_frame_to_its_own_port_filtered),
	    T(test_full_rx_ring_drops_without_waiting),
	    T(test_bad_lengths_dropped),
	    T(test_impossible_indices_break_the_port),
	    T(test_room_signalled_when_asked),
	    T(test_ports_taken_over_where_they_were),
	    T(test_table_replaces_oldest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
