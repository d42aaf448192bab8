/*
 * The monitor's life: on a fresh VM, set up device state and load the
 * guest; after a restart, pick up the state region as it was. Then answer
 * exits forever. Notifications carry console input, EOIs of level-sensitive
 * interrupts, frames from the network switch and crash requests (control
 * prompt).
 */
#include "switch/switch.h"
#include "vmm.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <string.h>

void monitor_crash(void)
{
	*(volatile uint32_t *)0xdead0000u = 0; /* unmapped: a real stage-2 fault */
	__builtin_unreachable();
}

static void fresh_start(void)
{
	struct devstate *d = &state->dev[0];
	memset(state, 0, sizeof(*state));
	vgicd_init(&d->gicd, HV_GUEST_NR_IRQS, info->nr_vcpus);
	vpl011_init(&d->uart);
	psci_init(&d->psci, info->nr_vcpus);
	net_fresh(d);
	d->answered_vcpu = ~0u;
	state->dev[1] = *d;
	if (guest_load())
		tell_init_power(INIT_POWER_OFF);
	state->magic = VMM_STATE_MAGIC;
}

static void serve(void)
{
	struct hv_msg in = {0}, out = {0};
	bool reply = false;
	for (;;) {
		/* Hot path: the answer goes out and the next exit comes in, one trap. */
		int err = reply ? hv_reply_recv_split(VMM_CAP_EXIT_EP, &out, &in)
		                : hv_recv(VMM_CAP_EXIT_EP, &in);
		reply = false;
		if (err)
			continue;
		if (in.badge == HV_BADGE_NTFN) {
			if (in.m[0] & VMM_NTFN_INPUT)
				uart_input();
			if (in.m[0] & VMM_NTFN_EOI)
				resample_levels();
			if (in.m[0] & VMM_NTFN_NET)
				net_poll();
			if (in.m[0] & VMM_NTFN_CRASH)
				monitor_crash(); /* last: the other bits are handled */
			continue;
		}
		struct exit e = {
		    .vcpu = in.badge, .hsr = in.m[0], .serial = in.m[5], .m = in.m, .reply = out.m};
		handle_exit(&e);
		reply = true;
	}
}

int main(void);
int main(void)
{
	log_init(0, ring, VMM_CAP_CONSOLE);
	if (state->magic != VMM_STATE_MAGIC)
		fresh_start();
	if (!state->vcpu0_started) {
		hv_thread_resume(vcpu_cap(0));
		state->vcpu0_started = 1;
	}
	/* what a predecessor may have left half done: all idempotent */
	if (dev_current()->power_event)
		tell_init_power(dev_current()->power_event - 1);
	ring->rx_cons = dev_current()->rx_cons;
	virtio_publish();
	virtio_blk_publish();
	net_start();
	uart_input();
	resample_levels();
	if (info->crash_on_start)
		monitor_crash();
	serve();
	return 0;
}
