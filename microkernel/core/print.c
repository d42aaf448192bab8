/* The kernel's own messages: boot, panics and the power-off line. */
#include "arch.h"
#include "kernel.h"

void kputs(const char *s)
{
	while (*s)
		arch_putc(*s++);
}

void kputhex(uint32_t v)
{
	static const char digits[] = "0123456789abcdef";
	kputs("0x");
	for (int shift = 28; shift >= 0; shift -= 4)
		arch_putc(digits[(v >> shift) & 0xf]);
}

void panic(const char *why)
{
	kputs("\nhv: PANIC: ");
	kputs(why);
	kputs("\n");
	arch_stop(why);
}
