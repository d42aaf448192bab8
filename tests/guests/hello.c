/* hello: the smallest guest. Prints a greeting and a PASS line, powers off. */
#include "guest.h"

const char guest_name[] = "hello";

int main(const void *dtb);

int main(const void *dtb)
{
	(void)dtb;
	gprintf("hello, world\n");
	gprintf("hello: PASS\n");
	return 0; /* start.S: PSCI SYSTEM_OFF */
}
