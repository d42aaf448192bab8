/*
 * The virtio network device (virtio 1.2 section 5.1) on the virtio-mmio
 * transport, attached to a port of the switch server through two frame
 * rings (<hv/netring.h>). Portable: the rings and guest RAM are plain
 * memory here, so the unit tests run it on the host.
 */
#ifndef VMM_VIRTIO_NET_H
#define VMM_VIRTIO_NET_H

#include <hv/netring.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio_mmio.h"

#define VIRTIO_NET_QUEUE_MAX 64u
#define VIRTIO_NET_RXQ       0u  /* receiveq1 (5.1.2) */
#define VIRTIO_NET_TXQ       1u  /* transmitq1 */
#define VIRTIO_NET_HDR_SIZE  12u /* struct virtio_net_hdr_v1 (5.1.6) */

extern const struct virtio_device virtio_net_device;

/* Device state, kept in the monitor's state region (plain data). */
struct virtio_net {
	struct virtio_mmio t; /* transport and the two queues */
	uint32_t tx_prod;     /* next TX ring slot to fill; published after the commit */
	uint32_t rx_cons;     /* next RX ring slot to take; likewise */
	uint32_t tx_frames, rx_frames, dropped;
};

/* Device configuration space (5.1.4), offset from 0x100: mac, status. */
int virtio_net_config_read(const uint8_t mac[6], uint32_t off, unsigned size, uint32_t *val);

/* transmitq: every available chain's frame (its header stripped) into tx
 * from n->tx_prod on; used elements written, not published. When the ring
 * is full the rest stays available and tx->want_space is set. Frames moved. */
int virtio_net_tx(struct virtio_net *n, const struct guest_mem *gm, struct net_ring *tx);

/* receiveq: frames of rx from n->rx_cons into available buffers, each after
 * a zeroed header. A frame no buffer can take waits in the ring. Frames
 * delivered. */
int virtio_net_rx(struct virtio_net *n, const struct guest_mem *gm, const struct net_ring *rx);

#endif
