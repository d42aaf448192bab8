"""The monitor's GICv2 distributor model, register by register (the gicd
guest holds the table of offsets, reset values, writable masks and access
kinds), with one and with two vCPUs (TYPER, ITARGETSR and banking differ)."""

import re

import pytest

from hvtest import vm, vm_lines


@pytest.mark.parametrize("cpus", [1, 2])
def test_gicd(hvrun, cpus):
    run = hvrun([vm("gicd", "gicd", cpus=cpus)], timeout=120)
    m = run.expect_line("gicd", r"gicd: (PASS \((\d+) checks\)|FAIL \d+ of \d+ checks failed)", timeout=120)
    run.wait_exit(timeout=60)
    lines = vm_lines(run.output, "gicd")
    fails = [line for line in lines if "FAIL" in line]
    assert not fails, "gicd checks failed:\n" + "\n".join(fails[:80])
    assert m.group(1).startswith("PASS"), m.group(0)
    assert int(m.group(2)) > 4000, f"suspiciously few checks: {m.group(0)}"

    typer = [line for line in lines if line.startswith("gicd: TYPER=")]
    assert typer, lines
    expect_typer = 0x1 | (cpus - 1) << 5
    assert re.search(r"TYPER=0x%08x: %d cpus, 64 irqs" % (expect_typer, cpus), typer[0]), typer[0]
    run.assert_clean_exit()
