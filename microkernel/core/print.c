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
	arch_system_off();
	for (;;)
		__asm__ volatile("wfi");
}

/* libfdt.a is built with the stack protector. */
uintptr_t __stack_chk_guard = 0x0badc0deu;
void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	panic("stack smashed");
}
