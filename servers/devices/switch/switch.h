/*
 * The switch's forwarding core: a learning Ethernet bridge (IEEE 802.1D
 * section 7: learning from source addresses, filtering, flooding of
 * group and unknown destinations) between ports made of two frame rings
 * (<hv/netring.h>). Portable: the unit tests run it on the host.
 */
#ifndef SWITCH_H
#define SWITCH_H

#include <hv/netring.h>
#include <stdbool.h>
#include <stdint.h>

#define SW_MAX_PORTS 8
#define SW_TABLE     64 /* learned addresses */

struct sw_port {
	struct net_ring *tx, *rx;  /* NULL: no port */
	uint32_t tx_cons, rx_prod; /* the switch's own indices, published to the rings */
	bool broken;               /* its monitor published impossible indices */
};

struct sw_entry {
	uint8_t mac[6];
	uint8_t port, valid;
	uint32_t stamp; /* last seen, for replacing the oldest */
};

struct sw {
	struct sw_port port[SW_MAX_PORTS];
	struct sw_entry table[SW_TABLE];
	uint32_t clock;
	uint32_t forwarded, flooded, filtered, dropped;
};

void sw_init(struct sw *s);

/* Port i: its rings as they are (indices taken over, not reset). */
void sw_add_port(struct sw *s, unsigned i, struct net_ring *tx, struct net_ring *rx);

/* Forward every frame waiting in every port's TX ring. Returns the ports
 * whose monitors should be signalled (bit i: frames put in port i's RX
 * ring, or room made in its TX ring that its monitor asked for). */
uint32_t sw_run(struct sw *s);

/* The port a unicast address was learned on, or -1. */
int sw_lookup(const struct sw *s, const uint8_t mac[6]);

#endif
