"""More virtual interrupts pending at once than there are list registers:
16 SPIs (of two priorities, the higher ones on the higher IDs) and 16 SGIs
all arrive, once each, the higher priority first."""

from hvtest import vm


def test_more_pending_than_list_registers(hvrun):
    run = hvrun([vm("manyirq", "m")], timeout=60)
    run.expect_line("m", r"manyirq: (PASS|FAIL).*", timeout=60)
    run.wait_exit(timeout=60)
    assert "manyirq: PASS spis=16 sgis=16" in run.output, run.tail()
    run.assert_clean_exit()
