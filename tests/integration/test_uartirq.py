"""A level-sensitive virtual interrupt (the PL011's, SPI 33) through list
registers and GICV: while the device keeps it asserted it comes again after
every EOI; once the guest clears the cause it stops."""

from hvtest import vm


def test_uart_level_interrupt(hvrun):
    run = hvrun([vm("uartirq", "irq")], timeout=60)
    run.expect_line("irq", r"uartirq: (PASS|FAIL).*", timeout=60)
    run.wait_exit(timeout=60)
    assert "uartirq: PASS irqs=3" in run.output, run.tail()
    run.assert_clean_exit()
