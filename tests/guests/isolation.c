/*
 * isolation: no guest-physical address outside the VM's own RAM and its
 * emulated devices may give data. Reads a word
 *   - every 1 MiB from the end of RAM (size from the DTB's /memory) up to
 *     0x7FF00000,
 *   - every 1 MiB in 0x00000000-0x07F00000,
 *   - every 16 MiB in 0x10000000-0x3FF00000,
 *   - at the host devices QEMU virt has next to the guest's own ones
 *     (GICH, GICV, ITS/v2m, RTC, fw_cfg, GPIO, virtio-mmio, platform bus),
 * and each read must abort with DFAR = the address. Before and after the
 * probes it stamps its own RAM (every 1 MiB above the image: a magic word
 * 0x15A7E5ED and a per-boot nonce, from the counter and bootargs id=N) and
 * checks the stamps survive, so two VMs running this side by side would
 * notice sharing RAM.
 * Result: "isolation: PASS probes=N", or
 * "isolation: FAIL no abort at 0x... (read 0x...)" for the first address
 * that did not abort.
 */
#include "guest.h"

#include <libfdt.h>

const char guest_name[] = "isolation";

int main(const void *dtb);

#define MAGIC 0x15a7e5edu
#define MIB   0x00100000u

extern char __guest_end[];

static uint32_t probes, failures;
static uint32_t first_bad = 0xffffffffu, first_bad_value;

static void probe(uint32_t addr)
{
	uint32_t n = exc_count_type(EXC_DABT);
	uint32_t v = probe_read32(addr);
	struct exc_info e = exc_last();

	probes++;
	if (exc_count_type(EXC_DABT) != n + 1) {
		if (first_bad == 0xffffffffu) {
			first_bad = addr;
			first_bad_value = v;
		}
		failures++;
		return;
	}
	if (e.dfar != addr) {
		failures++;
		gprintf("isolation: FAIL abort at 0x%08lx reported DFAR=0x%08lx\n",
		        (unsigned long)addr, (unsigned long)e.dfar);
	}
}

/* Stamp (or check) every MiB of RAM above the image. */
static uint32_t stamp_ram(uint32_t ram_end, uint32_t nonce, int check)
{
	uint32_t start = ((uint32_t)(uintptr_t)__guest_end + MIB - 1) & ~(MIB - 1);
	uint32_t bad = 0;

	uint32_t dtb = (uint32_t)(uintptr_t)guest_dtb;
	uint32_t dtb_end = dtb ? dtb + fdt_totalsize(guest_dtb) : 0;

	for (uint32_t a = start; a < ram_end; a += MIB) {
		volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)a;

		if (a < dtb_end && dtb < a + MIB)
			continue; /* the monitor's DTB (at RAM end - 1 MiB) */
		if (!check) {
			p[0] = MAGIC;
			p[1] = nonce ^ a;
		} else if (p[0] != MAGIC || p[1] != (nonce ^ a)) {
			if (!bad)
				gprintf(
				    "isolation: FAIL own RAM at 0x%08lx changed: 0x%08lx 0x%08lx\n",
				    (unsigned long)a, (unsigned long)p[0], (unsigned long)p[1]);
			bad++;
		}
	}
	return bad;
}

static const uint32_t host_devices[] = {
    0x08020000u, /* GICv2m / ITS */
    0x08030000u, /* GICH: the hypervisor's own */
    0x08040000u, /* GICV */
    0x08080000u, /* ITS */
    0x09010000u, /* PL031 RTC */
    0x09020000u, /* fw_cfg */
    0x09030000u, /* PL061 GPIO */
    0x09040000u, /* secure UART */
    0x0a000000u, /* virtio-mmio */
    0x0a003e00u, /* last virtio-mmio transport */
    0x0c000000u, /* platform bus */
    0x0e000000u, /* secure RAM */
};

int main(const void *dtb)
{
	uint64_t ram_size = dtb_ram_size();
	uint32_t ram_end, nonce, bad;

	(void)dtb;
	irq_disable();
	exc_set_hook(exc_hook_skip);
	(void)bootargs(); /* validates guest_dtb */
	if (ram_size == 0) {
		gprintf("isolation: no /memory in the DTB, assuming 64 MiB\n");
		ram_size = 64 * MIB;
	}
	if (ram_size > 0x40000000u)
		ram_size = 0x40000000u;
	ram_end = GUEST_RAM_BASE + (uint32_t)ram_size;
	/* bootargs id=N tells side-by-side VMs apart even when their virtual
	 * counters read the same */
	nonce = (bootarg_u32("id", 0) + 1) * 0x9e3779b9u ^ (uint32_t)read_cntvct() * 2654435761u;
	gprintf("isolation: RAM 0x%08lx-0x%08lx\n", (unsigned long)GUEST_RAM_BASE,
	        (unsigned long)(ram_end - 1));

	stamp_ram(ram_end, nonce, 0);

	for (uint32_t a = ram_end; a < 0x80000000u && a >= ram_end; a += MIB)
		probe(a);
	for (uint32_t a = 0; a <= 0x07f00000u; a += MIB)
		probe(a);
	for (uint32_t a = 0x10000000u; a <= 0x3ff00000u; a += 16 * MIB)
		probe(a);
	for (uint32_t i = 0; i < sizeof(host_devices) / sizeof(host_devices[0]); i++)
		probe(host_devices[i]);

	bad = stamp_ram(ram_end, nonce, 1);

	if (first_bad != 0xffffffffu)
		gprintf("isolation: FAIL no abort at 0x%08lx (read 0x%08lx); %lu of %lu probes did "
		        "not abort\n",
		        (unsigned long)first_bad, (unsigned long)first_bad_value,
		        (unsigned long)failures, (unsigned long)probes);
	else if (failures || bad)
		gprintf("isolation: FAIL %lu bad aborts, %lu changed RAM stamps\n",
		        (unsigned long)failures, (unsigned long)bad);
	else
		gprintf("isolation: PASS probes=%lu\n", (unsigned long)probes);
	return 0;
}
