/* The physical PL011 (PrimeCell UART TRM DDI0183): polled output,
 * interrupt-driven input. */
#include "console.h"

#include <hv/layout.h>
#include <stdarg.h>
#include <stdio.h>

#define UART_DR   0x00
#define UART_FR   0x18
#define UART_CR   0x30
#define UART_IMSC 0x38
#define FR_RXFE   (1u << 4)
#define FR_TXFF   (1u << 5)
#define INT_RX    (1u << 4)
#define INT_RT    (1u << 6)

static volatile uint32_t *const uart = (volatile uint32_t *)HV_SRV_UART;

void uart_init(void)
{
	uart[UART_IMSC / 4] = INT_RX | INT_RT;
}

static void uart_putc(char c)
{
	while (uart[UART_FR / 4] & FR_TXFF)
		;
	uart[UART_DR / 4] = (uint8_t)c;
}

void uart_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
}

void uart_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	uart_puts(buf);
}

int uart_getc(void)
{
	if (uart[UART_FR / 4] & FR_RXFE)
		return -1;
	return (int)(uart[UART_DR / 4] & 0xff);
}
