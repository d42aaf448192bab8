"""A network between two Debian Linux VMs (net=on): each gets a virtio-net
device on a port of the switch server. busybox configures eth0, pings the
other VM, moves data both ways (wget from httpd, nc) with md5sum checked on
both sides; a monitor crash during a transfer loses nothing (TCP sees at
most a drop) and a later ping succeeds."""

import re

from hvtest import vm_lines
from test_linux import BOOT_S, linux_images, linux_vm  # noqa: F401 (fixture)

MIB = 1 << 20


def net_vm(images, name, run):
    # init drops a VM whose bootargs do not fit HV_BOOTARGS_MAX (512)
    assert len(run) < 512 - len('console=ttyAMA0 cryptomgr.notests hv.run=""'), len(run)
    return linux_vm(images, name, run=run) + ",net=on"


def setup_ip(addr):
    return f"ip addr add {addr}/24 dev eth0; ip link set eth0 up"


def wait_for(peer):
    return f"until ping -c 1 -W 1 {peer} >/dev/null; do sleep 0.2; done"


def md5_of(lines, path):
    """The md5sum printed for path."""
    for line in lines:
        m = re.fullmatch(r"([0-9a-f]{32})  " + re.escape(path), line.strip())
        if m:
            return m.group(1)
    raise AssertionError(f"no md5sum line for {path} in {lines[-30:]}")


def test_linux_net_ping_and_transfer(hvrun, linux_images):
    """b first tells a to reboot (its port must work for the VM's new life),
    then a serves a file with httpd and receives one with nc; b fetches with
    wget and sends with nc; both ping each other."""
    a = (
        f"{setup_ip('10.0.0.1')}; w=$(nc -l -p 6000); echo got-$w; "
        f"[ $w = reboot ] && reboot -f; mkdir /www; head -c {MIB} /dev/urandom > /www/blob; "
        "md5sum /www/blob; httpd -h /www; nc -l -p 5000 > /tmp/up; md5sum /tmp/up; "
        "ping -c 3 10.0.0.2; until echo bye | nc 10.0.0.2 5001; do sleep 0.2; done"
    )
    b = (
        f"{setup_ip('10.0.0.2')}; until echo reboot | nc 10.0.0.1 6000; do sleep 0.5; done; "
        "sleep 3; until echo go | nc 10.0.0.1 6000; do sleep 0.5; done; ping -c 3 10.0.0.1; "
        "until wget -q -O /tmp/blob http://10.0.0.1/blob; do sleep 0.5; done; "
        f"md5sum /tmp/blob; head -c {MIB} /dev/urandom > /tmp/mine; md5sum /tmp/mine; "
        "until nc 10.0.0.1 5000 < /tmp/mine; do sleep 0.2; done; nc -l -p 5001"
    )
    run = hvrun(
        [net_vm(linux_images, "a", a), net_vm(linux_images, "b", b)],
        timeout=BOOT_S * 2,
        extra_args=["--smp", "2"],
    )
    for name in ("a", "b"):
        run.expect_line(name, r"init: hv.run exit status 0", timeout=BOOT_S * 2)
    run.wait_exit()
    run.assert_clean_exit()
    la, lb = vm_lines(run.output, "a"), vm_lines(run.output, "b")
    assert [l for l in la if l.startswith("got-")] == ["got-reboot", "got-go"], la[-40:]
    assert run.output.count("[hv] a: reset") == 1, run.tail()
    assert md5_of(la, "/www/blob") == md5_of(lb, "/tmp/blob")
    assert md5_of(lb, "/tmp/mine") == md5_of(la, "/tmp/up")
    for lines in (la, lb):
        assert "3 packets transmitted, 3 packets received, 0% packet loss" in lines, lines[-20:]
    assert "[switch] switch: port 0: a, 02:68:76:00:00:01" in run.output
    assert "[switch] switch: port 1: b, 02:68:76:00:00:02" in run.output


def test_linux_net_monitor_crash_during_transfer(hvrun, linux_images):
    """`crash a`, then `crash b`, while b sends 16 MiB to a with nc: both
    monitors (the receiver's, then the sender's) restart, the data arrives
    whole, and a ping afterwards gets every answer."""
    size = 16 * MIB
    a = (
        f"{setup_ip('10.0.0.1')}; nc -l -p 5000 > /tmp/up; md5sum /tmp/up; "
        "ping -c 3 10.0.0.2; until echo bye | nc 10.0.0.2 5001; do sleep 0.2; done"
    )
    b = (
        f"{setup_ip('10.0.0.2')}; {wait_for('10.0.0.1')}; "
        f"head -c {size} /dev/urandom > /tmp/mine; md5sum /tmp/mine; echo sending; "
        "until nc 10.0.0.1 5000 < /tmp/mine; do sleep 0.2; done; echo sent; nc -l -p 5001"
    )
    run = hvrun(
        [net_vm(linux_images, "a", a), net_vm(linux_images, "b", b)],
        timeout=BOOT_S * 2,
        extra_args=["--smp", "2"],
    )
    sending = run.expect_line("b", "sending", timeout=BOOT_S)
    run.control("crash a")
    run.expect(r"\[hv\] a: monitor restarted \(restart 1\)", timeout=60)
    run.control("crash b")
    restarted = run.expect(r"\[hv\] b: monitor restarted \(restart 1\)", timeout=60)
    received = run.expect_line("a", r"[0-9a-f]{32}  /tmp/up", timeout=BOOT_S)
    for name in ("a", "b"):
        run.expect_line(name, r"init: hv.run exit status 0", timeout=BOOT_S)
    run.wait_exit()
    run.assert_clean_exit()
    assert sending.end() < restarted.start() < received.start(), "crash not during the transfer"
    la, lb = vm_lines(run.output, "a"), vm_lines(run.output, "b")
    assert md5_of(lb, "/tmp/mine") == md5_of(la, "/tmp/up")
    assert "3 packets transmitted, 3 packets received, 0% packet loss" in la, la[-20:]
    assert run.output.count("monitor restarted") == 2, run.tail()
