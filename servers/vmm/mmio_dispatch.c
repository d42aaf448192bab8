/*
 * Trapped data aborts: decode (mmio.c), find the device by address, and run
 * the access against the device state. Reads of GICD and PL011 output are
 * the hot paths and change no state; everything else goes through the
 * spare-copy commit (state.c). Unknown addresses get a data abort, and so
 * does the virtio transport of a VM without virtio devices.
 */
#include "mmio.h"

#include "vmm.h"

#include <hv/layout.h>

static int gicd_read(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t *val)
{
	return vgicd_read(&((struct devstate *)ctx)->gicd, cpu, off, size, val);
}

static int gicd_write(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t val)
{
	return vgicd_write(&((struct devstate *)ctx)->gicd, cpu, off, size, val);
}

static int uart_read(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t *val)
{
	(void)cpu;
	return vpl011_read(&((struct devstate *)ctx)->uart, off, size, val);
}

static int uart_write(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t val)
{
	int tx;
	(void)cpu;
	return vpl011_write(&((struct devstate *)ctx)->uart, off, size, val, &tx);
}

static const struct mmio_region regions[] = {
    {HV_GUEST_GICD, 0x1000, gicd_read, gicd_write, 0},
    {HV_GUEST_UART, 0x1000, uart_read, uart_write, 0},
    {HV_GUEST_VIRTIO, VIRTIO_MMIO_SLOT_SIZE, virtio_read, virtio_write, 0},
    {HV_GUEST_VIRTIO + HV_GUEST_BLK_SLOT * VIRTIO_MMIO_SLOT_SIZE, VIRTIO_MMIO_SLOT_SIZE, blk_read,
     blk_write, 0},
    {HV_GUEST_VIRTIO + HV_GUEST_NET_SLOT * VIRTIO_MMIO_SLOT_SIZE, VIRTIO_MMIO_SLOT_SIZE, net_read,
     net_write, 0},
};

#define UART_DR 0x000u

void handle_mmio(struct exit *e)
{
	struct mmio_access a;
	const struct mmio_region *r;
	if (mmio_decode(e->hsr, e->m[1], e->m[2], &a) ||
	    !(r = mmio_find(regions, sizeof(regions) / sizeof(regions[0]), a.ipa))) {
		e->reply[0] = HV_REPLY_INJECT_DABT;
		return;
	}
	uint32_t off = a.ipa - r->base, val = 0;
	bool uart = r->base == HV_GUEST_UART;
	if (uart && off == UART_DR && a.write) {
		uart_output(e, (uint8_t)a.value);
		return;
	}
	if (!a.write && !(uart && off == UART_DR)) {
		/* no side effects: answer from the current state */
		if (r->read(dev_current(), e->vcpu, off, a.size, &val)) {
			e->reply[0] = HV_REPLY_INJECT_DABT;
			return;
		}
		e->reply[0] = HV_REPLY_SET_RT | HV_REPLY_ADVANCE;
		e->reply[1] = mmio_load_value(&a, val);
		return;
	}
	struct devstate *d = dev_begin();
	int err = a.write ? r->write(d, e->vcpu, off, a.size, a.value)
	                  : r->read(d, e->vcpu, off, a.size, &val);
	if (err) {
		e->reply[0] = HV_REPLY_INJECT_DABT;
		return;
	}
	e->reply[0] = HV_REPLY_ADVANCE | (a.write ? 0 : HV_REPLY_SET_RT);
	e->reply[1] = a.write ? 0 : mmio_load_value(&a, val);
	bool took = uart && off == UART_DR && !a.write && uart_take_input(d); /* a polling guest */
	deliver_irqs(d);
	dev_commit(e);
	if (took)
		ring->rx_cons = d->rx_cons;
	if (r->base == HV_GUEST_VIRTIO)
		virtio_publish(); /* used ring entries, once committed */
	if (r->read == blk_read)
		virtio_blk_publish(); /* used ring entries, once committed */
	if (r->read == net_read)
		net_publish(); /* used ring entries and ring indices, once committed */
}
