"""tools/hvrun: argument checking, --dry-run output, and the exit statuses
of a run (against a fake qemu-system-arm, so no build/hyp.elf is needed).

Run: /usr/bin/python3 -m pytest -q tests/integration/test_hvrun_args.py
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HVRUN = os.path.join(REPO, "tools", "hvrun")
MIB = 1 << 20


@pytest.fixture
def env(tmp_path):
    """Environment with HV_IMAGE pointing at a dummy hypervisor image."""
    hyp = tmp_path / "hyp.elf"
    hyp.write_bytes(b"\x7fELF dummy")
    e = dict(os.environ)
    e["HV_IMAGE"] = str(hyp)
    return e


@pytest.fixture
def kernel(tmp_path):
    path = tmp_path / "zImage"
    path.write_bytes(b"\x00" * 4096)
    return str(path)


@pytest.fixture
def initrd(tmp_path):
    path = tmp_path / "initrd.cpio"
    path.write_bytes(b"\x01" * 1000)
    return str(path)


def hvrun(args, env, timeout=30, **kw):
    return subprocess.run([HVRUN] + list(args), env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, **kw)


def assert_usage_error(result, *fragments):
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "hvrun: error:" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def split_dry_run(stdout):
    """--dry-run prints the DTS, a blank line, then the QEMU command."""
    dts, _, cmd = stdout.partition("\n\n")
    return dts, cmd.strip()


# ---- bad arguments: exit status 2 and a message naming the problem ---------

def test_no_vm(env):
    assert_usage_error(hvrun([], env), "at least one --vm")


def test_no_vm_even_without_hyp_image(env):
    env["HV_IMAGE"] = "/nonexistent/hyp.elf"
    assert_usage_error(hvrun(["--dry-run"], env), "at least one --vm")


def test_unknown_key(env, kernel):
    assert_usage_error(hvrun(["--vm", f"kernel={kernel},colour=blue"], env),
                       "unknown key", "colour")


def test_unknown_bare_segment(env, kernel):
    assert_usage_error(hvrun(["--vm", f"kernel={kernel},oops"], env),
                       "unknown key", "oops")


def test_missing_kernel_key(env, initrd):
    assert_usage_error(hvrun(["--vm", f"initrd={initrd}"], env), "kernel")


def test_missing_kernel_file(env, tmp_path):
    missing = str(tmp_path / "no-such-zImage")
    assert_usage_error(hvrun(["--vm", f"kernel={missing}"], env),
                       "not found", missing)


def test_missing_initrd(env, kernel, tmp_path):
    missing = str(tmp_path / "no-such-initrd")
    assert_usage_error(
        hvrun(["--vm", f"kernel={kernel},initrd={missing}"], env),
        "initrd", "not found", missing)


def test_empty_kernel(env, tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert_usage_error(hvrun(["--vm", f"kernel={empty}"], env),
                       "empty", str(empty))


@pytest.mark.parametrize("mem", ["7", "0", "2049", "64M", "-1", ""])
def test_mem_out_of_range(env, kernel, mem):
    assert_usage_error(hvrun(["--vm", f"kernel={kernel},mem={mem}"], env),
                       "mem", "8..2048")


@pytest.mark.parametrize("cpus", ["0", "5", "two"])
def test_bad_cpus(env, kernel, cpus):
    assert_usage_error(hvrun(["--vm", f"kernel={kernel},cpus={cpus}"], env),
                       "cpus", "1..4")


def test_duplicate_names(env, kernel):
    assert_usage_error(
        hvrun(["--vm", f"kernel={kernel},name=web",
               "--vm", f"kernel={kernel},name=web"], env),
        "duplicate", "web")


def test_explicit_name_clashes_with_default(env, kernel):
    assert_usage_error(
        hvrun(["--vm", f"kernel={kernel}",
               "--vm", f"kernel={kernel},name=vm0"], env),
        "duplicate", "vm0")


@pytest.mark.parametrize("name", ["a.b", "sixteen-chars-xx", "sp ace"])
def test_bad_name(env, kernel, name):
    assert_usage_error(hvrun(["--vm", f"kernel={kernel},name={name}"], env),
                       "name", name)


def test_kernel_larger_than_memory(env, tmp_path):
    big = tmp_path / "big-zImage"
    big.write_bytes(b"\x00" * (4 * MIB))  # mem=8: limit 4 MiB - 0x8000
    limit = 4 * MIB - 0x8000
    assert_usage_error(hvrun(["--vm", f"kernel={big},mem=8"], env),
                       "kernel", "too large", str(4 * MIB), str(limit))


def test_kernel_at_limit_fits(env, tmp_path):
    fits = tmp_path / "zImage"
    fits.write_bytes(b"\x00" * (4 * MIB - 0x8000))
    assert hvrun(["--vm", f"kernel={fits},mem=8", "--dry-run"],
                 env).returncode == 0


def test_initrd_too_large(env, kernel, tmp_path):
    big = tmp_path / "big-initrd"
    big.write_bytes(b"\x00" * (3 * MIB + 1))  # mem=8: limit 4-1 = 3 MiB
    assert_usage_error(
        hvrun(["--vm", f"kernel={kernel},initrd={big},mem=8"], env),
        "initrd", "too large", str(3 * MIB + 1), str(3 * MIB))


@pytest.mark.parametrize("smp", ["0", "9", "x"])
def test_bad_smp(env, kernel, smp):
    assert_usage_error(hvrun(["--smp", smp, "--vm", f"kernel={kernel}"], env),
                       "--smp", "1..8")


@pytest.mark.parametrize("timeout", ["0", "-3", "soon", "inf"])
def test_bad_timeout(env, kernel, timeout):
    assert_usage_error(
        hvrun(["--timeout", timeout, "--vm", f"kernel={kernel}"], env),
        "--timeout", "positive")


def test_bad_testhooks(env, kernel):
    assert_usage_error(hvrun(["--vm", f"kernel={kernel},testhooks=yes"], env),
                       "testhooks")


def test_bad_rng(env, kernel):
    assert_usage_error(hvrun(["--vm", f"kernel={kernel},rng=1"], env), "rng")


def test_dry_run_rng(env, kernel):
    # the device goes to QEMU once, however many VMs ask for rng
    r = hvrun(["--vm", f"kernel={kernel},rng=on", "--vm", f"kernel={kernel},rng=on",
               "--vm", f"kernel={kernel},rng=off", "--dry-run"], env)
    assert r.returncode == 0, r.stderr
    dts, cmd = split_dry_run(r.stdout)
    vms = dts.split("vm@")[1:]
    assert ["rng;" in v for v in vms] == [True, True, False]
    assert cmd.count("-device virtio-rng-device") == 1
    assert "-global virtio-mmio.force-legacy=false" in cmd


def test_dry_run_no_rng(env, kernel):
    r = hvrun(["--vm", f"kernel={kernel}", "--dry-run"], env)
    assert r.returncode == 0, r.stderr
    dts, cmd = split_dry_run(r.stdout)
    assert "rng;" not in dts and "virtio" not in dts
    # QEMU's device is there all the same: it seeds every guest's DTB
    assert cmd.count("-device virtio-rng-device") == 1


def test_bad_net(env, kernel):
    assert_usage_error(hvrun(["--vm", f"kernel={kernel},net=yes"], env), "net")


def test_dry_run_net(env, kernel):
    # the switch is a server of the hypervisor: QEMU gets no network device
    r = hvrun(["--vm", f"kernel={kernel},net=on", "--vm", f"kernel={kernel}",
               "--vm", f"kernel={kernel},net=on", "--dry-run"], env)
    assert r.returncode == 0, r.stderr
    dts, cmd = split_dry_run(r.stdout)
    vms = dts.split("vm@")[1:]
    assert ["net;" in v for v in vms] == [True, False, True]
    assert "-netdev" not in cmd and "virtio-net" not in cmd and "-nic" not in cmd


def test_bad_test_server(env, kernel):
    assert_usage_error(
        hvrun(["--test-server", "nosuch", "--vm", f"kernel={kernel}"], env),
        "nosuch")


def test_too_many_vms(env, kernel):
    args = []
    for _ in range(9):
        args += ["--vm", f"kernel={kernel},mem=8"]
    assert_usage_error(hvrun(args, env), "at most 8")


def test_total_memory_too_large(env, kernel):
    assert_usage_error(
        hvrun(["--vm", f"kernel={kernel},mem=2048",
               "--vm", f"kernel={kernel},mem=2048"], env),
        "3072")


def test_missing_hyp_image(env, kernel):
    env["HV_IMAGE"] = "/nonexistent/hyp.elf"
    assert_usage_error(hvrun(["--vm", f"kernel={kernel}", "--dry-run"], env),
                       "/nonexistent/hyp.elf", "make")


# ---- --dry-run -------------------------------------------------------------

def test_cmdline_with_commas_is_accepted(env, kernel):
    r = hvrun(["--vm", f"kernel={kernel},cmdline=console=ttyAMA0,115200 "
               "loglevel=8,mem=32", "--dry-run"], env)
    assert r.returncode == 0, r.stderr
    dts, _ = split_dry_run(r.stdout)
    assert 'bootargs = "console=ttyAMA0,115200 loglevel=8";' in dts
    assert "memory-mib = <32>;" in dts


def test_cmdline_quotes_escaped(env, kernel, tmp_path):
    cmdline = 'init=/bin/sh -c "echo a\\b",x'
    r = hvrun(["--vm", f"kernel={kernel},cmdline={cmdline}", "--dry-run"],
              env)
    assert r.returncode == 0, r.stderr
    dts, _ = split_dry_run(r.stdout)
    # The printed DTS compiles and gives back the exact string.
    src = tmp_path / "c.dts"
    src.write_text(dts)
    dtb = tmp_path / "c.dtb"
    subprocess.run(["dtc", "-q", "-E", "no-name_properties", "-I", "dts", "-O", "dtb", "-o", str(dtb),
                    str(src)], check=True)
    out = subprocess.run(["fdtget", "-t", "s", str(dtb), "/vms/vm@0",
                          "bootargs"], check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    assert out.rstrip("\n") == cmdline


def test_dry_run_dts(env, kernel, initrd):
    r = hvrun(["--test-server", "badsys", "--test-server", "ipcbench",
               "--vm", f"kernel={kernel},initrd={initrd},cpus=2,mem=128,"
               "testhooks=on",
               "--vm", f"kernel={kernel},name=second", "--dry-run"], env)
    assert r.returncode == 0, r.stderr
    dts, _ = split_dry_run(r.stdout)
    assert dts.startswith("/dts-v1/;")
    assert 'compatible = "hv,config";' in dts
    assert 'test-servers = "badsys", "ipcbench";' in dts
    vm0, _, vm1 = dts.partition("vm@1 {")
    assert 'name = "vm0";' in vm0 and "cpus = <2>;" in vm0
    assert "memory-mib = <128>;" in vm0 and "testhooks;" in vm0
    # kernel at 0x41000000, the initrd at the next 2 MiB boundary, ...
    assert "kernel = <0x41000000 0x1000>;" in vm0
    assert "initrd = <0x41200000 0x3e8>;" in vm0
    assert "bootargs" not in vm0
    # ... and the next VM's kernel after that.
    assert 'name = "second";' in vm1 and "cpus = <1>;" in vm1
    assert "memory-mib = <64>;" in vm1 and "kernel = <0x41400000 0x1000>;" in vm1
    assert "initrd" not in vm1 and "testhooks" not in vm1


def test_dry_run_no_test_servers(env, kernel):
    r = hvrun(["--vm", f"kernel={kernel}", "--dry-run"], env)
    assert r.returncode == 0, r.stderr
    assert "test-servers" not in r.stdout


def test_dry_run_qemu_command(env, kernel, initrd):
    r = hvrun(["--icount", "--smp", "3", "--vm",
               f"kernel={kernel},initrd={initrd}", "--dry-run"], env)
    assert r.returncode == 0, r.stderr
    _, cmd = split_dry_run(r.stdout)
    assert cmd.startswith("qemu-system-arm -M virt,virtualization=on,"
                          "gic-version=2 -cpu cortex-a15 ")
    assert " -smp 3 " in cmd
    assert " -m 512 " in cmd
    assert " -icount shift=0 " in cmd
    assert " -nographic -monitor none -serial stdio " in cmd
    assert f" -kernel {env['HV_IMAGE']} " in cmd
    assert ",addr=0x40100000,force-raw=on" in cmd
    assert f"loader,file={kernel},addr=0x41000000,force-raw=on" in cmd
    assert f"loader,file={initrd},addr=0x41200000,force-raw=on" in cmd


def test_dry_run_defaults(env, kernel):
    r = hvrun(["--vm", f"kernel={kernel}", "--dry-run"], env)
    assert r.returncode == 0, r.stderr
    _, cmd = split_dry_run(r.stdout)
    assert " -smp 2 " in cmd
    assert "-icount" not in cmd


def test_dry_run_raw_keys(env, kernel):
    # the terminal's Ctrl-C reaches the guest: QEMU's stdio without signals
    r = hvrun(["--raw-keys", "--vm", f"kernel={kernel}", "--dry-run"], env)
    assert r.returncode == 0, r.stderr
    _, cmd = split_dry_run(r.stdout)
    assert (" -nographic -monitor none -chardev stdio,id=console,signal=off "
            "-serial chardev:console ") in cmd
    assert "-serial stdio" not in cmd


def test_qemu_memory_grows_with_guests(env, kernel):
    # images end at 0x41401000 (21 MiB) + 3 * 256 + 64 = 853 -> 896
    args = []
    for _ in range(3):
        args += ["--vm", f"kernel={kernel},mem=256"]
    r = hvrun(args + ["--dry-run"], env)
    assert r.returncode == 0, r.stderr
    assert " -m 896 " in split_dry_run(r.stdout)[1]


# ---- running, against a fake qemu-system-arm -------------------------------

FAKE_QEMU = textwrap.dedent("""\
    #!/usr/bin/python3
    import os, sys, time
    mode = os.environ["FAKE_QEMU_MODE"]
    with open(os.environ["FAKE_QEMU_PID"], "w") as f:
        f.write(str(os.getpid()))
    def out(s):
        sys.stdout.write(s)
        sys.stdout.flush()
    out("hv: booting")          # no newline yet: must be copied at once
    time.sleep(0.2)
    out(" ok\\r\\n")
    if mode == "all-off":
        out("vm0: Power down\\nhv: all VMs powered off\\n")
        sys.exit(0)
    if mode == "panic":
        out("hv: PANIC: stage-2 pool exhausted\\n")
        time.sleep(60)
    if mode == "exit":
        sys.exit(7)
    if mode == "hang":
        time.sleep(60)
    """)


@pytest.fixture
def fake_qemu(tmp_path, env, kernel):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    qemu = bindir / "qemu-system-arm"
    qemu.write_text(FAKE_QEMU)
    qemu.chmod(0o755)
    env["PATH"] = f"{bindir}:{env['PATH']}"
    env["FAKE_QEMU_PID"] = str(tmp_path / "qemu.pid")

    def run(mode, *extra):
        env["FAKE_QEMU_MODE"] = mode
        start = time.monotonic()
        r = hvrun(list(extra) + ["--vm", f"kernel={kernel}"], env)
        r.elapsed = time.monotonic() - start
        r.qemu_pid = int((tmp_path / "qemu.pid").read_text())
        return r
    return run


def gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_run_all_off(fake_qemu):
    r = fake_qemu("all-off")
    assert r.returncode == 0, r.stderr
    assert "hv: booting ok\n" in r.stdout  # (text mode turned \r\n into \n)
    assert "hv: all VMs powered off" in r.stdout
    assert r.stderr == ""


def test_run_panic(fake_qemu):
    r = fake_qemu("panic")
    assert r.returncode == 1
    assert ("hvrun: error: hypervisor failure: hv: PANIC: stage-2 pool "
            "exhausted") in r.stderr
    assert r.elapsed < 20
    assert gone(r.qemu_pid)


def test_run_qemu_exits_early(fake_qemu):
    r = fake_qemu("exit")
    assert r.returncode == 1
    assert "hvrun: error: qemu exited (status 7) before all VMs powered off" \
        in r.stderr


def test_run_timeout(fake_qemu):
    r = fake_qemu("hang", "--timeout", "1.5")
    assert r.returncode == 3
    assert "hvrun: error: timeout after 1.5 s" in r.stderr
    assert "hv: booting ok" in r.stdout
    assert r.elapsed < 20
    assert gone(r.qemu_pid)


def test_run_sigint(fake_qemu, env, kernel, tmp_path):
    env["FAKE_QEMU_MODE"] = "hang"
    proc = subprocess.Popen([HVRUN, "--vm", f"kernel={kernel}"], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout.read(len("hv: booting")) == b"hv: booting"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 130
    proc.stdout.close()
    proc.stderr.close()
    assert gone(int((tmp_path / "qemu.pid").read_text()))


def test_disk_missing_file(env, kernel, tmp_path):
    missing = str(tmp_path / "nope.img")
    r = hvrun(["--dry-run", "--vm", f"kernel={kernel},disk={missing}"], env)
    assert_usage_error(r, "disk file not found", missing)


def test_disk_bad_size_and_shared(env, kernel, tmp_path):
    odd = tmp_path / "odd.img"
    odd.write_bytes(b"\0" * 1000)
    assert_usage_error(hvrun(["--dry-run", "--vm", f"kernel={kernel},disk={odd}"], env),
                       "not a multiple of 512")
    img = tmp_path / "d.img"
    img.write_bytes(b"\0" * 4096)
    r = hvrun(["--dry-run", "--vm", f"kernel={kernel},disk={img}",
               "--vm", f"kernel={kernel},disk={img}"], env)
    assert_usage_error(r, "also vm0's disk")
    assert_usage_error(hvrun(["--dry-run", "--vm", f"kernel={kernel},disk="], env),
                       "disk= needs a path")


def test_disk_dry_run(env, kernel, tmp_path):
    a, b = tmp_path / "a.img", tmp_path / "b.img"
    a.write_bytes(b"\0" * 4096)
    b.write_bytes(b"\0" * 4096)
    r = hvrun(["--dry-run", "--vm", f"kernel={kernel},disk={a}", "--vm", f"kernel={kernel}",
               "--vm", f"kernel={kernel},disk={b},rng=on"], env)
    assert r.returncode == 0, r.stderr
    dts, cmd = split_dry_run(r.stdout)
    assert dts.count("disk;") == 2
    assert cmd.count("virtio-mmio.force-legacy=false") == 1
    assert f"file={a},if=none,format=raw,id=disk0" in cmd
    assert f"file={b},if=none,format=raw,id=disk1" in cmd
    assert cmd.index("drive=disk0") < cmd.index("drive=disk1")
