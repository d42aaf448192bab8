/*
 * uartrx: console input longer than the PL011's 32-byte receive FIFO, taken
 * the way Linux's amba-pl011 driver takes it: the receive interrupt
 * (UARTIMSC.RXIM, SPI 33) handler reads UARTDR until UARTFR.RXFE, then
 * EOIs. Bytes that found the FIFO full must follow once the guest has read
 * it dry, without more typing.
 *
 * With poll=1 the interrupt stays masked and the guest polls UARTFR and
 * UARTDR instead, as early console code does: reading alone must refill it.
 *
 * Prints "uartrx: ready", then expects count=N bytes (default 100) of
 * 'a'..'z' repeated, within wait=SECONDS (default 20) of virtual time.
 * Prints "uartrx: PASS got=N" or a FAIL line, then SYSTEM_OFF.
 */
#include "guest.h"

#include <stdbool.h>

const char guest_name[] = "uartrx";

#define UART_FR_RXFE    (1u << 4)
#define UART_IMSC       0x038u
#define UART_INT_RX     (1u << 4)
#define UART_INT_RT     (1u << 6)
#define UART_SPI        33u
#define GICD_CTLR       0x000u
#define GICD_ISENABLER1 0x104u
#define GICD_IPRIORITYR 0x400u

static volatile uint32_t got, bad, irqs;

/* Everything the receive FIFO holds now. */
static void read_fifo(void)
{
	while (!(mmio_read32(UART_BASE + UART_FR) & UART_FR_RXFE)) {
		uint32_t c = mmio_read32(UART_BASE + UART_DR) & 0xff;
		if (c != 'a' + got % 26)
			bad++;
		got++;
	}
}

static void on_irq(uint32_t iar)
{
	if ((iar & 0x3ff) != UART_SPI)
		return;
	irqs++;
	read_fifo();
}

static void enable_rx_irq(void)
{
	irq_set_hook(on_irq);
	mmio_write8(GICD_BASE + GICD_IPRIORITYR + UART_SPI, 0xa0);
	mmio_write32(GICD_BASE + GICD_ISENABLER1, 1u << (UART_SPI - 32));
	mmio_write32(GICD_BASE + GICD_CTLR, 1);
	mmio_write32(GICC_BASE + GICC_PMR, 0xff);
	mmio_write32(GICC_BASE + GICC_CTLR, 1);
	mmio_write32(UART_BASE + UART_IMSC, UART_INT_RX | UART_INT_RT);
	__asm__ volatile("cpsie i" ::: "memory");
}

int main(const void *dtb);
int main(const void *dtb)
{
	(void)dtb;
	uint32_t want = bootarg_u32("count", 100), wait = bootarg_u32("wait", 20);
	bool poll = bootarg_u32("poll", 0);
	if (!poll)
		enable_rx_irq();
	gprintf("uartrx: ready\n");

	uint64_t deadline = read_cntvct() + (uint64_t)wait * counter_freq();
	while (got < want && read_cntvct() < deadline)
		if (poll)
			read_fifo();
	irq_disable();
	mmio_write32(UART_BASE + UART_IMSC, 0);

	if (got == want && !bad)
		gprintf("uartrx: PASS got=%lu\n", (unsigned long)got);
	else
		gprintf("uartrx: FAIL got=%lu (want %lu) bad=%lu irqs=%lu\n", (unsigned long)got,
		        (unsigned long)want, (unsigned long)bad, (unsigned long)irqs);
	return 0;
}
