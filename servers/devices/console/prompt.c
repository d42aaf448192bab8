/*
 * Console input and the control prompt. Typed bytes go to the VM that has
 * the input focus; Ctrl-A then 'c' opens the prompt ("hv> "), whose
 * commands are answered by init (it owns the VMs). Ctrl-A Ctrl-A sends a
 * literal Ctrl-A to the guest.
 */
#include "console.h"

#include <hv/ring.h>
#include <hv/syscall.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define CTRL_A 0x01
#define PROMPT "hv> "

static bool escape, in_prompt;
static char cmd[80];
static unsigned cmd_len;
static unsigned focus; /* VM stream that receives typed input */

static const char *const state_names[] = {"running", "restarting", "failed", "off", "destroyed"};

static const char *exit_reason(unsigned ec)
{
	switch (ec) {
	case 0x00: return "unknown";
	case 0x01: return "wfi/wfe";
	case 0x03: return "cp15";
	case 0x04: return "cp15-64";
	case 0x05: return "cp14";
	case 0x06: return "cp14-ldst";
	case 0x0c: return "cp14-64";
	case 0x12: return "hvc";
	case 0x13: return "smc";
	case 0x20: return "iabt";
	case 0x24: return "dabt";
	default: return "other";
	}
}

static int ask_init(uint32_t *m)
{
	struct hv_msg msg = {0};
	memcpy(msg.m, m, sizeof(msg.m));
	int err = hv_call(CONSOLE_CAP_INIT, &msg);
	memcpy(m, msg.m, sizeof(msg.m));
	return err || m[0] != 0 ? -1 : 0;
}

static int vm_by_name(const char *name)
{
	for (unsigned i = 0; name && i < info->nr_vms; i++)
		if (!strcmp(info->names[i], name))
			return (int)i;
	uart_printf("error: no VM named '%s'\n", name ? name : "");
	return -1;
}

static void cmd_list(void)
{
	uart_printf("%-16s %-10s %5s %10s %8s\n", "NAME", "STATE", "VCPUS", "EXITS", "RESTARTS");
	for (unsigned i = 0; i < info->nr_vms; i++) {
		uint32_t m[HV_MSG_WORDS] = {INIT_LIST, i};
		if (ask_init(m) == 0)
			uart_printf("%-16s %-10s %5u %10u %8u\n", info->names[i],
			            m[1] < 5 ? state_names[m[1]] : "?", (unsigned)m[2],
			            (unsigned)m[3], (unsigned)m[4]);
	}
}

static void cmd_stats(int vm)
{
	uint32_t total = 0;
	uint64_t total_cost = 0;
	for (unsigned ec = 0; ec < HV_EC_COUNT; ec++) {
		uint32_t m[HV_MSG_WORDS] = {INIT_STATS, (uint32_t)vm, ec};
		if (ask_init(m) || m[1] == 0)
			continue;
		uint64_t cost = m[2] | (uint64_t)m[3] << 32;
		uart_printf("%s ec=0x%02x %s count=%u cost=%llu\n", info->names[vm], ec,
		            exit_reason(ec), (unsigned)m[1], (unsigned long long)cost);
		total += m[1];
		total_cost += cost;
	}
	uart_printf("%s total count=%u cost=%llu (counter ticks at %u Hz)\n", info->names[vm],
	            (unsigned)total, (unsigned long long)total_cost, (unsigned)info->counter_freq);
}

static void cmd_simple(int vm, uint32_t what, uint32_t arg, const char *done)
{
	uint32_t m[HV_MSG_WORDS] = {what, (uint32_t)vm, arg};
	if (ask_init(m))
		uart_printf("error: %s is not running\n", info->names[vm]);
	else
		uart_printf("%s: %s\n", info->names[vm], done);
}

static void help(void)
{
	uart_puts("commands: list | stats NAME | crash NAME [loop] | destroy NAME | "
	          "focus NAME | exit\n");
}

void prompt_run(const char *line)
{
	char buf[sizeof(cmd)];
	strcpy(buf, line);
	char *verb = strtok(buf, " \t"), *name = strtok(NULL, " \t"), *extra = strtok(NULL, " \t");
	int vm;
	if (!verb)
		return;
	if (!strcmp(verb, "list")) {
		cmd_list();
	} else if (!strcmp(verb, "help")) {
		help();
	} else if (!strcmp(verb, "exit")) {
		in_prompt = false;
	} else if (!strcmp(verb, "stats") || !strcmp(verb, "crash") || !strcmp(verb, "destroy") ||
	           !strcmp(verb, "focus")) {
		if ((vm = vm_by_name(name)) < 0)
			return;
		if (verb[0] == 's')
			cmd_stats(vm);
		else if (verb[0] == 'c')
			cmd_simple(vm, INIT_CRASH, extra && !strcmp(extra, "loop"),
			           extra ? "monitor will fault, and keep faulting"
			                 : "monitor will fault");
		else if (verb[0] == 'd')
			cmd_simple(vm, INIT_DESTROY, 0, "destroyed");
		else
			focus = (unsigned)vm;
	} else {
		uart_printf("error: unknown command '%s' (try help)\n", verb);
	}
}

static void prompt_byte(uint8_t c)
{
	if (c == '\r' || c == '\n') {
		uart_puts("\n");
		cmd[cmd_len] = '\0';
		cmd_len = 0;
		prompt_run(cmd);
		if (in_prompt)
			uart_puts(PROMPT);
	} else if ((c == 0x7f || c == 0x08) && cmd_len) {
		cmd_len--;
		uart_puts("\b \b");
	} else if (c >= 0x20 && c < 0x7f && cmd_len < sizeof(cmd) - 1) {
		cmd[cmd_len++] = (char)c;
		char echo[2] = {(char)c, 0};
		uart_puts(echo);
	}
}

static void guest_byte(uint8_t c)
{
	if (focus >= info->nr_vms)
		return;
	struct hv_ring *r = (struct hv_ring *)info->ring_ipa[focus];
	if (r->rx_prod - r->rx_cons >= HV_RING_RX_SIZE)
		return; /* the guest is not reading: drop, like a full UART FIFO */
	r->rx[r->rx_prod % HV_RING_RX_SIZE] = c;
	__asm__ volatile("dmb ish" ::: "memory");
	r->rx_prod++;
	hv_signal(CONSOLE_CAP_VM0 + focus);
}

void input_byte(uint8_t c)
{
	if (escape) {
		escape = false;
		if (c == 'c') {
			in_prompt = !in_prompt;
			uart_puts(in_prompt ? "\n" PROMPT : "\n");
			return;
		}
		if (c != CTRL_A)
			return;
	} else if (c == CTRL_A) {
		escape = true;
		return;
	}
	if (in_prompt)
		prompt_byte(c);
	else
		guest_byte(c);
}
