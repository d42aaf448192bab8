/*
 * A console stream: one page shared by a VM's monitor (or init) and the
 * console server. TX: the monitor produces, the console consumes; RX the
 * other way. The TX producer index and the exit serial that produced the
 * last byte are committed together by one 64-bit store (STRD is
 * single-copy atomic on LPAE systems, ARM ARM A3.5.3), so a restarted
 * monitor can tell whether the exit it is handed again already wrote.
 */
#ifndef HV_RING_H
#define HV_RING_H

#include <stdint.h>

#define HV_RING_TX_SIZE 2048u
#define HV_RING_RX_SIZE 1024u

struct hv_ring {
	volatile uint64_t tx_commit; /* low: producer index, high: exit serial */
	volatile uint32_t tx_cons;
	volatile uint32_t rx_prod;
	volatile uint32_t rx_cons;
	char name[16];
	uint8_t tx[HV_RING_TX_SIZE];
	uint8_t rx[HV_RING_RX_SIZE];
};

static inline uint32_t hv_ring_tx_prod(const struct hv_ring *r)
{
	return (uint32_t)r->tx_commit;
}

static inline uint32_t hv_ring_tx_serial(const struct hv_ring *r)
{
	return (uint32_t)(r->tx_commit >> 32);
}

static inline uint32_t hv_ring_tx_space(const struct hv_ring *r)
{
	return HV_RING_TX_SIZE - (hv_ring_tx_prod(r) - r->tx_cons);
}

/* Producer: write the byte, then commit index and serial in one store. */
static inline void hv_ring_tx_put(struct hv_ring *r, uint8_t c, uint32_t serial)
{
	uint32_t prod = hv_ring_tx_prod(r);
	r->tx[prod % HV_RING_TX_SIZE] = c;
	__asm__ volatile("dmb ish" ::: "memory");
	r->tx_commit = (uint64_t)serial << 32 | (prod + 1);
	__asm__ volatile("dmb ish" ::: "memory");
}

#endif
