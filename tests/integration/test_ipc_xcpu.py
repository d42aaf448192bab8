"""IPC between PL0 servers pinned to different CPUs (ipcbench's client on
CPU 0, its peer on CPU 1 at a lower priority): every call and reply crosses
CPUs through the scheduler and an IPI; no thread ever runs on a CPU it is
not pinned to (the kernel panics if one does), and all rounds complete."""

import re

from hvtest import vm


def test_ipc_across_cpus(hvrun):
    run = hvrun(
        [vm("seq", "alpha", bootargs="count=1000000 delay=1000000")],  # runs meanwhile
        timeout=120,
        extra_args=["--smp", "2", "--test-server", "ipcxcpu"],
    )
    m = run.expect(r"\[ipcxcpu\] bench: ipc_call_reply (\d+) insns/round-trip \((\d+) rounds", timeout=110)
    assert int(m.group(2)) > 0
    run.expect(r"\[ipcxcpu\] ipcbench: done", timeout=30)
    run.assert_no_panic()
    run.kill()
    assert not re.search(r"PANIC|not pinned", run.output), run.tail()
