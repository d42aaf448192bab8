"""Console input longer than the PL011's 32-byte receive FIFO: the bytes
that did not fit reach the guest once its interrupt handler has read the
FIFO dry, with nothing more typed (the Linux driver's way of reading), or
once a guest polling with the interrupt masked has read it."""

import string

import pytest

from hvtest import vm


@pytest.mark.parametrize("poll", [0, 1], ids=["irq", "polled"])
def test_uart_input_longer_than_fifo(hvrun, poll):
    count = 100
    args = {"count": count, "wait": 20, "poll": poll}
    run = hvrun([vm("uartrx", "rx", bootargs=args)], timeout=90)
    run.expect_line("rx", r"uartrx: ready", timeout=60)
    letters = string.ascii_lowercase
    run.send("".join(letters[i % 26] for i in range(count)))
    run.expect_line("rx", r"uartrx: (PASS|FAIL).*", timeout=60)
    run.wait_exit(timeout=60)
    assert f"uartrx: PASS got={count}" in run.output, run.tail()
    run.assert_clean_exit()
