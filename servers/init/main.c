/*
 * init, the root task: reads the configuration, starts the console, the
 * VMs with their monitors and any test servers, then supervises: monitor
 * faults, control-prompt commands, power events and restart deadlines all
 * arrive on its one endpoint.
 */
#include "init.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <hv/syscall.h>
#include <string.h>

#define TEST_PRIO     90
#define DRAIN_POLL_MS 5

const struct hv_bootinfo *bootinfo;
int supervisor_ep;
static struct config cfg;
static struct server tests[4];

/* ipcbench: both ends on CPU 0. ipcxcpu: the same servers, the peer on the
 * last CPU at a lower priority, so every call and reply crosses CPUs. */
static bool is_ipcbench(const char *name)
{
	return !strcmp(name, "ipcbench") || !strcmp(name, "ipcxcpu");
}

static int start_test_server(unsigned k, int bench_ep)
{
	const char *name = cfg.tests[k];
	bool bench = is_ipcbench(name);
	unsigned stream = cfg.nr_vms + 1 + k;
	struct server *s = &tests[k];
	int own_ep = slot_alloc();
	if (hv_obj_create(C_CONTROL, HV_OBJ_ENDPOINT, (uint32_t)own_ep, 0))
		return HV_ENOMEM;
	/* the benchmark's two ends run on one CPU, so a round trip is a switch */
	int err = server_create(s, bench ? "ipcbench" : name, TEST_PRIO, 0, INIT_BADGE_TEST | k);
	if (err)
		return err;
	struct test_info *ti = (struct test_info *)s->info_pa;
	strncpy(ti->name, name, HV_NAME_MAX - 1);
	ti->ring_ipa = HV_SRV_RING;
	err = server_map(s, (uint32_t)stream_ring(stream), HV_SRV_RING, 4096, HV_MAP_R | HV_MAP_W);
	if (!err)
		err = console_grant_ntfn(s, TEST_CAP_LOG, stream);
	if (!err)
		err = server_grant(s, TEST_CAP_SELF, s->as, HV_RIGHTS_ALL, 0);
	if (!err)
		err = server_grant(s, TEST_CAP_DEBUG, HV_INIT_CAP_DEBUG, HV_RIGHT_WRITE, 0);
	if (!err) /* ipcbench calls its peer there; every test server parks there */
		err = server_grant(s, TEST_CAP_EP, bench ? bench_ep : own_ep,
		                   HV_RIGHT_READ | HV_RIGHT_WRITE, 0);
	if (!err)
		err = hv_thread_resume((uint32_t)s->thread);
	return err;
}

/* ipcbench (and ipcxcpu) runs as two servers: the client (the named one)
 * and its peer. */
static void start_tests(void)
{
	int bench_ep = slot_alloc();
	hv_obj_create(C_CONTROL, HV_OBJ_ENDPOINT, (uint32_t)bench_ep, 0);
	for (unsigned k = 0; k < cfg.nr_tests; k++) {
		if (is_ipcbench(cfg.tests[k])) {
			static struct server peer;
			bool xcpu = !strcmp(cfg.tests[k], "ipcxcpu");
			if (!server_create(&peer, "ipcbench", xcpu ? TEST_PRIO - 10 : TEST_PRIO,
			                   xcpu ? bootinfo->nr_cpus - 1 : 0,
			                   INIT_BADGE_TEST | 0xf0)) {
				((struct test_info *)peer.info_pa)->role = 1;
				server_grant(&peer, TEST_CAP_EP, bench_ep, HV_RIGHTS_ALL, 0);
				hv_thread_resume((uint32_t)peer.thread);
			}
		}
		if (start_test_server(k, bench_ep))
			log_printf("test server %s did not start\n", cfg.tests[k]);
	}
}

static bool rings_drained(void)
{
	for (unsigned i = 0; i < HV_MAX_STREAMS; i++) {
		struct hv_ring *r = stream_ring(i);
		if (r && hv_ring_tx_prod(r) != r->tx_cons)
			return false;
	}
	return true;
}

/* Every VM is off or failed: let the console finish, then stop. */
static void shut_down(bool failed)
{
	struct hv_msg msg;
	for (int tries = 0; tries < 200 && !rings_drained(); tries++)
		hv_recv_timeout((uint32_t)supervisor_ep,
		                (uint32_t)((uint64_t)bootinfo->counter_freq * DRAIN_POLL_MS / 1000),
		                &msg);
	hv_power_off(C_CONTROL, failed);
}

static void handle(struct hv_msg *msg)
{
	uint32_t kind = INIT_BADGE_KIND(msg->badge), idx = INIT_BADGE_INDEX(msg->badge);
	switch (kind) {
	case INIT_BADGE_FAULT: vm_monitor_faulted(idx, msg->m); break;
	case INIT_BADGE_CONSOLE: vm_control(msg->m); break;
	case INIT_BADGE_MONITOR:
		if (msg->m[0] == INIT_POWER)
			vm_power(idx, msg->m[1]);
		msg->m[0] = 0;
		break;
	case INIT_BADGE_TEST:
		log_printf("server %u faulted (hsr 0x%08x, address 0x%08x, pc 0x%08x)\n",
		           (unsigned)idx, (unsigned)msg->m[0], (unsigned)msg->m[1],
		           (unsigned)msg->m[2]);
		break;
	default: break;
	}
}

static void supervise(void)
{
	struct hv_msg msg = {0};
	bool reply = false;
	for (;;) {
		uint64_t now = hv_time(NULL), next = vm_next_deadline();
		int err;
		if (reply)
			err = hv_reply_recv((uint32_t)supervisor_ep, &msg);
		else if (next)
			err = hv_recv_timeout((uint32_t)supervisor_ep,
			                      next > now ? (uint32_t)(next - now) : 1, &msg);
		else
			err = hv_recv((uint32_t)supervisor_ep, &msg);
		reply = false;
		if (err == HV_OK) {
			handle(&msg);
			reply = INIT_BADGE_KIND(msg.badge) == INIT_BADGE_CONSOLE ||
			        INIT_BADGE_KIND(msg.badge) == INIT_BADGE_MONITOR;
		}
		vm_restart_due(hv_time(NULL));
		bool failed;
		if (vms_all_stopped(&failed))
			shut_down(failed);
	}
}

int main(const struct hv_bootinfo *bi);
int main(const struct hv_bootinfo *bi)
{
	bootinfo = bi;
	log_init(HV_INIT_CAP_DEBUG, NULL, 0);
	if (bi->magic != HV_BOOTINFO_MAGIC)
		return 1;
	if (config_read((const void *)bi->config_ipa, &cfg) || cfg.nr_vms == 0) {
		log_printf("hv: PANIC: no VM to run (configuration missing or invalid)\n");
		hv_power_off(C_CONTROL, 1);
	}
	uint32_t base = cfg.images_end > bi->free_base ? cfg.images_end : bi->free_base;
	mem_init((base + 0x1fffff) & ~0x1fffffu, bi->free_base + bi->free_size);
	supervisor_ep = slot_alloc();
	hv_obj_create(C_CONTROL, HV_OBJ_ENDPOINT, (uint32_t)supervisor_ep, 0);
	if (console_start(&cfg)) {
		log_printf("hv: PANIC: console server did not start\n");
		hv_power_off(C_CONTROL, 1);
	}
	int log_cap = slot_alloc();
	hv_cap_copy(C_SELF, (uint32_t)log_cap, (uint32_t)console_ntfn, HV_RIGHT_WRITE,
	            1u << cfg.nr_vms);
	log_init(0, stream_ring(cfg.nr_vms), (uint32_t)log_cap);
	log_printf("%u VMs, %u CPUs; Ctrl-A then c opens the control prompt\n", cfg.nr_vms,
	           (unsigned)bi->nr_cpus);
	rng_start(); /* every guest gets an rng-seed from it */
	if (config_wants_disk(&cfg))
		blk_prepare();
	if (config_wants_net(&cfg))
		switch_start(&cfg);
	for (unsigned i = 0; i < cfg.nr_vms; i++)
		vm_create(i, &cfg.vm[i]);
	blk_start();
	start_tests();
	supervise();
	return 0;
}
