/* Unit tests of the virtual PL011 UART (servers/vmm/vpl011.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vpl011.h"

#define DR    0x000
#define RSR   0x004
#define FR    0x018
#define ILPR  0x020
#define IBRD  0x024
#define FBRD  0x028
#define LCR_H 0x02C
#define CR    0x030
#define IFLS  0x034
#define IMSC  0x038
#define RIS   0x03C
#define MIS   0x040
#define ICR   0x044
#define DMACR 0x048

#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)

static uint32_t rd(struct vpl011 *u, uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(vpl011_read(u, off, 4, &v), 0);
	return v;
}

static int wr(struct vpl011 *u, uint32_t off, uint32_t val)
{
	int tx = 12345;

	assert_int_equal(vpl011_write(u, off, 4, val, &tx), 0);
	return tx;
}

static void test_reset_values(void **state)
{
	static const struct {
		uint32_t off, val;
	} regs[] = {
	    {DR, 0},       {RSR, 0},      {FR, FR_TXFE | FR_RXFE},
	    {ILPR, 0},     {IBRD, 0},     {FBRD, 0},
	    {LCR_H, 0},    {CR, 0x0300},  {IFLS, 0x12},
	    {IMSC, 0},     {RIS, 0},      {MIS, 0},
	    {ICR, 0},      {DMACR, 0},    {0xFE0, 0x11},
	    {0xFE4, 0x10}, {0xFE8, 0x14}, {0xFEC, 0x00},
	    {0xFF0, 0x0D}, {0xFF4, 0xF0}, {0xFF8, 0x05},
	    {0xFFC, 0xB1}, {0x008, 0},    {0x04C, 0},
	    {0x800, 0},    {0xFDC, 0},
	};
	struct vpl011 u;

	(void)state;
	vpl011_init(&u);
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		assert_int_equal(rd(&u, regs[i].off), regs[i].val);
	assert_false(vpl011_irq_level(&u));
}

static void test_writable_masks(void **state)
{
	static const struct {
		uint32_t off, mask;
	} regs[] = {
	    {ILPR, 0xFF}, {IBRD, 0xFFFF}, {FBRD, 0x3F},  {LCR_H, 0xFF},
	    {CR, 0xFF87}, {IFLS, 0x3F},   {IMSC, 0x7FF}, {DMACR, 0x7},
	};
	struct vpl011 u;

	(void)state;
	vpl011_init(&u);
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		assert_int_equal(wr(&u, regs[i].off, 0xFFFFFFFF), -1);
		assert_int_equal(rd(&u, regs[i].off), regs[i].mask);
		wr(&u, regs[i].off, 0);
		assert_int_equal(rd(&u, regs[i].off), 0);
	}
	/* RO, WO-as-read and reserved registers ignore writes */
	wr(&u, FR, 0);
	assert_int_equal(rd(&u, FR), FR_TXFE | FR_RXFE);
	wr(&u, RIS, 0xFFFF);
	wr(&u, MIS, 0xFFFF);
	assert_int_equal(rd(&u, RIS), 0);
	wr(&u, 0xFE0, 0);
	assert_int_equal(rd(&u, 0xFE0), 0x11);
	wr(&u, 0x100, 0xFFFFFFFF);
	assert_int_equal(rd(&u, 0x100), 0);
	wr(&u, RSR, 0xFF);
	assert_int_equal(rd(&u, RSR), 0);
}

static void test_dr_write_transmits(void **state)
{
	struct vpl011 u;
	int tx = 0;

	(void)state;
	vpl011_init(&u);
	assert_int_equal(wr(&u, DR, 'A'), 'A');
	assert_int_equal(wr(&u, DR, 0x1FF), 0xFF); /* only the data byte */
	assert_int_equal(vpl011_write(&u, DR, 1, 'z', &tx), 0);
	assert_int_equal(tx, 'z');
	assert_int_equal(vpl011_write(&u, DR, 2, '\n', &tx), 0);
	assert_int_equal(tx, '\n');
	/* other registers transmit nothing */
	assert_int_equal(wr(&u, CR, 'A'), -1);
	assert_int_equal(vpl011_write(&u, DR + 1, 1, 'q', &tx), 0);
	assert_int_equal(tx, -1);
	/* transmission is instantaneous */
	assert_int_equal(rd(&u, FR) & (FR_TXFE | FR_TXFF | FR_BUSY), FR_TXFE);
}

static void test_tx_interrupt(void **state)
{
	struct vpl011 u;

	(void)state;
	vpl011_init(&u);
	wr(&u, DR, 'x');
	assert_int_equal(rd(&u, RIS), VPL011_INT_TX);
	assert_int_equal(rd(&u, MIS), 0);
	assert_false(vpl011_irq_level(&u));
	wr(&u, IMSC, VPL011_INT_TX);
	assert_int_equal(rd(&u, MIS), VPL011_INT_TX);
	assert_true(vpl011_irq_level(&u));
	wr(&u, ICR, VPL011_INT_TX);
	assert_int_equal(rd(&u, RIS), 0);
	assert_false(vpl011_irq_level(&u));
}

static void test_rx_fifo_order(void **state)
{
	struct vpl011 u;

	(void)state;
	vpl011_init(&u);
	assert_int_equal(vpl011_rx_push(&u, 'h'), 0);
	assert_int_equal(vpl011_rx_push(&u, 'i'), 0);
	assert_int_equal(rd(&u, FR) & (FR_RXFE | FR_RXFF), 0);
	assert_int_equal(rd(&u, DR), 'h');
	assert_int_equal(rd(&u, DR), 'i');
	assert_int_equal(rd(&u, FR) & FR_RXFE, FR_RXFE);
	assert_int_equal(rd(&u, DR), 0); /* empty */
	/* wrap around the ring */
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 20; i++)
			assert_int_equal(vpl011_rx_push(&u, (uint8_t)(round * 20 + i)), 0);
		for (unsigned i = 0; i < 20; i++)
			assert_int_equal(rd(&u, DR), round * 20 + i);
	}
}

static void test_rx_fifo_full(void **state)
{
	struct vpl011 u;

	(void)state;
	vpl011_init(&u);
	for (unsigned i = 0; i < VPL011_RX_FIFO_SIZE; i++) {
		assert_int_equal(rd(&u, FR) & FR_RXFF, 0);
		assert_int_equal(vpl011_rx_push(&u, (uint8_t)i), 0);
	}
	assert_int_equal(rd(&u, FR) & (FR_RXFF | FR_RXFE), FR_RXFF);
	assert_int_equal(vpl011_rx_push(&u, 0xAA), -1);
	assert_int_equal(rd(&u, DR), 0);
	assert_int_equal(rd(&u, FR) & FR_RXFF, 0);
	assert_int_equal(vpl011_rx_push(&u, 0xAA), 0);
	for (unsigned i = 1; i < VPL011_RX_FIFO_SIZE; i++)
		assert_int_equal(rd(&u, DR), i);
	assert_int_equal(rd(&u, DR), 0xAA);
	assert_int_equal(rd(&u, FR) & FR_RXFE, FR_RXFE);
}

static void test_rx_interrupt(void **state)
{
	struct vpl011 u;

	(void)state;
	vpl011_init(&u);
	wr(&u, IMSC, VPL011_INT_RX | VPL011_INT_RT);
	vpl011_rx_push(&u, 'a');
	vpl011_rx_push(&u, 'b');
	assert_int_equal(rd(&u, RIS), VPL011_INT_RX);
	assert_int_equal(rd(&u, MIS), VPL011_INT_RX);
	assert_true(vpl011_irq_level(&u));
	rd(&u, DR);
	assert_true(vpl011_irq_level(&u)); /* one byte left */
	rd(&u, DR);
	assert_int_equal(rd(&u, RIS), 0);
	assert_false(vpl011_irq_level(&u));
	/* ICR clears it even with bytes waiting */
	vpl011_rx_push(&u, 'c');
	wr(&u, ICR, VPL011_INT_RX);
	assert_false(vpl011_irq_level(&u));
	assert_int_equal(rd(&u, DR), 'c');
}

static void test_interrupt_masking(void **state)
{
	struct vpl011 u;

	(void)state;
	vpl011_init(&u);
	vpl011_rx_push(&u, 'a');
	wr(&u, DR, 'b');
	assert_int_equal(rd(&u, RIS), VPL011_INT_RX | VPL011_INT_TX);
	assert_false(vpl011_irq_level(&u));
	wr(&u, IMSC, VPL011_INT_RX);
	assert_int_equal(rd(&u, MIS), VPL011_INT_RX);
	assert_true(vpl011_irq_level(&u));
	wr(&u, IMSC, VPL011_INT_TX);
	assert_int_equal(rd(&u, MIS), VPL011_INT_TX);
	wr(&u, ICR, 0x7FF);
	assert_int_equal(rd(&u, RIS), 0);
	assert_int_equal(rd(&u, MIS), 0);
	assert_false(vpl011_irq_level(&u));
	assert_int_equal(rd(&u, IMSC), VPL011_INT_TX); /* ICR leaves IMSC alone */
}

static void test_narrow_accesses(void **state)
{
	struct vpl011 u;
	uint32_t v;
	int tx;

	(void)state;
	vpl011_init(&u);
	/* 16-bit, as Linux does */
	assert_int_equal(vpl011_write(&u, IBRD, 2, 0x1234, &tx), 0);
	assert_int_equal(vpl011_read(&u, IBRD, 2, &v), 0);
	assert_int_equal(v, 0x1234);
	assert_int_equal(vpl011_read(&u, FR, 2, &v), 0);
	assert_int_equal(v, FR_TXFE | FR_RXFE);
	/* a byte write replaces only its lane */
	assert_int_equal(vpl011_write(&u, CR + 1, 1, 0x00, &tx), 0);
	assert_int_equal(rd(&u, CR), 0);
	assert_int_equal(vpl011_write(&u, CR, 1, 0x01, &tx), 0);
	assert_int_equal(vpl011_write(&u, CR + 1, 1, 0x03, &tx), 0);
	assert_int_equal(rd(&u, CR), 0x0301);
	assert_int_equal(vpl011_read(&u, CR + 1, 1, &v), 0);
	assert_int_equal(v, 0x03);
	assert_int_equal(vpl011_read(&u, 0xFE0, 1, &v), 0);
	assert_int_equal(v, 0x11);
	/* a byte read of DR pops */
	vpl011_rx_push(&u, 'q');
	assert_int_equal(vpl011_read(&u, DR, 1, &v), 0);
	assert_int_equal(v, 'q');
	assert_int_equal(rd(&u, FR) & FR_RXFE, FR_RXFE);
}

static void test_bad_accesses(void **state)
{
	struct vpl011 u;
	uint32_t v;
	int tx = 0;

	(void)state;
	vpl011_init(&u);
	assert_int_equal(vpl011_read(&u, 0x1000, 4, &v), -1);
	assert_int_equal(vpl011_write(&u, 0x1000, 4, 0, &tx), -1);
	assert_int_equal(tx, -1);
	assert_int_equal(vpl011_read(&u, 0xFFFFFFFC, 4, &v), -1);
	assert_int_equal(vpl011_read(&u, 0x001, 2, &v), -1);
	assert_int_equal(vpl011_read(&u, 0x002, 4, &v), -1);
	assert_int_equal(vpl011_write(&u, 0x031, 2, 0, &tx), -1);
	assert_int_equal(vpl011_write(&u, 0x032, 4, 0, &tx), -1);
	assert_int_equal(vpl011_read(&u, 0x000, 3, &v), -1);
	assert_int_equal(vpl011_read(&u, 0x000, 8, &v), -1);
	assert_int_equal(vpl011_write(&u, 0x000, 0, 'x', &tx), -1);
	assert_int_equal(tx, -1);
	/* a bad DR write transmits nothing, a bad DR read pops nothing */
	vpl011_rx_push(&u, 'k');
	assert_int_equal(vpl011_read(&u, DR, 3, &v), -1);
	assert_int_equal(rd(&u, DR), 'k');
	assert_int_equal(rd(&u, CR), 0x0300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reset_values),       cmocka_unit_test(test_writable_masks),
	    cmocka_unit_test(test_dr_write_transmits), cmocka_unit_test(test_tx_interrupt),
	    cmocka_unit_test(test_rx_fifo_order),      cmocka_unit_test(test_rx_fifo_full),
	    cmocka_unit_test(test_rx_interrupt),       cmocka_unit_test(test_interrupt_masking),
	    cmocka_unit_test(test_narrow_accesses),    cmocka_unit_test(test_bad_accesses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
