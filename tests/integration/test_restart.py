"""A monitor crash in the middle of a guest's output: the hypervisor
restarts that VM's monitor, the guest loses no line and repeats none, the
other VM never notices, and `list` counts the restart."""

from hvtest import assert_seq, parse_list, parse_stats, vm


def test_restart(hvrun):
    # delay=1000000 (about 3 million instructions a line) keeps both VMs
    # running through the prompt round trips below, which are slow: the
    # console takes typed characters one interrupt at a time
    run = hvrun(
        [
            vm("seq", "a", bootargs="count=1500 delay=1000000"),
            vm("seq", "b", bootargs="count=1500 delay=1000000"),
        ],
        timeout=120,
    )
    run.expect_line("a", r"seq 200", timeout=90)

    # per-exit-reason statistics of a running VM add up to the total
    stats = run.control("stats b")
    per_ec, total = parse_stats(stats, "b")
    assert per_ec and total, stats
    assert 0x24 in per_ec and per_ec[0x24][1] > 0, stats  # data aborts: the UART
    assert total[0] == sum(count for _, count, _ in per_ec.values()), stats

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

    run.expect_line("a", r"seq done", timeout=120)
    run.expect_line("b", r"seq done", timeout=120)
    run.wait_exit(timeout=60)
    assert_seq(run, "a", 1500)
    assert_seq(run, "b", 1500)
    assert run.output.count("monitor restarted") == 1, run.tail()
    run.assert_clean_exit()
