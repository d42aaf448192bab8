/*
 * vfp: the guest's floating-point registers survive everything that runs
 * between its instructions: other vCPUs on the same host CPU, its monitor,
 * the console server formatting output (which takes the FP unit lazily).
 * All 32 double registers get values derived from id=N, then for `rounds`
 * rounds the guest exits (prints a line) and checks every register.
 * Prints "vfp: PASS rounds=N" or the first register that changed.
 */
#include "guest.h"

const char guest_name[] = "vfp";

static void fill(uint64_t seed)
{
	uint64_t v[32];
	for (unsigned i = 0; i < 32; i++)
		v[i] = seed * 0x9e3779b97f4a7c15ull + i;
	__asm__ volatile(".fpu neon-vfpv4\n\tvldmia %0, {d0-d15}\n\tvldmia %1, {d16-d31}" ::"r"(v),
	                 "r"(&v[16])
	                 : "memory");
}

static int check(uint64_t seed)
{
	uint64_t v[32];
	__asm__ volatile(".fpu neon-vfpv4\n\tvstmia %0, {d0-d15}\n\tvstmia %1, {d16-d31}" ::"r"(v),
	                 "r"(&v[16])
	                 : "memory");
	for (unsigned i = 0; i < 32; i++)
		if (v[i] != seed * 0x9e3779b97f4a7c15ull + i)
			return (int)i;
	return -1;
}

int main(const void *dtb);
int main(const void *dtb)
{
	(void)dtb;
	uint32_t id = bootarg_u32("id", 1), rounds = bootarg_u32("rounds", 200);
	for (uint32_t r = 0; r < rounds; r++) {
		fill(id * 1000 + r);
		uart_puts("vfp: round\n"); /* exits: monitor, console, other VMs run */
		delay_loop(20000);
		int bad = check(id * 1000 + r);
		if (bad >= 0) {
			gprintf("vfp: FAIL d%d changed in round %lu\n", bad, (unsigned long)r);
			return 0;
		}
	}
	gprintf("vfp: PASS rounds=%lu\n", (unsigned long)rounds);
	return 0;
}
