/*
 * The console server (servers/devices/console): owns the physical PL011,
 * prints every stream tagged with its name and hosts the control prompt.
 * It wakes on its notification (new output, UART input) and at least every
 * POLL_MS to flush quiet partial lines.
 */
#include "console.h"

#include <hv/layout.h>
#include <hv/syscall.h>

#define POLL_MS 20

const struct console_info *const info = (const struct console_info *)HV_SRV_BOOTINFO;

int main(void);
int main(void)
{
	uint32_t poll = info->counter_freq / 1000 * POLL_MS;
	hv_irq_bind(CONSOLE_CAP_IRQ, CONSOLE_CAP_NTFN_UART);
	uart_init();
	for (;;) {
		struct hv_msg msg = {0};
		int err = hv_recv_timeout(CONSOLE_CAP_EP, poll, &msg);
		if (err == HV_OK && msg.badge == HV_BADGE_NTFN && (msg.m[0] & CONSOLE_NTFN_UART)) {
			int c;
			while ((c = uart_getc()) >= 0)
				input_byte((uint8_t)c);
			hv_irq_ack(CONSOLE_CAP_IRQ);
		}
		streams_drain(hv_time(NULL));
	}
}
