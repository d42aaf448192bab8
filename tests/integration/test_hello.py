"""The smallest boot: one VM prints through its emulated PL011, tagged with
its name, and powers off with PSCI SYSTEM_OFF; hvrun then exits 0."""

from hvtest import vm, vm_lines


def test_hello(hvrun):
    run = hvrun([vm("hello", "alpha")], timeout=60)
    run.expect_line("alpha", r"hello, world", timeout=60)
    run.expect_line("alpha", r"hello: PASS", timeout=30)
    run.wait_exit(timeout=60)
    run.assert_clean_exit()

    lines = vm_lines(run.output, "alpha")
    assert lines[-2:] == ["hello, world", "hello: PASS"], lines
    # every guest line carries the VM's tag: nothing of it appears untagged
    for line in run.output.splitlines():
        if "hello, world" in line or "hello: PASS" in line:
            assert line.rstrip().endswith(("[alpha] hello, world", "[alpha] hello: PASS")), line
