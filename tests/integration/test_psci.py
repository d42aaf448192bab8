"""PSCI 0.2 over HVC with two vCPUs: VERSION, FEATURES, AFFINITY_INFO,
CPU_ON (context passed in r0, ALREADY_ON while on, again after CPU_OFF),
INVALID_PARAMETERS for a bad MPIDR, and SYSTEM_OFF ending the run."""

from hvtest import vm, vm_lines


def test_psci(hvrun):
    run = hvrun([vm("psci", "psci", cpus=2)], timeout=90)
    run.expect_line("psci", r"psci: cpu1 up ctx=0x1234", timeout=60)
    run.expect_line("psci", r"psci: (PASS|FAIL.*)", timeout=60)
    run.wait_exit(timeout=60)
    lines = vm_lines(run.output, "psci")
    fails = [line for line in lines if "FAIL" in line]
    assert not fails, "\n".join(fails)
    assert "psci: PASS" in lines
    assert "psci: cpu1 up ctx=0x1234" in lines
    assert "psci: cpu1 up ctx=0x5678" in lines  # second CPU_ON after CPU_OFF
    assert "psci: CPU_ON(1) while cpu1 runs = -4 ok" in lines
    # SYSTEM_OFF powered the VM off: the hypervisor says so and exits 0
    run.assert_clean_exit()
