/* Structure offsets for entry.S, generated into build/asm_offsets.h. */
#include "kernel.h"

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %0\"" ::"i"(val))

void offsets(void);
void offsets(void)
{
	DEFINE(REGS_SP, offsetof(struct regs, sp_usr));
	DEFINE(REGS_LR, offsetof(struct regs, lr_usr));
	DEFINE(REGS_PC, offsetof(struct regs, pc));
	DEFINE(REGS_CPSR, offsetof(struct regs, cpsr));
	DEFINE(PERCPU_STACK_TOP, offsetof(struct percpu, stack_top));
}
