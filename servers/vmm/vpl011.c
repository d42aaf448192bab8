/*
 * Virtual PL011 UART, following the ARM PrimeCell UART (PL011) Technical
 * Reference Manual, DDI0183. Enough for Linux's amba-pl011 driver; the
 * interrupt behaviour follows QEMU's pl011 model.
 *
 * Device-tree node (guest_dtb.c):
 *	pl011@9000000 {
 *		compatible = "arm,pl011", "arm,primecell";
 *		reg = <0x09000000 0x1000>;
 *		interrupts = <0 1 4>;
 *		clocks = <&apb_pclk &apb_pclk>;
 *		clock-names = "uartclk", "apb_pclk";
 *	};
 *
 * Transmission is instantaneous: FR shows the TX FIFO empty and the UART
 * never busy, and every DR write raises TXRIS (cleared only through ICR).
 * Received bytes wait in a 32-byte FIFO; FEN is not modelled. RXRIS is set
 * when a byte arrives and cleared by ICR or when DR reads empty the FIFO.
 * Nothing else (modem lines, errors, DMA, IrDA, loopback) has an effect;
 * those registers just hold what was written.
 *
 * Accesses of 1, 2 or 4 bytes at an offset aligned to their size are
 * accepted (Linux uses 16-bit accesses). A narrow read returns its lanes of
 * the register, with the register's side effects (a DR read pops a byte);
 * a narrow write replaces its lanes of the register and keeps the others.
 * Reserved offsets are RAZ/WI, RO registers WI, WO registers RAZ.
 */
#include "vpl011.h"

#include <string.h>

#define UART_DR         0x000u
#define UART_RSR_ECR    0x004u
#define UART_FR         0x018u
#define UART_ILPR       0x020u
#define UART_IBRD       0x024u
#define UART_FBRD       0x028u
#define UART_LCR_H      0x02Cu
#define UART_CR         0x030u
#define UART_IFLS       0x034u
#define UART_IMSC       0x038u
#define UART_RIS        0x03Cu
#define UART_MIS        0x040u
#define UART_ICR        0x044u
#define UART_DMACR      0x048u
#define UART_PERIPHID0  0xFE0u
#define UART_FRAME_SIZE 0x1000u

#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)

#define CR_RESET   0x0300u /* TXE | RXE */
#define IFLS_RESET 0x12u   /* both FIFO levels at half */

/* Implemented bits of each RW register (TRM 3.3). */
#define ILPR_MASK  0xFFu
#define IBRD_MASK  0xFFFFu
#define FBRD_MASK  0x3Fu
#define LCR_H_MASK 0xFFu
#define CR_MASK    0xFF87u /* bits [6:3] reserved */
#define IFLS_MASK  0x3Fu
#define INT_MASK   0x7FFu
#define DMACR_MASK 0x7u

static const uint8_t id_registers[] = {
    0x11, 0x10, 0x14, 0x00, /* PeriphID0-3 */
    0x0D, 0xF0, 0x05, 0xB1, /* CellID0-3 */
};

void vpl011_init(struct vpl011 *u)
{
	memset(u, 0, sizeof(*u));
	u->cr = CR_RESET;
	u->ifls = IFLS_RESET;
}

/* ---- RX FIFO -------------------------------------------------------------- */

static bool rx_empty(const struct vpl011 *u)
{
	return u->rx_count == 0;
}

static bool rx_full(const struct vpl011 *u)
{
	return u->rx_count >= VPL011_RX_FIFO_SIZE;
}

int vpl011_rx_push(struct vpl011 *u, uint8_t c)
{
	if (rx_full(u))
		return -1;
	u->rx_fifo[(u->rx_head + u->rx_count) % VPL011_RX_FIFO_SIZE] = c;
	u->rx_count++;
	u->ris |= VPL011_INT_RX;
	return 0;
}

/* An empty FIFO reads as 0, like QEMU's. */
static uint32_t rx_pop(struct vpl011 *u)
{
	uint8_t c;

	if (rx_empty(u))
		return 0;
	c = u->rx_fifo[u->rx_head % VPL011_RX_FIFO_SIZE];
	u->rx_head = (u->rx_head + 1) % VPL011_RX_FIFO_SIZE;
	u->rx_count--;
	if (rx_empty(u))
		u->ris &= ~VPL011_INT_RX;
	return c;
}

/* ---- registers ------------------------------------------------------------ */

static uint32_t flags(const struct vpl011 *u)
{
	uint32_t fr = FR_TXFE;

	if (rx_empty(u))
		fr |= FR_RXFE;
	if (rx_full(u))
		fr |= FR_RXFF;
	return fr;
}

/* The value of a register without side effects; DR and WO registers read 0. */
static uint32_t register_peek(const struct vpl011 *u, uint32_t reg)
{
	switch (reg) {
	case UART_FR: return flags(u);
	case UART_ILPR: return u->ilpr;
	case UART_IBRD: return u->ibrd;
	case UART_FBRD: return u->fbrd;
	case UART_LCR_H: return u->lcr_h;
	case UART_CR: return u->cr;
	case UART_IFLS: return u->ifls;
	case UART_IMSC: return u->imsc;
	case UART_RIS: return u->ris;
	case UART_MIS: return u->ris & u->imsc;
	case UART_DMACR: return u->dmacr;
	default:
		if (reg >= UART_PERIPHID0)
			return id_registers[(reg - UART_PERIPHID0) / 4];
		return 0; /* RSR (no errors), ICR (WO), reserved */
	}
}

static uint32_t register_read(struct vpl011 *u, uint32_t reg)
{
	if (reg == UART_DR)
		return rx_pop(u);
	return register_peek(u, reg);
}

static void register_write(struct vpl011 *u, uint32_t reg, uint32_t val, int *tx_char)
{
	switch (reg) {
	case UART_DR:
		*tx_char = (int)(val & 0xFFu);
		u->ris |= VPL011_INT_TX;
		break;
	case UART_ILPR: u->ilpr = val & ILPR_MASK; break;
	case UART_IBRD: u->ibrd = val & IBRD_MASK; break;
	case UART_FBRD: u->fbrd = val & FBRD_MASK; break;
	case UART_LCR_H: u->lcr_h = val & LCR_H_MASK; break;
	case UART_CR: u->cr = val & CR_MASK; break;
	case UART_IFLS: u->ifls = val & IFLS_MASK; break;
	case UART_IMSC: u->imsc = val & INT_MASK; break;
	case UART_ICR: u->ris &= ~(val & INT_MASK); break;
	case UART_DMACR: u->dmacr = val & DMACR_MASK; break;
	default: break; /* ECR (no errors to clear), RO, reserved */
	}
}

/* ---- accesses ------------------------------------------------------------- */

static bool access_ok(uint32_t offset, unsigned size)
{
	if (offset >= UART_FRAME_SIZE)
		return false;
	if (size != 1 && size != 2 && size != 4)
		return false;
	return (offset & (size - 1)) == 0;
}

static uint32_t lane_mask(unsigned size)
{
	return size == 4 ? ~0u : (1u << (8 * size)) - 1;
}

static unsigned lane_shift(uint32_t offset)
{
	return (offset & 3) * 8;
}

int vpl011_read(struct vpl011 *u, uint32_t offset, unsigned size, uint32_t *val)
{
	if (!access_ok(offset, size))
		return -1;
	*val = (register_read(u, offset & ~3u) >> lane_shift(offset)) & lane_mask(size);
	return 0;
}

int vpl011_write(struct vpl011 *u, uint32_t offset, unsigned size, uint32_t val, int *tx_char)
{
	uint32_t reg = offset & ~3u;
	uint32_t mask = lane_mask(size) << lane_shift(offset);
	uint32_t merged;

	*tx_char = -1;
	if (!access_ok(offset, size))
		return -1;
	if (reg == UART_DR && lane_shift(offset) != 0)
		return 0; /* the data byte is not in this access */
	merged = (register_peek(u, reg) & ~mask) | ((val << lane_shift(offset)) & mask);
	register_write(u, reg, merged, tx_char);
	return 0;
}

bool vpl011_irq_level(const struct vpl011 *u)
{
	return (u->ris & u->imsc) != 0;
}
