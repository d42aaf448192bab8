"""Two VMs side by side each probe every MiB outside their own RAM and
devices (and QEMU's other devices): every read must abort, and neither
sees its own RAM change."""

import re

from hvtest import vm, vm_lines


def test_isolation(hvrun):
    run = hvrun(
        [
            vm("isolation", "iso1", bootargs="id=1"),
            vm("isolation", "iso2", bootargs="id=2"),
        ],
        timeout=120,
    )
    for name in ("iso1", "iso2"):
        run.expect_line(name, r"isolation: (PASS|FAIL).*", timeout=120)
    run.wait_exit(timeout=60)

    probes = {}
    for name in ("iso1", "iso2"):
        lines = vm_lines(run.output, name)
        fails = [line for line in lines if "FAIL" in line]
        assert not fails, f"[{name}] " + "\n".join(fails)
        passed = [re.fullmatch(r"isolation: PASS probes=(\d+)", line) for line in lines]
        passed = [p for p in passed if p]
        assert len(passed) == 1, lines
        probes[name] = int(passed[0].group(1))
    # 64 MiB of RAM by default: 960 MiB above it, 128 below the devices,
    # 48 in 0x10000000-0x3FF00000, 12 host devices
    for name, n in probes.items():
        assert n >= 1000, (name, n)
    assert probes["iso1"] == probes["iso2"], probes
    run.assert_clean_exit()
