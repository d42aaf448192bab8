"""A monitor that faults every time it is started: after its back-off the
hypervisor gives up on that VM (failed), while the other VM runs to the
end unharmed and the hypervisor does not panic."""

from hvtest import assert_seq, parse_list, vm


def test_crashloop(hvrun):
    run = hvrun(
        [
            vm("seq", "a", bootargs="count=1000000"),
            vm("seq", "b", bootargs="count=400"),
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
    assert "b" in rows, listing

    run.expect_line("b", r"seq done", timeout=100)
    # a never powers off, so the run does not end by itself: stop it
    run.kill()
    assert_seq(run, "b", 400)
    run.assert_no_panic()
