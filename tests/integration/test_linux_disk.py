"""Disks (tools/hvrun disk=PATH): Debian's kernel drives the monitor's
virtio-blk device, served by the block server from QEMU's virtio-blk device
backed by an image file. Data written and synced is read back after a
reboot and is in the image file after power-off; a monitor crash in the middle
of a copy onto the disk loses nothing and repeats no console line, and the
other VM goes on."""

import hashlib
import re

from hvtest import vm_lines
from test_linux import BOOT_S, linux_images, linux_vm  # noqa: F401 (fixture)

MIB = 1 << 20


def disk_vm(images, name, image, run):
    return linux_vm(images, name, run=run) + f",disk={image}"


def md5_line(lines, tag):
    """The md5 sum printed after `tag` (lines 'tag <sum>')."""
    for line in lines:
        m = re.fullmatch(tag + r" ([0-9a-f]{32})", line.strip())
        if m:
            return m.group(1)
    raise AssertionError(f"no {tag} line in {lines[-30:]}")


def test_linux_disk_survives_reboot_and_power_off(hvrun, linux_images, tmp_path):
    """dd a pattern to /dev/vda, sync, reboot: the next boot of the same VM
    reads it back, then powers off; after QEMU has stopped, the image file
    has it, and a new run of the hypervisor on that image reads it back."""
    image = tmp_path / "disk.img"
    image.write_bytes(b"\0" * (8 * MIB))
    pattern = "yes hv-disk-pattern | head -c 1048576"
    readback = "$(dd if=/dev/vda bs=64k skip=16 count=16 2>/dev/null | md5sum | cut -d' ' -f1)"
    script = (
        "if dd if=/dev/vda bs=64k skip=16 count=1 2>/dev/null | grep -q hv-disk-pattern; "
        f"then echo again {readback}; else {pattern} > /tmp/p; "
        "dd if=/tmp/p of=/dev/vda bs=64k seek=16 2>/dev/null; sync; "
        "echo wrote $(md5sum < /tmp/p | cut -d' ' -f1); cat /sys/block/vda/size; reboot -f; fi"
    )
    run = hvrun([disk_vm(linux_images, "w", image, script)], timeout=BOOT_S * 2)
    reset = run.expect(r"\[hv\] w: reset\n", timeout=BOOT_S)
    run.expect_line("w", r"again [0-9a-f]+", timeout=BOOT_S, since=reset.end())
    run.expect_line("w", r"init: hv.run exit status 0", timeout=BOOT_S)
    run.wait_exit()
    run.assert_clean_exit()
    lines = vm_lines(run.output, "w")
    wrote = md5_line(lines, "wrote")
    assert md5_line(lines, "again") == wrote
    assert str(8 * MIB // 512) in lines, lines[-10:]
    expected = (b"hv-disk-pattern\n" * (MIB // 16 + 1))[:MIB]
    assert hashlib.md5(expected).hexdigest() == wrote
    data = image.read_bytes()
    assert data[MIB : 2 * MIB] == expected
    assert data[:MIB] == b"\0" * MIB and data[2 * MIB :] == b"\0" * (6 * MIB)

    # a new host boot (hvrun, QEMU, hypervisor all started afresh) reads it
    again = hvrun([disk_vm(linux_images, "w", image, script)], timeout=BOOT_S)
    again.expect_line("w", r"init: hv.run exit status 0", timeout=BOOT_S)
    again.wait_exit()
    again.assert_clean_exit()
    assert md5_line(vm_lines(again.output, "w"), "again") == wrote
    assert "w: reset" not in again.output  # found it: nothing written, no reboot


def test_linux_disk_monitor_crash_during_copy(hvrun, linux_images, tmp_path):
    """`crash a` while a's guest copies 4 MiB onto its disk with direct I/O
    and prints lines: the copy completes, what is read back from the disk
    and what is in the image file after power-off match the source, every
    line arrives once in order, and VM b's lines are not interrupted."""
    image = tmp_path / "disk.img"
    image.write_bytes(b"\0" * (8 * MIB))
    count = 300
    loop = f"i=0; while [ $i -lt {count} ]; do echo line-$i; i=$((i+1)); done"
    copy = (
        "dd if=/dev/urandom of=/tmp/src bs=1k count=4096 2>/dev/null; "
        "echo src $(md5sum < /tmp/src | cut -d' ' -f1); "
        f"({loop}) & echo copy-start; "
        "dd if=/tmp/src of=/dev/vda bs=4k oflag=direct 2>/dev/null; echo copy-done; wait; sync; "
        "echo back $(dd if=/dev/vda bs=64k count=64 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)"
    )
    run = hvrun(
        [disk_vm(linux_images, "a", image, copy), linux_vm(linux_images, "b", run=loop)],
        timeout=BOOT_S * 2,
        extra_args=["--smp", "2"],
    )
    run.expect_line("a", r"copy-start", timeout=BOOT_S)
    run.control("crash a")
    restarted = run.expect(r"\[hv\] a: monitor restarted \(restart 1\)", timeout=60)
    run.expect_line("a", r"copy-done", timeout=BOOT_S)
    for name in ("a", "b"):
        run.expect_line(name, r"init: hv.run exit status 0", timeout=BOOT_S)
    run.wait_exit()
    run.assert_clean_exit()
    lines = vm_lines(run.output, "a")
    src = md5_line(lines, "src")
    assert md5_line(lines, "back") == src
    assert hashlib.md5(image.read_bytes()[: 4 * MIB]).hexdigest() == src
    after = vm_lines(run.output[restarted.end() :], "a")
    assert "copy-done" in after, "the copy ended before the crash"
    for name in ("a", "b"):
        got = [l for l in vm_lines(run.output, name) if l.startswith("line-")]
        assert got == [f"line-{i}" for i in range(count)], (name, got[:5], len(got))
    assert run.output.count("monitor restarted") == 1, run.tail()


def test_linux_disk_monitor_crashes_between_io_and_commit(hvrun, linux_images, tmp_path):
    """The monitor faults three times just after the block server did a
    batch of the guest's requests and before their completions were
    committed (testhooks, hv.blk_crash): each next monitor does the batch
    again, and the guest's 4 MiB direct-I/O copy and its read back match."""
    image = tmp_path / "disk.img"
    image.write_bytes(b"\0" * (8 * MIB))
    copy = (
        "dd if=/dev/urandom of=/tmp/src bs=1k count=4096 2>/dev/null; "
        "echo src $(md5sum < /tmp/src | cut -d' ' -f1); "
        "dd if=/tmp/src of=/dev/vda bs=4k oflag=direct 2>/dev/null; sync; "
        "echo back $(dd if=/dev/vda bs=4k count=1024 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)"
    )
    spec = disk_vm(linux_images, "c", image, copy).replace(
        "cryptomgr.notests", "cryptomgr.notests hv.blk_crash"
    )
    run = hvrun([spec + ",testhooks=on"], timeout=BOOT_S)
    run.expect_line("c", r"init: hv.run exit status 0", timeout=BOOT_S)
    run.wait_exit()
    run.assert_clean_exit()
    lines = vm_lines(run.output, "c")
    src = md5_line(lines, "src")
    assert md5_line(lines, "back") == src
    assert hashlib.md5(image.read_bytes()[: 4 * MIB]).hexdigest() == src
    for n in (1, 2, 3):
        assert f"c: monitor restarted (restart {n})" in run.output, run.tail()
    assert "restart 4" not in run.output
    assert not [l for l in lines if "I/O error" in l or "needs a reset" in l], lines[-20:]
