"""The virtio-blk device: a bare-metal guest drives the monitor's virtio-blk
transport itself (version 2, SEG_MAX, FLUSH): a pattern written, flushed and
read back, a read beyond the capacity and an unknown type refused with a
status, a malformed request making the device need a reset; the pattern is
in the image file afterwards. A VM without a disk next to it, with rng=on,
keeps its entropy device."""

import re

from hvtest import vm


def pattern(seed):
    return bytes((i * 7 + seed) & 0xFF for i in range(1024))


def test_virtio_blk(hvrun, tmp_path):
    """Two VMs with a disk each (each guest's pattern lands in its own image
    file only) and one with rng=on."""
    a, b = tmp_path / "a.img", tmp_path / "b.img"
    a.write_bytes(b"\0" * (1 << 20))
    b.write_bytes(b"\0" * (2 << 20))
    # blk on host CPU 0, blk2 on CPU 1: its monitor calls the server across CPUs
    run = hvrun([vm("virtioblk", "blk", bootargs="seed=3") + f",disk={a}",
                 vm("virtioblk", "blk2", bootargs="seed=100") + f",disk={b}",
                 vm("virtiorng", "rng", rng=True)], timeout=60)
    for name, guest in (("blk", "virtioblk"), ("rng", "virtiorng"), ("blk2", "virtioblk")):
        run.expect_line(name, guest + r": (PASS|FAIL).*", timeout=60)
    run.wait_exit()
    run.assert_clean_exit()
    assert re.search(r"\[blk\] virtioblk: PASS irq=49 .*capacity=2048 seg_max=126", run.output), \
        run.tail()
    assert re.search(r"\[blk2\] virtioblk: PASS irq=49 .*capacity=4096 ", run.output), run.tail()
    assert re.search(r"\[rng\] virtiorng: PASS irq=48 ", run.output), run.tail()
    assert "blk: disk 0 ready, 2048 sectors" in run.output, run.tail()
    assert "blk: disk 1 ready, 4096 sectors" in run.output, run.tail()
    for image, seed in ((a, 3), (b, 100)):
        data = image.read_bytes()
        assert data[4096:5120] == pattern(seed), image
        assert data[:4096] == b"\0" * 4096 and data[5120:] == b"\0" * (len(data) - 5120)
