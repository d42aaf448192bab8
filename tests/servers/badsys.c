/*
 * A deliberately bad server: every syscall with an invalid capability, a
 * bad pointer, a bad length or out-of-range arguments must come back with
 * the documented error, and the kernel must keep running. Prints one line
 * per check and "PASS" or "FAIL" at the end.
 */
#include <hv/layout.h>
#include <hv/log.h>
#include <hv/proto.h>
#include <hv/syscall.h>

static const struct test_info *const info = (const struct test_info *)HV_SRV_BOOTINFO;
static unsigned failures, checks;

static void expect(const char *what, int got, int want)
{
	checks++;
	if (got != want)
		failures++;
	log_printf("%s: %d %s\n", what, got, got == want ? "ok" : "WRONG");
}

int main(void);
int main(void)
{
	static char buf[64] = "visible";
	struct hv_msg msg = {0};
	log_init(0, (struct hv_ring *)info->ring_ipa, TEST_CAP_LOG);

	expect("call on empty slot", hv_call(40, &msg), HV_ECAP);
	expect("call on slot out of range", hv_call(100000, &msg), HV_ECAP);
	expect("call on a notification", hv_call(TEST_CAP_LOG, &msg), HV_ECAP);
	expect("signal without write right", hv_signal(TEST_CAP_SELF), HV_ECAP);
	expect("debug write, bad pointer", hv_debug_write(TEST_CAP_DEBUG, (void *)0x30000000, 8),
	       HV_EFAULT);
	expect("debug write, pointer wraps", hv_debug_write(TEST_CAP_DEBUG, (void *)0xfffffff0, 64),
	       HV_EINVAL);
	expect("debug write, too long", hv_debug_write(TEST_CAP_DEBUG, buf, 100000), HV_EINVAL);
	expect("debug write, crosses into unmapped",
	       hv_debug_write(TEST_CAP_DEBUG, (void *)0x100f80, 200), HV_EFAULT);
	expect("create without control cap", hv_obj_create(TEST_CAP_SELF, HV_OBJ_ENDPOINT, 20, 0),
	       HV_ECAP);
	expect("map from a non-memory cap",
	       hv_map(TEST_CAP_SELF, TEST_CAP_LOG, 0x41000000, 0x20000000, 4096, HV_MAP_R),
	       HV_ECAP);
	expect("map with a bad aspace cap", hv_map(50, 1, 0, 0, 4096, HV_MAP_R), HV_ECAP);
	expect("cap copy from an empty slot", hv_cap_copy(TEST_CAP_SELF, 30, 77, HV_RIGHTS_ALL, 0),
	       HV_ECAP);
	expect("cap copy into slot 0", hv_cap_copy(TEST_CAP_SELF, 0, TEST_CAP_LOG, 7, 0),
	       HV_EINVAL);
	expect("cap copy over a used slot",
	       hv_cap_copy(TEST_CAP_SELF, TEST_CAP_DEBUG, TEST_CAP_LOG, 7, 0), HV_EBUSY);
	expect("cap copy with bad rights", hv_cap_copy(TEST_CAP_SELF, 31, TEST_CAP_LOG, 0x80, 0),
	       HV_EINVAL);
	expect("unknown syscall", hv_sys(999, 0, 0, 0, 0, 0, 0, 0), HV_ENOSYS);
	expect("vcpu reg on a non-vcpu", hv_vcpu_set_reg(TEST_CAP_SELF, HV_REG_PC, 0), HV_ECAP);
	expect("destroy an empty slot", hv_obj_destroy(60), HV_ERIGHTS);
	expect("destroy slot out of range", hv_obj_destroy(4000), HV_EINVAL);
	expect("destroy own space", hv_obj_destroy(TEST_CAP_SELF), HV_EBUSY);
	expect("irq ack without cap", hv_irq_ack(TEST_CAP_DEBUG), HV_ECAP);
	expect("power off without control cap", hv_power_off(TEST_CAP_SELF, 0), HV_ECAP);
	expect("debug write, good", hv_debug_write(TEST_CAP_DEBUG, "", 0), HV_OK);
	expect("receive on an empty slot", hv_recv(40, &msg), HV_ECAP);
	log_printf("%s (%u checks)\n", failures ? "FAIL" : "PASS", checks);
	for (;;)
		hv_recv(TEST_CAP_EP, &msg); /* nobody sends: parked for good */
}
