/*
 * Server log output. Formatting is musl's vsnprintf; bytes go into the
 * server's console ring (the console tags lines with the stream name) or,
 * for init before the console runs, through the kernel's debug call.
 */
#include <hv/log.h>
#include <hv/syscall.h>
#include <stdarg.h>
#include <stdio.h>

static uint32_t debug_cap;
static struct hv_ring *log_ring;
static uint32_t log_ntfn;

void log_init(uint32_t cap, struct hv_ring *ring, uint32_t ntfn_cap)
{
	debug_cap = cap;
	log_ring = ring;
	log_ntfn = ntfn_cap;
}

void log_write(const char *s, uint32_t len)
{
	if (!log_ring) {
		if (debug_cap)
			hv_debug_write(debug_cap, s, len);
		return;
	}
	for (uint32_t i = 0; i < len; i++) {
		while (hv_ring_tx_space(log_ring) == 0) {
			hv_signal(log_ntfn);
			hv_yield();
		}
		hv_ring_tx_put(log_ring, (uint8_t)s[i], 0);
	}
	if (len && s[len - 1] == '\n')
		hv_signal(log_ntfn); /* a whole line: the console prints it now */
}

void log_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	log_write(buf, n < (int)sizeof(buf) ? (uint32_t)n : sizeof(buf) - 1);
}
