/*
 * Exit dispatch: a table indexed by HSR.EC (ARM ARM B3.13.6), with an
 * explicit default that gives the guest an undefined-instruction exception.
 */
#include "vmm.h"

#include <hv/abi.h>

#define HSR_CP_READ 1u
#define HSR_WFE     1u
#define ACTLR_SMP   (1u << 6)

typedef void (*exit_handler)(struct exit *e);

static void reply_undef(struct exit *e)
{
	e->reply[0] = HV_REPLY_INJECT_UNDEF;
}

static void handle_wfx(struct exit *e)
{
	e->reply[0] = (e->hsr & HSR_WFE) ? HV_REPLY_ADVANCE : HV_REPLY_WFI | HV_REPLY_ADVANCE;
}

/* CP15 traps: ACTLR (HCR.TAC) reads as Cortex-A15 in SMP mode and ignores
 * writes; anything else trapped (c15, c9-c11 implementation defined, the
 * PMU) is not there for the guest. ISS layout: B3.13.6, EC 0x03. */
static void handle_cp15(struct exit *e)
{
	uint32_t iss = e->hsr & 0x1ffffff;
	unsigned opc2 = (iss >> 17) & 7, opc1 = (iss >> 14) & 7, crn = (iss >> 10) & 0xf,
	         crm = (iss >> 1) & 0xf;
	bool actlr = crn == 1 && crm == 0 && opc1 == 0 && opc2 == 1;
	/* DCISW, DCCSW, DCCISW (HCR.TSW): by set/way, meaningless for one VM's
	 * view of a shared cache; completed as no-ops, as KVM on QEMU would */
	bool set_way = crn == 7 && opc1 == 0 && opc2 == 2 && (crm == 6 || crm == 10 || crm == 14);
	if (set_way && !(iss & HSR_CP_READ)) {
		e->reply[0] = HV_REPLY_ADVANCE;
		return;
	}
	if (!actlr) {
		reply_undef(e);
		return;
	}
	e->reply[0] = HV_REPLY_ADVANCE;
	if (iss & HSR_CP_READ) {
		e->reply[0] |= HV_REPLY_SET_RT;
		e->reply[1] = ACTLR_SMP;
	}
}

/* Debug registers (HDCR.TDA/TDRA/TDOSA): read as zero, writes ignored, so
 * a guest probing them finds no debug support. */
static void handle_cp14(struct exit *e)
{
	e->reply[0] = HV_REPLY_ADVANCE;
	if (e->hsr & HSR_CP_READ) {
		e->reply[0] |= HV_REPLY_SET_RT;
		e->reply[1] = 0;
	}
}

static void handle_pabt(struct exit *e)
{
	e->reply[0] = HV_REPLY_INJECT_PABT;
}

static const exit_handler exit_table[HV_EC_COUNT] = {
    [HV_EC_WFI_WFE] = handle_wfx,
    [HV_EC_CP15_32] = handle_cp15,
    [HV_EC_CP14_MR] = handle_cp14,
    [HV_EC_CP14_LS] = handle_cp14,
    [HV_EC_HVC] = handle_hvc,
    [HV_EC_SMC] = reply_undef, /* no secure firmware behind this VM */
    [HV_EC_IABT_LOW] = handle_pabt,
    [HV_EC_DABT_LOW] = handle_mmio,
};

void handle_exit(struct exit *e)
{
	unsigned ec = e->hsr >> 26;
	if (dev_answered(e)) {
		*(struct words *)e->reply = dev_current()->answer;
		return;
	}
	e->reply[0] = e->reply[1] = 0;
	exit_handler h = exit_table[ec];
	(h ? h : reply_undef)(e);
}
