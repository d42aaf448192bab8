/*
 * IPC round trip between two PL0 servers on one CPU: role 0 calls, role 1
 * answers with reply-and-receive. Timed with the kernel's counter; under
 * `qemu -icount shift=0` one instruction is one nanosecond of virtual time.
 */
#include <hv/layout.h>
#include <hv/log.h>
#include <hv/proto.h>
#include <hv/syscall.h>

#define ROUNDS 20000u

static const struct test_info *const info = (const struct test_info *)HV_SRV_BOOTINFO;

static void serve(void)
{
	struct hv_msg msg = {0};
	hv_recv(TEST_CAP_EP, &msg);
	for (;;) {
		msg.m[0]++;
		hv_reply_recv(TEST_CAP_EP, &msg);
	}
}

int main(void);
int main(void)
{
	if (info->role == 1)
		serve();
	log_init(0, (struct hv_ring *)info->ring_ipa, TEST_CAP_LOG);
	struct hv_msg msg = {0};
	hv_call(TEST_CAP_EP, &msg); /* warm up, and wait for the peer */
	uint32_t freq;
	uint64_t t0 = hv_time(&freq);
	for (unsigned i = 0; i < ROUNDS; i++)
		hv_call(TEST_CAP_EP, &msg);
	uint64_t t1 = hv_time(NULL);
	uint64_t ns = (t1 - t0) * 1000000000ull / freq;
	log_printf("bench: ipc_call_reply %llu insns/round-trip (%u rounds, -icount shift=0)\n",
	           (unsigned long long)(ns / ROUNDS), ROUNDS);
	log_printf("ipcbench: done\n");
	for (;;)
		hv_recv(TEST_CAP_EP, &msg); /* its peer never sends: parked for good */
}
