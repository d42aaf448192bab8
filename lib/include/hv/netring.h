/*
 * A ring of Ethernet frames between a VM's monitor and the switch server
 * (servers/devices/switch): one producer, one consumer, fixed slots. Each
 * port has two, in memory init maps into both servers: TX (the monitor
 * produces, the switch consumes) and RX (the other way).
 *
 * A slot below `prod` and at or above `cons` holds a frame; the producer
 * writes slot prod % NET_RING_SLOTS, then publishes prod + 1; the consumer
 * reads the slot, then publishes cons + 1. Each index has one writer, and
 * each sits in its own cache line. A monitor keeps its own index (the TX
 * producer, the RX consumer) in its state region and stores it here after
 * committing, so a monitor that dies between filling slots and publishing
 * leaves nothing visible, and its successor fills the same slots again.
 *
 * `want_space`: the monitor found the TX ring full and left frames in the
 * guest's queue; it sets the word, then looks at `cons` again. The switch
 * publishes `cons`, then reads the word: if set, clears it and signals the
 * monitor. Neither side waits for the other.
 */
#ifndef HV_NETRING_H
#define HV_NETRING_H

#include <stdint.h>

#define NET_RING_SLOTS  128u  /* a power of two */
#define NET_SLOT_SIZE   2048u /* one slot: length word and frame */
#define NET_FRAME_MAX   1522u /* Ethernet header, 1500 bytes, a VLAN tag, FCS room */
#define NET_FRAME_MIN   14u   /* an Ethernet header */
#define NET_RING_HEADER 4096u /* the indices, then the slots */
#define NET_RING_BYTES  (NET_RING_HEADER + NET_RING_SLOTS * NET_SLOT_SIZE)
#define NET_PORT_BYTES  (2 * NET_RING_BYTES) /* TX ring, then RX ring */

struct net_slot {
	uint32_t len;
	uint8_t data[NET_SLOT_SIZE - 4];
};

struct net_ring {
	volatile uint32_t prod;
	uint32_t pad0[15];
	volatile uint32_t cons;
	uint32_t pad1[15];
	volatile uint32_t want_space;
	volatile uint32_t drops; /* frames the consumer refused (bad length), or the switch
	                            dropped for want of room in an RX ring */
	uint8_t pad2[NET_RING_HEADER - 136];
	struct net_slot slot[NET_RING_SLOTS];
};

static inline void net_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Frames between cons and prod, or NET_RING_SLOTS + 1 for indices no
 * ring can have (the consumer then treats the ring as broken). */
static inline uint32_t net_ring_count(uint32_t prod, uint32_t cons)
{
	uint32_t n = prod - cons;
	return n <= NET_RING_SLOTS ? n : NET_RING_SLOTS + 1;
}

static inline struct net_slot *net_ring_slot(struct net_ring *r, uint32_t index)
{
	return &r->slot[index % NET_RING_SLOTS];
}

#endif
