/*
 * seq: prints "seq N" for N = 0 .. count-1, then "seq done", then powers
 * off. bootargs: count=N (default 2000), delay=N empty-loop iterations
 * between lines (default 20000). The test checks every number arrives
 * exactly once and in order, also across monitor restarts.
 */
#include "guest.h"

const char guest_name[] = "seq";

int main(const void *dtb);

int main(const void *dtb)
{
	uint32_t count = bootarg_u32("count", 2000);
	uint32_t delay = bootarg_u32("delay", 20000);

	(void)dtb;
	for (uint32_t i = 0; i < count; i++) {
		gprintf("seq %lu\n", (unsigned long)i);
		delay_loop(delay);
	}
	gprintf("seq done\n");
	return 0;
}
