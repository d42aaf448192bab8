/* Unit tests of PSCI 0.2 handling (servers/vmm/psci.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "psci.h"

static struct psci_result call(struct psci_state *s, unsigned caller, uint32_t fn, uint32_t a1,
                               uint32_t a2, uint32_t a3)
{
	struct psci_result r;

	psci_call(s, caller, fn, a1, a2, a3, &r);
	return r;
}

static void assert_plain_return(const struct psci_result *r, int32_t ret)
{
	assert_int_equal(r->ret, ret);
	assert_int_equal(r->effect, PSCI_NONE);
}

static void test_init(void **state)
{
	struct psci_state s;

	(void)state;
	psci_init(&s, 3);
	assert_int_equal(s.nr_cpus, 3);
	assert_int_equal(s.power[0], PSCI_ON);
	assert_int_equal(s.power[1], PSCI_OFF);
	assert_int_equal(s.power[2], PSCI_OFF);
	psci_init(&s, 0);
	assert_int_equal(s.nr_cpus, 1);
	psci_init(&s, 99);
	assert_int_equal(s.nr_cpus, PSCI_MAX_CPUS);
}

static void test_version(void **state)
{
	struct psci_state s;
	struct psci_result r;

	(void)state;
	psci_init(&s, 1);
	r = call(&s, 0, 0x84000000, 0, 0, 0);
	assert_plain_return(&r, 0x00000002);
}

static void test_cpu_on(void **state)
{
	struct psci_state s;
	struct psci_result r;

	(void)state;
	psci_init(&s, 4);
	r = call(&s, 0, 0x84000003, 2, 0x40008000, 0xCAFE);
	assert_int_equal(r.ret, PSCI_RET_SUCCESS);
	assert_int_equal(r.effect, PSCI_START_CPU);
	assert_int_equal(r.cpu, 2);
	assert_int_equal(r.entry, 0x40008000);
	assert_int_equal(r.context, 0xCAFE);
	assert_int_equal(s.power[2], PSCI_ON);
	/* started CPUs may start others */
	r = call(&s, 2, 0x84000003, 3, 0x1000, 0);
	assert_int_equal(r.effect, PSCI_START_CPU);
	assert_int_equal(r.cpu, 3);
}

static void test_cpu_on_errors(void **state)
{
	struct psci_state s;
	struct psci_result r;

	(void)state;
	psci_init(&s, 2);
	r = call(&s, 0, 0x84000003, 0, 0x1000, 0); /* itself */
	assert_plain_return(&r, PSCI_RET_ALREADY_ON);
	r = call(&s, 0, 0x84000003, 1, 0x1000, 0);
	r = call(&s, 0, 0x84000003, 1, 0x1000, 0);
	assert_plain_return(&r, PSCI_RET_ALREADY_ON);
	r = call(&s, 0, 0x84000003, 2, 0x1000, 0); /* no such CPU */
	assert_plain_return(&r, PSCI_RET_INVALID_PARAMETERS);
	r = call(&s, 0, 0x84000003, 0x100, 0x1000, 0); /* Aff1 */
	assert_plain_return(&r, PSCI_RET_INVALID_PARAMETERS);
	r = call(&s, 0, 0x84000003, 0x10000, 0x1000, 0); /* Aff2 */
	assert_plain_return(&r, PSCI_RET_INVALID_PARAMETERS);
	r = call(&s, 0, 0x84000003, 0x80000001, 0x1000, 0); /* [31:24] */
	assert_plain_return(&r, PSCI_RET_INVALID_PARAMETERS);
	/* a pending CPU */
	s.power[1] = PSCI_ON_PENDING;
	r = call(&s, 0, 0x84000003, 1, 0x1000, 0);
	assert_plain_return(&r, PSCI_RET_ON_PENDING);
}

static void test_cpu_off(void **state)
{
	struct psci_state s;
	struct psci_result r;

	(void)state;
	psci_init(&s, 2);
	call(&s, 0, 0x84000003, 1, 0x1000, 0);
	r = call(&s, 1, 0x84000002, 0, 0, 0);
	assert_int_equal(r.effect, PSCI_STOP_CALLER);
	assert_int_equal(r.cpu, 1);
	assert_int_equal(s.power[1], PSCI_OFF);
	assert_int_equal(s.power[0], PSCI_ON);
	/* and it may be started again */
	r = call(&s, 0, 0x84000003, 1, 0x2000, 7);
	assert_int_equal(r.effect, PSCI_START_CPU);
	assert_int_equal(r.entry, 0x2000);
}

static void test_affinity_info(void **state)
{
	struct psci_state s;
	struct psci_result r;

	(void)state;
	psci_init(&s, 3);
	r = call(&s, 0, 0x84000004, 0, 0, 0);
	assert_plain_return(&r, 0);
	r = call(&s, 0, 0x84000004, 1, 0, 0);
	assert_plain_return(&r, 1);
	call(&s, 0, 0x84000003, 1, 0x1000, 0);
	r = call(&s, 0, 0x84000004, 1, 0, 0);
	assert_plain_return(&r, 0);
	s.power[2] = PSCI_ON_PENDING;
	r = call(&s, 0, 0x84000004, 2, 0, 0);
	assert_plain_return(&r, 2);
	r = call(&s, 0, 0x84000004, 3, 0, 0);
	assert_plain_return(&r, PSCI_RET_INVALID_PARAMETERS);
	r = call(&s, 0, 0x84000004, 0, 1, 0); /* level 1 */
	assert_plain_return(&r, PSCI_RET_INVALID_PARAMETERS);
	r = call(&s, 0, 0x84000004, 0x100, 0, 0);
	assert_plain_return(&r, PSCI_RET_INVALID_PARAMETERS);
}

static void test_migrate_info_type(void **state)
{
	struct psci_state s;
	struct psci_result r;

	(void)state;
	psci_init(&s, 1);
	r = call(&s, 0, 0x84000006, 0, 0, 0);
	assert_plain_return(&r, 2);
}

static void test_system_off_and_reset(void **state)
{
	struct psci_state s;
	struct psci_result r;

	(void)state;
	psci_init(&s, 2);
	r = call(&s, 0, 0x84000008, 0, 0, 0);
	assert_int_equal(r.effect, PSCI_SYSTEM_OFF);
	r = call(&s, 1, 0x84000009, 0, 0, 0);
	assert_int_equal(r.effect, PSCI_SYSTEM_RESET);
}

static void test_features(void **state)
{
	static const uint32_t implemented[] = {
	    0x84000000, 0x84000001, 0x84000002, 0x84000003, 0x84000004,
	    0x84000006, 0x84000008, 0x84000009, 0x8400000A,
	};
	static const uint32_t missing[] = {
	    0x84000005, 0x84000007, 0x8400000B, 0x8400000C, 0x8400000E,
	    0xC4000001, 0xC4000003, 0xC4000004, 0x00000000, 0xFFFFFFFF,
	};
	struct psci_state s;
	struct psci_result r;

	(void)state;
	psci_init(&s, 1);
	for (unsigned i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++) {
		r = call(&s, 0, 0x8400000A, implemented[i], 0, 0);
		assert_plain_return(&r, PSCI_RET_SUCCESS);
	}
	for (unsigned i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		r = call(&s, 0, 0x8400000A, missing[i], 0, 0);
		assert_plain_return(&r, PSCI_RET_NOT_SUPPORTED);
	}
}

/* CPU_SUSPEND: any power state, entered as standby: the caller waits for an
 * interrupt and then returns SUCCESS; nobody's power state changes. */
static void test_cpu_suspend(void **state)
{
	struct psci_state s, before;
	struct psci_result r;

	(void)state;
	psci_init(&s, 2);
	before = s;
	r = call(&s, 0, 0x84000001, 0x00010000, 0x40008000, 0x1234); /* powerdown */
	assert_int_equal(r.ret, PSCI_RET_SUCCESS);
	assert_int_equal(r.effect, PSCI_WAIT_CALLER);
	assert_memory_equal(&s, &before, sizeof(s));
}

static void test_unknown_functions(void **state)
{
	/* MIGRATE, MIGRATE_INFO_UP_CPU, unassigned, SMC64 CPU_ON and
	 * AFFINITY_INFO, and junk */
	static const uint32_t unknown[] = {
	    0x84000005, 0x84000007, 0x8400000C, 0xC4000003,
	    0xC4000004, 0x00000000, 0x12345678, 0xFFFFFFFF,
	};
	struct psci_state s;
	struct psci_result r;

	(void)state;
	psci_init(&s, 2);
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		r = call(&s, 0, unknown[i], 1, 0x1000, 0);
		assert_plain_return(&r, PSCI_RET_NOT_SUPPORTED);
	}
	assert_int_equal(s.power[1], PSCI_OFF);
}

static void test_bad_caller(void **state)
{
	struct psci_state s;
	struct psci_result r;

	(void)state;
	psci_init(&s, 2);
	r = call(&s, 2, 0x84000002, 0, 0, 0);
	assert_plain_return(&r, PSCI_RET_INTERNAL_FAILURE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init),
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_cpu_on),
	    cmocka_unit_test(test_cpu_on_errors),
	    cmocka_unit_test(test_cpu_off),
	    cmocka_unit_test(test_affinity_info),
	    cmocka_unit_test(test_migrate_info_type),
	    cmocka_unit_test(test_system_off_and_reset),
	    cmocka_unit_test(test_features),
	    cmocka_unit_test(test_cpu_suspend),
	    cmocka_unit_test(test_unknown_functions),
	    cmocka_unit_test(test_bad_caller),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
