/*
 * The network switch (servers/devices/switch), started when a VM asks for
 * net. Each such VM gets a port: NET_PORT_BYTES of memory holding its two
 * frame rings (<hv/netring.h>), mapped into the switch (HV_SRV_PORTS + i *
 * HV_SRV_PORT_STEP) and into every monitor of the VM (HV_SRV_NET); a
 * locally administered unicast MAC address, 02:68:76:00:00:(i + 1); the
 * monitor may signal the switch's notification (badge bit i), the switch
 * may signal the VM's notification (VMM_NTFN_NET). The rings outlive the
 * monitors: a restarted monitor gets the same pages.
 */
#include "init.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <hv/netring.h>
#include <hv/syscall.h>
#include <string.h>

#define SWITCH_PRIO 110

static struct server sw;
static int sw_ntfn;
static uint32_t port_pa[HV_MAX_VMS];

static void port_mac(unsigned vm, uint8_t mac[6])
{
	const uint8_t m[6] = {0x02, 0x68, 0x76, 0x00, 0x00, (uint8_t)(vm + 1)}; /* 02:"hv" */
	memcpy(mac, m, 6);
}

static int add_port(struct switch_info *si, unsigned vm, const char *name)
{
	port_pa[vm] = mem_alloc(NET_PORT_BYTES, 4096);
	if (!port_pa[vm])
		return HV_ENOMEM;
	si->ports |= 1u << vm;
	port_mac(vm, si->mac[vm]);
	strncpy(si->names[vm], name, HV_NAME_MAX - 1);
	return server_map(&sw, port_pa[vm], HV_SRV_PORTS + vm * HV_SRV_PORT_STEP, NET_PORT_BYTES,
	                  HV_MAP_R | HV_MAP_W);
}

static int switch_setup(const struct config *cfg)
{
	struct switch_info *si = (struct switch_info *)sw.info_pa;
	int err = 0;
	memset(si, 0, sizeof(*si));
	si->ring_ipa = HV_SRV_RING;
	for (unsigned i = 0; !err && i < cfg->nr_vms; i++)
		if (cfg->vm[i].net)
			err = add_port(si, i, cfg->vm[i].name);
	if (!err)
		err = server_map(&sw, (uint32_t)stream_ring((unsigned)console_switch_stream),
		                 HV_SRV_RING, 4096, HV_MAP_R | HV_MAP_W);
	if (!err)
		err =
		    server_grant(&sw, SWITCH_CAP_NTFN, sw_ntfn, HV_RIGHT_READ | HV_RIGHT_WRITE, 0);
	if (!err)
		err = console_grant_ntfn(&sw, SWITCH_CAP_LOG, (unsigned)console_switch_stream);
	return err;
}

int switch_start(const struct config *cfg)
{
	sw_ntfn = slot_alloc();
	int err = console_switch_stream < 0 ? HV_EINVAL : 0;
	if (!err)
		err = hv_obj_create(C_CONTROL, HV_OBJ_NOTIFICATION, (uint32_t)sw_ntfn, 0);
	if (!err)
		err = server_create(&sw, "switch", SWITCH_PRIO, 0, INIT_BADGE_TEST | 0xfd);
	if (!err)
		err = switch_setup(cfg);
	if (!err)
		err = hv_thread_resume((uint32_t)sw.thread);
	if (err) {
		log_printf("switch: cannot start the network switch: error %d\n", err);
		sw.as = 0;
	}
	return err;
}

/* A monitor of VM vm: its port's rings and a way to signal the switch. */
int switch_monitor(struct server *s, unsigned vm, uint8_t mac[6])
{
	if (!sw.as || vm >= HV_MAX_VMS || !port_pa[vm])
		return HV_ESTATE;
	port_mac(vm, mac);
	int err = server_map(s, port_pa[vm], HV_SRV_NET, NET_PORT_BYTES, HV_MAP_R | HV_MAP_W);
	if (!err)
		err = server_grant(s, VMM_CAP_SWITCH, sw_ntfn, HV_RIGHT_WRITE, 1u << vm);
	if (err)
		log_printf("switch: cannot attach VM %u's monitor: error %d\n", vm, err);
	return err;
}

/* The switch may signal VM vm's notification (a new one after a reset). */
int switch_grant_port(unsigned vm, int ntfn)
{
	if (!sw.as)
		return 0; /* no switch: the VM runs, its device has no port */
	hv_cap_delete((uint32_t)sw.as, SWITCH_CAP_PORT0 + vm);
	return server_grant(&sw, SWITCH_CAP_PORT0 + vm, ntfn, HV_RIGHT_WRITE, VMM_NTFN_NET);
}
