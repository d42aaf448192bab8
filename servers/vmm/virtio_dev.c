/*
 * The VM's virtio devices as the monitor runs them: for a VM with rng=on,
 * the entropy device (virtio_rng.c) on a virtio-mmio transport
 * (virtio_mmio.c) at HV_GUEST_VIRTIO, interrupt HV_GUEST_VIRTIO_IRQ.
 *
 * - Registers are read from the current state (no side effects); a write
 *   changes the spare copy (state.c). A QueueNotify walks the requestq in
 *   guest RAM (mapped at HV_GUEST_RAM, the same addresses the guest uses),
 *   fills the buffers with entropy from the entropy server (an IPC call per
 *   RNG_MSG_BYTES) and writes the used elements; the transport state with
 *   last_avail and used_idx is committed with the exit's answer.
 * - Only then is used->idx stored in guest RAM (virtio_publish): a monitor
 *   that dies before the commit leaves the guest seeing nothing, and its
 *   successor does the same work again at the same ring positions; one that
 *   dies after it leaves the store to its successor, which publishes at
 *   start. Nothing else of the device lives outside the state region, so
 *   no request is in flight between two exits.
 * - The interrupt is level-sensitive (the device tree says so): high while
 *   InterruptStatus is not 0, made pending when an exit leaves it high and
 *   sampled again at the guest's EOI, like the PL011's (uart_stream.c).
 */
#include "virtio_rng.h"
#include "vmm.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <string.h>

#include <linux/virtio_config.h>

/* The VM's RAM as the monitor maps it, for every virtio device. */
struct guest_mem guest_ram(void)
{
	return (struct guest_mem){(uint8_t *)HV_GUEST_RAM, HV_GUEST_RAM, info->ram_size};
}

/* The entropy server's bytes, at most one message's worth per call. */
static int rng_entropy(void *ctx, uint8_t *buf, uint32_t n)
{
	struct hv_msg msg = {.m = {RNG_GET, n < RNG_MSG_BYTES ? n : RNG_MSG_BYTES}};
	(void)ctx;
	int err = hv_call(VMM_CAP_RNG, &msg);
	if (err)
		return err;
	int32_t got = (int32_t)msg.m[0];
	if (got <= 0 || (uint32_t)got > n || got > RNG_MSG_BYTES)
		return got < 0 ? got : HV_ESTATE;
	memcpy(buf, &msg.m[1], (size_t)got);
	return got;
}

/* n bytes of the host's entropy into buf, if the entropy server gives them
 * (every monitor may call it, with or without a virtio-rng device). */
bool entropy_fill(uint8_t *buf, uint32_t n)
{
	for (uint32_t got = 0; got < n;) {
		int r = rng_entropy(NULL, buf + got, n - got);
		if (r <= 0)
			return false;
		got += (uint32_t)r;
	}
	return true;
}

static void report(const struct virtio_mmio *before, const struct virtio_mmio *after, int r)
{
	if (r < 0)
		log_printf("vmm: virtio-rng: the entropy server is unavailable (error %d): the "
		           "request waits for the guest's next notify\n",
		           r);
	else if (!(before->status & VIRTIO_CONFIG_S_NEEDS_RESET) &&
	         (after->status & VIRTIO_CONFIG_S_NEEDS_RESET))
		log_printf("vmm: virtio-rng: bad queue or descriptor chain (error %d): the device "
		           "needs a reset\n",
		           (int)after->error);
}

int virtio_read(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t *val)
{
	(void)cpu;
	if (!info->rng)
		return -1;
	return virtio_mmio_read(&((struct devstate *)ctx)->rng, &virtio_rng_device, off, size, val);
}

int virtio_write(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t val)
{
	struct devstate *d = ctx;
	struct guest_mem gm = guest_ram();
	struct virtio_mmio before = d->rng;
	uint32_t kick;
	(void)cpu;
	if (!info->rng)
		return -1;
	int err = virtio_mmio_write(&d->rng, &virtio_rng_device, &gm, off, size, val, &kick);
	int r = 0;
	if (!err && kick) /* a source failure leaves the chain for the next notify */
		r = virtio_rng_process(&d->rng, &gm, rng_entropy, NULL);
	report(&before, &d->rng, r);
	return err;
}

void virtio_publish(void)
{
	const struct devstate *d = dev_current();
	struct guest_mem gm = guest_ram();
	if (info->rng && d->rng.vq[0].ready)
		vq_publish(&gm, &d->rng.vq[0]);
}

bool virtio_irq_level(const struct devstate *d)
{
	return info->rng && virtio_mmio_irq_level(&d->rng);
}
