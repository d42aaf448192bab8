/*
 * uartirq: a level-sensitive device interrupt through the virtual GIC.
 * The emulated PL011 raises its TX interrupt (UARTRIS.TXRIS, set by data
 * register writes) to SPI 33; the guest enables it, unmasks IRQs and
 * takes it through its GIC CPU interface (GICV):
 *   - twice the handler EOIs while the line is still asserted: a level
 *     interrupt must come again (the monitor samples the line at EOI);
 *   - the third time it clears the cause (UARTICR) before EOI: no more.
 * Prints "uartirq: PASS irqs=3" or a FAIL line, then SYSTEM_OFF.
 */
#include "guest.h"

const char guest_name[] = "uartirq";

#define UART_IMSC       0x038u
#define UART_ICR        0x044u
#define UART_INT_TX     (1u << 5)
#define UART_SPI        33u
#define GICD_CTLR       0x000u
#define GICD_ISENABLER1 0x104u
#define GICD_IPRIORITYR 0x400u

static volatile uint32_t irqs, wrong;

static void on_irq(uint32_t iar)
{
	if ((iar & 0x3ff) != UART_SPI) {
		wrong++;
		return;
	}
	if (++irqs >= 3)
		mmio_write32(UART_BASE + UART_ICR, UART_INT_TX); /* cause gone */
}

int main(const void *dtb);
int main(const void *dtb)
{
	(void)dtb;
	irq_set_hook(on_irq);
	gprintf("uartirq: start\n"); /* data register writes set UARTRIS.TXRIS */
	mmio_write8(GICD_BASE + GICD_IPRIORITYR + UART_SPI, 0xa0);
	mmio_write32(GICD_BASE + GICD_ISENABLER1, 1u << (UART_SPI - 32));
	mmio_write32(GICD_BASE + GICD_CTLR, 1);
	mmio_write32(GICC_BASE + GICC_PMR, 0xff);
	mmio_write32(GICC_BASE + GICC_CTLR, 1);
	mmio_write32(UART_BASE + UART_IMSC, UART_INT_TX); /* the line goes high */

	__asm__ volatile("cpsie i" ::: "memory");
	delay_loop(2000000);
	irq_disable();
	mmio_write32(UART_BASE + UART_IMSC, 0);

	if (irqs == 3 && !wrong)
		gprintf("uartirq: PASS irqs=%lu\n", (unsigned long)irqs);
	else
		gprintf("uartirq: FAIL irqs=%lu (want 3) other=%lu\n", (unsigned long)irqs,
		        (unsigned long)wrong);
	return 0;
}
