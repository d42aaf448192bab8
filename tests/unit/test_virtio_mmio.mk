test_virtio_mmio_SRCS := servers/vmm/virtio_mmio.c servers/vmm/virtio_rng.c servers/vmm/virtqueue.c
