/*
 * Starting the console server: one ring page per stream (each VM, then
 * "hv" for init's own messages, then test servers, then the entropy
 * server's "rng" when a VM asks for it), the UART and its
 * interrupt, and a way to call init for control-prompt commands.
 */
#include "init.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <hv/syscall.h>
#include <string.h>

#define CONSOLE_PRIO 150

int console_ntfn;
int console_rng_stream = -1;
int console_blk_stream = -1;
int console_switch_stream = -1;
static struct server console;
static uint32_t ring_pa[HV_MAX_STREAMS];
static unsigned nr_streams;

struct hv_ring *stream_ring(unsigned stream)
{
	return stream < nr_streams ? (struct hv_ring *)ring_pa[stream] : NULL;
}

static int add_stream(struct console_info *ci, const char *name)
{
	unsigned i = nr_streams;
	if (i == HV_MAX_STREAMS)
		return -1;
	ring_pa[i] = mem_alloc(4096, 4096);
	if (!ring_pa[i])
		return -1;
	strncpy(ci->names[i], name, HV_NAME_MAX - 1);
	strncpy(((struct hv_ring *)ring_pa[i])->name, name, HV_NAME_MAX - 1);
	ci->ring_ipa[i] = HV_SRV_RINGS + i * 4096;
	nr_streams++;
	return (int)i;
}

/* A cap to signal the console about stream `stream`, into a server. */
int console_grant_ntfn(struct server *s, uint32_t dest, unsigned stream)
{
	return server_grant(s, dest, console_ntfn, HV_RIGHT_WRITE, 1u << stream);
}

/* The console may signal VM `vm`'s monitor that input is waiting. */
int console_grant_input(unsigned vm, int ntfn)
{
	return server_grant(&console, CONSOLE_CAP_VM0 + vm, ntfn, HV_RIGHT_WRITE, VMM_NTFN_INPUT);
}

static int console_caps(int ep, int irq)
{
	int err = server_grant(&console, CONSOLE_CAP_EP, ep, HV_RIGHT_READ, 0);
	if (!err)
		err = server_grant(&console, CONSOLE_CAP_IRQ, irq, HV_RIGHT_WRITE, 0);
	if (!err)
		err = server_grant(&console, CONSOLE_CAP_INIT, supervisor_ep, HV_RIGHT_WRITE,
		                   INIT_BADGE_CONSOLE);
	if (!err)
		err = server_grant(&console, CONSOLE_CAP_NTFN_UART, console_ntfn, HV_RIGHT_WRITE,
		                   CONSOLE_NTFN_UART);
	if (!err)
		err = hv_bind_ntfn((uint32_t)console.thread, (uint32_t)console_ntfn);
	return err;
}

int console_start(const struct config *cfg)
{
	int ep = slot_alloc(), irq = slot_alloc();
	console_ntfn = slot_alloc();
	if (hv_obj_create(C_CONTROL, HV_OBJ_ENDPOINT, (uint32_t)ep, 0) ||
	    hv_obj_create(C_CONTROL, HV_OBJ_NOTIFICATION, (uint32_t)console_ntfn, 0) ||
	    hv_obj_create(C_CONTROL, HV_OBJ_IRQ, (uint32_t)irq, bootinfo->uart_irq))
		return -1;
	if (server_create(&console, "console", CONSOLE_PRIO, 0, INIT_BADGE_TEST | 0xff))
		return -1;
	struct console_info *ci = (struct console_info *)console.info_pa;
	for (unsigned i = 0; i < cfg->nr_vms; i++)
		add_stream(ci, cfg->vm[i].name);
	ci->nr_vms = cfg->nr_vms;
	add_stream(ci, "hv");
	for (unsigned i = 0; i < cfg->nr_tests; i++)
		add_stream(ci, cfg->tests[i]);
	console_rng_stream = add_stream(ci, "rng");
	if (config_wants_disk(cfg))
		console_blk_stream = add_stream(ci, "blk");
	if (config_wants_net(cfg))
		console_switch_stream = add_stream(ci, "switch");
	ci->nr_streams = nr_streams;
	ci->counter_freq = bootinfo->counter_freq;
	for (unsigned i = 0; i < nr_streams; i++)
		if (server_map(&console, ring_pa[i], ci->ring_ipa[i], 4096, HV_MAP_R | HV_MAP_W))
			return -1;
	if (hv_map((uint32_t)console.as, HV_INIT_CAP_UART, bootinfo->uart_pa & ~4095u, HV_SRV_UART,
	           4096, HV_MAP_R | HV_MAP_W))
		return -1;
	if (console_caps(ep, irq))
		return -1;
	return hv_thread_resume((uint32_t)console.thread);
}
