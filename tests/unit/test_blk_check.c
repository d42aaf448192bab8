/* Unit tests of the block server's checks (servers/devices/blk/check.c):
 * buffers inside the VM's RAM only, sectors on the disk only, batch counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <hv/layout.h>

#include "../../servers/devices/blk/check.h"

static const struct blk_disk disk = {.ram_pa = 0x50000000u, .ram_size = 0x100000u, .sectors = 100};

static void test_ram(void **state)
{
	(void)state;
	assert_int_equal(blk_ram_pa(&disk, HV_GUEST_RAM, 512), 0x50000000u);
	assert_int_equal(blk_ram_pa(&disk, HV_GUEST_RAM + 0xff000, 0x1000), 0x500ff000u);
	assert_int_equal(blk_ram_pa(&disk, HV_GUEST_RAM + 0xff000, 0x1001), 0); /* past the end */
	assert_int_equal(blk_ram_pa(&disk, HV_GUEST_RAM + 0x100000, 1), 0);
	assert_int_equal(blk_ram_pa(&disk, HV_GUEST_RAM - 512, 1024), 0); /* below RAM */
	assert_int_equal(blk_ram_pa(&disk, 0x1000, 512), 0);
	assert_int_equal(blk_ram_pa(&disk, HV_GUEST_RAM + 0x1000, 0xfffff000u), 0); /* wraps */
	assert_int_equal(blk_ram_pa(&disk, 0xfffffe00u, 0x400), 0);
	assert_int_equal(blk_ram_pa(&disk, HV_GUEST_RAM, 0), 0);
}

static void test_sectors(void **state)
{
	(void)state;
	assert_true(blk_sectors_ok(&disk, 0, 100 * 512));
	assert_true(blk_sectors_ok(&disk, 99, 512));
	assert_true(blk_sectors_ok(&disk, 100, 0));
	assert_false(blk_sectors_ok(&disk, 99, 1024));
	assert_false(blk_sectors_ok(&disk, 100, 512));
	assert_false(blk_sectors_ok(&disk, 101, 0));
	assert_false(blk_sectors_ok(&disk, UINT64_MAX, 512)); /* sector + count wraps */
	assert_false(blk_sectors_ok(&disk, 0, 100));          /* not whole sectors */
}

static struct blk_batch b;

static void test_batch(void **state)
{
	(void)state;
	memset(&b, 0, sizeof(b));
	assert_true(blk_batch_ok(&b));
	b.nreqs = 2;
	b.req[0].nsegs = 3;
	b.req[1].nsegs = BLK_MAX_SEGS;
	b.nsegs = 3 + BLK_MAX_SEGS;
	assert_true(blk_batch_ok(&b));
	b.nsegs--; /* the counts disagree */
	assert_false(blk_batch_ok(&b));
	b.req[1].nsegs = BLK_MAX_SEGS + 1;
	b.nsegs = 4 + BLK_MAX_SEGS;
	assert_false(blk_batch_ok(&b));
	b.req[1].nsegs = 0x80000000u; /* would wrap the sum with the next */
	b.req[2].nsegs = 0x80000003u;
	b.nreqs = 3;
	b.nsegs = 6;
	assert_false(blk_batch_ok(&b));
	b.nreqs = BLK_BATCH_MAX + 1;
	b.nsegs = 0;
	assert_false(blk_batch_ok(&b));
	b.nreqs = 0;
	b.nsegs = BLK_BATCH_SEGS + 1;
	assert_false(blk_batch_ok(&b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ram),
	    cmocka_unit_test(test_sectors),
	    cmocka_unit_test(test_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
