/*
 * Output streams: each VM (and init, and test servers) writes into its own
 * ring; here every complete line is printed tagged "[name] ". A partial
 * line (a shell prompt) is printed once its stream has been quiet for a
 * while, so lines of different VMs never interleave mid-line.
 */
#include "console.h"

#include <hv/ring.h>
#include <string.h>

#define LINE_MAX         200
#define PARTIAL_QUIET_MS 100

struct stream {
	char line[LINE_MAX + 1];
	unsigned len;
	uint64_t last_byte;
	int continued; /* the terminal shows an unfinished line of this stream */
};

static struct stream streams[HV_MAX_STREAMS];
static int open_stream = -1; /* stream whose unfinished line ends the terminal */

static struct hv_ring *ring_of(unsigned i)
{
	return (struct hv_ring *)info->ring_ipa[i];
}

static void emit(unsigned i, bool newline)
{
	struct stream *s = &streams[i];
	s->line[s->len] = '\0';
	if (open_stream >= 0 && open_stream != (int)i) {
		uart_puts("\n");
		streams[open_stream].continued = 0;
	}
	if (!s->continued)
		uart_printf("[%s] ", info->names[i]);
	uart_puts(s->line);
	if (newline)
		uart_puts("\n");
	s->continued = !newline;
	open_stream = newline ? -1 : (int)i;
	s->len = 0;
}

static void take(unsigned i, uint8_t c, uint64_t now)
{
	struct stream *s = &streams[i];
	s->last_byte = now;
	if (c == '\r')
		return;
	if (c == '\n') {
		emit(i, true);
		return;
	}
	s->line[s->len++] = (char)c;
	if (s->len == LINE_MAX)
		emit(i, false);
}

void streams_drain(uint64_t now)
{
	uint64_t quiet = (uint64_t)info->counter_freq * PARTIAL_QUIET_MS / 1000;
	for (unsigned i = 0; i < info->nr_streams; i++) {
		struct hv_ring *r = ring_of(i);
		uint32_t prod = hv_ring_tx_prod(r), cons = r->tx_cons;
		if (prod - cons > HV_RING_TX_SIZE) /* a producer's bad index: skip */
			cons = prod - HV_RING_TX_SIZE;
		__asm__ volatile("dmb ish" ::: "memory");
		while (cons != prod)
			take(i, r->tx[cons++ % HV_RING_TX_SIZE], now);
		__asm__ volatile("dmb ish" ::: "memory");
		r->tx_cons = cons;
		if (streams[i].len && now - streams[i].last_byte >= quiet)
			emit(i, false);
	}
}
