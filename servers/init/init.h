/* The root task: configuration, memory, server creation, supervision. */
#ifndef INIT_H
#define INIT_H

#include <hv/bootinfo.h>
#include <hv/proto.h>
#include <hv/ring.h>
#include <stdbool.h>
#include <stdint.h>

#define C_CONTROL HV_INIT_CAP_CONTROL
#define C_MEMORY  HV_INIT_CAP_MEMORY
#define C_SELF    HV_INIT_CAP_ASPACE

struct vm_config {
	char name[HV_NAME_MAX];
	uint32_t cpus, mem_mib;
	uint32_t kernel_pa, kernel_size;
	uint32_t initrd_pa, initrd_size;
	bool testhooks;
	bool rng;  /* a virtio-rng device backed by the entropy server */
	bool disk; /* a virtio-blk device backed by the block server */
	bool net;  /* a virtio-net device on a port of the switch */
	char bootargs[HV_BOOTARGS_MAX];
};

struct config {
	unsigned nr_vms;
	struct vm_config vm[HV_MAX_VMS];
	unsigned nr_tests;
	char tests[4][HV_NAME_MAX];
	uint32_t images_end; /* first byte after the guest images */
};

/* A native server: its address space, thread and memory. */
struct server {
	int as, thread; /* cap slots in init's table, 0 = none */
	uint32_t image_pa, info_pa;
};

extern const struct hv_bootinfo *bootinfo;
extern int supervisor_ep; /* init's endpoint: faults, control, events */

int config_read(const void *dtb, struct config *cfg);

void mem_init(uint32_t base, uint32_t end);
uint32_t mem_alloc(uint32_t size, uint32_t align);
int slot_alloc(void);
void slot_free(int slot);
const struct hv_module *module_find(const char *name);

int server_create(struct server *s, const char *module, uint32_t prio, uint32_t cpu,
                  uint32_t fault_badge);
int server_grant(struct server *s, uint32_t dest, int src, uint32_t rights, uint32_t badge);
int server_map(struct server *s, uint32_t pa, uint32_t ipa, uint32_t size, uint32_t flags);
void server_destroy(struct server *s);
int destroy_retry(int slot);

/* console streams */
struct hv_ring *stream_ring(unsigned stream);
int console_start(const struct config *cfg);
int console_grant_ntfn(struct server *s, uint32_t dest, unsigned stream);
int console_grant_input(unsigned vm, int ntfn);
extern int console_ntfn;
extern int console_rng_stream; /* the entropy server's stream, -1: none */

/* the entropy server: its endpoint once started (0: not running) */
int rng_start(void);
/* QEMU's transports holding a device_id device (host_virtio.c): up to max,
 * address and INTID each, in host DTB order; how many. */
unsigned host_virtio_find(uint32_t device_id, uint32_t *pa, uint32_t *intid, unsigned max);
extern int rng_ep;

/* the block server (blk.c): created before the VMs, started after them */
extern int console_blk_stream;
bool config_wants_disk(const struct config *cfg);
int blk_prepare(void);
int blk_add_vm(unsigned index, const char *name, uint32_t ram_pa, uint32_t ram_size);
int blk_start(void);
int blk_monitor_setup(struct server *mon, unsigned index, struct vmm_info *info);
/* the network switch (switch.c) */
bool config_wants_net(const struct config *cfg);
int switch_start(const struct config *cfg);
int switch_monitor(struct server *s, unsigned vm, uint8_t mac[6]);
int switch_grant_port(unsigned vm, int ntfn);
extern int console_switch_stream; /* the switch's stream, -1: none */

/* VMs */
int vm_create(unsigned index, const struct vm_config *vc);
void vm_monitor_faulted(unsigned index, const uint32_t *m);
void vm_restart_due(uint64_t now);
uint64_t vm_next_deadline(void);
void vm_control(uint32_t *m);
void vm_power(unsigned index, uint32_t what);
bool vms_all_stopped(bool *any_failed);

#endif
