test_virtio_net_SRCS := servers/vmm/virtio_mmio.c servers/vmm/virtio_net.c servers/vmm/virtqueue.c
