"""A test server that throws malformed syscalls at the kernel (bad numbers,
empty and mistyped capability slots, missing rights, out-of-range
addresses...) must get error codes back and report PASS; a guest next to it
keeps running and the kernel never panics."""

from hvtest import vm, vm_lines


def test_bad_syscalls(hvrun):
    run = hvrun([vm("hello", "alpha")], timeout=90, extra_args=["--test-server", "badsys"])
    run.expect(r"\[badsys\] (PASS|FAIL.*)\r?\n", timeout=90)
    run.wait_exit(timeout=90)
    run.assert_no_panic()
    badsys = vm_lines(run.output, "badsys")
    assert "PASS" in badsys, badsys
    assert not [line for line in badsys if "FAIL" in line], badsys
    assert "hello: PASS" in vm_lines(run.output, "alpha")
    run.assert_clean_exit()
