/*
 * Host fake of the arch_pt.h hooks for unit tests: a static pool of table
 * pages with fake physical addresses, an allocation limit to make
 * arch_pt_alloc fail on demand, poisoning of freed pages, and a record of
 * the TLB invalidations asked for.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch_pt.h"

#define FAKE_PAGES     256
#define FAKE_PAGE_SIZE 4096u
#define FAKE_PA_BASE   0x80000000ull
#define FAKE_POISON    0xa5

#include "fake_pt.h"

/* uint64_t, as the table code reads and writes it */
static _Alignas(4096) uint64_t pool[FAKE_PAGES][FAKE_PAGE_SIZE / 8];
static bool used[FAKE_PAGES];
static int in_use;
static int limit = -1; /* allocations left, -1: unlimited */
static int errors;     /* bad frees, foreign PAs */
static unsigned syncs;
static unsigned tlb_calls;
static struct fake_tlb_call tlb_last;
static fake_tlb_hook_fn *tlb_hook;

void fake_pt_reset(void)
{
	memset(used, 0, sizeof(used));
	memset(pool, FAKE_POISON, sizeof(pool));
	in_use = 0;
	limit = -1;
	errors = 0;
	syncs = 0;
	tlb_calls = 0;
	tlb_last = (struct fake_tlb_call){0, 0, 0};
	tlb_hook = NULL;
}

void fake_pt_set_limit(int pages_left)
{
	limit = pages_left;
}

int fake_pt_in_use(void)
{
	return in_use;
}

int fake_pt_errors(void)
{
	return errors;
}

unsigned fake_pt_syncs(void)
{
	return syncs;
}

unsigned fake_tlb_calls(void)
{
	return tlb_calls;
}

struct fake_tlb_call fake_tlb_last(void)
{
	return tlb_last;
}

void fake_tlb_set_hook(fake_tlb_hook_fn *hook)
{
	tlb_hook = hook;
}

/* Pool index of a page pointer, -1 if it is not one. */
static int page_index(const void *page)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)pool;

	if ((uintptr_t)page < (uintptr_t)pool || off >= sizeof(pool) || off % FAKE_PAGE_SIZE)
		return -1;
	return (int)(off / FAKE_PAGE_SIZE);
}

void *arch_pt_alloc(void)
{
	if (limit == 0)
		return NULL;
	for (int i = 0; i < FAKE_PAGES; i++) {
		if (used[i])
			continue;
		used[i] = true;
		in_use++;
		if (limit > 0)
			limit--;
		memset(pool[i], 0, FAKE_PAGE_SIZE);
		return pool[i];
	}
	return NULL;
}

void arch_pt_free(void *page)
{
	int i = page_index(page);

	if (i < 0 || !used[i]) {
		errors++;
		return;
	}
	used[i] = false;
	in_use--;
	memset(pool[i], FAKE_POISON, FAKE_PAGE_SIZE);
}

uint64_t arch_pt_pa(const void *page)
{
	int i = page_index(page);

	if (i < 0 || !used[i]) {
		errors++;
		return 0;
	}
	return FAKE_PA_BASE + (uint64_t)i * FAKE_PAGE_SIZE;
}

void *arch_pt_va(uint64_t pa)
{
	uint64_t i = (pa - FAKE_PA_BASE) / FAKE_PAGE_SIZE;

	if (pa < FAKE_PA_BASE || pa % FAKE_PAGE_SIZE || i >= FAKE_PAGES || !used[i]) {
		errors++;
		return NULL;
	}
	return pool[i];
}

void arch_pt_sync(void)
{
	syncs++;
}

void arch_s2_tlb_invalidate(uint32_t vmid, uint32_t ipa, uint32_t size)
{
	tlb_calls++;
	tlb_last = (struct fake_tlb_call){vmid, ipa, size};
	if (tlb_hook)
		tlb_hook(vmid, ipa, size);
}
