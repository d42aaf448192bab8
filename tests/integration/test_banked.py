"""MMIO through banked registers: the monitor reads the stored value from,
and writes the loaded value into, the bank of the guest's current mode
(r8-r12 of FIQ mode, SP and LR of each mode), leaving the other banks."""

import re

from hvtest import vm, vm_lines


def test_banked_registers(hvrun):
    run = hvrun([vm("banked", "alpha")], timeout=60)
    run.expect_line("alpha", r"banked: (PASS|FAIL)$", timeout=60)
    run.wait_exit(timeout=60)
    run.assert_clean_exit()
    lines = [l for l in vm_lines(run.output, "alpha") if l.startswith("banked: ")]
    results = [l for l in lines if re.match(r"banked: (ok|FAIL) ", l)]
    assert len(results) == 19, lines
    assert all(l.startswith("banked: ok ") for l in results), lines
    assert lines[-1] == "banked: PASS", lines
