/* The monitor: one per VM, at PL0. */
#ifndef VMM_H
#define VMM_H

#include <hv/proto.h>
#include <hv/ring.h>
#include <hv/syscall.h>
#include <stdbool.h>
#include <stdint.h>

#include "psci.h"
#include "vgicd.h"
#include "virtio_mmio.h"
#include "virtio_net.h"
#include "vpl011.h"

/*
 * Device state that must survive a monitor restart, kept twice in the state
 * region: a handler that changes it works on the spare copy, records the
 * exit it answers (vCPU, serial, reply) in that copy, then flips `current`
 * with one store. A crash before the flip loses nothing the guest was told;
 * after it, the next monitor finds the exit answered and replays the reply.
 */
/* Message words, copied by assignment (no library call on hot paths). */
struct words {
	uint32_t w[HV_MSG_WORDS];
};

struct devstate {
	struct vgicd gicd;
	struct vpl011 uart;
	struct psci_state psci;
	struct virtio_mmio rng; /* the entropy device's transport and requestq */
	uint32_t rx_cons;       /* console input taken into the UART FIFO */
	uint32_t power_event;   /* 1 + INIT_POWER_*: SYSTEM_OFF/RESET init must hear of */
	uint32_t answered_vcpu, answered_serial;
	struct words answer;
	struct virtio_mmio blk; /* the disk's transport and requestq (virtio_blk_dev.c) */
	struct virtio_net net;  /* the network device and its switch port's indices */
};

struct vmm_state {
	uint32_t magic;
	uint32_t vcpu0_started;
	volatile uint32_t current;
	struct devstate dev[2];
};

#define VMM_STATE_MAGIC 0x766d6d31u /* "vmm1" */

/* One exit being handled. */
struct exit {
	unsigned vcpu;
	uint32_t hsr, serial;
	const uint32_t *m; /* the exit message */
	uint32_t *reply;   /* HV_MSG_WORDS to send back */
};

extern struct vmm_state *const state;
extern const struct vmm_info *const info;
extern struct hv_ring *const ring;

static inline struct devstate *dev_current(void)
{
	return &state->dev[state->current & 1];
}

/* e was answered by a monitor that died before replying. */
static inline bool dev_answered(const struct exit *e)
{
	const struct devstate *d = dev_current();
	return d->answered_serial == e->serial && d->answered_vcpu == e->vcpu;
}

struct devstate *dev_begin(void);
void dev_commit(const struct exit *e);
void dev_commit_no_exit(void);

void deliver_irqs(struct devstate *d);
void handle_exit(struct exit *e);
void handle_mmio(struct exit *e);
void handle_hvc(struct exit *e);
void uart_input(void);
bool uart_take_input(struct devstate *d);
void resample_levels(void);
void uart_output(struct exit *e, uint8_t c);

/* virtio devices (virtio_dev.c), mmio_region handlers */
int virtio_read(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t *val);
int virtio_write(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t val);
void virtio_publish(void);
bool virtio_irq_level(const struct devstate *d);
struct guest_mem guest_ram(void);
bool entropy_fill(uint8_t *buf, uint32_t n);

/* the disk (virtio_blk_dev.c): transport HV_GUEST_BLK_SLOT */
int blk_read(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t *val);
int blk_write(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t val);
void virtio_blk_publish(void);
bool virtio_blk_irq_level(const struct devstate *d);

/* the virtio-net device (net_port.c) */
int net_read(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t *val);
int net_write(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t val);
void net_publish(void);
void net_poll(void);
void net_fresh(struct devstate *d);
void net_start(void);
bool net_irq_level(const struct devstate *d);

int guest_load(void);
void tell_init_power(uint32_t what);
__attribute__((noreturn)) void monitor_crash(void);

static inline uint32_t vcpu_cap(unsigned vcpu)
{
	return VMM_CAP_VCPU0 + vcpu;
}

#endif
