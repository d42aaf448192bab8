test_cap_SRCS := microkernel/core/cap.c
