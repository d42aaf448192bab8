/*
 * The block server (servers/devices/blk), started when a VM has a disk.
 * tools/hvrun gives QEMU one virtio-blk device per such VM, in VM order;
 * QEMU plugs the first -device into the virtio-mmio transport with the
 * highest address, the next one below it (hw/arm/virt.c), so init takes
 * the transports whose DeviceID (virtio 1.2 section 4.2.2) is a block
 * device (VIRTIO_ID_BLOCK) from the top down: the k-th is the disk of the
 * k-th VM with one. Its capacity is read from the device's configuration
 * space (5.2.4). hvrun names each device's serial after its VM; the block
 * server checks it (VIRTIO_BLK_T_GET_ID) before it serves the disk.
 *
 * The server gets the window of QEMU's transports (stage 2 maps whole
 * pages: eight transports a page), each disk's interrupt, a page of its
 * own memory per disk for the device's queue, and each VM's request page;
 * it learns where each VM's RAM is, to check every buffer against it.
 * A monitor gets the request page of its VM and a capability to the
 * server's endpoint badged with its disk's number: its own disk only.
 */
#include "init.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <hv/syscall.h>
#include <string.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>

#define BLK_PRIO 120
#define NONE     0xffu

int blk_ep;
static struct server blk;
static unsigned nr_found;
static uint32_t found_pa[HV_MAX_VMS], found_intid[HV_MAX_VMS];
static uint8_t disk_of_vm[HV_MAX_VMS];
static uint32_t req_pa[HV_MAX_VMS];

/* Insert by address, highest first: QEMU's -device order. */
static void note_disk(uint32_t pa, uint32_t intid)
{
	unsigned i = nr_found < HV_MAX_VMS ? nr_found++ : HV_MAX_VMS - 1;
	while (i > 0 && found_pa[i - 1] < pa) {
		found_pa[i] = found_pa[i - 1];
		found_intid[i] = found_intid[i - 1];
		i--;
	}
	found_pa[i] = pa;
	found_intid[i] = intid;
}

static void find_disks(void)
{
	uint32_t pa[HV_MAX_VMS], intid[HV_MAX_VMS];
	unsigned n = host_virtio_find(VIRTIO_ID_BLOCK, pa, intid, HV_MAX_VMS);
	for (unsigned i = 0; i < n; i++)
		note_disk(pa[i], intid[i]);
}

static int blk_maps(struct blk_info *bi)
{
	bi->ring_ipa = HV_SRV_RING;
	int err = hv_map((uint32_t)blk.as, HV_INIT_CAP_VIRTIO, bootinfo->virtio_pa, HV_SRV_DEVICE,
	                 bootinfo->virtio_size, HV_MAP_R | HV_MAP_W);
	if (!err)
		err = server_map(&blk, (uint32_t)stream_ring((unsigned)console_blk_stream),
		                 HV_SRV_RING, 4096, HV_MAP_R | HV_MAP_W);
	return err;
}

static int blk_caps(int ep, int ntfn)
{
	int err = server_grant(&blk, BLK_CAP_EP, ep, HV_RIGHT_READ, 0);
	if (!err)
		err = server_grant(&blk, BLK_CAP_NTFN, ntfn, HV_RIGHT_READ | HV_RIGHT_WRITE, 1);
	if (!err)
		err = console_grant_ntfn(&blk, BLK_CAP_LOG, (unsigned)console_blk_stream);
	return err;
}

/* Create the server (not yet running): VMs are added before it starts. */
int blk_prepare(void)
{
	memset(disk_of_vm, NONE, sizeof(disk_of_vm));
	if (console_blk_stream < 0)
		return -1;
	find_disks();
	if (!nr_found) {
		log_printf("blk: QEMU's machine has no virtio-blk device "
		           "(tools/hvrun adds one for each disk=PATH)\n");
		return -1;
	}
	int ep = slot_alloc(), ntfn = slot_alloc();
	int err = hv_obj_create(C_CONTROL, HV_OBJ_ENDPOINT, (uint32_t)ep, 0);
	if (!err)
		err = hv_obj_create(C_CONTROL, HV_OBJ_NOTIFICATION, (uint32_t)ntfn, 0);
	if (!err)
		err = server_create(&blk, "blk", BLK_PRIO, 0, INIT_BADGE_TEST | 0xfd);
	if (!err)
		err = blk_maps((struct blk_info *)blk.info_pa);
	if (!err)
		err = blk_caps(ep, ntfn);
	if (err) {
		log_printf("blk: cannot create the block server: error %d\n", err);
		return -1;
	}
	blk_ep = ep;
	return 0;
}

static int disk_maps(unsigned k, uint32_t dma, uint32_t req)
{
	int irq = slot_alloc();
	int err = hv_obj_create(C_CONTROL, HV_OBJ_IRQ, (uint32_t)irq, found_intid[k]);
	if (!err)
		err = server_grant(&blk, BLK_CAP_IRQ0 + k, irq, HV_RIGHT_WRITE, 0);
	if (!err)
		err = server_map(&blk, dma, HV_SRV_DMA + k * 4096, 4096, HV_MAP_R | HV_MAP_W);
	if (!err)
		err = server_map(&blk, req, HV_SRV_BLK_REQ + k * 4096, 4096, HV_MAP_R | HV_MAP_W);
	return err;
}

/* VM `index` with its RAM at ram_pa has a disk: the next one QEMU has. */
int blk_add_vm(unsigned index, const char *name, uint32_t ram_pa, uint32_t ram_size)
{
	struct blk_info *bi = (struct blk_info *)blk.info_pa;
	if (!blk_ep || bi->nr_disks == nr_found) {
		log_printf("vm%u: no virtio-blk device for its disk\n", index);
		return -1;
	}
	unsigned k = bi->nr_disks;
	uint32_t dma = mem_alloc(4096, 4096), req = mem_alloc(4096, 4096);
	if (!dma || !req || disk_maps(k, dma, req))
		return -1;
	volatile const uint32_t *cfg =
	    (volatile const uint32_t *)(found_pa[k] + VIRTIO_MMIO_CONFIG);
	struct blk_disk *d = &bi->disk[k];
	d->mmio_pa = found_pa[k];
	d->mmio_ipa = HV_SRV_DEVICE + (found_pa[k] - bootinfo->virtio_pa);
	d->dma_pa = dma;
	d->ram_pa = ram_pa;
	d->ram_size = ram_size;
	d->sectors = cfg[0] | (uint64_t)cfg[1] << 32; /* virtio_blk_config.capacity */
	strncpy(d->serial, name, HV_NAME_MAX - 1);
	bi->nr_disks = k + 1;
	disk_of_vm[index] = (uint8_t)k;
	req_pa[index] = req;
	return 0;
}

int blk_start(void)
{
	if (!blk_ep)
		return -1;
	int err = hv_thread_resume((uint32_t)blk.thread);
	if (err)
		log_printf("blk: cannot start the block server: error %d\n", err);
	return err;
}

/* A monitor of VM `index`: its disk's request page and capability. */
int blk_monitor_setup(struct server *mon, unsigned index, struct vmm_info *info)
{
	unsigned k = disk_of_vm[index];
	if (!info->disk)
		return 0;
	if (k == NONE) {
		info->disk = 0; /* reported by blk_add_vm: the VM runs without it */
		return 0;
	}
	info->disk_sectors = ((struct blk_info *)blk.info_pa)->disk[k].sectors;
	int err = server_map(mon, req_pa[index], HV_SRV_BLK_REQ, 4096, HV_MAP_R | HV_MAP_W);
	if (!err)
		err = server_grant(mon, VMM_CAP_BLK, blk_ep, HV_RIGHT_WRITE, k);
	return err;
}
