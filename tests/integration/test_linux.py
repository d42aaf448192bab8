"""Debian's own armhf kernel (linux-image-armmp, unmodified) with the busybox
initramfs of tools/linux-guest.sh: boot to init, SMP, power off and reboot
of one VM among two, a module that fails to load, a kernel too big for its
memory. The guest's /init runs `hv.run="..."` from the kernel command line,
or an interactive shell without it (see tools/linux-guest.sh)."""

import gzip
import re
import subprocess

import pytest

from hvtest import HV_BUILD, ROOT, vm_lines

LINUX = HV_BUILD / "linux"
BOOT_S = 120  # a boot takes about 5 s without -icount; CI machines are slower


@pytest.fixture(scope="session")
def linux_images():
    """Debian's kernel and the initramfs, fetched and built once (cached in
    build/linux/ between runs)."""
    proc = subprocess.run(
        ["make", "-s", f"B={HV_BUILD}", "linux-guest"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if proc.returncode != 0:
        pytest.fail(f"make linux-guest failed:\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    versions = dict(
        line.split(" ", 1) for line in (ROOT / LINUX / "versions").read_text().splitlines()
    )
    return {"kernel": LINUX / "vmlinuz", "initrd": LINUX / "initrd.cpio.gz", **versions}


def linux_vm(images, name, run=None, cpus=None, mem=256, initrd=None):
    cmdline = "console=ttyAMA0 cryptomgr.notests"
    if run is not None:
        assert "," not in run and '"' not in run, run
        cmdline += f' hv.run="{run}"'
    parts = [
        f"kernel={images['kernel']}",
        f"initrd={initrd or images['initrd']}",
        f"cmdline={cmdline}",
        f"mem={mem}",
        f"name={name}",
    ]
    if cpus:
        parts.append(f"cpus={cpus}")
    return ",".join(parts)


def test_linux_boots_to_init(hvrun, linux_images):
    run = hvrun([linux_vm(linux_images, "deb", run="uname -r; echo linux-ok")], timeout=BOOT_S)
    run.expect_line("deb", r"\[ *[0-9.]+\] init: ready", timeout=BOOT_S)
    run.expect_line("deb", r"init: hv.run exit status 0", timeout=60)
    run.wait_exit()
    run.assert_clean_exit()
    lines = vm_lines(run.output, "deb")
    assert linux_images["kernel-release"] in lines, lines[-20:]
    assert "linux-ok" in lines
    assert not [l for l in lines if "failed to load" in l], lines
    # seeded from the host's entropy through /chosen/rng-seed
    assert any("random: crng init done" in l for l in lines), lines[:60]


def interrupt_counts(lines, label):
    """The two per-CPU counts of the /proc/interrupts row naming label."""
    row = re.compile(r"^\s*\w+:\s+(\d+)\s+(\d+)\s.*" + re.escape(label))
    for line in lines:
        m = row.match(line)
        if m:
            return [int(m.group(1)), int(m.group(2))]
    raise AssertionError(f"no /proc/interrupts row for {label!r} in {lines[-30:]}")


def test_linux_smp_two_vcpus(hvrun, linux_images):
    run = hvrun(
        [linux_vm(linux_images, "smp", run="nproc; cat /proc/interrupts", cpus=2)],
        timeout=BOOT_S,
        extra_args=["--smp", "2"],
    )
    run.expect_line("smp", r"init: hv.run exit status 0", timeout=BOOT_S)
    run.wait_exit()
    run.assert_clean_exit()
    lines = vm_lines(run.output, "smp")
    assert "2" in lines, lines[-20:]
    assert any("Brought up 1 node, 2 CPUs" in l for l in lines), lines[:80]
    timer = interrupt_counts(lines, "arch_timer")
    assert all(n > 0 for n in timer), timer  # ticks on both vCPUs
    resched = interrupt_counts(lines, "Rescheduling interrupts")
    calls = interrupt_counts(lines, "Function call interrupts")
    assert sum(resched) + sum(calls) > 0, (resched, calls)  # SGIs between vCPUs


def test_linux_poweroff_stops_one_vm(hvrun, linux_images):
    ticks = "i=0; while [ $i -lt 40 ]; do echo tick-$i; i=$((i+1)); sleep 0.1; done"
    run = hvrun(
        [
            linux_vm(linux_images, "short", run="echo short-done"),
            linux_vm(linux_images, "long", run=ticks),
        ],
        timeout=BOOT_S,
        extra_args=["--smp", "2"],
    )
    off = run.expect(r"\[hv\] short: powered off\n", timeout=BOOT_S)
    run.expect_line("long", r"tick-39", timeout=BOOT_S)
    run.wait_exit()
    run.assert_clean_exit()
    long_lines = vm_lines(run.output, "long")
    assert [l for l in long_lines if l.startswith("tick-")] == [f"tick-{i}" for i in range(40)]
    after = vm_lines(run.output[off.end():], "long")
    assert any(l.startswith("tick-") for l in after), "the other VM stopped too"


def test_linux_reboot_boots_again(hvrun, linux_images):
    run = hvrun([linux_vm(linux_images, "rb")], timeout=BOOT_S * 2)
    first = run.expect_line("rb", r"\[ *[0-9.]+\] init: ready", timeout=BOOT_S)
    run.expect(r"# ", timeout=60, since=first.end())
    run.send("echo before-$((6*7))\r")
    run.expect_line("rb", r"before-42", timeout=60)
    run.send("reboot -f\r")
    reset = run.expect(r"\[hv\] rb: reset\n", timeout=60)
    second = run.expect_line("rb", r"\[ *[0-9.]+\] init: ready", timeout=BOOT_S, since=reset.end())
    run.expect(r"# ", timeout=60, since=second.end())
    run.send("echo after-$((6*7))\r")
    run.expect_line("rb", r"after-42", timeout=60, since=second.end())
    run.send("poweroff -f\r")
    run.wait_exit()
    run.assert_clean_exit()
    # a fresh boot: the kernel's clock starts again
    m = re.findall(r"\[rb\] \[ *([0-9.]+)\] init: ready", run.output)
    assert len(m) == 2, m


def test_linux_module_failure_is_reported(hvrun, linux_images, tmp_path):
    """A module the kernel refuses (here: truncated) gives a clear line and
    the guest goes on."""
    root = tmp_path / "root"
    root.mkdir()
    with gzip.open(ROOT / linux_images["initrd"], "rb") as f:
        subprocess.run(["cpio", "-idm", "--quiet"], cwd=root, input=f.read(), check=True)
    kver = linux_images["kernel-release"]
    ko = root / "lib" / "modules" / kver / "virtio_rng.ko"
    ko.write_bytes(ko.read_bytes()[:200])
    names = subprocess.run(
        ["find", ".", "-print0"], cwd=root, capture_output=True, check=True
    ).stdout
    archive = subprocess.run(
        ["cpio", "-o", "-H", "newc", "--null", "--quiet"],
        cwd=root,
        input=names,
        capture_output=True,
        check=True,
    ).stdout
    broken = tmp_path / "broken.cpio.gz"
    broken.write_bytes(gzip.compress(archive))

    run = hvrun([linux_vm(linux_images, "mod", run="echo still-here", initrd=broken)], timeout=BOOT_S)
    run.expect_line("mod", r"init: module virtio_rng failed to load", timeout=BOOT_S)
    run.expect_line("mod", r"still-here", timeout=60)
    run.wait_exit()
    run.assert_clean_exit()
    failed = [l for l in vm_lines(run.output, "mod") if "failed to load" in l]
    assert failed == ["init: module virtio_rng failed to load"], failed


def test_linux_kernel_too_big_for_memory(hvrun, linux_images):
    run = hvrun([linux_vm(linux_images, "tiny", mem=8)], timeout=30)
    status = run.wait_exit(timeout=30)
    assert status == 2, (status, run.tail())
    assert re.search(r"hvrun: error: .*tiny.*kernel.*mem=8", run.output, re.S), run.tail()


def test_linux_monitor_crash_during_output(hvrun, linux_images):
    """`crash` on a Linux VM's monitor while the guest prints (its PL011
    driver works by interrupts): the guest goes on, no line is lost or
    repeated, the other Linux VM is not disturbed, `list` counts one restart."""
    count = 400
    loop = f"i=0; while [ $i -lt {count} ]; do echo line-$i; i=$((i+1)); done"
    run = hvrun(
        [linux_vm(linux_images, "a", run=loop), linux_vm(linux_images, "b", run=loop)],
        timeout=BOOT_S * 2,
        extra_args=["--smp", "2"],
    )
    run.expect_line("a", r"line-50", timeout=BOOT_S)
    run.control("crash a")
    restarted = run.expect(r"\[hv\] a: monitor restarted \(restart 1\)", timeout=60)
    run.expect_line("a", f"line-{count - 1}", timeout=BOOT_S, since=restarted.end())
    for name in ("a", "b"):
        run.expect_line(name, r"init: hv.run exit status 0", timeout=BOOT_S)
    run.wait_exit()
    run.assert_clean_exit()
    for name in ("a", "b"):
        lines = [l for l in vm_lines(run.output, name) if l.startswith("line-")]
        assert lines == [f"line-{i}" for i in range(count)], (name, lines[:5], len(lines))
    assert run.output.count("monitor restarted") == 1, run.tail()
