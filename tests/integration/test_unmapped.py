"""Accesses outside RAM and the emulated devices come back to the guest as
data aborts at its own vector, with DFAR = the address."""

from hvtest import vm, vm_lines


def test_unmapped(hvrun):
    run = hvrun([vm("unmapped", "unmapped")], timeout=60)
    run.expect_line("unmapped", r"unmapped: (PASS|FAIL.*)", timeout=60)
    run.wait_exit(timeout=60)
    lines = vm_lines(run.output, "unmapped")
    fails = [line for line in lines if "FAIL" in line]
    assert not fails, "\n".join(fails)
    expected = [
        "unmapped: read abort dfar=0x20000000",
        "unmapped: write abort dfar=0x20000000",
        "unmapped: write abort dfar=0x0a000000",
        "unmapped: PASS",
    ]
    got = [line for line in lines if line in expected]
    assert got == expected, lines
    run.assert_clean_exit()
