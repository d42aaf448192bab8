/*
 * Protocols between servers: what init tells a monitor, the console and
 * the test servers at start (a page at HV_SRV_BOOTINFO), their capability
 * slots, and the messages they exchange with init.
 */
#ifndef HV_PROTO_H
#define HV_PROTO_H

#include <stdint.h>

#define HV_NAME_MAX     16
#define HV_MAX_VMS      8
#define HV_MAX_STREAMS  16
#define HV_BOOTARGS_MAX 512

/* ---- monitor (servers/vmm) ---- */
#define VMM_CAP_EXIT_EP 1 /* exits of this VM's vCPUs; READ */
#define VMM_CAP_CONSOLE 2 /* signal the console: new output */
#define VMM_CAP_NTFN    3 /* own notification, bound: crash requests, input */
#define VMM_CAP_INIT    4 /* call init: power events */
#define VMM_CAP_RNG     5 /* call the entropy server: rng-seed, and rng=on */
#define VMM_CAP_SWITCH  6 /* signal the switch: frames in the TX ring (VMs with net) */
#define VMM_CAP_BLK     7 /* call the block server: this VM's disk only (badge) */
#define VMM_CAP_VCPU0   8 /* VMM_CAP_VCPU0 + i: vCPU i */

#define VMM_NTFN_CRASH (1u << 0) /* fault now (control prompt `crash`) */
#define VMM_NTFN_INPUT (1u << 1) /* console input waits in the ring */
#define VMM_NTFN_EOI   (1u << 2) /* the guest EOId a level-sensitive interrupt */
#define VMM_NTFN_NET   (1u << 3) /* the switch: frames in the RX ring, room in TX */

struct vmm_info {
	char name[HV_NAME_MAX];
	uint32_t index; /* VM number, also its console stream */
	uint32_t nr_vcpus;
	uint32_t ram_size;                /* bytes, guest RAM at HV_GUEST_RAM */
	uint32_t kernel_ipa, kernel_size; /* image, read-only in the monitor */
	uint32_t initrd_ipa, initrd_size;
	uint32_t testhooks;
	uint32_t crash_on_start;
	uint32_t instance;     /* 0 for the first monitor, then restarts */
	uint32_t rng;          /* a virtio-rng device at HV_GUEST_VIRTIO, backed by VMM_CAP_RNG */
	uint32_t disk;         /* a virtio-blk device backed by VMM_CAP_BLK and HV_SRV_BLK_REQ */
	uint64_t disk_sectors; /* its capacity, 512-byte sectors */
	char bootargs[HV_BOOTARGS_MAX];
	uint32_t net;   /* a virtio-net device on a switch port (rings at HV_SRV_NET) */
	uint8_t mac[6]; /* its address */
};

/* ---- console (servers/devices/console) ---- */
#define CONSOLE_CAP_EP        1 /* its own endpoint; its notification is bound */
#define CONSOLE_CAP_IRQ       2 /* the UART interrupt */
#define CONSOLE_CAP_INIT      3 /* call init: control prompt commands */
#define CONSOLE_CAP_NTFN_UART 4 /* own notification, badge CONSOLE_NTFN_UART */
#define CONSOLE_CAP_VM0       8 /* CONSOLE_CAP_VM0 + i: signal stream i's monitor (input) */
#define CONSOLE_NTFN_UART     (1u << 31)

struct console_info {
	uint32_t nr_streams;
	uint32_t nr_vms; /* streams 0..nr_vms-1 are VMs */
	uint32_t counter_freq;
	char names[HV_MAX_STREAMS][HV_NAME_MAX];
	uint32_t ring_ipa[HV_MAX_STREAMS];
};

/* ---- entropy server (servers/devices/rng) ----
 * It drives QEMU's virtio-rng device and serves monitors: a call with
 * m[0] = RNG_GET, m[1] = bytes wanted (1..RNG_MSG_BYTES) is answered with
 * m[0] = bytes given (1..wanted) or a negative HV_E* error, and the bytes
 * in m[1..5] (little endian, m[1] first). The badge is the caller's VM. */
#define RNG_CAP_EP    1 /* its endpoint, monitors call it */
#define RNG_CAP_IRQ   2 /* the transport's interrupt */
#define RNG_CAP_NTFN  3 /* own notification, signalled by the interrupt */
#define RNG_CAP_LOG   4 /* signal the console */
#define RNG_MSG_BYTES 20
#define RNG_GET       1u

struct rng_info {
	uint32_t mmio_pa;  /* the transport's physical address */
	uint32_t mmio_ipa; /* its registers (in the page at HV_SRV_DEVICE) */
	uint32_t dma_pa;   /* physical address of the memory at HV_SRV_DMA */
	uint32_t dma_size;
	uint32_t ring_ipa; /* log stream */
};

/* ---- block server (servers/devices/blk) ----
 * It drives QEMU's virtio-blk devices, one per VM with a disk, and serves
 * each VM's monitor: the capability init gives a monitor carries its disk's
 * number as the badge, so a monitor reaches its own disk only. A batch of
 * requests is written by the monitor into its request page (struct
 * blk_batch, mapped at HV_SRV_BLK_REQ in the monitor and at
 * HV_SRV_BLK_REQ + disk * 4096 in the server), then a call with
 * m[0] = BLK_RW is answered with m[0] = the requests done or a negative
 * HV_E* error, and their VIRTIO_BLK_S_* status bytes in m[1..4] (request
 * i in byte i % 4 of m[1 + i / 4]). Data moves by DMA between QEMU's
 * device and guest RAM: every buffer must lie in the VM's RAM (guest
 * addresses from HV_GUEST_RAM) and every sector on the disk. */
#define BLK_CAP_EP     1 /* its endpoint, monitors call it */
#define BLK_CAP_LOG    2 /* signal the console */
#define BLK_CAP_NTFN   3 /* own notification, signalled by the disks' interrupts */
#define BLK_CAP_IRQ0   8 /* BLK_CAP_IRQ0 + i: disk i's interrupt */
#define BLK_RW         1u
#define BLK_MAX_SEGS   126 /* data buffers in one request */
#define BLK_BATCH_MAX  16  /* requests in one call */
#define BLK_BATCH_SEGS 464 /* data buffers in one call */
#define BLK_SECTOR     512u

struct blk_seg {
	uint32_t addr, len; /* guest-physical */
};

struct blk_req {
	uint32_t type;  /* VIRTIO_BLK_T_IN, _OUT or _FLUSH */
	uint32_t nsegs; /* its buffers follow the previous request's in seg[] */
	uint64_t sector;
};

struct blk_batch {
	uint32_t nreqs, nsegs;
	struct blk_req req[BLK_BATCH_MAX];
	struct blk_seg seg[BLK_BATCH_SEGS];
};

struct blk_disk {
	uint32_t mmio_pa;  /* QEMU's transport */
	uint32_t mmio_ipa; /* its registers, in the window at HV_SRV_DEVICE */
	uint32_t dma_pa;   /* a page for the queue, at HV_SRV_DMA + i * 4096 */
	uint32_t ram_pa;   /* the VM's RAM: guest HV_GUEST_RAM is here */
	uint32_t ram_size;
	uint64_t sectors;
	char serial[HV_NAME_MAX]; /* the VM's name: the device's serial must match */
};

struct blk_info {
	uint32_t nr_disks;
	uint32_t ring_ipa; /* log stream */
	struct blk_disk disk[HV_MAX_VMS];
};

/* ---- network switch (servers/devices/switch) ----
 * A learning Ethernet switch between the ports of VMs with net: port i is
 * VM i's, two frame rings (netring.h, TX then RX) shared with its monitor.
 * Monitors signal the switch's notification with badge bit i; the switch
 * signals a monitor's notification (VMM_NTFN_NET). Neither waits. */
#define SWITCH_CAP_NTFN  1 /* own notification: bit i, port i has frames */
#define SWITCH_CAP_LOG   2 /* signal the console */
#define SWITCH_CAP_PORT0 8 /* SWITCH_CAP_PORT0 + i: signal VM i's monitor */

struct switch_info {
	uint32_t ports;    /* bit i: VM i has a port, its rings at HV_SRV_PORTS + i * stride */
	uint32_t ring_ipa; /* log stream */
	uint8_t mac[HV_MAX_VMS][6];
	char names[HV_MAX_VMS][HV_NAME_MAX];
};

/* ---- test servers (tests/servers) ---- */
#define TEST_CAP_LOG   1 /* signal the console */
#define TEST_CAP_EP    2 /* ipcbench: endpoint shared by its two instances */
#define TEST_CAP_SELF  3 /* own address space */
#define TEST_CAP_DEBUG 4

struct test_info {
	char name[HV_NAME_MAX];
	uint32_t role; /* ipcbench: 0 client, 1 server */
	uint32_t ring_ipa;
};

/* ---- calls to init: badges on init's endpoint ---- */
#define INIT_BADGE_FAULT    0x100u /* | VM index: its monitor faulted */
#define INIT_BADGE_MONITOR  0x200u /* | VM index: a call from its monitor */
#define INIT_BADGE_CONSOLE  0x300u
#define INIT_BADGE_TEST     0x400u /* | test server number: it faulted */
#define INIT_BADGE_KIND(b)  ((b)&0xf00u)
#define INIT_BADGE_INDEX(b) ((b)&0xffu)

enum init_cmd {
	INIT_LIST = 1,    /* m1=vm -> m1=state m2=vcpus m3=exits m4=restarts */
	INIT_STATS = 2,   /* m1=vm m2=EC -> m1=count m2,m3=cost (ticks) */
	INIT_CRASH = 3,   /* m1=vm m2=loop */
	INIT_DESTROY = 4, /* m1=vm */
	INIT_POWER = 5,   /* from a monitor: m1 = INIT_POWER_OFF/RESET */
	INIT_FIND = 6,    /* m1..m4 = name (16 bytes) -> m1 = vm index */
};
#define INIT_POWER_OFF   0
#define INIT_POWER_RESET 1

enum vm_state { VM_RUNNING, VM_RESTARTING, VM_FAILED, VM_OFF, VM_DESTROYED };

#endif
