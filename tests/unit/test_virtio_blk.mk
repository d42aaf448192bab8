test_virtio_blk_SRCS := servers/vmm/virtio_mmio.c servers/vmm/virtio_blk.c servers/vmm/virtqueue.c
