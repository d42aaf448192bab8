"""The virtio-rng device: a guest drives the monitor's virtio-mmio transport
(version 2) itself and gets entropy from QEMU's virtio-rng device through the
entropy server; bad descriptors make the device need a reset. A VM without
rng=on next to it has no virtio device."""

import re

from hvtest import vm


def test_virtio_rng(hvrun):
    run = hvrun([vm("virtiorng", "rng", rng=True),
                 vm("virtiorng", "plain", bootargs="expect=absent")], timeout=60)
    run.expect_line("rng", r"virtiorng: (PASS|FAIL).*", timeout=60)
    run.expect_line("plain", r"virtiorng: (PASS|FAIL).*", timeout=60)
    run.wait_exit(timeout=60)
    assert re.search(r"\[rng\] virtiorng: PASS irq=48 ", run.output), run.tail()
    assert "[plain] virtiorng: PASS absent" in run.output, run.tail()
    assert "rng: virtio-rng ready" in run.output, run.tail()
    assert "error -4" in run.output and "error -6" in run.output, run.tail()
    run.assert_clean_exit()
