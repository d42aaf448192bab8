/*
 * The virtio entropy device: virtio 1.2 section 5.4.
 *
 *   5.4.1  device ID 4 (VIRTIO_ID_RNG, <linux/virtio_ids.h>)
 *   5.4.2  one queue, requestq (index 0)
 *   5.4.3  no feature bits (VIRTIO_F_VERSION_1 only, from the transport)
 *   5.4.4  no device configuration layout
 *   5.4.6  the device fills device-writable buffers with random bytes; it
 *          MAY use less than the whole buffer. The driver MUST NOT put
 *          device-readable buffers in the queue (5.4.6.1): here such a chain
 *          is an error that needs a reset.
 *
 * Device tree node: see virtio_mmio.c.
 */
#include "virtio_rng.h"

#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_rng.h>

#define REQUESTQ 0u
#define BAD_READ VQ_ERR_ORDER /* a device-readable buffer: 5.4.6.1 */

const struct virtio_device virtio_rng_device = {
    .device_id = VIRTIO_ID_RNG,
    .features = 0,
    .nr_queues = 1,
    .queue_num_max = VIRTIO_RNG_QUEUE_MAX,
};

/* Fill one buffer, at most `budget` bytes: bytes written, or an error. */
static int fill_segment(const struct guest_mem *gm, const struct vq_seg *s, uint32_t budget,
                        entropy_fn get, void *ctx)
{
	uint8_t *p = guest_ptr(gm, s->addr, s->len, 1);
	uint32_t want = s->len < budget ? s->len : budget, done = 0;
	while (done < want) {
		int n = get(ctx, p + done, want - done);
		if (n <= 0 || (uint32_t)n > want - done)
			return done ? (int)done : (n < 0 ? n : -1);
		done += (uint32_t)n;
	}
	return (int)done;
}

/* Fill a chain's buffers: bytes written (at least one), or an error. */
static int fill_chain(const struct guest_mem *gm, const struct vq_chain *c, entropy_fn get,
                      void *ctx)
{
	uint32_t total = 0;
	for (unsigned i = 0; i < c->nsegs && total < VIRTIO_RNG_CHAIN_MAX; i++) {
		int n = fill_segment(gm, &c->seg[i], VIRTIO_RNG_CHAIN_MAX - total, get, ctx);
		if (n < 0)
			return total ? (int)total : n;
		total += (uint32_t)n;
		if ((uint32_t)n < c->seg[i].len)
			break; /* the source ran short: give what there is */
	}
	return (int)total;
}

int virtio_rng_process(struct virtio_mmio *v, const struct guest_mem *gm, entropy_fn get, void *ctx)
{
	struct vq_state *q = &v->vq[REQUESTQ];
	struct vq_chain c;
	int used = 0, err = 0, r = 0;
	if (!virtio_mmio_queue_live(v, REQUESTQ))
		return 0;
	/* at most a queue's worth per notify: another vCPU may keep adding */
	for (unsigned k = 0; k < q->num && (r = vq_pop(gm, q, &c)) == 1; k++) {
		if (c.read_len) {
			virtio_mmio_needs_reset(v, BAD_READ);
			break;
		}
		int n = fill_chain(gm, &c, get, ctx);
		if (n < 0) {
			q->last_avail--; /* not taken: the source failed */
			err = n;
			break;
		}
		vq_push(gm, q, c.head, (uint32_t)n);
		used++;
	}
	if (r < 0)
		virtio_mmio_needs_reset(v, r);
	if (used && vq_wants_interrupt(gm, q))
		v->isr |= VIRTIO_MMIO_INT_VRING; /* 4.2.3.4: used buffer notification */
	return err ? err : used;
}
