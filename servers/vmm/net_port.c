/*
 * The VM's virtio-net device (virtio_net.c) as the monitor runs it, for a
 * VM with net=on: a virtio-mmio transport at HV_GUEST_VIRTIO + 2 * 0x200,
 * interrupt HV_GUEST_VIRTIO_IRQ + 2 (HV_GUEST_NET_SLOT), attached to its
 * port of the switch server by two frame rings mapped at HV_SRV_NET
 * (<hv/netring.h>).
 *
 * - A QueueNotify on transmitq copies the frames into the TX ring, on
 *   receiveq (new buffers) takes waiting frames from the RX ring; the
 *   switch's notification (VMM_NTFN_NET: frames arrived, or room in the TX
 *   ring) does both. The device state with the ring indices this monitor
 *   owns (TX producer, RX consumer) is committed first (state.c); only then
 *   are the indices stored in the rings, used->idx in guest RAM, and the
 *   switch signalled (net_publish). A monitor that dies before the commit
 *   left nothing visible and its successor does the same work again on the
 *   same slots and buffers; one that dies after it leaves the stores to its
 *   successor, which publishes at start. No frame is lost or doubled by a
 *   monitor crash, and the switch never waits for a monitor.
 * - The interrupt is level-sensitive, as the entropy device's (virtio_dev.c).
 */
#include "virtio_net.h"
#include "vmm.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

static struct net_ring *const tx_ring = (struct net_ring *)HV_SRV_NET;
static struct net_ring *const rx_ring = (struct net_ring *)(HV_SRV_NET + NET_RING_BYTES);

int net_read(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t *val)
{
	(void)cpu;
	if (!info->net)
		return -1;
	if (off >= VIRTIO_MMIO_CONFIG && off < VIRTIO_MMIO_SLOT_SIZE)
		return virtio_net_config_read(info->mac, off - VIRTIO_MMIO_CONFIG, size, val);
	return virtio_mmio_read(&((struct devstate *)ctx)->net.t, &virtio_net_device, off, size,
	                        val);
}

/* Both directions: frames to the switch, frames from it. */
static void net_work(struct virtio_net *n)
{
	struct guest_mem gm = guest_ram();
	virtio_net_tx(n, &gm, tx_ring);
	virtio_net_rx(n, &gm, rx_ring);
}

static void report(const struct virtio_net *before, const struct virtio_net *after)
{
	if (!(before->t.status & VIRTIO_CONFIG_S_NEEDS_RESET) &&
	    (after->t.status & VIRTIO_CONFIG_S_NEEDS_RESET))
		log_printf("vmm: virtio-net: bad queue or descriptor chain (error %d): the device "
		           "needs a reset\n",
		           (int)after->t.error);
}

int net_write(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t val)
{
	struct devstate *d = ctx;
	struct guest_mem gm = guest_ram();
	uint32_t kick;
	(void)cpu;
	if (!info->net)
		return -1;
	if (off >= VIRTIO_MMIO_CONFIG && off < VIRTIO_MMIO_SLOT_SIZE)
		return 0; /* 5.1.4.2: nothing the driver may write */
	struct virtio_net before = d->net;
	int err = virtio_mmio_write(&d->net.t, &virtio_net_device, &gm, off, size, val, &kick);
	if (!err && kick)
		net_work(&d->net);
	report(&before, &d->net);
	return err;
}

/* After a commit: the committed indices into the rings and guest RAM. */
void net_publish(void)
{
	const struct virtio_net *n = &dev_current()->net;
	struct guest_mem gm = guest_ram();
	if (!info->net)
		return;
	for (unsigned q = 0; q < virtio_net_device.nr_queues; q++)
		if (n->t.vq[q].ready)
			vq_publish(&gm, &n->t.vq[q]);
	net_barrier(); /* the frames were read before the slots are given back */
	rx_ring->cons = n->rx_cons;
	if (tx_ring->prod != n->tx_prod) {
		net_barrier(); /* the slots before the index */
		tx_ring->prod = n->tx_prod;
		net_barrier();
		hv_signal(VMM_CAP_SWITCH);
	}
}

/* The switch signalled (or a monitor starts): move what can move. */
void net_poll(void)
{
	if (!info->net)
		return;
	struct devstate *d = dev_begin();
	struct virtio_net before = d->net;
	net_work(&d->net);
	if (!memcmp(&before, &d->net, sizeof(before)))
		return;
	report(&before, &d->net);
	deliver_irqs(d);
	dev_commit_no_exit();
	net_publish();
}

/* A fresh VM: its port's rings as they are; frames for a former life of
 * this VM (before a reset) are dropped. */
void net_fresh(struct devstate *d)
{
	if (!info->net)
		return;
	d->net.tx_prod = tx_ring->prod;
	d->net.rx_cons = rx_ring->prod;
}

void net_start(void)
{
	if (!info->net)
		return;
	net_publish();
	hv_signal(VMM_CAP_SWITCH); /* a predecessor may have died before signalling */
	net_poll();
}

bool net_irq_level(const struct devstate *d)
{
	return info->net && virtio_mmio_irq_level(&d->net.t);
}
