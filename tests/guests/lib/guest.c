/*
 * Runtime for the test guests: console, PSCI, exception dispatch, bootargs.
 * See guest.h.
 */
#include "guest.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>

const void *guest_dtb;
secondary_fn_t volatile secondary_fn;

/* Called from start.S and the compiler's stack protector. */
void exc_dispatch(uint32_t type, struct exc_frame *frame);
void secondary_c_entry(uint32_t context) __attribute__((noreturn));
void __stack_chk_fail(void) __attribute__((noreturn));

uintptr_t __stack_chk_guard = 0x5eed1e55u;

void __stack_chk_fail(void)
{
	guest_fail("stack protector tripped");
}

/* ---- PSCI ----------------------------------------------------------------- */
int32_t psci_call(uint32_t fn, uint32_t a, uint32_t b, uint32_t c)
{
	register uint32_t r0 __asm__("r0") = fn;
	register uint32_t r1 __asm__("r1") = a;
	register uint32_t r2 __asm__("r2") = b;
	register uint32_t r3 __asm__("r3") = c;

	__asm__ volatile(".arch_extension virt\n\thvc #0"
	                 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
	                 :
	                 : "memory", "r12", "lr");
	return (int32_t)r0;
}

void system_off(void)
{
	int32_t r = psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);

	gprintf("%s: FAIL SYSTEM_OFF returned %ld\n", guest_name, (long)r);
	for (;;)
		__asm__ volatile("wfi");
}

void guest_fail(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gprintf("%s: FAIL %s\n", guest_name, buf);
	system_off();
}

void secondary_c_entry(uint32_t context)
{
	secondary_fn_t fn = secondary_fn;

	if (fn)
		fn(context);
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	guest_fail("cpu%lu: CPU_OFF returned", (unsigned long)(read_mpidr() & 0xff));
}

/* ---- counters ------------------------------------------------------------ */
uint32_t counter_freq(void)
{
	uint32_t f = read_cntfrq();

	return f ? f : 62500000u;
}

void delay_loop(uint32_t iterations)
{
	for (uint32_t i = 0; i < iterations; i++)
		__asm__ volatile("" ::: "memory");
}

/* ---- console --------------------------------------------------------------- */
/*
 * One line at a time under a lock: the owner is stored as cpu+1 so an
 * exception taken while printing (on the same CPU) does not deadlock.
 */
static volatile uint32_t print_lock;

static uint32_t lock_print(void)
{
	uint32_t me = (read_mpidr() & 0xff) + 1;
	uint32_t old, fail;

	if (print_lock == me)
		return 0; /* nested on this CPU */
	do {
		__asm__ volatile("ldrex %0, [%1]" : "=&r"(old) : "r"(&print_lock) : "memory");
		if (old != 0) {
			__asm__ volatile("clrex" ::: "memory");
			fail = 1;
			continue;
		}
		__asm__ volatile("strex %0, %2, [%1]"
		                 : "=&r"(fail)
		                 : "r"(&print_lock), "r"(me)
		                 : "memory");
	} while (fail);
	dmb();
	return 1;
}

static void unlock_print(uint32_t taken)
{
	if (!taken)
		return;
	dmb();
	print_lock = 0;
}

void uart_putc(char c)
{
	while (mmio_read32(UART_BASE + UART_FR) & UART_FR_TXFF)
		;
	mmio_write32(UART_BASE + UART_DR, (uint8_t)c);
}

void uart_puts(const char *s)
{
	uint32_t t = lock_print();

	while (*s)
		uart_putc(*s++);
	unlock_print(t);
}

int gvprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	uart_puts(buf);
	return n;
}

int gprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = gvprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* ---- exceptions ------------------------------------------------------------- */
static exc_hook_t volatile exc_hook;
static irq_hook_t volatile irq_hook;
static volatile uint32_t exc_counts[EXC_FIQ + 1];
static volatile uint32_t exc_total;
static struct exc_info exc_last_info;

void exc_set_hook(exc_hook_t hook)
{
	exc_hook = hook;
	dmb();
}

void irq_set_hook(irq_hook_t hook)
{
	irq_hook = hook;
	dmb();
}

enum exc_action exc_hook_skip(const struct exc_info *info, struct exc_frame *frame)
{
	(void)frame;
	exc_last_info = *info;
	exc_counts[info->type]++;
	exc_total++;
	return EXC_SKIP;
}

uint32_t exc_count(void)
{
	return exc_total;
}

uint32_t exc_count_type(enum exc_type type)
{
	return type <= EXC_FIQ ? exc_counts[type] : 0;
}

struct exc_info exc_last(void)
{
	return exc_last_info;
}

static const char *const exc_names[] = {
    [EXC_UNDEF] = "undefined instruction",
    [EXC_SVC] = "svc",
    [EXC_PABT] = "prefetch abort",
    [EXC_DABT] = "data abort",
    [EXC_IRQ] = "irq",
    [EXC_FIQ] = "fiq",
};

/* Length of the instruction at pc (Thumb: 16 or 32 bits). */
static uint32_t insn_len(uint32_t pc, int thumb)
{
	uint16_t hw;

	if (!thumb)
		return 4;
	hw = *(const volatile uint16_t *)pc;
	return (hw >> 11) >= 0x1d ? 4 : 2;
}

static void handle_irq(void)
{
	uint32_t iar = mmio_read32(GICC_BASE + GICC_IAR);

	if ((iar & 0x3ff) >= 1020)
		return; /* spurious */
	if (irq_hook)
		irq_hook(iar);
	else
		gprintf("%s: unexpected irq %lu\n", guest_name, (unsigned long)(iar & 0x3ff));
	mmio_write32(GICC_BASE + GICC_EOIR, iar);
}

void exc_dispatch(uint32_t type, struct exc_frame *frame)
{
	struct exc_info info;
	int thumb = (frame->spsr >> 5) & 1;
	enum exc_action action;
	exc_hook_t hook = exc_hook;

	memset(&info, 0, sizeof(info));
	info.type = (enum exc_type)type;
	info.spsr = frame->spsr;
	switch (type) {
	case EXC_UNDEF:
	case EXC_SVC:
		/* LR = faulting instruction + 4 (ARM) or + 2 (Thumb) */
		info.pc = frame->ret - (thumb ? 2 : 4);
		break;
	case EXC_PABT:
		info.pc = frame->ret - 4;
		__asm__ volatile("mrc p15, 0, %0, c6, c0, 2" : "=r"(info.ifar));
		__asm__ volatile("mrc p15, 0, %0, c5, c0, 1" : "=r"(info.ifsr));
		break;
	case EXC_DABT:
		info.pc = frame->ret - 8;
		__asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(info.dfar));
		__asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(info.dfsr));
		break;
	case EXC_IRQ:
		frame->ret -= 4;
		handle_irq();
		return;
	default: info.pc = frame->ret - 4; break;
	}

	if (hook)
		action = hook(&info, frame);
	else
		action = type == EXC_SVC ? EXC_SKIP : EXC_FATAL;

	switch (action) {
	case EXC_SKIP: frame->ret = info.pc + insn_len(info.pc, thumb); return;
	case EXC_RETRY: frame->ret = info.pc; return;
	case EXC_FATAL:
	default: break;
	}
	gprintf("%s: unexpected %s at pc=0x%08lx spsr=0x%08lx dfar=0x%08lx dfsr=0x%08lx "
	        "ifar=0x%08lx ifsr=0x%08lx\n",
	        guest_name, type <= EXC_FIQ ? exc_names[type] : "exception", (unsigned long)info.pc,
	        (unsigned long)info.spsr, (unsigned long)info.dfar, (unsigned long)info.dfsr,
	        (unsigned long)info.ifar, (unsigned long)info.ifsr);
	guest_fail("unexpected exception");
}

/* ---- device tree ------------------------------------------------------------ */
static int dtb_ok(void)
{
	static int checked;

	if (!checked) {
		checked = 1;
		/* Bare QEMU (smoke runs without the hypervisor) enters an ELF
		 * with no r2 but leaves its DTB at the base of RAM. */
		if (!guest_dtb || fdt_check_header(guest_dtb) != 0) {
			const void *base = (const void *)GUEST_RAM_BASE;

			guest_dtb = fdt_check_header(base) == 0 ? base : NULL;
		}
	}
	return guest_dtb != NULL;
}

const char *bootargs(void)
{
	const char *s;
	int node, len;

	if (!dtb_ok())
		return "";
	node = fdt_path_offset(guest_dtb, "/chosen");
	if (node < 0)
		return "";
	s = fdt_getprop(guest_dtb, node, "bootargs", &len);
	if (!s || len <= 0 || s[len - 1] != '\0')
		return "";
	return s;
}

static int is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',' || c == '\n';
}

/* Parse a decimal or 0x-hex number that fills [s, end); -1 if malformed. */
static int parse_u32(const char *s, const char *end, uint32_t *out)
{
	uint32_t v = 0, base = 10;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (s == end)
		return -1;
	for (; s < end; s++) {
		uint32_t d;

		if (*s >= '0' && *s <= '9')
			d = (uint32_t)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (uint32_t)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (uint32_t)(*s - 'A' + 10);
		else
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

uint32_t bootarg_u32(const char *key, uint32_t def)
{
	const char *p = bootargs();
	size_t klen = strlen(key);

	while (*p) {
		const char *start, *end;

		while (*p && is_sep(*p))
			p++;
		start = p;
		while (*p && !is_sep(*p))
			p++;
		end = p;
		if ((size_t)(end - start) > klen && strncmp(start, key, klen) == 0 &&
		    start[klen] == '=') {
			uint32_t v;

			if (parse_u32(start + klen + 1, end, &v) == 0)
				return v;
		}
	}
	return def;
}

static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

uint64_t dtb_ram_size(void)
{
	int ac, sc, node, len;

	if (!dtb_ok())
		return 0;
	ac = fdt_address_cells(guest_dtb, 0);
	sc = fdt_size_cells(guest_dtb, 0);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return 0;
	fdt_for_each_subnode(node, guest_dtb, 0)
	{
		const char *type = fdt_getprop(guest_dtb, node, "device_type", NULL);
		const fdt32_t *reg;

		if (!type || strcmp(type, "memory") != 0)
			continue;
		reg = fdt_getprop(guest_dtb, node, "reg", &len);
		if (!reg)
			continue;
		for (int i = 0; (i + ac + sc) * 4 <= len; i += ac + sc) {
			uint64_t base = read_cells(reg + i, ac);
			uint64_t size = read_cells(reg + i + ac, sc);

			if (base == GUEST_RAM_BASE)
				return size;
		}
	}
	return 0;
}
