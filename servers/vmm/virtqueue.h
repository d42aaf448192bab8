/*
 * Split virtqueues, the device side (virtio 1.2 section 2.7), over guest RAM
 * as the monitor maps it. The layouts (struct vring_desc, vring_avail,
 * vring_used) and flags come from <linux/virtio_ring.h>.
 *
 * The queue's state is plain data without pointers: it lives in the
 * monitor's state region (struct devstate) and follows its commit protocol.
 * Everything read from guest memory is read once into a local copy, then
 * checked: the guest may change its rings while the monitor walks them.
 */
#ifndef VMM_VIRTQUEUE_H
#define VMM_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

/* Largest QueueNumMax a device model offers; also the longest chain. */
#define VQ_NUM_MAX 128u

/* Guest RAM as the monitor sees it: guest address `base` is at `host`. */
struct guest_mem {
	uint8_t *host;
	uint32_t base, size;
};

/* Host pointer to [addr, addr + len) if all of it is guest RAM and addr is
 * a multiple of align (a power of two), else NULL. */
void *guest_ptr(const struct guest_mem *gm, uint64_t addr, uint32_t len, uint32_t align);

/* One queue, as the driver configured it through the transport. */
struct vq_state {
	uint32_t num;   /* QueueNum */
	uint32_t ready; /* QueueReady */
	uint64_t desc, driver, device;
	uint16_t last_avail; /* next available ring entry the device takes */
	uint16_t used_idx;   /* used entries written; the guest sees them once
	                        vq_publish() stores this in used->idx */
};

/* A descriptor chain (2.7.5), checked: every buffer in guest RAM. */
struct vq_seg {
	uint32_t addr, len;
	bool write; /* device-writable (VRING_DESC_F_WRITE) */
};

struct vq_chain {
	uint16_t head; /* the id the used ring element gives back */
	unsigned nsegs;
	uint32_t read_len, write_len;
	struct vq_seg seg[VQ_NUM_MAX];
};

/* Why a chain or a queue was refused: the device then needs a reset. */
enum vq_error {
	VQ_OK = 0,
	VQ_ERR_RING = -1,     /* ring outside RAM, misaligned, or size not a power of 2 */
	VQ_ERR_AVAIL = -2,    /* available index ran more than the queue size ahead */
	VQ_ERR_INDEX = -3,    /* head or next index not below the queue size */
	VQ_ERR_ADDR = -4,     /* a buffer outside guest RAM */
	VQ_ERR_LEN = -5,      /* a zero-length buffer, or a chain over 4 GiB */
	VQ_ERR_LOOP = -6,     /* a chain longer than the queue size */
	VQ_ERR_INDIRECT = -7, /* VRING_DESC_F_INDIRECT, not negotiated */
	VQ_ERR_ORDER = -8,    /* a device-readable buffer after a writable one */
};

/* The queue's rings lie in guest RAM, aligned, with a valid size (2.7). */
int vq_check(const struct guest_mem *gm, const struct vq_state *q, uint32_t num_max);

/* Take the next available chain: 1 (in *c), 0 if none, or a vq_error. */
int vq_pop(const struct guest_mem *gm, struct vq_state *q, struct vq_chain *c);

/* Write a used element (head, bytes written) at used_idx, then count it. */
int vq_push(const struct guest_mem *gm, struct vq_state *q, uint16_t head, uint32_t len);

/* Make the used elements visible: used->idx = used_idx. Idempotent. */
void vq_publish(const struct guest_mem *gm, const struct vq_state *q);

/* The driver did not ask for no interrupts (VRING_AVAIL_F_NO_INTERRUPT, 2.7.7). */
bool vq_wants_interrupt(const struct guest_mem *gm, const struct vq_state *q);

#endif
