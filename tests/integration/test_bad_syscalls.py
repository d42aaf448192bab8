"""A test server that throws malformed syscalls at the kernel (bad numbers,
empty and mistyped capability slots, missing rights, bad pointers...) must
get error codes back and report PASS; a guest next to it still runs to the
end and the kernel never panics."""

import re

from hvtest import vm, vm_lines


def test_bad_syscalls(hvrun):
    run = hvrun([vm("hello", "alpha")], timeout=90, extra_args=["--test-server", "badsys"])
    m = run.expect(r"\[badsys\] (PASS|FAIL)\b.*\r*\n", timeout=90)
    badsys = vm_lines(run.output, "badsys")
    wrong = [line for line in badsys if "WRONG" in line or line.startswith("FAIL")]
    assert m.group(1) == "PASS" and not wrong, "badsys failed:\n" + "\n".join(wrong)
    assert any(re.match(r"PASS\b", line) for line in badsys), badsys

    run.wait_exit(timeout=90)
    run.assert_no_panic()
    assert "hello: PASS" in vm_lines(run.output, "alpha"), run.tail()
    run.assert_clean_exit()
