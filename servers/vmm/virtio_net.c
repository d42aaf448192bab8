/*
 * The virtio network device: virtio 1.2 section 5.1.
 *
 *   5.1.1  device ID 1 (VIRTIO_ID_NET, <linux/virtio_ids.h>)
 *   5.1.2  queues: receiveq1 (0), transmitq1 (1); no control queue
 *   5.1.3  features offered: VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS (and
 *          VIRTIO_F_VERSION_1 from the transport). No checksum or
 *          segmentation offloads, no mergeable receive buffers: every
 *          frame is whole, checksummed by the guest, in one chain.
 *   5.1.4  configuration: mac (the switch port's address), status
 *          (VIRTIO_NET_S_LINK_UP); read at any width, writes ignored
 *          (5.1.4.2: with VERSION_1 the driver does not write mac)
 *   5.1.6  every buffer starts with struct virtio_net_hdr_v1 (12 bytes
 *          with VERSION_1, 5.1.6.1). Transmit (5.1.6.2): the device strips
 *          it; no offload was negotiated, so its fields ask for nothing.
 *          Receive (5.1.6.3, 5.1.6.4): the device writes it zeroed with
 *          num_buffers = 1, then the frame.
 *
 * A chain the transport's walker refuses (virtqueue.c: addresses, loops,
 * lengths) makes the device need a reset; a transmit chain with writable
 * buffers or a receive chain with readable ones does too (5.1.6.2,
 * 5.1.6.3: the driver puts only such buffers there). A frame shorter than
 * an Ethernet header or longer than NET_FRAME_MAX is dropped (counted).
 *
 * Device tree node (slot 2 of the transports, virtio_mmio.c):
 *
 *	virtio_mmio@a000400 { compatible = "virtio,mmio"; dma-coherent;
 *		reg = <0x0a000400 0x200>; interrupts = <0 18 4>; };
 */
#include "virtio_net.h"

#include <string.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>

_Static_assert(sizeof(struct virtio_net_hdr_v1) == VIRTIO_NET_HDR_SIZE, "5.1.6 header");
_Static_assert(sizeof(struct net_ring) == NET_RING_BYTES, "ring layout");
_Static_assert(NET_FRAME_MAX <= sizeof(((struct net_slot *)0)->data), "slot size");

#define CONFIG_BYTES 8u /* mac[6], status */

const struct virtio_device virtio_net_device = {
    .device_id = VIRTIO_ID_NET,
    .features = (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS),
    .nr_queues = 2,
    .queue_num_max = VIRTIO_NET_QUEUE_MAX,
};

int virtio_net_config_read(const uint8_t mac[6], uint32_t off, unsigned size, uint32_t *val)
{
	uint8_t cfg[CONFIG_BYTES] = {
	    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], VIRTIO_NET_S_LINK_UP, 0};
	if ((size != 1 && size != 2 && size != 4) || (off & (size - 1)))
		return -1;
	*val = 0;
	for (unsigned i = 0; i < size; i++)
		if (off + i < CONFIG_BYTES)
			*val |= (uint32_t)cfg[off + i] << (8 * i);
	return 0;
}

/* Copy len bytes of the chain's readable buffers, from byte `skip` on. */
static void chain_read(const struct guest_mem *gm, const struct vq_chain *c, uint32_t skip,
                       uint8_t *dst, uint32_t len)
{
	for (unsigned i = 0; i < c->nsegs && len; i++) {
		const struct vq_seg *s = &c->seg[i];
		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		uint32_t n = s->len - skip < len ? s->len - skip : len;
		memcpy(dst, (const uint8_t *)guest_ptr(gm, s->addr, s->len, 1) + skip, n);
		dst += n;
		len -= n;
		skip = 0;
	}
}

/* Copy len bytes into the chain's writable buffers, from byte `skip` on. */
static void chain_write(const struct guest_mem *gm, const struct vq_chain *c, uint32_t skip,
                        const uint8_t *src, uint32_t len)
{
	for (unsigned i = 0; i < c->nsegs && len; i++) {
		const struct vq_seg *s = &c->seg[i];
		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		uint32_t n = s->len - skip < len ? s->len - skip : len;
		memcpy((uint8_t *)guest_ptr(gm, s->addr, s->len, 1) + skip, src, n);
		src += n;
		len -= n;
		skip = 0;
	}
}

/* Room for one more frame in tx; a full ring asks the switch to say when
 * there is room, then looks again (the switch may have just made some). */
static bool tx_room(const struct virtio_net *n, struct net_ring *tx)
{
	if (net_ring_count(n->tx_prod, tx->cons) < NET_RING_SLOTS)
		return true;
	tx->want_space = 1;
	net_barrier();
	return net_ring_count(n->tx_prod, tx->cons) < NET_RING_SLOTS;
}

/* One transmit chain's frame into the next TX slot; false if dropped. */
static bool tx_frame(struct virtio_net *n, const struct guest_mem *gm, struct net_ring *tx,
                     const struct vq_chain *c)
{
	uint32_t len = c->read_len - VIRTIO_NET_HDR_SIZE;
	if (c->read_len < VIRTIO_NET_HDR_SIZE + NET_FRAME_MIN || len > NET_FRAME_MAX) {
		n->dropped++;
		return false;
	}
	struct net_slot *s = net_ring_slot(tx, n->tx_prod);
	chain_read(gm, c, VIRTIO_NET_HDR_SIZE, s->data, len);
	s->len = len;
	n->tx_prod++;
	n->tx_frames++;
	return true;
}

int virtio_net_tx(struct virtio_net *n, const struct guest_mem *gm, struct net_ring *tx)
{
	struct vq_state *q = &n->t.vq[VIRTIO_NET_TXQ];
	struct vq_chain c;
	int frames = 0, used = 0, r = 0;
	if (!virtio_mmio_queue_live(&n->t, VIRTIO_NET_TXQ))
		return 0;
	while (tx_room(n, tx) && (r = vq_pop(gm, q, &c)) == 1) {
		if (c.write_len) {
			r = VQ_ERR_ORDER; /* 5.1.6.2: transmit buffers are device-readable */
			break;
		}
		frames += tx_frame(n, gm, tx, &c);
		vq_push(gm, q, c.head, 0);
		used++;
	}
	if (r < 0)
		virtio_mmio_needs_reset(&n->t, r);
	if (used && vq_wants_interrupt(gm, q))
		n->t.isr |= VIRTIO_MMIO_INT_VRING; /* 4.2.3.4: used buffer notification */
	return frames;
}

/* The frame in slot s into one receive chain: header, then the frame. */
static void rx_frame(const struct guest_mem *gm, const struct vq_chain *c, const uint8_t *frame,
                     uint32_t len)
{
	struct virtio_net_hdr_v1 hdr;
	memset(&hdr, 0, sizeof(hdr));
	hdr.num_buffers = 1; /* 5.1.6.4: one buffer without MRG_RXBUF */
	chain_write(gm, c, 0, (const uint8_t *)&hdr, sizeof(hdr));
	chain_write(gm, c, VIRTIO_NET_HDR_SIZE, frame, len);
}

/* The next frame's length, read once; 0 for a slot to skip. */
static uint32_t rx_length(const struct net_ring *rx, uint32_t index)
{
	uint32_t len = rx->slot[index % NET_RING_SLOTS].len;
	return len >= NET_FRAME_MIN && len <= NET_FRAME_MAX ? len : 0;
}

int virtio_net_rx(struct virtio_net *n, const struct guest_mem *gm, const struct net_ring *rx)
{
	struct vq_state *q = &n->t.vq[VIRTIO_NET_RXQ];
	struct vq_chain c;
	int frames = 0, r = 0;
	if (!virtio_mmio_queue_live(&n->t, VIRTIO_NET_RXQ))
		return 0;
	uint32_t prod = rx->prod;
	if (net_ring_count(prod, n->rx_cons) > NET_RING_SLOTS)
		return 0; /* indices no switch writes: leave the ring alone */
	net_barrier();    /* the slots after the index that covers them */
	while (n->rx_cons != prod) {
		uint32_t len = rx_length(rx, n->rx_cons);
		if (!len) {
			n->dropped++;
			n->rx_cons++;
			continue;
		}
		if ((r = vq_pop(gm, q, &c)) != 1)
			break;
		if (c.read_len) {
			r = VQ_ERR_ORDER; /* 5.1.6.3: receive buffers are device-writable */
			break;
		}
		if (c.write_len < VIRTIO_NET_HDR_SIZE + len) {
			q->last_avail--; /* too small for this frame: the buffer stays */
			n->dropped++;
			n->rx_cons++;
			continue;
		}
		rx_frame(gm, &c, rx->slot[n->rx_cons % NET_RING_SLOTS].data, len);
		vq_push(gm, q, c.head, VIRTIO_NET_HDR_SIZE + len);
		n->rx_cons++;
		n->rx_frames++;
		frames++;
	}
	if (r < 0)
		virtio_mmio_needs_reset(&n->t, r);
	if (frames && vq_wants_interrupt(gm, q))
		n->t.isr |= VIRTIO_MMIO_INT_VRING;
	return frames;
}
