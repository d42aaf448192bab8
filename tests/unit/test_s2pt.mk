test_s2pt_SRCS := microkernel/core/s2pt.c tests/unit/fake_pt.c
