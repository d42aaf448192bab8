/*
 * psci: PSCI 0.2 over "hvc #0" (ARM DEN 0022, "Power State Coordination
 * Interface"). Needs a VM with cpus=2.
 *
 *   VERSION == 2 (0.2), FEATURES(VERSION) == FEATURES(CPU_ON) == 0,
 *   FEATURES(0x8400FFFF) == NOT_SUPPORTED, calling 0x8400FFFF ==
 *   NOT_SUPPORTED, MIGRATE_INFO_TYPE == 2 (no trusted OS to migrate),
 *   AFFINITY_INFO(0) == ON, AFFINITY_INFO(1) == OFF,
 *   CPU_ON(1, secondary_entry, 0x1234) == SUCCESS; cpu1 starts at the entry
 *   with r0 = the context and prints "psci: cpu1 up ctx=0x1234";
 *   while cpu1 runs: AFFINITY_INFO(1) == ON, CPU_ON(1) == ALREADY_ON;
 *   cpu1 calls CPU_OFF, AFFINITY_INFO(1) becomes OFF, and a second
 *   CPU_ON(1, ..., 0x5678) brings it up again with the new context;
 *   CPU_ON(5) and AFFINITY_INFO(5) == INVALID_PARAMETERS.
 * CPU_SUSPEND returns once the virtual timer fires.
 * Then "psci: PASS" and SYSTEM_OFF (the test checks the VM powers off).
 */
#include "guest.h"

const char guest_name[] = "psci";

int main(const void *dtb);

#define AFF_ON  0
#define AFF_OFF 1

static volatile uint32_t cpu1_up;      /* cpu1: context it was started with */
static volatile uint32_t cpu1_release; /* cpu0: cpu1 may call CPU_OFF */
static uint32_t failures;

static void expect(const char *what, int32_t got, int32_t want)
{
	if (got == want) {
		gprintf("psci: %s = %ld ok\n", what, (long)got);
		return;
	}
	failures++;
	gprintf("psci: FAIL %s = %ld, expected %ld\n", what, (long)got, (long)want);
}

static void cpu1_main(uint32_t ctx)
{
	gprintf("psci: cpu1 up ctx=0x%lx\n", (unsigned long)ctx);
	dmb();
	cpu1_up = ctx;
	dmb();
	while (!cpu1_release)
		dmb();
	/* returning calls CPU_OFF (guest.c); it must not come back */
}

static uint64_t deadline_in(uint32_t seconds)
{
	return read_cntvct() + (uint64_t)counter_freq() * seconds;
}

/* Bring cpu1 up with `ctx`, check it runs and ALREADY_ON, let it go off. */
static void cycle_cpu1(uint32_t ctx)
{
	uint64_t deadline;
	int32_t r;
	char what[64];

	cpu1_up = 0;
	cpu1_release = 0;
	dmb();
	snprintf(what, sizeof(what), "CPU_ON(1, entry, 0x%lx)", (unsigned long)ctx);
	expect(what, psci_call(PSCI_CPU_ON, 1, (uint32_t)(uintptr_t)secondary_entry, ctx), 0);

	deadline = deadline_in(10);
	while (cpu1_up == 0 && read_cntvct() < deadline)
		dmb();
	dmb();
	if (cpu1_up != ctx) {
		failures++;
		gprintf("psci: FAIL cpu1 did not come up with ctx=0x%lx (saw 0x%lx)\n",
		        (unsigned long)ctx, (unsigned long)cpu1_up);
		return;
	}
	/* cpu1 is spinning until released: it is on, for sure */
	expect("AFFINITY_INFO(1, 0) while cpu1 runs", psci_call(PSCI_AFFINITY_INFO, 1, 0, 0),
	       AFF_ON);
	expect("CPU_ON(1) while cpu1 runs",
	       psci_call(PSCI_CPU_ON, 1, (uint32_t)(uintptr_t)secondary_entry, 0xbad),
	       PSCI_RET_ALREADY_ON);

	cpu1_release = 1;
	dmb();
	deadline = deadline_in(10);
	do {
		r = psci_call(PSCI_AFFINITY_INFO, 1, 0, 0);
		if (r == AFF_OFF)
			break;
		delay_loop(2000);
	} while (read_cntvct() < deadline);
	expect("AFFINITY_INFO(1, 0) after cpu1 CPU_OFF", r, AFF_OFF);
}

int main(const void *dtb)
{
	(void)dtb;
	irq_disable();
	secondary_fn = cpu1_main;
	dmb();

	expect("VERSION", psci_call(PSCI_VERSION, 0, 0, 0), 2);
	expect("FEATURES(VERSION)", psci_call(PSCI_FEATURES, PSCI_VERSION, 0, 0), 0);
	expect("FEATURES(CPU_ON)", psci_call(PSCI_FEATURES, PSCI_CPU_ON, 0, 0), 0);
	expect("FEATURES(0x8400FFFF)", psci_call(PSCI_FEATURES, 0x8400ffffu, 0, 0),
	       PSCI_RET_NOT_SUPPORTED);
	expect("call 0x8400FFFF", psci_call(0x8400ffffu, 0, 0, 0), PSCI_RET_NOT_SUPPORTED);
	expect("MIGRATE_INFO_TYPE", psci_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2);
	expect("AFFINITY_INFO(0, 0)", psci_call(PSCI_AFFINITY_INFO, 0, 0, 0), AFF_ON);
	expect("AFFINITY_INFO(1, 0)", psci_call(PSCI_AFFINITY_INFO, 1, 0, 0), AFF_OFF);

	cycle_cpu1(0x1234);
	cycle_cpu1(0x5678);

	expect("CPU_ON(5)", psci_call(PSCI_CPU_ON, 5, (uint32_t)(uintptr_t)secondary_entry, 0),
	       PSCI_RET_INVALID_PARAMETERS);
	expect("AFFINITY_INFO(5, 0)", psci_call(PSCI_AFFINITY_INFO, 5, 0, 0),
	       PSCI_RET_INVALID_PARAMETERS);
	expect("AFFINITY_INFO(1, 0) at the end", psci_call(PSCI_AFFINITY_INFO, 1, 0, 0), AFF_OFF);

	/* CPU_SUSPEND (powerdown state, entered as standby): returns SUCCESS
	 * once an interrupt is pending, here the virtual timer's */
	expect("FEATURES(CPU_SUSPEND)", psci_call(PSCI_FEATURES, PSCI_CPU_SUSPEND, 0, 0), 0);
	write_cntv_tval(counter_freq() / 500); /* 2 ms */
	write_cntv_ctl(CNTV_CTL_ENABLE);
	expect("CPU_SUSPEND", psci_call(PSCI_CPU_SUSPEND, 0x00010000u, 0, 0), 0);
	expect("timer fired before CPU_SUSPEND returned",
	       (int32_t)(read_cntv_ctl() & CNTV_CTL_ISTATUS), CNTV_CTL_ISTATUS);
	write_cntv_ctl(0);

	if (failures)
		gprintf("psci: FAIL %lu checks failed\n", (unsigned long)failures);
	else
		gprintf("psci: PASS\n");
	return 0; /* SYSTEM_OFF */
}
