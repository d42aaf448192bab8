test_blk_check_SRCS := servers/devices/blk/check.c
