"""A monitor crash in the middle of a guest's output: the hypervisor
restarts that VM's monitor, the guest loses no line and repeats none, the
other VM never notices, and `list` counts the restart."""

from hvtest import assert_seq, parse_list, parse_stats, vm


def test_restart(hvrun):
    # delay=300000 (about a million instructions a line) leaves time for
    # the prompt round trips while both VMs are still running
    run = hvrun(
        [
            vm("seq", "a", bootargs="count=1500 delay=300000"),
            vm("seq", "b", bootargs="count=1500 delay=300000"),
        ],
        timeout=120,
    )
    run.expect_line("a", r"seq 200", timeout=90)
    run.control("crash a")
    run.expect(r"\[hv\] a: monitor restarted \(restart 1\)", timeout=60)

    # while both still run: the restart is counted for a only
    listing = run.control("list")
    rows = parse_list(listing)
    assert "a" in rows and "b" in rows, listing
    assert rows["a"]["restarts"] == 1, rows
    assert rows["b"]["restarts"] == 0, rows
    assert rows["b"]["state"] == "running", rows
    assert rows["a"]["state"] in ("running", "restarting"), rows
    assert rows["a"]["vcpus"] == 1 and rows["b"]["vcpus"] == 1, rows
    assert rows["a"]["exits"] > 0 and rows["b"]["exits"] > 0, rows

    # per-exit-reason statistics add up to the total
    stats = run.control("stats b")
    per_ec, total = parse_stats(stats, "b")
    assert per_ec and total, stats
    assert 0x24 in per_ec, stats  # data aborts: the UART accesses
    assert total[0] == sum(count for _, count, _ in per_ec.values()), stats

    run.expect_line("a", r"seq done", timeout=120)
    run.expect_line("b", r"seq done", timeout=120)
    run.wait_exit(timeout=60)
    assert_seq(run, "a", 1500)
    assert_seq(run, "b", 1500)
    assert run.output.count("monitor restarted") == 1, run.tail()
    run.assert_clean_exit()
