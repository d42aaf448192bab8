test_guest_dtb_SRCS := servers/vmm/guest_dtb.c
