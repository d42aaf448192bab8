/*
 * The network switch server (servers/devices/switch): a learning Ethernet
 * switch (switch.c) between the virtio-net devices of the VMs started with
 * net=on. init maps each port's two frame rings (<hv/netring.h>) into this
 * server and into the VM's monitor, gives this server a way to signal each
 * monitor (SWITCH_CAP_PORT0 + i) and each monitor a way to signal this
 * server's notification (bit i). It waits only on that notification; it
 * never waits for a port. A monitor that crashes keeps its rings; its
 * successor takes up the indices where they were.
 */
#include "switch.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <hv/proto.h>
#include <hv/syscall.h>

static const struct switch_info *const info = (const struct switch_info *)HV_SRV_BOOTINFO;
static struct sw sw;

static struct net_ring *port_ring(unsigned i, unsigned which)
{
	return (struct net_ring *)(HV_SRV_PORTS + i * HV_SRV_PORT_STEP + which * NET_RING_BYTES);
}

static void add_ports(void)
{
	for (unsigned i = 0; i < SW_MAX_PORTS && i < HV_MAX_VMS; i++) {
		if (!(info->ports & (1u << i)))
			continue;
		sw_add_port(&sw, i, port_ring(i, 0), port_ring(i, 1));
		const uint8_t *m = info->mac[i];
		log_printf("switch: port %u: %s, %02x:%02x:%02x:%02x:%02x:%02x\n", i,
		           info->names[i], m[0], m[1], m[2], m[3], m[4], m[5]);
	}
}

int main(void);
int main(void)
{
	log_init(0, (struct hv_ring *)info->ring_ipa, SWITCH_CAP_LOG);
	sw_init(&sw);
	add_ports();
	for (;;) {
		uint32_t bits, wake = sw_run(&sw);
		for (unsigned i = 0; i < SW_MAX_PORTS; i++)
			if (wake & (1u << i))
				hv_signal(SWITCH_CAP_PORT0 + i);
		hv_wait(SWITCH_CAP_NTFN, &bits);
	}
}
