/* Unit tests of data-abort decoding and MMIO dispatch (servers/vmm/mmio.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mmio.h"

#define EC_DABT_LOW (0x24u << 26)
#define IL          (1u << 25)
#define ISV         (1u << 24)
#define SSE         (1u << 21)
#define WNR         (1u << 6)

static uint32_t sas(unsigned v)
{
	return v << 22;
}

static uint32_t srt(unsigned rt)
{
	return rt << 16;
}

static void test_decode_word_load(void **state)
{
	struct mmio_access a;

	(void)state;
	assert_int_equal(
	    mmio_decode(EC_DABT_LOW | IL | ISV | sas(2) | srt(5), 0x08000004, 0x11223344, &a), 0);
	assert_int_equal(a.ipa, 0x08000004);
	assert_int_equal(a.size, 4);
	assert_false(a.write);
	assert_false(a.sign_extend);
	assert_int_equal(a.rt, 5);
	assert_int_equal(a.value, 0);
	assert_int_equal(mmio_load_value(&a, 0x80000001), 0x80000001);
}

static void test_decode_stores(void **state)
{
	struct mmio_access a;

	(void)state;
	assert_int_equal(
	    mmio_decode(EC_DABT_LOW | IL | ISV | sas(0) | srt(3) | WNR, 0x09000000, 0xABCDEF41, &a),
	    0);
	assert_true(a.write);
	assert_int_equal(a.size, 1);
	assert_int_equal(a.rt, 3);
	assert_int_equal(a.value, 0x41);
	assert_int_equal(
	    mmio_decode(EC_DABT_LOW | ISV | sas(1) | srt(14) | WNR, 0x09000030, 0xABCD8301, &a), 0);
	assert_int_equal(a.size, 2);
	assert_int_equal(a.rt, 14);
	assert_int_equal(a.value, 0x8301);
	assert_false(a.sign_extend);
	assert_int_equal(
	    mmio_decode(EC_DABT_LOW | IL | ISV | sas(2) | srt(0) | WNR, 0x08000000, 0xFFFFFFFF, &a),
	    0);
	assert_int_equal(a.size, 4);
	assert_int_equal(a.rt, 0);
	assert_int_equal(a.value, 0xFFFFFFFF);
}

static void test_decode_byte_and_half_loads(void **state)
{
	struct mmio_access a;

	(void)state;
	assert_int_equal(mmio_decode(EC_DABT_LOW | ISV | sas(0) | srt(1), 0x10, 0, &a), 0);
	assert_int_equal(a.size, 1);
	assert_int_equal(mmio_load_value(&a, 0x12345680), 0x80);
	assert_int_equal(mmio_decode(EC_DABT_LOW | ISV | sas(1) | srt(15), 0x10, 0, &a), 0);
	assert_int_equal(a.size, 2);
	assert_int_equal(a.rt, 15);
	assert_int_equal(mmio_load_value(&a, 0x1234F680), 0xF680);
}

static void test_sign_extension(void **state)
{
	struct mmio_access a;

	(void)state;
	/* LDRSB */
	assert_int_equal(mmio_decode(EC_DABT_LOW | ISV | SSE | sas(0) | srt(2), 0x10, 0, &a), 0);
	assert_true(a.sign_extend);
	assert_int_equal(mmio_load_value(&a, 0x80), 0xFFFFFF80);
	assert_int_equal(mmio_load_value(&a, 0x1234567F), 0x7F);
	/* LDRSH */
	assert_int_equal(mmio_decode(EC_DABT_LOW | ISV | SSE | sas(1) | srt(2), 0x10, 0, &a), 0);
	assert_int_equal(mmio_load_value(&a, 0x00008001), 0xFFFF8001);
	assert_int_equal(mmio_load_value(&a, 0xFFFF7FFF), 0x7FFF);
	/* SSE on a word changes nothing */
	assert_int_equal(mmio_decode(EC_DABT_LOW | ISV | SSE | sas(2) | srt(2), 0x10, 0, &a), 0);
	assert_int_equal(mmio_load_value(&a, 0x80000000), 0x80000000);
	/* stores are never sign-extended */
	assert_int_equal(mmio_decode(EC_DABT_LOW | ISV | SSE | WNR | sas(0), 0x10, 0xF0, &a), 0);
	assert_false(a.sign_extend);
	assert_int_equal(a.value, 0xF0);
}

static void test_decode_rejects(void **state)
{
	struct mmio_access a;

	(void)state;
	/* ISV = 0: no syndrome (e.g. LDM, or writeback) */
	assert_int_equal(mmio_decode(EC_DABT_LOW | IL | sas(2) | srt(1), 0x10, 0, &a), -1);
	/* SAS = 3 is reserved in AArch32 */
	assert_int_equal(mmio_decode(EC_DABT_LOW | ISV | sas(3), 0x10, 0, &a), -1);
	/* not a data abort from a lower level */
	assert_int_equal(mmio_decode((0x20u << 26) | ISV | sas(2), 0x10, 0, &a), -1);
	assert_int_equal(mmio_decode((0x25u << 26) | ISV | sas(2), 0x10, 0, &a), -1);
}

/* ---- dispatch ----------------------------------------------------------- */

static int dummy_read(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t *val)
{
	(void)ctx;
	(void)cpu;
	(void)size;
	*val = off;
	return 0;
}

static int dummy_write(void *ctx, unsigned cpu, uint32_t off, unsigned size, uint32_t val)
{
	(void)ctx;
	(void)cpu;
	(void)off;
	(void)size;
	(void)val;
	return 0;
}

static const struct mmio_region regions[] = {
    {0x08000000, 0x1000, dummy_read, dummy_write, NULL},
    {0x08010000, 0x2000, dummy_read, dummy_write, NULL},
    {0x09000000, 0x1000, dummy_read, dummy_write, NULL},
    {0x0A000000, 0x200, dummy_read, dummy_write, NULL},
    {0xFFFFF000, 0x1000, dummy_read, dummy_write, NULL},
};

#define NR_REGIONS (sizeof(regions) / sizeof(regions[0]))

static void test_find(void **state)
{
	(void)state;
	assert_ptr_equal(mmio_find(regions, NR_REGIONS, 0x08000000), &regions[0]);
	assert_ptr_equal(mmio_find(regions, NR_REGIONS, 0x08000FFF), &regions[0]);
	assert_null(mmio_find(regions, NR_REGIONS, 0x08001000));
	assert_ptr_equal(mmio_find(regions, NR_REGIONS, 0x08011FFC), &regions[1]);
	assert_null(mmio_find(regions, NR_REGIONS, 0x08012000));
	assert_ptr_equal(mmio_find(regions, NR_REGIONS, 0x09000018), &regions[2]);
	assert_ptr_equal(mmio_find(regions, NR_REGIONS, 0x0A0001FF), &regions[3]);
	assert_null(mmio_find(regions, NR_REGIONS, 0x0A000200));
	assert_ptr_equal(mmio_find(regions, NR_REGIONS, 0xFFFFFFFF), &regions[4]);
	assert_null(mmio_find(regions, NR_REGIONS, 0x07FFFFFF));
	assert_null(mmio_find(regions, NR_REGIONS, 0));
	assert_null(mmio_find(regions, NR_REGIONS, 0x40000000));
	assert_null(mmio_find(regions, 0, 0x08000000));
	assert_ptr_equal(mmio_find(regions, 1, 0x08000000), &regions[0]);
	assert_null(mmio_find(regions, 1, 0x09000000));
}

/* Every address of a small map, against a linear search. */
static void test_find_matches_linear_search(void **state)
{
	(void)state;
	for (unsigned n = 0; n <= 4; n++) {
		for (uint32_t ipa = 0x07FFF000; ipa < 0x0A001000; ipa += 0x100) {
			const struct mmio_region *want = NULL;

			for (unsigned i = 0; i < n; i++)
				if (ipa >= regions[i].base &&
				    ipa - regions[i].base < regions[i].size)
					want = &regions[i];
			assert_ptr_equal(mmio_find(regions, n, ipa), want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_word_load),
	    cmocka_unit_test(test_decode_stores),
	    cmocka_unit_test(test_decode_byte_and_half_loads),
	    cmocka_unit_test(test_sign_extension),
	    cmocka_unit_test(test_decode_rejects),
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_find_matches_linear_search),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
