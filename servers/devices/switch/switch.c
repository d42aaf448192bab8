/*
 * The learning switch (switch.h). Every frame of a port's TX ring is taken
 * once: its source address is learned for that port; a group destination
 * (I/G bit set, broadcast included) or an unknown one is flooded to every
 * other port; a known one goes to its port, or nowhere if that is the port
 * it came from. A frame for an RX ring without room is dropped and counted
 * there (Ethernet may drop; the switch never waits for a port, so a slow,
 * crashed or restarting monitor holds up nobody else).
 *
 * Everything read from a ring is read once and checked: a length outside
 * NET_FRAME_MIN..NET_FRAME_MAX drops the frame; a producer index more
 * than NET_RING_SLOTS ahead marks the port broken (skipped from then on).
 */
#include "switch.h"

#include <string.h>

void sw_init(struct sw *s)
{
	memset(s, 0, sizeof(*s));
}

void sw_add_port(struct sw *s, unsigned i, struct net_ring *tx, struct net_ring *rx)
{
	struct sw_port *p = &s->port[i];
	p->tx = tx;
	p->rx = rx;
	p->tx_cons = tx->cons;
	p->rx_prod = rx->prod;
	p->broken = false;
}

int sw_lookup(const struct sw *s, const uint8_t mac[6])
{
	for (unsigned i = 0; i < SW_TABLE; i++)
		if (s->table[i].valid && !memcmp(s->table[i].mac, mac, 6))
			return s->table[i].port;
	return -1;
}

/* Learn (or refresh) mac on port; the oldest entry gives way. */
static void learn(struct sw *s, const uint8_t mac[6], unsigned port)
{
	struct sw_entry *slot = &s->table[0];
	for (unsigned i = 0; i < SW_TABLE; i++) {
		struct sw_entry *e = &s->table[i];
		if (e->valid && !memcmp(e->mac, mac, 6)) {
			slot = e;
			break;
		}
		if (!e->valid || (slot->valid && e->stamp < slot->stamp))
			slot = e;
	}
	memcpy(slot->mac, mac, 6);
	slot->port = (uint8_t)port;
	slot->valid = 1;
	slot->stamp = ++s->clock;
}

static bool port_up(const struct sw_port *p)
{
	return p->tx && !p->broken;
}

/* The frame into port d's RX ring; false if it has no room. */
static bool deliver(struct sw *s, unsigned d, const uint8_t *frame, uint32_t len)
{
	struct sw_port *p = &s->port[d];
	if (net_ring_count(p->rx_prod, p->rx->cons) >= NET_RING_SLOTS) {
		p->rx->drops++;
		s->dropped++;
		return false;
	}
	struct net_slot *slot = net_ring_slot(p->rx, p->rx_prod);
	memcpy(slot->data, frame, len);
	slot->len = len;
	net_barrier(); /* the slot before the index */
	p->rx->prod = ++p->rx_prod;
	return true;
}

/* One frame from port src: where it goes. Returns the ports it reached. */
static uint32_t forward(struct sw *s, unsigned src, const uint8_t *frame, uint32_t len)
{
	const uint8_t *dst = frame, *from = frame + 6;
	uint32_t reached = 0;
	if (!(from[0] & 1))
		learn(s, from, src);
	int to = (dst[0] & 1) ? -1 : sw_lookup(s, dst);
	if (to == (int)src) {
		s->filtered++;
		return 0;
	}
	if (to >= 0) {
		s->forwarded++;
		return port_up(&s->port[to]) && deliver(s, (unsigned)to, frame, len) ? 1u << to : 0;
	}
	s->flooded++;
	for (unsigned d = 0; d < SW_MAX_PORTS; d++)
		if (d != src && port_up(&s->port[d]) && deliver(s, d, frame, len))
			reached |= 1u << d;
	return reached;
}

/* Everything in port i's TX ring; the ports to signal. */
static uint32_t drain(struct sw *s, unsigned i)
{
	struct sw_port *p = &s->port[i];
	uint32_t prod = p->tx->prod, wake = 0;
	if (net_ring_count(prod, p->tx_cons) > NET_RING_SLOTS) {
		p->broken = true;
		return 0;
	}
	net_barrier(); /* the slots after the index that covers them */
	while (p->tx_cons != prod) {
		const struct net_slot *slot = net_ring_slot(p->tx, p->tx_cons);
		uint32_t len = slot->len;
		if (len >= NET_FRAME_MIN && len <= NET_FRAME_MAX)
			wake |= forward(s, i, slot->data, len);
		else
			p->tx->drops++;
		p->tx_cons++;
	}
	net_barrier(); /* the frames were read before the slots are given back */
	p->tx->cons = p->tx_cons;
	net_barrier(); /* the index before the monitor's request is read */
	if (p->tx->want_space) {
		p->tx->want_space = 0;
		wake |= 1u << i;
	}
	return wake;
}

uint32_t sw_run(struct sw *s)
{
	uint32_t wake = 0;
	for (unsigned i = 0; i < SW_MAX_PORTS; i++)
		if (port_up(&s->port[i]))
			wake |= drain(s, i);
	return wake;
}
