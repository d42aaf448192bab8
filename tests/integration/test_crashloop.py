"""A monitor that faults every time it is started: after its back-off the
hypervisor gives up on that VM (failed), while the other VM runs to the
end unharmed and the hypervisor does not panic."""

import re

import pytest

from hvtest import assert_seq, parse_list, vm, vm_stream


def test_crashloop(hvrun):
    run = hvrun(
        [
            vm("seq", "a", bootargs="count=1000000"),
            # slow (about 12 million instructions a line, seconds in all)
            # so that it still runs when a's monitor has been given up
            # (back-off, restarts, and the prompt's typing take about a
            # second) and `list` can be asked: once b is off too, the
            # hypervisor stops by itself
            vm("seq", "b", bootargs="count=400 delay=4000000"),
        ],
        timeout=120,
    )
    run.expect_line("a", r"seq 50", timeout=90)
    run.control("crash a loop")
    m = run.expect(r"\[hv\] a: monitor failed after (\d+) restarts", timeout=100)
    assert int(m.group(1)) >= 1, m.group(0)

    listing = run.control("list")
    rows = parse_list(listing)
    assert rows.get("a", {}).get("state") == "failed", listing
    assert rows.get("b", {}).get("state") == "running", listing
    assert rows["a"]["restarts"] == int(m.group(1)), listing

    run.expect_line("b", r"seq done", timeout=100)
    # a never powers off: either the hypervisor stops by itself once b is
    # off too ("some failed"), or we end the run here
    try:
        run.expect(r"hv: all VMs stopped, some failed", timeout=30)
    except AssertionError:
        pass
    run.kill()
    assert_seq(run, "b", 400)
    run.assert_no_panic()
    # a's lines up to its end are in order, none repeated; the last one may
    # be cut short: the console flushes a partial line, and a stopped in it
    a_nums = re.findall(r"seq (\d+)", vm_stream(run.output, "a"))
    assert len(a_nums) > 50, a_nums[-5:]
    if not str(len(a_nums) - 1).startswith(a_nums[-1]):
        pytest.fail(f"a's last line 'seq {a_nums[-1]}' is not (part of) seq {len(a_nums) - 1}")
    assert [int(x) for x in a_nums[:-1]] == list(range(len(a_nums) - 1)), "a repeated or skipped lines"
