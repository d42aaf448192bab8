test_vgicd_SRCS := servers/vmm/vgicd.c
