/*
 * Capability tables (microkernel/core/cap.c): lookups check slot range,
 * type and rights; copies only reduce rights, never overwrite, and badge
 * only endpoints and notifications; deletes and revocation clear exactly
 * what they should.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel.h"

struct aspace aspaces[MAX_ASPACES];

static struct aspace *a, *b;
static int endpoint_object, thread_object;

static int setup(void **state)
{
	(void)state;
	memset(aspaces, 0, sizeof(aspaces));
	a = &aspaces[0];
	b = &aspaces[1];
	a->used = b->used = true;
	a->caps[1] = (struct cap){
	    .type = HV_CAP_ENDPOINT, .rights = HV_RIGHTS_ALL, .badge = 5, .obj = &endpoint_object};
	a->caps[2] =
	    (struct cap){.type = HV_CAP_THREAD, .rights = HV_RIGHT_READ, .obj = &thread_object};
	a->caps[3] = (struct cap){
	    .type = HV_CAP_MEMORY, .rights = HV_RIGHTS_ALL, .mem = {0x41000000, 0x100000}};
	return 0;
}

static void test_lookup_checks_type_rights_and_range(void **state)
{
	(void)state;
	assert_ptr_equal(cap_lookup(a, 1, HV_CAP_ENDPOINT, HV_RIGHT_WRITE), &a->caps[1]);
	assert_null(cap_lookup(a, 1, HV_CAP_NOTIFICATION, 0));
	assert_null(cap_lookup(a, 2, HV_CAP_THREAD, HV_RIGHT_WRITE));
	assert_ptr_equal(cap_lookup(a, 2, HV_CAP_THREAD, HV_RIGHT_READ), &a->caps[2]);
	assert_null(cap_lookup(a, 0, HV_CAP_ENDPOINT, 0));
	assert_null(cap_lookup(a, HV_CAP_SLOTS, HV_CAP_ENDPOINT, 0));
	assert_null(cap_lookup(a, 0xffffffffu, HV_CAP_ENDPOINT, 0));
	assert_null(cap_lookup(a, 9, HV_CAP_NULL + 1, 0));
}

static void test_copy_reduces_rights_and_sets_badge(void **state)
{
	(void)state;
	assert_int_equal(cap_copy(b, 7, a, 1, HV_RIGHT_WRITE, 9), HV_OK);
	assert_int_equal(b->caps[7].type, HV_CAP_ENDPOINT);
	assert_int_equal(b->caps[7].rights, HV_RIGHT_WRITE);
	assert_int_equal(b->caps[7].badge, 9);
	assert_ptr_equal(b->caps[7].obj, &endpoint_object);
	/* a zero badge keeps the source's */
	assert_int_equal(cap_copy(b, 8, a, 1, HV_RIGHTS_ALL, 0), HV_OK);
	assert_int_equal(b->caps[8].badge, 5);
	/* copying can never add rights */
	assert_int_equal(cap_copy(b, 9, a, 2, HV_RIGHTS_ALL, 0), HV_OK);
	assert_int_equal(b->caps[9].rights, HV_RIGHT_READ);
}

static void test_copy_rejects_bad_arguments_and_changes_nothing(void **state)
{
	(void)state;
	struct aspace before;
	memcpy(&before, b, sizeof(before));
	assert_int_equal(cap_copy(b, 7, a, 40, HV_RIGHTS_ALL, 0), HV_ECAP);   /* empty source */
	assert_int_equal(cap_copy(b, 7, a, 4000, HV_RIGHTS_ALL, 0), HV_ECAP); /* out of range */
	assert_int_equal(cap_copy(b, 0, a, 1, HV_RIGHTS_ALL, 0), HV_EINVAL);  /* slot 0 */
	assert_int_equal(cap_copy(b, HV_CAP_SLOTS, a, 1, HV_RIGHTS_ALL, 0), HV_EINVAL);
	assert_int_equal(cap_copy(b, 7, a, 1, 0x80, 0), HV_EINVAL);          /* unknown right */
	assert_int_equal(cap_copy(b, 7, a, 3, HV_RIGHTS_ALL, 3), HV_EINVAL); /* badged memory */
	assert_memory_equal(&before, b, sizeof(before));
	assert_int_equal(cap_copy(b, 7, a, 1, HV_RIGHTS_ALL, 0), HV_OK);
	assert_int_equal(cap_copy(b, 7, a, 2, HV_RIGHTS_ALL, 0), HV_EBUSY); /* occupied */
	assert_int_equal(b->caps[7].type, HV_CAP_ENDPOINT);
}

static void test_delete(void **state)
{
	(void)state;
	assert_int_equal(cap_delete(a, 1), HV_OK);
	assert_int_equal(a->caps[1].type, HV_CAP_NULL);
	assert_int_equal(cap_delete(a, 1), HV_ECAP);
	assert_int_equal(cap_delete(a, 0), HV_EINVAL);
	assert_int_equal(cap_delete(a, HV_CAP_SLOTS), HV_EINVAL);
	assert_int_equal(a->caps[2].type, HV_CAP_THREAD);
}

static void test_revoke_clears_every_copy_of_one_object(void **state)
{
	(void)state;
	assert_int_equal(cap_copy(b, 10, a, 1, HV_RIGHTS_ALL, 0), HV_OK);
	assert_int_equal(cap_copy(a, 11, a, 1, HV_RIGHT_READ, 0), HV_OK);
	assert_int_equal(cap_copy(b, 12, a, 2, HV_RIGHTS_ALL, 0), HV_OK);
	cap_revoke_object(&endpoint_object);
	assert_int_equal(a->caps[1].type, HV_CAP_NULL);
	assert_int_equal(a->caps[11].type, HV_CAP_NULL);
	assert_int_equal(b->caps[10].type, HV_CAP_NULL);
	assert_int_equal(b->caps[12].type, HV_CAP_THREAD); /* another object: untouched */
	assert_int_equal(a->caps[3].type, HV_CAP_MEMORY);  /* ranges are not pointers */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_lookup_checks_type_rights_and_range, setup),
	    cmocka_unit_test_setup(test_copy_reduces_rights_and_sets_badge, setup),
	    cmocka_unit_test_setup(test_copy_rejects_bad_arguments_and_changes_nothing, setup),
	    cmocka_unit_test_setup(test_delete, setup),
	    cmocka_unit_test_setup(test_revoke_clears_every_copy_of_one_object, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
