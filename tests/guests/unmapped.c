/*
 * unmapped: accesses to guest-physical addresses with nothing behind them
 * (outside RAM, GICD, GICC and the UART) must come back to the guest as a
 * data abort taken at its own vector, with DFAR = the address.
 *
 *   read  0x20000000   -> "unmapped: read abort dfar=0x20000000"
 *   write 0x20000000   -> "unmapped: write abort dfar=0x20000000"
 *   write 0x0A000000   -> "unmapped: write abort dfar=0x0a000000"
 * then "unmapped: PASS".
 */
#include "guest.h"

const char guest_name[] = "unmapped";

int main(const void *dtb);

static uint32_t failures;
static volatile uint32_t handler_mode;

/* Record the exception, the mode the handler ran in, and skip. */
static enum exc_action hook(const struct exc_info *info, struct exc_frame *frame)
{
	handler_mode = read_cpsr() & 0x1f;
	return exc_hook_skip(info, frame);
}

static void probe(uint32_t addr, int write)
{
	uint32_t before = exc_count_type(EXC_DABT);
	uint32_t all_before = exc_count();
	struct exc_info e;
	const char *dir = write ? "write" : "read";

	handler_mode = 0;
	if (write)
		probe_write32(addr, 0x0badf00d);
	else
		probe_read32(addr);
	e = exc_last();

	if (exc_count_type(EXC_DABT) != before + 1 || exc_count() != all_before + 1) {
		failures++;
		gprintf(
		    "unmapped: FAIL %s of 0x%08lx: %lu data aborts, %lu exceptions (expected 1)\n",
		    dir, (unsigned long)addr, (unsigned long)(exc_count_type(EXC_DABT) - before),
		    (unsigned long)(exc_count() - all_before));
		return;
	}
	if (handler_mode != 0x17) {
		failures++;
		gprintf(
		    "unmapped: FAIL %s of 0x%08lx: handler ran in mode 0x%02lx, not abort mode\n",
		    dir, (unsigned long)addr, (unsigned long)handler_mode);
	}
	if (e.pc < (uint32_t)(uintptr_t)probe_read32 ||
	    e.pc > (uint32_t)(uintptr_t)probe_strd + 16) {
		failures++;
		gprintf(
		    "unmapped: FAIL %s of 0x%08lx: abort reported at pc=0x%08lx, not the probe\n",
		    dir, (unsigned long)addr, (unsigned long)e.pc);
	}
	gprintf("unmapped: %s abort dfar=0x%08lx\n", dir, (unsigned long)e.dfar);
	gprintf("unmapped: (dfsr=0x%03lx pc=0x%08lx)\n", (unsigned long)e.dfsr,
	        (unsigned long)e.pc);
	if (e.dfar != addr) {
		failures++;
		gprintf("unmapped: FAIL %s of 0x%08lx: DFAR=0x%08lx\n", dir, (unsigned long)addr,
		        (unsigned long)e.dfar);
	}
}

int main(const void *dtb)
{
	(void)dtb;
	irq_disable();
	exc_set_hook(hook);

	probe(0x20000000u, 0);
	probe(0x20000000u, 1);
	probe(0x0a000000u, 1);

	if (failures)
		gprintf("unmapped: FAIL %lu checks failed\n", (unsigned long)failures);
	else
		gprintf("unmapped: PASS\n");
	return 0;
}
