test_vpl011_SRCS := servers/vmm/vpl011.c
