test_virtqueue_SRCS := servers/vmm/virtqueue.c
