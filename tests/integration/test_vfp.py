"""Guest FP/SIMD registers survive sharing one host CPU with another VM,
the monitors and the console server (which uses the FP unit when it
formats text, taking it over lazily)."""

from hvtest import vm


def test_vfp_state_is_private(hvrun):
    run = hvrun(
        [vm("vfp", "a", bootargs="id=1"), vm("vfp", "b", bootargs="id=2")],
        timeout=120,
        extra_args=["--smp", "1"],
    )
    run.expect_line("a", r"vfp: (PASS|FAIL).*", timeout=90)
    run.expect_line("b", r"vfp: (PASS|FAIL).*", timeout=90)
    run.wait_exit(timeout=60)
    assert "[a] vfp: PASS rounds=200" in run.output, run.tail()
    assert "[b] vfp: PASS rounds=200" in run.output, run.tail()
    run.assert_clean_exit()
