/*
 * Stage-2 translation tables, long-descriptor format.
 *
 * Follows the ARM ARM (ARMv7-A/R, DDI 0406C):
 *   B3.6 Long-descriptor translation table format: the descriptor formats
 *        (table, block, page) and the stage-2 attributes MemAttr[5:2],
 *        S2AP[7:6], SH[9:8], AF[10], XN[54]
 *   VTCR (B4.1) with T0SZ=0, SL0=1: the walk starts at level 1, 4 entries
 *   B3.10 TLB maintenance: break-before-make when a block becomes a table
 *
 * Every change is "validate, then invoke": a walk that changes nothing
 * decides the result and how many table pages are needed, those pages are
 * allocated up front, and only then are descriptors written, so an error
 * leaves the tables as they were.
 *
 * Invariant: no table below the root is ever empty; a table whose last
 * entry is cleared is unlinked and freed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hv/abi.h>

#include "arch_pt.h"
#include "s2pt.h"

#define PAGE_SIZE     0x1000u
#define BLOCK_SIZE    0x200000u     /* one level-2 entry */
#define L1_SIZE       0x40000000ull /* one level-1 entry */
#define IPA_LIMIT     0x100000000ull
#define PA_LIMIT      (1ull << 40)
#define L1_ENTRIES    4u
#define TABLE_ENTRIES 512u

/* Descriptor bits[1:0] (B3.6.1) */
#define DESC_VALID           1ull
#define DESC_TYPE_MASK       3ull
#define DESC_TABLE           3ull                  /* levels 1 and 2 */
#define DESC_BLOCK           1ull                  /* level 2 */
#define DESC_PAGE            3ull                  /* level 3 */
#define DESC_ADDR_MASK       0x000000fffffff000ull /* [39:12] */
#define DESC_BLOCK_ADDR_MASK 0x000000ffffe00000ull /* [39:21] */
#define DESC_ATTR_MASK       0xfff0000000000ffcull /* [63:52], [11:2] */

/* Stage-2 block/page attributes (B3.6.2) */
#define S2_MEMATTR_MASK      (0xfull << 2)
#define S2_MEMATTR_NORMAL_WB (0xfull << 2) /* outer and inner write-back */
#define S2_MEMATTR_DEVICE    (0x1ull << 2)
#define S2_S2AP_R            (1ull << 6)
#define S2_S2AP_W            (1ull << 7)
#define S2_SH_INNER          (3ull << 8)
#define S2_AF                (1ull << 10)
#define S2_XN                (1ull << 54)

#define ATTR_VALID_BITS (HV_MAP_R | HV_MAP_W | HV_MAP_X | S2_DEVICE)

/* ---- descriptors --------------------------------------------------------- */

static bool desc_valid(uint64_t desc)
{
	return (desc & DESC_VALID) != 0;
}

static bool desc_is_block(uint64_t desc)
{
	return (desc & DESC_TYPE_MASK) == DESC_BLOCK;
}

static uint64_t *desc_table(uint64_t desc)
{
	return arch_pt_va(desc & DESC_ADDR_MASK);
}

static uint64_t attr_to_desc(unsigned attr)
{
	uint64_t desc = S2_AF;

	if (attr & S2_DEVICE)
		desc |= S2_MEMATTR_DEVICE;
	else
		desc |= S2_MEMATTR_NORMAL_WB | S2_SH_INNER;
	if (attr & HV_MAP_R)
		desc |= S2_S2AP_R;
	if (attr & HV_MAP_W)
		desc |= S2_S2AP_W;
	if (!(attr & HV_MAP_X))
		desc |= S2_XN;
	return desc;
}

static unsigned desc_to_attr(uint64_t desc)
{
	unsigned attr = 0;

	if ((desc & S2_MEMATTR_MASK) == S2_MEMATTR_DEVICE)
		attr |= S2_DEVICE;
	if (desc & S2_S2AP_R)
		attr |= HV_MAP_R;
	if (desc & S2_S2AP_W)
		attr |= HV_MAP_W;
	if (!(desc & S2_XN))
		attr |= HV_MAP_X;
	return attr;
}

/* ---- IPA decomposition ---------------------------------------------------- */

static unsigned l1_index(uint64_t ipa)
{
	return (unsigned)(ipa >> 30);
}

static unsigned l2_index(uint64_t ipa)
{
	return (unsigned)(ipa >> 21) % TABLE_ENTRIES;
}

static unsigned l3_index(uint64_t ipa)
{
	return (unsigned)(ipa >> 12) % TABLE_ENTRIES;
}

static uint64_t block_base(uint64_t ipa)
{
	return ipa & ~(uint64_t)(BLOCK_SIZE - 1);
}

/* Bytes from ipa to the end of its 2 MiB region or to end, if sooner. */
static uint32_t chunk_size(uint64_t ipa, uint64_t end)
{
	uint64_t next = block_base(ipa) + BLOCK_SIZE;

	return (uint32_t)((next < end ? next : end) - ipa);
}

/* The level-2 descriptor covering ipa, 0 if there is no level-2 table. */
static uint64_t l2_desc(const struct s2pt *pt, uint64_t ipa)
{
	uint64_t l1 = pt->root[l1_index(ipa)];

	if (!desc_valid(l1))
		return 0;
	return desc_table(l1)[l2_index(ipa)];
}

static bool table_empty(const uint64_t *table)
{
	for (unsigned i = 0; i < TABLE_ENTRIES; i++)
		if (desc_valid(table[i]))
			return false;
	return true;
}

/* ---- table pages ----------------------------------------------------------- */

/*
 * A list of table pages linked through entry 0. A page-aligned link has
 * bits[1:0] = 0, so a walker that still sees the page reads it as invalid.
 */
struct page_list {
	uint64_t *head;
};

static void page_list_push(struct page_list *list, uint64_t *page)
{
	page[0] = (uint64_t)(uintptr_t)list->head;
	list->head = page;
}

static uint64_t *page_list_pop(struct page_list *list)
{
	uint64_t *page = list->head;

	list->head = (uint64_t *)(uintptr_t)page[0];
	page[0] = 0;
	return page;
}

static uint64_t *table_alloc(struct s2pt *pt)
{
	uint64_t *page = arch_pt_alloc();

	if (page)
		pt->tables++;
	return page;
}

static void table_free(struct s2pt *pt, uint64_t *page)
{
	arch_pt_free(page);
	pt->tables--;
}

static void page_list_free_all(struct s2pt *pt, struct page_list *list)
{
	while (list->head)
		table_free(pt, page_list_pop(list));
}

/* Allocates count pages onto list; on failure frees them, HV_ENOMEM. */
static int page_list_fill(struct s2pt *pt, struct page_list *list, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		uint64_t *page = table_alloc(pt);

		if (!page) {
			page_list_free_all(pt, list);
			return HV_ENOMEM;
		}
		page_list_push(list, page);
	}
	return HV_OK;
}

/* The table *slot points to, linking a page from spare if there is none. */
static uint64_t *table_or_link(uint64_t *slot, struct page_list *spare)
{
	uint64_t *table;

	if (desc_valid(*slot))
		return desc_table(*slot);
	table = page_list_pop(spare);
	*slot = arch_pt_pa(table) | DESC_TABLE;
	return table;
}

/* ---- map ------------------------------------------------------------------- */

static bool map_args_valid(uint32_t ipa, uint64_t pa, uint32_t size, unsigned attr)
{
	if (size == 0 || (ipa | size) % PAGE_SIZE || pa % PAGE_SIZE)
		return false;
	if ((uint64_t)ipa + size > IPA_LIMIT)
		return false;
	if (pa >= PA_LIMIT || pa + size > PA_LIMIT)
		return false;
	if (attr & ~ATTR_VALID_BITS)
		return false;
	return (attr & (HV_MAP_R | HV_MAP_W)) != 0;
}

/* A chunk becomes a block if it is a whole aligned 2 MiB with no table. */
static bool chunk_takes_block(uint64_t l2, uint64_t pa, uint32_t size)
{
	return size == BLOCK_SIZE && pa % BLOCK_SIZE == 0 && !desc_valid(l2);
}

static bool pages_mapped(const uint64_t *l3, uint64_t ipa, uint32_t size)
{
	unsigned first = l3_index(ipa);

	for (unsigned i = 0; i < size / PAGE_SIZE; i++)
		if (desc_valid(l3[first + i]))
			return true;
	return false;
}

/*
 * Walks the range without changing anything: HV_EBUSY if a page in it is
 * mapped, else HV_OK with the number of table pages the mapping needs.
 */
static int plan_map(const struct s2pt *pt, uint32_t ipa, uint64_t pa, uint32_t size,
                    unsigned *needed)
{
	uint64_t end = (uint64_t)ipa + size;
	uint32_t n;

	*needed = 0;
	for (uint64_t a = ipa; a < end; a += n) {
		uint64_t l2 = l2_desc(pt, a);
		bool new_l1_region = a == ipa || a % L1_SIZE == 0;

		n = chunk_size(a, end);
		/* one level-2 table per 1 GiB region that has none */
		if (new_l1_region && !desc_valid(pt->root[l1_index(a)]))
			(*needed)++;
		if (desc_is_block(l2))
			return HV_EBUSY;
		if (desc_valid(l2) && pages_mapped(desc_table(l2), a, n))
			return HV_EBUSY;
		if (!desc_valid(l2) && !chunk_takes_block(l2, pa + (a - ipa), n))
			(*needed)++;
	}
	return HV_OK;
}

/* Writes the descriptors of one chunk (inside one 2 MiB region). */
static void map_chunk(struct s2pt *pt, uint64_t ipa, uint64_t pa, uint32_t size, uint64_t attrs,
                      struct page_list *spare)
{
	uint64_t *l2 = table_or_link(&pt->root[l1_index(ipa)], spare);
	uint64_t *slot = &l2[l2_index(ipa)];
	uint64_t *l3;
	unsigned first;

	if (chunk_takes_block(*slot, pa, size)) {
		*slot = pa | attrs | DESC_BLOCK;
		return;
	}
	l3 = table_or_link(slot, spare);
	first = l3_index(ipa);
	for (unsigned i = 0; i < size / PAGE_SIZE; i++)
		l3[first + i] = (pa + (uint64_t)i * PAGE_SIZE) | attrs | DESC_PAGE;
}

int s2pt_map(struct s2pt *pt, uint32_t ipa, uint64_t pa, uint32_t size, unsigned attr)
{
	struct page_list spare = {NULL};
	uint64_t end = (uint64_t)ipa + size;
	unsigned needed;
	uint32_t n;
	int err;

	if (!map_args_valid(ipa, pa, size, attr))
		return HV_EINVAL;
	err = plan_map(pt, ipa, pa, size, &needed);
	if (err != HV_OK)
		return err;
	if (page_list_fill(pt, &spare, needed) != HV_OK)
		return HV_ENOMEM;

	for (uint64_t a = ipa; a < end; a += n) {
		n = chunk_size(a, end);
		map_chunk(pt, a, pa + (a - ipa), n, attr_to_desc(attr), &spare);
	}
	arch_pt_sync();
	return HV_OK;
}

/* ---- unmap ------------------------------------------------------------------ */

static bool unmap_args_valid(uint32_t ipa, uint32_t size)
{
	if (size == 0 || (ipa | size) % PAGE_SIZE)
		return false;
	return (uint64_t)ipa + size <= IPA_LIMIT;
}

/* True if ipa lies in a block that [start, end) covers only in part. */
static bool splits_block(const struct s2pt *pt, uint64_t ipa, uint64_t start, uint64_t end)
{
	uint64_t base = block_base(ipa);

	return desc_is_block(l2_desc(pt, ipa)) && (base < start || base + BLOCK_SIZE > end);
}

/* Only the first and the last chunk of a range can be partial. */
static unsigned splits_needed(const struct s2pt *pt, uint32_t ipa, uint32_t size)
{
	uint64_t end = (uint64_t)ipa + size;
	uint64_t last = end - PAGE_SIZE;
	unsigned count = splits_block(pt, ipa, ipa, end);

	if (block_base(last) != block_base(ipa))
		count += splits_block(pt, last, ipa, end);
	return count;
}

/*
 * Replaces the block in *slot, covering block_ipa, by a level-3 table of
 * the same pages: break (invalidate + TLB flush), then make.
 */
static void split_block(struct s2pt *pt, uint64_t *slot, uint64_t block_ipa,
                        struct page_list *spare)
{
	uint64_t block = *slot;
	uint64_t base = block & DESC_BLOCK_ADDR_MASK;
	uint64_t attrs = block & DESC_ATTR_MASK;
	uint64_t *l3 = page_list_pop(spare);

	for (unsigned i = 0; i < TABLE_ENTRIES; i++)
		l3[i] = (base + (uint64_t)i * PAGE_SIZE) | attrs | DESC_PAGE;
	*slot = 0;
	arch_pt_sync();
	arch_s2_tlb_invalidate(pt->vmid, (uint32_t)block_ipa, BLOCK_SIZE);
	*slot = arch_pt_pa(l3) | DESC_TABLE;
	arch_pt_sync();
}

/* Clears the pages of one chunk; true if any was mapped. */
static bool clear_pages(uint64_t *l3, uint64_t ipa, uint32_t size)
{
	unsigned first = l3_index(ipa);
	bool cleared = false;

	for (unsigned i = 0; i < size / PAGE_SIZE; i++) {
		cleared |= desc_valid(l3[first + i]);
		l3[first + i] = 0;
	}
	return cleared;
}

/* Unlinks the table *slot points to if it is empty; freed later. */
static void unlink_if_empty(uint64_t *slot, struct page_list *dead)
{
	uint64_t *table = desc_table(*slot);

	if (!table_empty(table))
		return;
	*slot = 0;
	page_list_push(dead, table);
}

/* Unmaps one chunk (inside one 2 MiB region); true if anything was mapped. */
static bool unmap_chunk(struct s2pt *pt, uint64_t ipa, uint32_t size, struct page_list *spare,
                        struct page_list *dead)
{
	uint64_t l1 = pt->root[l1_index(ipa)];
	uint64_t *slot;
	bool cleared;

	if (!desc_valid(l1))
		return false;
	slot = &desc_table(l1)[l2_index(ipa)];
	if (!desc_valid(*slot))
		return false;
	if (desc_is_block(*slot) && size == BLOCK_SIZE) {
		*slot = 0;
		return true;
	}
	if (desc_is_block(*slot))
		split_block(pt, slot, block_base(ipa), spare);
	cleared = clear_pages(desc_table(*slot), ipa, size);
	unlink_if_empty(slot, dead);
	return cleared;
}

/* Unlinks the level-2 tables of [ipa, end) left empty. */
static void unlink_empty_l2(struct s2pt *pt, uint64_t ipa, uint64_t end, struct page_list *dead)
{
	for (unsigned i = l1_index(ipa); i <= l1_index(end - 1); i++)
		if (desc_valid(pt->root[i]))
			unlink_if_empty(&pt->root[i], dead);
}

int s2pt_unmap(struct s2pt *pt, uint32_t ipa, uint32_t size)
{
	struct page_list spare = {NULL};
	struct page_list dead = {NULL};
	uint64_t end = (uint64_t)ipa + size;
	bool cleared = false;
	uint32_t n;

	if (!unmap_args_valid(ipa, size))
		return HV_EINVAL;
	if (page_list_fill(pt, &spare, splits_needed(pt, ipa, size)) != HV_OK)
		return HV_ENOMEM;

	for (uint64_t a = ipa; a < end; a += n) {
		n = chunk_size(a, end);
		cleared |= unmap_chunk(pt, a, n, &spare, &dead);
	}
	unlink_empty_l2(pt, ipa, end, &dead);
	arch_pt_sync();
	if (cleared)
		arch_s2_tlb_invalidate(pt->vmid, ipa, size);
	/* Only now may no walker (or walk cache) reach the unlinked tables. */
	page_list_free_all(pt, &dead);
	return HV_OK;
}

/* ---- lookup, init, destroy ----------------------------------------------- */

int s2pt_lookup(const struct s2pt *pt, uint32_t ipa, uint64_t *pa, unsigned *attr)
{
	uint64_t desc = l2_desc(pt, ipa);
	uint64_t out;

	if (!desc_valid(desc))
		return HV_EFAULT;
	if (desc_is_block(desc)) {
		out = (desc & DESC_BLOCK_ADDR_MASK) | (ipa % BLOCK_SIZE);
	} else {
		desc = desc_table(desc)[l3_index(ipa)];
		if (!desc_valid(desc))
			return HV_EFAULT;
		out = (desc & DESC_ADDR_MASK) | (ipa % PAGE_SIZE);
	}
	if (pa)
		*pa = out;
	if (attr)
		*attr = desc_to_attr(desc);
	return HV_OK;
}

int s2pt_init(struct s2pt *pt, uint32_t vmid)
{
	pt->vmid = vmid;
	pt->tables = 0;
	pt->root = table_alloc(pt);
	return pt->root ? HV_OK : HV_ENOMEM;
}

static void free_l2_table(struct s2pt *pt, uint64_t *l2)
{
	for (unsigned i = 0; i < TABLE_ENTRIES; i++)
		if (desc_valid(l2[i]) && !desc_is_block(l2[i]))
			table_free(pt, desc_table(l2[i]));
	table_free(pt, l2);
}

void s2pt_destroy(struct s2pt *pt)
{
	if (!pt->root)
		return;
	for (unsigned i = 0; i < L1_ENTRIES; i++)
		if (desc_valid(pt->root[i]))
			free_l2_table(pt, desc_table(pt->root[i]));
	table_free(pt, pt->root);
	pt->root = NULL;
}
