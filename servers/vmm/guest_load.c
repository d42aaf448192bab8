/*
 * Loading a guest per the Linux ARM boot protocol (Documentation/arm/
 * booting.rst): image at RAM + 0x8000, initrd at the middle of RAM, the
 * DTB 1 MiB below the top; entered in SVC mode, MMU off, r0 = 0,
 * r1 = ~0 (no machine type: the DTB describes the machine), r2 = DTB.
 */
#include "guest_dtb.h"
#include "vmm.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <string.h>

#define KERNEL_OFFSET  0x8000u
#define DTB_BELOW_TOP  0x100000u
#define DTB_MAX        0x10000u
#define GUEST_CPSR_SVC 0x1d3u

int guest_load(void)
{
	uint32_t ram = HV_GUEST_RAM, size = info->ram_size;
	uint32_t kernel = ram + KERNEL_OFFSET, initrd = ram + size / 2,
	         dtb = ram + size - DTB_BELOW_TOP;
	if (info->kernel_size > size / 2 - KERNEL_OFFSET) {
		log_printf("vmm: kernel image (%u bytes) does not fit in %u MiB\n",
		           (unsigned)info->kernel_size, (unsigned)(size >> 20));
		return -1;
	}
	if (info->initrd_size > dtb - initrd) {
		log_printf("vmm: initrd (%u bytes) does not fit\n", (unsigned)info->initrd_size);
		return -1;
	}
	memcpy((void *)kernel, (const void *)info->kernel_ipa, info->kernel_size);
	if (info->initrd_size)
		memcpy((void *)initrd, (const void *)info->initrd_ipa, info->initrd_size);
	/* Linux credits it and has its random pool ready at once, rather than
	 * stalling on first use (the entropy server drives QEMU's virtio-rng) */
	uint8_t seed[64];
	bool seeded = entropy_fill(seed, sizeof(seed));
	struct guest_dtb_params p = {
	    .ram_base = ram,
	    .ram_size = size,
	    .nr_cpus = info->nr_vcpus,
	    .bootargs = info->bootargs[0] ? info->bootargs : NULL,
	    .initrd_start = info->initrd_size ? initrd : 0,
	    .initrd_end = info->initrd_size ? initrd + info->initrd_size : 0,
	    .gicd = HV_GUEST_GICD,
	    .gicc = HV_GUEST_GICC,
	    .uart = HV_GUEST_UART,
	    .uart_irq = HV_GUEST_UART_IRQ,
	    .nr_virtio = info->rng ? 1 : 0,
	    .virtio = HV_GUEST_VIRTIO,
	    .virtio_irq = HV_GUEST_VIRTIO_IRQ,
	    .rng_seed = seeded ? seed : NULL,
	    .rng_seed_len = sizeof(seed),
	    .virtio_mask = (info->disk ? 1u << HV_GUEST_BLK_SLOT : 0) |
	                   (info->net ? 1u << HV_GUEST_NET_SLOT : 0),
	};
	int err = guest_dtb_build((void *)dtb, DTB_MAX, &p);
	if (err) {
		log_printf("vmm: cannot build the guest device tree (%d)\n", err);
		return -1;
	}
	uint32_t cap = vcpu_cap(0);
	hv_vcpu_set_reg(cap, HV_REG_R0, 0);
	hv_vcpu_set_reg(cap, HV_REG_R1, ~0u);
	hv_vcpu_set_reg(cap, HV_REG_R2, dtb);
	hv_vcpu_set_reg(cap, HV_REG_PC, kernel);
	hv_vcpu_set_reg(cap, HV_REG_CPSR, GUEST_CPSR_SVC);
	return 0;
}
