test_mmio_SRCS := servers/vmm/mmio.c
