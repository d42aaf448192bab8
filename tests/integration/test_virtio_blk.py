"""The virtio-blk device: a bare-metal guest drives the monitor's virtio-blk
transport itself (version 2, SEG_MAX, FLUSH): a pattern written, flushed and
read back, a read beyond the capacity and an unknown type refused with a
status, a malformed request making the device need a reset; the pattern is
in the image file afterwards. A VM without a disk next to it, with rng=on,
keeps its entropy device."""

import re

from hvtest import vm


def test_virtio_blk(hvrun, tmp_path):
    image = tmp_path / "disk.img"
    image.write_bytes(b"\0" * (1 << 20))
    run = hvrun([vm("virtioblk", "blk") + f",disk={image}",
                 vm("virtiorng", "rng", rng=True)], timeout=60)
    run.expect_line("blk", r"virtioblk: (PASS|FAIL).*", timeout=60)
    run.expect_line("rng", r"virtiorng: (PASS|FAIL).*", timeout=60)
    run.wait_exit()
    run.assert_clean_exit()
    assert re.search(r"\[blk\] virtioblk: PASS irq=49 .*capacity=2048 seg_max=126", run.output), \
        run.tail()
    assert re.search(r"\[rng\] virtiorng: PASS irq=48 ", run.output), run.tail()
    assert "blk: disk 0 ready, 2048 sectors" in run.output, run.tail()
    data = image.read_bytes()
    assert data[4096:5120] == bytes((i * 7 + 3) & 0xFF for i in range(1024))
    assert data[:4096] == b"\0" * 4096 and data[5120:] == b"\0" * (len(data) - 5120)
