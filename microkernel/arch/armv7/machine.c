/*
 * Small machine services: the big kernel lock, the generic timer (ARM ARM
 * B8), the kernel's UART output, stage-2 TLB maintenance (B4.2.2), the
 * page-table page pool and powering the machine off through PSCI.
 */
#include "arch.h"
#include "arch_pt.h"
#include "armv7.h"
#include "cp15.h"
#include "kernel.h"
#include "platform.h"

#include <string.h>

volatile uint32_t big_kernel_lock;

uint64_t arch_counter(void)
{
	return read_cntpct();
}

uint32_t arch_counter_freq(void)
{
	return read_cntfrq();
}

void arch_timer_set(uint64_t deadline)
{
	write_cnthp_cval(deadline);
	write_cnthp_ctl(1);
	isb();
}

#define UART_DR      0x00
#define UART_FR      0x18
#define UART_FR_TXFF (1u << 5)

void arch_putc(char c)
{
	volatile uint32_t *uart = (volatile uint32_t *)platform.uart;
	if (c == '\n')
		arch_putc('\r');
	while (uart[UART_FR / 4] & UART_FR_TXFF)
		;
	uart[UART_DR / 4] = (uint8_t)c;
}

/* TLBIALLNSNHIS: every non-secure, non-Hyp entry, on every CPU. */
void arch_tlb_flush_all_guests(void)
{
	dsb();
	__asm__ volatile("mcr p15, 4, %0, c8, c3, 4" ::"r"(0));
	dsb();
	isb();
}

/* A stage-2 change: invalidate by IPA needs the VMID loaded in VTTBR, so
 * for simplicity and safety flush every guest entry (ARM ARM B4.2.2). */
void arch_s2_tlb_invalidate(uint32_t vmid, uint32_t ipa, uint32_t size)
{
	(void)vmid;
	(void)ipa;
	(void)size;
	arch_tlb_flush_all_guests();
}

void arch_pt_sync(void)
{
	dsb();
}

/* Table pages come from the kernel's reserved memory after its image. */
static uint32_t pool_next, pool_end;
static void *free_pages;

void pt_pool_init(uint32_t start, uint32_t end)
{
	pool_next = start;
	pool_end = end;
}

void *arch_pt_alloc(void)
{
	void *page = free_pages;
	if (page) {
		free_pages = *(void **)page;
	} else {
		if (pool_next >= pool_end)
			return NULL;
		page = (void *)pool_next;
		pool_next += 4096;
	}
	memset(page, 0, 4096);
	return page;
}

void arch_pt_free(void *page)
{
	*(void **)page = free_pages;
	free_pages = page;
}

uint64_t arch_pt_pa(const void *page)
{
	return (uint32_t)page;
}

void *arch_pt_va(uint64_t pa)
{
	return (void *)(uint32_t)pa;
}

void arch_stop(const char *why)
{
	(void)why; /* already printed */
	arch_system_off();
	for (;;)
		__asm__ volatile("wfi");
}

#define PSCI_SYSTEM_OFF 0x84000008u

void arch_system_off(void)
{
	register uint32_t r0 __asm__("r0") = PSCI_SYSTEM_OFF;
	if (platform.psci_hvc)
		__asm__ volatile("hvc #0" : "+r"(r0)::"memory");
	else
		__asm__ volatile("smc #0" : "+r"(r0)::"memory");
}

/* Nothing to run: wait for an interrupt with interrupts masked (WFI still
 * wakes), handle it, and look again. */
void arch_idle(void)
{
	for (;;) {
		arch_unlock();
		__asm__ volatile("dsb; wfi" ::: "memory");
		arch_lock();
		irq_handle();
		if (this_cpu()->runq[0])
			schedule();
	}
}
