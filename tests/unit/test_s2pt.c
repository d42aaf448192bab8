/*
 * Unit tests of the stage-2 tables (microkernel/core/s2pt.c) on the host,
 * with the hooks of tests/unit/fake_pt.c. Descriptor encodings are checked
 * against ARM ARM B3.6.1/B3.6.2 with constants written out here, and a
 * randomized run is checked page by page against a flat reference model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <hv/abi.h>

#include "arch_pt.h"
#include "s2pt.h"

#include "fake_pt.h"

#define PAGE  0x1000u
#define BLOCK 0x200000u
#define VMID  7u

/* Spec encodings, B3.6.1 and B3.6.2 */
#define D_TYPE(d)   ((d)&3u)
#define D_ADDR(d)   ((d)&0x000000fffffff000ull)
#define D_TABLE     3u
#define D_BLOCK     1u
#define D_PAGE      3u
#define D_NORMAL_WB (0xfull << 2)
#define D_DEVICE    (0x1ull << 2)
#define D_AP_RO     (1ull << 6)
#define D_AP_WO     (2ull << 6)
#define D_AP_RW     (3ull << 6)
#define D_SH_INNER  (3ull << 8)
#define D_AF        (1ull << 10)
#define D_XN        (1ull << 54)

static struct s2pt pt;

/* ---- helpers ----------------------------------------------------------------- */

static const uint64_t *table_of(uint64_t desc)
{
	return arch_pt_va(D_ADDR(desc));
}

static uint64_t l2_entry(uint32_t ipa)
{
	uint64_t l1 = pt.root[ipa >> 30];

	if (D_TYPE(l1) != D_TABLE)
		return 0;
	return table_of(l1)[(ipa >> 21) & 511];
}

static uint64_t l3_entry(uint32_t ipa)
{
	uint64_t l2 = l2_entry(ipa);

	if (D_TYPE(l2) != D_TABLE)
		return 0;
	return table_of(l2)[(ipa >> 12) & 511];
}

static uint64_t hash_mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ull;
}

static unsigned blocks_seen;

/*
 * Walks the whole tree checking the descriptor types of each level and
 * that no table below the root is empty; checks the table count against
 * pt.tables and the fake's pool. Returns a hash of every descriptor.
 */
static uint64_t check_tree(void)
{
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned tables = 1;

	for (unsigned i = 0; i < 4; i++) {
		uint64_t l1 = pt.root[i];
		const uint64_t *l2;
		unsigned l2_used = 0;

		h = hash_mix(h, l1);
		if (l1 == 0)
			continue;
		assert_int_equal(D_TYPE(l1), D_TABLE);
		l2 = table_of(l1);
		assert_non_null(l2);
		tables++;
		for (unsigned j = 0; j < 512; j++) {
			uint64_t d = l2[j];
			unsigned l3_used = 0;

			h = hash_mix(h, d);
			if (d == 0)
				continue;
			l2_used++;
			if (D_TYPE(d) == D_BLOCK) {
				blocks_seen++;
				continue;
			}
			assert_int_equal(D_TYPE(d), D_TABLE);
			assert_non_null(table_of(d));
			tables++;
			for (unsigned k = 0; k < 512; k++) {
				uint64_t p = table_of(d)[k];

				h = hash_mix(h, p);
				if (p == 0)
					continue;
				assert_int_equal(D_TYPE(p), D_PAGE);
				l3_used++;
			}
			assert_int_not_equal(l3_used, 0);
		}
		assert_int_not_equal(l2_used, 0);
	}
	assert_int_equal(tables, pt.tables);
	assert_int_equal(tables, fake_pt_in_use());
	assert_int_equal(fake_pt_errors(), 0);
	return h;
}

static void assert_maps(uint32_t ipa, uint64_t want_pa, unsigned want_attr)
{
	uint64_t pa = 0;
	unsigned attr = 0;

	assert_int_equal(s2pt_lookup(&pt, ipa, &pa, &attr), HV_OK);
	assert_int_equal(pa, want_pa);
	assert_int_equal(attr, want_attr);
}

static void assert_unmapped(uint32_t ipa)
{
	assert_int_equal(s2pt_lookup(&pt, ipa, NULL, NULL), HV_EFAULT);
}

/* Everything observable about the tables, to show an error changed none. */
struct snapshot {
	uint64_t hash;
	unsigned tables;
	int in_use;
	unsigned tlb_calls;
};

static struct snapshot snap(void)
{
	return (struct snapshot){check_tree(), pt.tables, fake_pt_in_use(), fake_tlb_calls()};
}

static void assert_same(struct snapshot a, struct snapshot b)
{
	assert_int_equal(a.hash, b.hash);
	assert_int_equal(a.tables, b.tables);
	assert_int_equal(a.in_use, b.in_use);
	assert_int_equal(a.tlb_calls, b.tlb_calls);
}

static int setup(void **state)
{
	(void)state;
	fake_pt_reset();
	assert_int_equal(s2pt_init(&pt, VMID), HV_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_pt_set_limit(-1);
	s2pt_destroy(&pt);
	assert_null(pt.root);
	assert_int_equal(pt.tables, 0);
	assert_int_equal(fake_pt_in_use(), 0);
	assert_int_equal(fake_pt_errors(), 0);
	return 0;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_init_destroy(void **state)
{
	(void)state;
	assert_non_null(pt.root);
	assert_int_equal((uintptr_t)pt.root % 32, 0);
	assert_int_equal(pt.vmid, VMID);
	assert_int_equal(pt.tables, 1);
	assert_int_equal(fake_pt_in_use(), 1);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(pt.root[i], 0);
	assert_unmapped(0);
	assert_unmapped(0xfffff000u);
	s2pt_destroy(&pt);
	assert_null(pt.root);
	assert_int_equal(fake_pt_in_use(), 0);
	s2pt_destroy(&pt); /* a second destroy is harmless */
}

static void test_init_enomem(void **state)
{
	struct s2pt other;

	(void)state;
	fake_pt_set_limit(0);
	assert_int_equal(s2pt_init(&other, 3), HV_ENOMEM);
	assert_null(other.root);
	assert_int_equal(fake_pt_in_use(), 1);
}

static void test_map_single_page(void **state)
{
	uint64_t d;

	(void)state;
	assert_int_equal(s2pt_map(&pt, 0x40001000u, 0x12345000ull, PAGE, HV_MAP_R | HV_MAP_W),
	                 HV_OK);
	assert_maps(0x40001000u, 0x12345000ull, HV_MAP_R | HV_MAP_W);
	assert_maps(0x40001abcu, 0x12345abcull, HV_MAP_R | HV_MAP_W);
	assert_maps(0x40001fffu, 0x12345fffull, HV_MAP_R | HV_MAP_W);
	assert_unmapped(0x40000fffu);
	assert_unmapped(0x40002000u);
	assert_unmapped(0x00001000u);
	assert_int_equal(pt.tables, 3); /* root, level 2, level 3 */

	assert_int_equal(pt.root[0], 0);
	assert_int_equal(D_TYPE(pt.root[1]), D_TABLE);
	assert_int_equal(D_TYPE(l2_entry(0x40001000u)), D_TABLE);
	d = l3_entry(0x40001000u);
	assert_int_equal(d,
	                 0x12345000ull | D_PAGE | D_NORMAL_WB | D_AP_RW | D_SH_INNER | D_AF | D_XN);
	check_tree();
}

static void test_map_attributes(void **state)
{
	(void)state;
	assert_int_equal(s2pt_map(&pt, 0x0000u, 0x1000ull, PAGE, HV_MAP_R), HV_OK);
	assert_int_equal(s2pt_map(&pt, 0x1000u, 0x2000ull, PAGE, HV_MAP_W), HV_OK);
	assert_int_equal(s2pt_map(&pt, 0x2000u, 0x3000ull, PAGE, HV_MAP_RWX), HV_OK);
	assert_int_equal(
	    s2pt_map(&pt, 0x3000u, 0x09000000ull, PAGE, HV_MAP_R | HV_MAP_W | S2_DEVICE), HV_OK);
	assert_int_equal(s2pt_map(&pt, 0x4000u, 0xff00000000ull, PAGE, HV_MAP_R | HV_MAP_X), HV_OK);

	assert_int_equal(l3_entry(0x0000u),
	                 0x1000ull | D_PAGE | D_NORMAL_WB | D_AP_RO | D_SH_INNER | D_AF | D_XN);
	assert_int_equal(l3_entry(0x1000u),
	                 0x2000ull | D_PAGE | D_NORMAL_WB | D_AP_WO | D_SH_INNER | D_AF | D_XN);
	assert_int_equal(l3_entry(0x2000u),
	                 0x3000ull | D_PAGE | D_NORMAL_WB | D_AP_RW | D_SH_INNER | D_AF);
	assert_int_equal(l3_entry(0x3000u),
	                 0x09000000ull | D_PAGE | D_DEVICE | D_AP_RW | D_AF | D_XN);
	assert_int_equal(l3_entry(0x4000u),
	                 0xff00000000ull | D_PAGE | D_NORMAL_WB | D_AP_RO | D_SH_INNER | D_AF);

	assert_maps(0x0000u, 0x1000ull, HV_MAP_R);
	assert_maps(0x1000u, 0x2000ull, HV_MAP_W);
	assert_maps(0x2000u, 0x3000ull, HV_MAP_RWX);
	assert_maps(0x3004u, 0x09000004ull, HV_MAP_R | HV_MAP_W | S2_DEVICE);
	assert_maps(0x4000u, 0xff00000000ull, HV_MAP_R | HV_MAP_X);
	check_tree();
}

static void test_map_block_when_aligned(void **state)
{
	uint64_t d;

	(void)state;
	/* 4 MiB, both sides 2 MiB aligned: two blocks, only a level-2 table */
	assert_int_equal(s2pt_map(&pt, 0x00200000u, 0x40000000ull, 2 * BLOCK, HV_MAP_R | HV_MAP_X),
	                 HV_OK);
	assert_int_equal(pt.tables, 2);
	d = l2_entry(0x00200000u);
	assert_int_equal(d, 0x40000000ull | D_BLOCK | D_NORMAL_WB | D_AP_RO | D_SH_INNER | D_AF);
	assert_int_equal(D_TYPE(l2_entry(0x00400000u)), D_BLOCK);
	assert_int_equal(D_ADDR(l2_entry(0x00400000u)), 0x40200000ull);
	assert_maps(0x00200000u, 0x40000000ull, HV_MAP_R | HV_MAP_X);
	assert_maps(0x003ff123u, 0x401ff123ull, HV_MAP_R | HV_MAP_X);
	assert_maps(0x005fffffu, 0x403fffffull, HV_MAP_R | HV_MAP_X);
	assert_unmapped(0x001ff000u);
	assert_unmapped(0x00600000u);

	/* IPA aligned, PA not: pages in a level-3 table */
	assert_int_equal(s2pt_map(&pt, 0x00800000u, 0x50001000ull, BLOCK, HV_MAP_R), HV_OK);
	assert_int_equal(pt.tables, 3);
	assert_int_equal(D_TYPE(l2_entry(0x00800000u)), D_TABLE);
	assert_maps(0x009ff000u, 0x50200000ull, HV_MAP_R);

	/* Straddling: pages, one block, pages */
	assert_int_equal(s2pt_map(&pt, 0x00dff000u, 0x60dff000ull, BLOCK + 2 * PAGE, HV_MAP_W),
	                 HV_OK);
	assert_int_equal(pt.tables, 5);
	assert_int_equal(D_TYPE(l2_entry(0x00c00000u)), D_TABLE);
	assert_int_equal(D_TYPE(l2_entry(0x00e00000u)), D_BLOCK);
	assert_int_equal(D_TYPE(l2_entry(0x01000000u)), D_TABLE);
	assert_maps(0x00dff000u, 0x60dff000ull, HV_MAP_W);
	assert_maps(0x00e00000u, 0x60e00000ull, HV_MAP_W);
	assert_maps(0x01000000u, 0x61000000ull, HV_MAP_W);
	assert_unmapped(0x01001000u);
	check_tree();
}

static void test_map_top_and_boundaries(void **state)
{
	(void)state;
	/* Last page of the IPA space, last page of the PA space */
	assert_int_equal(s2pt_map(&pt, 0xfffff000u, 0xfffffff000ull, PAGE, HV_MAP_R), HV_OK);
	assert_maps(0xffffffffu, 0xffffffffffull, HV_MAP_R);
	/* Across the 1 GiB boundary, two level-2 tables */
	assert_int_equal(s2pt_map(&pt, 0x3ffff000u, 0x1000ull, 2 * PAGE, HV_MAP_R), HV_OK);
	assert_maps(0x3ffff000u, 0x1000ull, HV_MAP_R);
	assert_maps(0x40000000u, 0x2000ull, HV_MAP_R);
	/* root; region 3: level 2 + 3; regions 0 and 1: level 2 + 3 each */
	assert_int_equal(pt.tables, 7);
	/* Unmap to the very top of the space */
	assert_int_equal(s2pt_unmap(&pt, 0xc0000000u, 0x40000000u), HV_OK);
	assert_unmapped(0xfffff000u);
	assert_int_equal(pt.root[3], 0);
	check_tree();
}

static void test_map_einval(void **state)
{
	struct snapshot before;

	(void)state;
	assert_int_equal(s2pt_map(&pt, 0x1000u, 0x1000ull, PAGE, HV_MAP_R), HV_OK);
	before = snap();
	assert_int_equal(s2pt_map(&pt, 0x2800u, 0x2000ull, PAGE, HV_MAP_R), HV_EINVAL); /* ipa */
	assert_int_equal(s2pt_map(&pt, 0x2000u, 0x2010ull, PAGE, HV_MAP_R), HV_EINVAL); /* pa */
	assert_int_equal(s2pt_map(&pt, 0x2000u, 0x2000ull, 0x1800u, HV_MAP_R),
	                 HV_EINVAL); /* size */
	assert_int_equal(s2pt_map(&pt, 0x2000u, 0x2000ull, 0, HV_MAP_R), HV_EINVAL);
	assert_int_equal(s2pt_map(&pt, 0xfffff000u, 0x2000ull, 2 * PAGE, HV_MAP_R),
	                 HV_EINVAL); /* IPA wraps */
	assert_int_equal(s2pt_map(&pt, 0x2000u, 0xfffffff000ull, 2 * PAGE, HV_MAP_R),
	                 HV_EINVAL); /* PA past 40 bits */
	assert_int_equal(s2pt_map(&pt, 0x2000u, 0x10000000000ull, PAGE, HV_MAP_R), HV_EINVAL);
	assert_int_equal(s2pt_map(&pt, 0x2000u, 0xfffffffffffff000ull, 0x2000u, HV_MAP_R),
	                 HV_EINVAL);                                             /* PA wraps */
	assert_int_equal(s2pt_map(&pt, 0x2000u, 0x2000ull, PAGE, 0), HV_EINVAL); /* no access */
	assert_int_equal(s2pt_map(&pt, 0x2000u, 0x2000ull, PAGE, HV_MAP_X), HV_EINVAL);
	assert_int_equal(s2pt_map(&pt, 0x2000u, 0x2000ull, PAGE, S2_DEVICE), HV_EINVAL);
	assert_int_equal(s2pt_map(&pt, 0x2000u, 0x2000ull, PAGE, HV_MAP_R | 0x8u),
	                 HV_EINVAL); /* unknown bit */
	/* EINVAL wins over EBUSY */
	assert_int_equal(s2pt_map(&pt, 0x1000u, 0x1000ull, PAGE, 0), HV_EINVAL);
	assert_same(before, snap());
	assert_unmapped(0x2000u);
}

static void test_unmap_einval(void **state)
{
	struct snapshot before;

	(void)state;
	assert_int_equal(s2pt_map(&pt, 0x1000u, 0x1000ull, PAGE, HV_MAP_R), HV_OK);
	before = snap();
	assert_int_equal(s2pt_unmap(&pt, 0x1800u, PAGE), HV_EINVAL);
	assert_int_equal(s2pt_unmap(&pt, 0x1000u, 0x800u), HV_EINVAL);
	assert_int_equal(s2pt_unmap(&pt, 0x1000u, 0), HV_EINVAL);
	assert_int_equal(s2pt_unmap(&pt, 0xfffff000u, 2 * PAGE), HV_EINVAL);
	assert_same(before, snap());
	assert_maps(0x1000u, 0x1000ull, HV_MAP_R);
}

static void test_map_ebusy(void **state)
{
	struct snapshot before;

	(void)state;
	assert_int_equal(s2pt_map(&pt, 0x00200000u, 0x00200000ull, BLOCK, HV_MAP_R), HV_OK);
	assert_int_equal(s2pt_map(&pt, 0x40005000u, 0x9000ull, PAGE, HV_MAP_W), HV_OK);
	before = snap();
	/* A page inside the block */
	assert_int_equal(s2pt_map(&pt, 0x00300000u, 0x1000ull, PAGE, HV_MAP_R), HV_EBUSY);
	/* The same block again */
	assert_int_equal(s2pt_map(&pt, 0x00200000u, 0x00200000ull, BLOCK, HV_MAP_R), HV_EBUSY);
	/* A range whose last page is the block's first */
	assert_int_equal(s2pt_map(&pt, 0x001f0000u, 0x1000ull, 0x11000u, HV_MAP_R), HV_EBUSY);
	/* A range over several free pages, one mapped page, more free pages;
	   it would need a new level-2 table for its first part */
	assert_int_equal(s2pt_map(&pt, 0x3ffff000u, 0x1000ull, 0x8000u, HV_MAP_R), HV_EBUSY);
	/* A block-sized aligned range over a level-3 table with one page */
	assert_int_equal(s2pt_map(&pt, 0x40000000u, 0x0ull, BLOCK, HV_MAP_R), HV_EBUSY);
	/* EBUSY is found before any allocation is tried */
	fake_pt_set_limit(0);
	assert_int_equal(s2pt_map(&pt, 0x3ffff000u, 0x1000ull, 0x8000u, HV_MAP_R), HV_EBUSY);
	fake_pt_set_limit(-1);
	assert_same(before, snap());
	assert_unmapped(0x3ffff000u);
	assert_unmapped(0x40004000u);
	assert_maps(0x40005000u, 0x9000ull, HV_MAP_W);
	assert_maps(0x003fffffu, 0x003fffffull, HV_MAP_R);
}

static uint32_t bbm_block_ipa;
static uint64_t bbm_desc_at_flush;
static unsigned bbm_flushes;

/* At each invalidation, record what the walker would see for the block. */
static void record_block_slot(uint32_t vmid, uint32_t ipa, uint32_t size)
{
	assert_int_equal(vmid, VMID);
	if (ipa == bbm_block_ipa && size == BLOCK) {
		bbm_desc_at_flush = l2_entry(bbm_block_ipa);
		bbm_flushes++;
	}
}

static void test_unmap_splits_block(void **state)
{
	struct fake_tlb_call last;

	(void)state;
	assert_int_equal(
	    s2pt_map(&pt, 0x00600000u, 0x20000000ull, BLOCK, HV_MAP_R | HV_MAP_W | S2_DEVICE),
	    HV_OK);
	assert_int_equal(pt.tables, 2);
	bbm_block_ipa = 0x00600000u;
	bbm_desc_at_flush = ~0ull;
	fake_tlb_set_hook(record_block_slot);

	assert_int_equal(s2pt_unmap(&pt, 0x00601000u, 2 * PAGE), HV_OK);
	fake_tlb_set_hook(NULL);
	/* Break-before-make: the block was gone when its range was flushed */
	assert_int_equal(bbm_flushes, 1);
	assert_int_equal(bbm_desc_at_flush, 0);
	/* Then one flush of the unmapped range */
	assert_int_equal(fake_tlb_calls(), 2);
	last = fake_tlb_last();
	assert_int_equal(last.vmid, VMID);
	assert_int_equal(last.ipa, 0x00601000u);
	assert_int_equal(last.size, 2 * PAGE);

	assert_int_equal(pt.tables, 3);
	assert_int_equal(D_TYPE(l2_entry(0x00600000u)), D_TABLE);
	assert_int_equal(l3_entry(0x00600000u),
	                 0x20000000ull | D_PAGE | D_DEVICE | D_AP_RW | D_AF | D_XN);
	assert_unmapped(0x00601000u);
	assert_unmapped(0x00602fffu);
	for (uint32_t off = 0; off < BLOCK; off += PAGE) {
		if (off == PAGE || off == 2 * PAGE)
			continue;
		assert_maps(0x00600000u + off + 0x10, 0x20000010ull + off,
		            HV_MAP_R | HV_MAP_W | S2_DEVICE);
	}
	check_tree();
}

static void test_unmap_splits_two_blocks(void **state)
{
	(void)state;
	/* A range from inside one block to inside the next: two splits */
	assert_int_equal(s2pt_map(&pt, 0x00200000u, 0x00a00000ull, 2 * BLOCK, HV_MAP_R), HV_OK);
	fake_pt_set_limit(1);
	assert_int_equal(s2pt_unmap(&pt, 0x003ff000u, 2 * PAGE), HV_ENOMEM);
	fake_pt_set_limit(2);
	assert_int_equal(s2pt_unmap(&pt, 0x003ff000u, 2 * PAGE), HV_OK);
	fake_pt_set_limit(-1);
	assert_int_equal(pt.tables, 4);
	assert_maps(0x003fe000u, 0x00bfe000ull, HV_MAP_R);
	assert_unmapped(0x003ff000u);
	assert_unmapped(0x00400000u);
	assert_maps(0x00401000u, 0x00c01000ull, HV_MAP_R);
	/* Whole blocks inside a range need no split */
	assert_int_equal(s2pt_map(&pt, 0x00800000u, 0x00800000ull, 2 * BLOCK, HV_MAP_R), HV_OK);
	fake_pt_set_limit(0);
	assert_int_equal(s2pt_unmap(&pt, 0x00800000u, 2 * BLOCK), HV_OK);
	fake_pt_set_limit(-1);
	assert_unmapped(0x00800000u);
	check_tree();
}

static void test_unmap_frees_empty_tables(void **state)
{
	unsigned calls;

	(void)state;
	assert_int_equal(s2pt_map(&pt, 0x00001000u, 0x1000ull, 3 * PAGE, HV_MAP_R), HV_OK);
	assert_int_equal(s2pt_map(&pt, 0x3fe00000u, 0x3fe00000ull, 2 * BLOCK, HV_MAP_R), HV_OK);
	assert_int_equal(s2pt_map(&pt, 0x80300000u, 0x5000ull, 0x101000u, HV_MAP_W), HV_OK);
	/* root; region 0: level 2 + 3; region 1: level 2 (a block);
	   region 2: level 2 + two level 3 */
	assert_int_equal(pt.tables, 7);
	check_tree();

	/* Partly unmapping a level-3 table keeps it */
	assert_int_equal(s2pt_unmap(&pt, 0x00001000u, PAGE), HV_OK);
	assert_int_equal(pt.tables, 7);
	/* Its last pages free it; level 2 stays for the 0x3fe00000 block */
	assert_int_equal(s2pt_unmap(&pt, 0x00002000u, 2 * PAGE), HV_OK);
	assert_int_equal(pt.tables, 6);
	assert_int_equal(l2_entry(0x00000000u), 0);
	assert_int_equal(D_TYPE(l2_entry(0x3fe00000u)), D_BLOCK);
	/* The block was the last entry of region 1's level 2: freed too */
	assert_int_equal(s2pt_unmap(&pt, 0x40000000u, BLOCK), HV_OK);
	assert_int_equal(pt.tables, 5);
	assert_int_equal(pt.root[1], 0);
	check_tree();

	/* Unmapping nothing is fine and flushes nothing */
	calls = fake_tlb_calls();
	assert_int_equal(s2pt_unmap(&pt, 0xc0000000u, 0x10000000u), HV_OK);
	assert_int_equal(s2pt_unmap(&pt, 0x00000000u, 0x1000u), HV_OK);
	assert_int_equal(fake_tlb_calls(), calls);

	/* Everything: back to the root alone */
	assert_int_equal(s2pt_unmap(&pt, 0x00000000u, 0xfffff000u), HV_OK);
	assert_int_equal(s2pt_unmap(&pt, 0xfffff000u, 0x1000u), HV_OK);
	assert_int_equal(pt.tables, 1);
	assert_int_equal(fake_pt_in_use(), 1);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(pt.root[i], 0);
	check_tree();
}

static void test_map_enomem_changes_nothing(void **state)
{
	struct snapshot before;

	(void)state;
	assert_int_equal(s2pt_map(&pt, 0x00001000u, 0x1000ull, PAGE, HV_MAP_R), HV_OK);
	before = snap();
	/* Needs a level-3 table in region 0, a level-2 and a level-3 in 1 */
	for (int limit = 0; limit < 3; limit++) {
		fake_pt_set_limit(limit);
		assert_int_equal(
		    s2pt_map(&pt, 0x3ffff000u, 0x7000ull, 2 * PAGE, HV_MAP_R | HV_MAP_W),
		    HV_ENOMEM);
		fake_pt_set_limit(-1);
		assert_same(before, snap());
		assert_unmapped(0x3ffff000u);
		assert_unmapped(0x40000000u);
		assert_maps(0x00001000u, 0x1000ull, HV_MAP_R);
	}
	fake_pt_set_limit(3);
	assert_int_equal(s2pt_map(&pt, 0x3ffff000u, 0x7000ull, 2 * PAGE, HV_MAP_R | HV_MAP_W),
	                 HV_OK);
	fake_pt_set_limit(-1);
	assert_int_equal(pt.tables, before.tables + 3);
	assert_maps(0x40000000u, 0x8000ull, HV_MAP_R | HV_MAP_W);
	check_tree();
}

static void test_unmap_enomem_changes_nothing(void **state)
{
	struct snapshot before;

	(void)state;
	assert_int_equal(s2pt_map(&pt, 0x00400000u, 0x00400000ull, BLOCK, HV_MAP_R), HV_OK);
	before = snap();
	fake_pt_set_limit(0);
	assert_int_equal(s2pt_unmap(&pt, 0x00500000u, PAGE), HV_ENOMEM);
	fake_pt_set_limit(-1);
	assert_same(before, snap());
	assert_maps(0x00500000u, 0x00500000ull, HV_MAP_R);
}

static void test_destroy_frees_everything(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 4; i++) {
		uint32_t base = i << 30;

		assert_int_equal(s2pt_map(&pt, base + 0x1000u, 0x1000ull, PAGE, HV_MAP_R), HV_OK);
		assert_int_equal(s2pt_map(&pt, base + 0x10000000u, 0ull, BLOCK, HV_MAP_R), HV_OK);
		assert_int_equal(s2pt_map(&pt, base + 0x20000000u, 0x1000ull, BLOCK, HV_MAP_R),
		                 HV_OK);
	}
	assert_int_equal(pt.tables, 1 + 4 * 3);
	check_tree();
	/* teardown checks that s2pt_destroy gives every page back */
}

/* ---- randomized run against a reference model -------------------------------- */

#define WIN_BASE   0x3fc00000u /* straddles the 1 GiB boundary */
#define WIN_PAGES  2048u       /* 8 MiB: four 2 MiB regions */
#define RANDOM_OPS 20000

struct model_page {
	int mapped;
	uint64_t pa;
	unsigned attr;
};

static struct model_page model[WIN_PAGES];
static uint32_t rng = 0x2545f491u;

static uint32_t rnd(void) /* xorshift32: same sequence on every host */
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static uint32_t rnd_below(uint32_t n)
{
	return rnd() % n;
}

static unsigned rnd_attr(void)
{
	unsigned attr;

	do
		attr = rnd_below(8);
	while (!(attr & (HV_MAP_R | HV_MAP_W)));
	if (rnd_below(4) == 0)
		attr |= S2_DEVICE;
	return attr;
}

/* A random range of pages in the window: small, whole blocks, straddling. */
static void rnd_range(uint32_t *first, uint32_t *count)
{
	uint32_t start, len;

	switch (rnd_below(4)) {
	case 0:
		start = rnd_below(WIN_PAGES);
		len = 1 + rnd_below(16);
		break;
	case 1:
		start = rnd_below(WIN_PAGES / 512) * 512;
		len = 512 * (1 + rnd_below(2));
		break;
	case 2:
		len = 1 + rnd_below(64);
		start = (1 + rnd_below(WIN_PAGES / 512 - 1)) * 512 - len;
		len += 1 + rnd_below(600);
		break;
	default:
		start = rnd_below(WIN_PAGES);
		len = 1 + rnd_below(1200);
		break;
	}
	if (start + len > WIN_PAGES)
		len = WIN_PAGES - start;
	*first = start;
	*count = len;
}

static uint64_t rnd_pa(uint32_t ipa)
{
	if (rnd_below(2)) /* same offset in a 2 MiB block: blocks possible */
		return ((uint64_t)rnd_below(1u << 18) << 21) | (ipa % BLOCK);
	return (uint64_t)rnd_below(1u << 27) << 12;
}

static int model_any_mapped(uint32_t first, uint32_t count)
{
	for (uint32_t i = first; i < first + count; i++)
		if (model[i].mapped)
			return 1;
	return 0;
}

static void check_against_model(void)
{
	for (uint32_t i = 0; i < WIN_PAGES; i++) {
		uint32_t off = (i * 0x123u) % PAGE;
		uint32_t ipa = WIN_BASE + i * PAGE + off;
		uint64_t pa = 0;
		unsigned attr = 0;
		int rc = s2pt_lookup(&pt, ipa, &pa, &attr);

		if (!model[i].mapped) {
			assert_int_equal(rc, HV_EFAULT);
			continue;
		}
		assert_int_equal(rc, HV_OK);
		assert_int_equal(pa, model[i].pa + off);
		assert_int_equal(attr, model[i].attr);
	}
	assert_unmapped(WIN_BASE - PAGE);
	assert_unmapped(WIN_BASE + WIN_PAGES * PAGE);
}

struct random_stats {
	unsigned maps, busy, unmaps, enomem, splits;
};

static void random_map(uint32_t first, uint32_t count, int limited, struct random_stats *st)
{
	uint32_t ipa = WIN_BASE + first * PAGE;
	uint64_t pa = rnd_pa(ipa);
	unsigned attr = rnd_attr();
	struct snapshot before = snap();
	int rc = s2pt_map(&pt, ipa, pa, count * PAGE, attr);

	if (model_any_mapped(first, count)) {
		assert_int_equal(rc, HV_EBUSY);
		st->busy++;
	} else if (rc == HV_ENOMEM && limited) {
		st->enomem++;
	} else {
		assert_int_equal(rc, HV_OK);
		st->maps++;
		for (uint32_t i = 0; i < count; i++)
			model[first + i] = (struct model_page){1, pa + (uint64_t)i * PAGE, attr};
	}
	if (rc != HV_OK)
		assert_same(before, snap());
}

static void random_unmap(uint32_t first, uint32_t count, int limited, struct random_stats *st)
{
	uint32_t ipa = WIN_BASE + first * PAGE;
	struct snapshot before = snap();
	int rc = s2pt_unmap(&pt, ipa, count * PAGE);
	int had = model_any_mapped(first, count);
	struct fake_tlb_call last;

	if (rc == HV_ENOMEM && limited) {
		st->enomem++;
		assert_same(before, snap());
		return;
	}
	assert_int_equal(rc, HV_OK);
	st->unmaps++;
	if (!had) {
		assert_int_equal(fake_tlb_calls(), before.tlb_calls);
		return;
	}
	/* one flush of the range, after a break-before-make flush per split */
	assert_true(fake_tlb_calls() >= before.tlb_calls + 1);
	assert_true(fake_tlb_calls() <= before.tlb_calls + 3);
	st->splits += fake_tlb_calls() - before.tlb_calls - 1;
	last = fake_tlb_last();
	assert_int_equal(last.vmid, VMID);
	assert_int_equal(last.ipa, ipa);
	assert_int_equal(last.size, count * PAGE);
	for (uint32_t i = 0; i < count; i++)
		model[first + i].mapped = 0;
}

static void test_random_against_model(void **state)
{
	struct random_stats st = {0, 0, 0, 0, 0};

	(void)state;
	memset(model, 0, sizeof(model));
	blocks_seen = 0;
	for (int op = 0; op < RANDOM_OPS; op++) {
		uint32_t first, count;
		int limited = rnd_below(10) == 0;

		rnd_range(&first, &count);
		if (limited)
			fake_pt_set_limit((int)rnd_below(3));
		if (rnd_below(100) < 55)
			random_map(first, count, limited, &st);
		else
			random_unmap(first, count, limited, &st);
		fake_pt_set_limit(-1);
		check_against_model();
	}
	print_message("random: %u maps, %u busy, %u unmaps, %u enomem, "
	              "%u splits, %u block descriptors seen\n",
	              st.maps, st.busy, st.unmaps, st.enomem, st.splits, blocks_seen);
	/* The run did reach every path it is meant to */
	assert_true(st.maps > 100 && st.busy > 100 && st.unmaps > 100);
	assert_true(st.enomem > 10 && st.splits > 10 && blocks_seen > 100);

	assert_int_equal(s2pt_unmap(&pt, WIN_BASE, WIN_PAGES * PAGE), HV_OK);
	assert_int_equal(pt.tables, 1);
	assert_int_equal(fake_pt_in_use(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_init_destroy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_init_enomem, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_single_page, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_attributes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_block_when_aligned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_top_and_boundaries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_einval, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unmap_einval, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_ebusy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unmap_splits_block, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unmap_splits_two_blocks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unmap_frees_empty_tables, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_enomem_changes_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unmap_enomem_changes_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_frees_everything, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_random_against_model, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
