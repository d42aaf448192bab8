/*
 * bench: costs of the basic exits, in guest-visible time. Meant to run
 * under QEMU's -icount shift=0, where one instruction takes 1 ns of virtual
 * time, so instructions = counter ticks * 1e9 / CNTFRQ.
 *
 * bootargs: n=N round trips per figure (default 2000), restarts=N
 * (default 5; needs the VM started with testhooks=on; 0 skips them),
 * gap_ms=N (default 0): wait this long between restarts, e.g. 1100 to get
 * past the supervisor's 1 s "healthy" window so that the restarts do not
 * count as a crash streak with a growing back-off.
 *
 *   bench: gicd_typer_read N insns/round-trip    word read of GICD_TYPER
 *   bench: hvc_psci_version N insns/round-trip   hvc #0 PSCI VERSION
 *   bench: pl011_dr_write N insns/round-trip     '.' to the UART data register
 *   bench: monitor_restart N insns (avg of 5, max M)
 *                                  hvc 0x86000F00: the monitor faults, is
 *                                  restarted, and the hvc returns 0
 * Each per-round-trip figure has the same loop with a plain RAM read
 * subtracted. Then SYSTEM_OFF.
 */
#include "guest.h"

const char guest_name[] = "bench";

int main(const void *dtb);

static uint32_t freq;
static volatile uint32_t ram_word;

static uint64_t insns(uint64_t ticks)
{
	return ticks * 1000000000ull / freq;
}

static uint64_t run_baseline(uint32_t n)
{
	uint64_t t0 = read_cntvct();

	for (uint32_t i = 0; i < n; i++)
		(void)ram_word;
	return read_cntvct() - t0;
}

static uint64_t run_gicd(uint32_t n)
{
	uint64_t t0 = read_cntvct();

	for (uint32_t i = 0; i < n; i++)
		(void)mmio_read32(GICD_BASE + 0x004);
	return read_cntvct() - t0;
}

static uint64_t run_hvc(uint32_t n)
{
	uint64_t t0 = read_cntvct();

	for (uint32_t i = 0; i < n; i++)
		(void)psci_call(PSCI_VERSION, 0, 0, 0);
	return read_cntvct() - t0;
}

static uint64_t run_uart(uint32_t n)
{
	uint64_t t0 = read_cntvct();

	for (uint32_t i = 0; i < n; i++)
		mmio_write32(UART_BASE + UART_DR, '.');
	return read_cntvct() - t0;
}

static void report(const char *what, uint64_t ticks, uint64_t base, uint32_t n)
{
	uint64_t t = ticks > base ? ticks - base : 0;

	gprintf("bench: %s %llu insns/round-trip\n", what, (unsigned long long)(insns(t) / n));
}

int main(const void *dtb)
{
	uint32_t n = bootarg_u32("n", 2000);
	uint32_t restarts = bootarg_u32("restarts", 5);
	uint32_t gap_ms = bootarg_u32("gap_ms", 0);
	uint64_t base, t;

	(void)dtb;
	irq_disable();
	freq = counter_freq();
	if (n == 0)
		n = 1;
	gprintf("bench: cntfrq %lu Hz, %lu round trips per figure\n", (unsigned long)freq,
	        (unsigned long)n);

	base = run_baseline(n);
	report("gicd_typer_read", run_gicd(n), base, n);
	report("hvc_psci_version", run_hvc(n), base, n);
	t = run_uart(n);
	uart_putc('\n');
	report("pl011_dr_write", t, base, n);

	if (restarts) {
		uint64_t sum = 0, max = 0;
		uint32_t done = 0;
		int32_t r = 0;

		for (; done < restarts; done++) {
			uint64_t t0, d;

			if (gap_ms) {
				uint64_t until = read_cntvct() + (uint64_t)freq * gap_ms / 1000;

				while (read_cntvct() < until)
					;
			}
			t0 = read_cntvct();
			r = psci_call(HV_TESTHOOK_CRASH_MONITOR, 0, 0, 0);
			d = insns(read_cntvct() - t0);
			if (r != 0)
				break;
			sum += d;
			if (d > max)
				max = d;
		}
		if (done == restarts)
			gprintf("bench: monitor_restart %llu insns (avg of %lu, max %llu)\n",
			        (unsigned long long)(sum / restarts), (unsigned long)restarts,
			        (unsigned long long)max);
		else
			gprintf("bench: monitor_restart unavailable (hvc 0x86000F00 returned %ld; "
			        "start the VM with testhooks=on)\n",
			        (long)r);
	}
	gprintf("bench: done\n");
	return 0;
}
