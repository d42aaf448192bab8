/*
 * Bring-up: Hyp translation (HTTBR), trap configuration, the GIC, the root
 * task, and the other CPUs (PSCI CPU_ON through the conduit the device
 * tree names).
 */
#include "arch.h"
#include "arch_pt.h"
#include "armv7.h"
#include "cp15.h"
#include "hyp_regs.h"
#include "kernel.h"
#include "platform.h"

#include <hv/bootinfo.h>
#include <hv/layout.h>
#include <string.h>

#define STACK_SIZE    8192
#define INIT_MEM_SIZE 0x00100000u
#define PSCI_CPU_ON   0x84000003u

char kernel_stacks[MAX_CPUS][STACK_SIZE] __attribute__((aligned(8)));
struct percpu percpu[MAX_CPUS];
unsigned nr_cpus;

extern char hyp_vectors[], __kernel_end[], __modules_start[], __modules_end[];
void secondary_entry(void);
void boot_main(void) __attribute__((noreturn));
void secondary_main(unsigned cpu) __attribute__((noreturn));

/* The server images (modules.S). */
extern const struct boot_module {
	const char *name, *start, *end;
} module_table[], module_table_end[];

/* Hyp stage 1 (ARM ARM B3.6, long descriptors): four 1 GiB blocks,
 * identity; the first GiB (devices) as Device memory, the rest Normal. */
static uint64_t hyp_l1[4] __attribute__((aligned(32)));

#define DESC_BLOCK       1ull
#define DESC_ATTR(i)     ((uint64_t)(i) << 2) /* index into HMAIR0 */
#define DESC_SH_INNER    (3ull << 8)
#define DESC_AF          (1ull << 10)
#define DESC_XN          (1ull << 54)
#define HMAIR0_VALUE     0x000004ffu /* attr0 Normal WB, attr1 Device */
#define HTCR_VALUE       ((1u << 31) | (3u << 12) | (1u << 10) | (1u << 8))
#define VTCR_VALUE       ((1u << 31) | (3u << 12) | (1u << 10) | (1u << 8) | (1u << 6))
#define HSCTLR_M         (1u << 0)
#define HSCTLR_A         (1u << 1)
#define HSCTLR_C         (1u << 2)
#define HSCTLR_I         (1u << 12)
#define HSCTLR_WXN       (1u << 19)
#define CNTHCTL_PL1PCTEN (1u << 0)

static void hyp_map_build(void)
{
	hyp_l1[0] = 0x00000000ull | DESC_BLOCK | DESC_ATTR(1) | DESC_AF | DESC_XN;
	for (unsigned i = 1; i < 4; i++)
		hyp_l1[i] =
		    ((uint64_t)i << 30) | DESC_BLOCK | DESC_ATTR(0) | DESC_SH_INNER | DESC_AF;
}

/* Per CPU: vectors, Hyp MMU, trap configuration that never changes. */
static void cpu_setup(unsigned cpu)
{
	percpu[cpu].id = cpu;
	percpu[cpu].stack_top = (uint32_t)&kernel_stacks[cpu + 1][0];
	percpu[cpu].hw_native = true;
	write_htpidr((uint32_t)&percpu[cpu]);
	write_hvbar((uint32_t)hyp_vectors);
	write_hmair0(HMAIR0_VALUE);
	write_htcr(HTCR_VALUE);
	write_httbr((uint32_t)hyp_l1);
	isb();
	__asm__ volatile("mcr p15, 4, %0, c8, c7, 0" ::"r"(0)); /* TLBIALLH */
	dsb();
	write_hsctlr((read_hsctlr() | HSCTLR_M | HSCTLR_C | HSCTLR_I) & ~(HSCTLR_A | HSCTLR_WXN));
	isb();
	write_vtcr(VTCR_VALUE);
	write_hstr(HSTR_T15);
	write_hdcr(HDCR_TDRA | HDCR_TDOSA | HDCR_TDA | HDCR_TPM | HDCR_TPMCR |
	           (read_hdcr() & 0x1f));
	write_cnthctl(CNTHCTL_PL1PCTEN); /* guests read the physical counter, not its timer */
	write_vttbr(0);
	write_cpacr(0xfu << 20); /* natives may use FP; HCPTR decides whose */
	gic_init_cpu();
	arch_timer_set(arch_counter() + arch_counter_freq() / 1000);
	percpu[cpu].online = true;
}

static struct aspace *init_space;

static void init_map(uint32_t pa, uint32_t ipa, uint32_t size, unsigned attr)
{
	if (s2pt_map(&init_space->pt, ipa, pa, size, attr) != HV_OK)
		panic("cannot map init");
}

static void fill_bootinfo(struct hv_bootinfo *bi, uint32_t free_base)
{
	bi->magic = HV_BOOTINFO_MAGIC;
	bi->nr_cpus = nr_cpus;
	bi->ram_base = platform.ram_base;
	bi->ram_size = platform.ram_size;
	bi->free_base = free_base;
	bi->free_size = platform.ram_base + platform.ram_size - free_base;
	bi->uart_pa = platform.uart;
	bi->uart_irq = platform.uart_irq;
	bi->gicv_pa = platform.gicv;
	bi->config_ipa = HV_SRV_CONFIG;
	bi->config_size = HV_CONFIG_DTB_MAX;
	bi->host_dtb_ipa = HV_SRV_HOST_DTB;
	bi->host_dtb_size = HV_PA_CONFIG_DTB - HV_PA_HOST_DTB;
	bi->virtio_pa = platform.virtio_base;
	bi->virtio_size = platform.virtio_size;
	bi->counter_freq = arch_counter_freq();
	bi->nr_modules = (uint32_t)(module_table_end - module_table);
	if (bi->nr_modules > HV_MAX_MODULES)
		panic("more server images than bootinfo holds");
	for (unsigned i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &module_table[i];
		strncpy(bi->modules[i].name, m->name, sizeof(bi->modules[i].name) - 1);
		bi->modules[i].ipa = HV_SRV_MODULES + (uint32_t)(m->start - __modules_start);
		bi->modules[i].size = (uint32_t)(m->end - m->start);
	}
}

static void give_cap(uint32_t slot, struct cap c)
{
	c.rights = HV_RIGHTS_ALL;
	init_space->caps[slot] = c;
}

/* The root task: its image and bootinfo in kernel-reserved memory, the
 * configuration and modules read-only, all free RAM identity-mapped. */
static void create_init(uint32_t mem, uint32_t free_base)
{
	init_space = aspace_alloc(false);
	if (!init_space)
		panic("no address space for init");
	memset((void *)mem, 0, INIT_MEM_SIZE + 4096);
	memcpy((void *)(mem + HV_SRV_IMAGE), module_table[0].start, /* init, first */
	       (size_t)(module_table[0].end - module_table[0].start));
	fill_bootinfo((struct hv_bootinfo *)(mem + INIT_MEM_SIZE), free_base);
	init_map(mem, 0, INIT_MEM_SIZE, HV_MAP_RWX);
	init_map(mem + INIT_MEM_SIZE, HV_SRV_BOOTINFO, 4096, HV_MAP_R);
	init_map(HV_PA_CONFIG_DTB, HV_SRV_CONFIG, HV_CONFIG_DTB_MAX, HV_MAP_R);
	init_map(HV_PA_HOST_DTB, HV_SRV_HOST_DTB, HV_PA_CONFIG_DTB - HV_PA_HOST_DTB, HV_MAP_R);
	init_map((uint32_t)__modules_start, HV_SRV_MODULES,
	         (uint32_t)(__modules_end - __modules_start), HV_MAP_R);
	init_map(free_base, free_base, platform.ram_base + platform.ram_size - free_base,
	         HV_MAP_R | HV_MAP_W);

	give_cap(HV_INIT_CAP_CONTROL, (struct cap){.type = HV_CAP_CONTROL});
	give_cap(
	    HV_INIT_CAP_MEMORY,
	    (struct cap){.type = HV_CAP_MEMORY,
	                 .mem = {free_base, platform.ram_base + platform.ram_size - free_base}});
	give_cap(HV_INIT_CAP_ASPACE, (struct cap){.type = HV_CAP_ASPACE, .obj = init_space});
	give_cap(HV_INIT_CAP_UART,
	         (struct cap){.type = HV_CAP_DEVICE, .mem = {platform.uart & ~4095u, 4096}});
	give_cap(HV_INIT_CAP_DEBUG, (struct cap){.type = HV_CAP_DEBUG});
	give_cap(HV_INIT_CAP_GICV,
	         (struct cap){.type = HV_CAP_DEVICE, .mem = {platform.gicv, 0x2000}});
	if (platform.virtio_size)
		give_cap(HV_INIT_CAP_VIRTIO,
		         (struct cap){.type = HV_CAP_DEVICE,
		                      .mem = {platform.virtio_base, platform.virtio_size}});

	struct thread *t = thread_alloc();
	t->as = init_space;
	init_space->threads = 1;
	t->prio = 200;
	t->regs.pc = HV_SRV_IMAGE;
	t->regs.sp_usr = HV_SRV_STACK_TOP;
	t->regs.cpsr = 0x10;
	give_cap(HV_INIT_CAP_THREAD, (struct cap){.type = HV_CAP_THREAD, .obj = t});
	sched_wake(t);
}

static void start_cpu(unsigned cpu)
{
	register uint32_t r0 __asm__("r0") = PSCI_CPU_ON;
	register uint32_t r1 __asm__("r1") = cpu; /* MPIDR Aff0 on QEMU virt */
	register uint32_t r2 __asm__("r2") = (uint32_t)secondary_entry;
	register uint32_t r3 __asm__("r3") = cpu;
	if (platform.psci_hvc)
		__asm__ volatile("hvc #0" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3) : "memory");
	else
		__asm__ volatile("smc #0" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3) : "memory");
	if (r0 != 0) {
		kputs("hv: PSCI CPU_ON failed for a CPU, continuing without it\n");
	}
}

void boot_main(void)
{
	platform_read((const void *)HV_PA_HOST_DTB);
	nr_cpus = platform.nr_cpus;
	hyp_map_build();
	gic_init_distributor();
	cpu_setup(0);
	kputs("hv: booting on ");
	kputhex(nr_cpus);
	kputs(" CPUs\n");

	uint32_t init_mem = ((uint32_t)__kernel_end + 0xfffff) & ~0xfffffu;
	pt_pool_init(init_mem + INIT_MEM_SIZE + 4096, HV_PA_KERNEL_END);
	create_init(init_mem, HV_PA_KERNEL_END);

	arch_lock();
	for (unsigned cpu = 1; cpu < nr_cpus; cpu++)
		start_cpu(cpu);
	schedule();
}

void secondary_main(unsigned cpu)
{
	cpu_setup(cpu);
	arch_lock();
	schedule();
}
