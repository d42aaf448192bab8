/*
 * The PL011 model's connection to the console server: bytes the guest
 * writes go into this VM's console ring; bytes typed for this VM come from
 * it. A written byte is tagged with the exit that wrote it (ring.h), so a
 * restarted monitor handed the same exit again does not write it twice.
 */
#include "vmm.h"

#include <hv/layout.h>

static uint32_t exit_tag(const struct exit *e)
{
	return e->serial * 4 + e->vcpu;
}

/* Hot path (MMIO write to UARTDR). */
void uart_output(struct exit *e, uint8_t c)
{
	if (hv_ring_tx_serial(ring) != exit_tag(e)) {
		uint32_t space = hv_ring_tx_space(ring);
		if (space == 0) {
			hv_signal(VMM_CAP_CONSOLE);
			e->reply[0] = HV_REPLY_RESUME; /* the guest retries the store */
			return;
		}
		hv_ring_tx_put(ring, c, exit_tag(e));
		if (c == '\n' || space < HV_RING_TX_SIZE / 2)
			hv_signal(VMM_CAP_CONSOLE);
	}
	e->reply[0] = HV_REPLY_ADVANCE;
	if (dev_current()->uart.ris & VPL011_INT_TX)
		return;
	struct devstate *d = dev_begin(); /* TX interrupt status changes */
	d->uart.ris |= VPL011_INT_TX;
	deliver_irqs(d);
	dev_commit(e);
}

/* Console input: into the UART's receive FIFO while it has room; true if
 * any byte moved. The caller commits d, then sets ring->rx_cons. */
bool uart_take_input(struct devstate *d)
{
	uint32_t prod = ring->rx_prod;
	bool moved = false;
	while (d->rx_cons != prod &&
	       vpl011_rx_push(&d->uart, ring->rx[d->rx_cons % HV_RING_RX_SIZE]) == 0) {
		d->rx_cons++;
		moved = true;
	}
	return moved;
}

/* The guest EOId a level-sensitive interrupt: still asserted lines (the
 * PL011's, a virtio transport's) are pending again (GIC spec 1.4.2,
 * level-sensitive interrupts). Input that
 * found the receive FIFO full comes in now: a guest EOIs its UART interrupt
 * once it has read the FIFO dry (Linux's amba-pl011 does). */
void resample_levels(void)
{
	const struct devstate *cur = dev_current();
	if (!vpl011_irq_level(&cur->uart) && !virtio_irq_level(cur) && !virtio_blk_irq_level(cur) &&
	    !net_irq_level(cur) && cur->rx_cons == ring->rx_prod)
		return;
	struct devstate *d = dev_begin();
	uart_take_input(d);
	deliver_irqs(d);
	dev_commit_no_exit();
	ring->rx_cons = d->rx_cons;
}

/* Console input arrived. */
void uart_input(void)
{
	struct devstate *d = dev_begin();
	if (!uart_take_input(d))
		return;
	deliver_irqs(d);
	dev_commit_no_exit();
	ring->rx_cons = d->rx_cons;
}
