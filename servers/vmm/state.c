/*
 * The state region's commit protocol (see struct devstate in vmm.h). The
 * copy is the price of a side-effecting exit; reads and PL011 output, the
 * hot paths, do not copy.
 */
#include "vmm.h"

#include <hv/layout.h>
#include <string.h>

struct vmm_state *const state = (struct vmm_state *)HV_SRV_STATE;
const struct vmm_info *const info = (const struct vmm_info *)HV_SRV_BOOTINFO;
struct hv_ring *const ring = (struct hv_ring *)HV_SRV_RING;

/* The spare copy, made equal to the current one, to change. */
static struct devstate *dev_spare(void)
{
	return &state->dev[(state->current & 1) ^ 1];
}

/* The single store that commits: a crash is before it or after it. */
static void dev_flip(void)
{
	__asm__ volatile("dmb ish" ::: "memory");
	state->current ^= 1;
	__asm__ volatile("dmb ish" ::: "memory");
}

struct devstate *dev_begin(void)
{
	struct devstate *spare = dev_spare();
	memcpy(spare, dev_current(), sizeof(*spare));
	return spare;
}

/* Record the answer to e in the spare copy, then make it current. */
void dev_commit(const struct exit *e)
{
	struct devstate *spare = dev_spare();
	spare->answered_vcpu = e->vcpu;
	spare->answered_serial = e->serial;
	spare->answer = *(const struct words *)e->reply;
	dev_flip();
}

/* A change not caused by an exit (console input, an EOI): it answers none. */
void dev_commit_no_exit(void)
{
	/* the spare copy keeps the last answer: it may not have reached its
	 * vCPU yet (this monitor may be the successor of one that crashed) */
	dev_flip();
}

#define LR_EOI_NOTIFY (1u << 19) /* GICH_LR.EOI, GIC spec 5.3.11 */

/* Hand every deliverable interrupt to the kernel's list registers. */
void deliver_irqs(struct devstate *d)
{
	if (vpl011_irq_level(&d->uart))
		vgicd_set_pending(&d->gicd, 0, HV_GUEST_UART_IRQ);
	if (virtio_irq_level(d))
		vgicd_set_pending(&d->gicd, 0, HV_GUEST_VIRTIO_IRQ);
	if (virtio_blk_irq_level(d))
		vgicd_set_pending(&d->gicd, 0, HV_GUEST_VIRTIO_IRQ + HV_GUEST_BLK_SLOT);
	if (net_irq_level(d))
		vgicd_set_pending(&d->gicd, 0, HV_GUEST_VIRTIO_IRQ + HV_GUEST_NET_SLOT);
	for (unsigned cpu = 0; cpu < info->nr_vcpus; cpu++) {
		uint32_t lr_info;
		int irq;
		while ((irq = vgicd_take_pending(&d->gicd, cpu, &lr_info)) >= 0) {
			uint32_t prio = (lr_info >> 8) & 0xff, group = (lr_info >> 16) & 1;
			uint32_t lr = (uint32_t)irq | (prio >> 3) << 23 | group << 30;
			if (vgicd_is_level(&d->gicd, (unsigned)irq))
				lr |= LR_EOI_NOTIFY; /* sample the line again at EOI */
			if (irq < 16)
				lr |= (lr_info & 7) << 10; /* source CPU of an SGI */
			hv_vcpu_inject(vcpu_cap(cpu), lr);
		}
	}
}
