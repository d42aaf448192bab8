"""A hostile guest (random GICD writes, loads and stores all over the
low 1 GiB, SMC, impl-defined CP15, unknown HVCs) next to a well-behaved
one: the hostile guest only ever gets exceptions back and still wakes from
WFI on its timer, its monitor survives, the other VM is not disturbed, and
the hypervisor does not panic."""

import re

import pytest

from hvtest import assert_seq, vm, vm_lines


@pytest.mark.parametrize("seed", [12345, 2024])
def test_hostile(hvrun, seed):
    run = hvrun(
        [
            vm("hostile", "bad", bootargs=f"seed={seed} iters=6000"),
            vm("seq", "good", bootargs="count=300"),
        ],
        timeout=120,
    )
    m = run.expect_line("bad", r"hostile: (PASS exceptions=(\d+)|FAIL.*)", timeout=120)
    run.wait_exit(timeout=120)
    run.assert_clean_exit()

    bad = vm_lines(run.output, "bad")
    fails = [line for line in bad if "FAIL" in line]
    assert not fails, "\n".join(fails)
    assert m.group(1).startswith("PASS"), m.group(0)
    # thousands of random accesses: a good share of them must have faulted
    assert int(m.group(2)) >= 1000, m.group(0)
    assert f"hostile: seed={seed} iters=6000" in bad, bad[:3]
    assert any(line.startswith("hostile: woke from WFI") for line in bad), bad[-5:]

    assert_seq(run, "good", 300)
    # a guest's bad accesses are answered with exceptions, not monitor crashes
    restarts = re.findall(r"\[hv\] \S+: monitor (?:faulted|restarted|failed).*", run.output)
    assert not restarts, restarts
