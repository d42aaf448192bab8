/*
 * Fixed addresses shared by boot/, the servers and tools/hvrun.
 *
 * Physical memory (QEMU virt, RAM from 0x40000000):
 *   0x40000000  host DTB, written by QEMU
 *   0x40100000  configuration DTB, loaded by tools/hvrun (see README)
 *   0x40200000  hypervisor ELF: kernel, init, vmm and console images
 *   ... 0x41000000 kernel-owned (image, page-table pool, stacks)
 *   0x41000000  guest images loaded by hvrun, as the configuration says
 *   after them  free memory, handed to init
 */
#ifndef HV_LAYOUT_H
#define HV_LAYOUT_H

#define HV_PA_HOST_DTB    0x40000000u
#define HV_PA_CONFIG_DTB  0x40100000u
#define HV_CONFIG_DTB_MAX 0x00100000u
#define HV_PA_KERNEL      0x40200000u
#define HV_PA_KERNEL_END  0x41000000u

/* Server address spaces (IPA = VA: stage 1 is off for native threads). */
#define HV_SRV_IMAGE      0x00008000u /* every server image is linked here */
#define HV_SRV_STACK_TOP  0x00100000u
#define HV_SRV_BOOTINFO   0x00100000u /* struct hv_bootinfo / per-server info */
#define HV_SRV_CONFIG     0x00200000u /* init: the configuration DTB */
#define HV_SRV_HOST_DTB   0x00300000u /* init: the host DTB QEMU wrote (read-only) */
#define HV_SRV_STATE      0x00400000u /* vmm: state region kept across restarts */
#define HV_SRV_STATE_SIZE 0x00010000u
#define HV_SRV_RING       0x00500000u /* vmm: console ring page */
#define HV_SRV_RINGS      0x00600000u /* console: one ring page per VM */
#define HV_SRV_DEVICE     0x00700000u /* rng: the page of its virtio-mmio transport */
#define HV_SRV_DMA        0x00800000u /* rng: memory the device reads and writes */
#define HV_SRV_NET        0x00900000u /* vmm: its switch port's rings (netring.h) */
#define HV_SRV_BLK_REQ    0x00c00000u /* vmm: its disk's request page; blk: one per disk */
#define HV_SRV_MODULES    0x01000000u /* init: boot modules; vmm: guest images */
#define HV_SRV_PORTS      0x02000000u /* switch: port i's rings, HV_SRV_PORT_STEP apart */
#define HV_SRV_PORT_STEP  0x00100000u
#define HV_SRV_UART       0x09000000u /* console: the physical PL011 */

/* What a guest sees (the monitor's DTB describes the same). */
#define HV_GUEST_GICD       0x08000000u
#define HV_GUEST_GICC       0x08010000u
#define HV_GUEST_UART       0x09000000u
#define HV_GUEST_UART_IRQ   33u /* SPI 1 */
#define HV_GUEST_RAM        0x40000000u
#define HV_GUEST_VIRTIO     0x0a000000u /* virtio-mmio transports, 0x200 each, as QEMU virt */
#define HV_GUEST_VIRTIO_IRQ 48u         /* SPI 16 + transport number, as QEMU virt */
#define HV_GUEST_NR_IRQS    64u
#define HV_GUEST_BLK_SLOT   1u /* virtio-blk's transport: 0x0a000200, SPI 17 */
#define HV_GUEST_NET_SLOT   2u /* virtio-net's transport: 0x0a000400, SPI 18 */

#endif
