/*
 * What the kernel hands init at boot: a page at HV_SRV_BOOTINFO in init's
 * space, and capabilities in fixed slots of its table.
 */
#ifndef HV_BOOTINFO_H
#define HV_BOOTINFO_H

#include <stdint.h>

#define HV_BOOTINFO_MAGIC 0x68766269u /* "hvbi" */
#define HV_MAX_MODULES    8

/* init's capability slots */
#define HV_INIT_CAP_CONTROL    1
#define HV_INIT_CAP_MEMORY     2 /* all free RAM, identity-mapped in init */
#define HV_INIT_CAP_ASPACE     3 /* init's own space */
#define HV_INIT_CAP_THREAD     4
#define HV_INIT_CAP_UART       5 /* DEVICE: the physical PL011 page */
#define HV_INIT_CAP_DEBUG      6
#define HV_INIT_CAP_GICV       7 /* DEVICE: the GIC virtual CPU interface */
#define HV_INIT_CAP_VIRTIO     8 /* DEVICE: QEMU's virtio-mmio transports (if any) */
#define HV_INIT_CAP_FIRST_FREE 9

struct hv_module {
	char name[16];
	uint32_t ipa; /* where init sees it (read-only) */
	uint32_t size;
};

struct hv_bootinfo {
	uint32_t magic;
	uint32_t nr_cpus;
	uint32_t ram_base, ram_size;
	uint32_t free_base, free_size;
	uint32_t uart_pa, uart_irq;
	uint32_t gicv_pa;
	uint32_t config_ipa, config_size;
	uint32_t host_dtb_ipa, host_dtb_size; /* the host DTB, to find devices */
	uint32_t virtio_pa, virtio_size;      /* HV_INIT_CAP_VIRTIO's range, 0 if none */
	uint32_t counter_freq;
	uint32_t nr_modules;
	struct hv_module modules[HV_MAX_MODULES];
};

#endif
