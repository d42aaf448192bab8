/*
 * PSCI 0.2, following the ARM Power State Coordination Interface, DEN0022
 * (issue C). SMC32 calling convention only; the SMC64 IDs (0xC4...) and every
 * unlisted function return NOT_SUPPORTED. CPU_ON powers the target on at
 * once, so ON_PENDING is never reported by this model itself.
 *
 * Device-tree node (guest_dtb.c):
 *	psci {
 *		compatible = "arm,psci-0.2";
 *		method = "hvc";
 *	};
 */
#include "psci.h"

#include <stdbool.h>
#include <string.h>

/* AArch32 target_cpu: Aff2 [23:16], Aff1 [15:8], Aff0 [7:0], [31:24] zero. */
#define MPIDR_AFF0_MASK 0xFFu

void psci_init(struct psci_state *s, unsigned nr_cpus)
{
	memset(s, 0, sizeof(*s));
	if (nr_cpus < 1)
		nr_cpus = 1;
	if (nr_cpus > PSCI_MAX_CPUS)
		nr_cpus = PSCI_MAX_CPUS;
	s->nr_cpus = nr_cpus;
	for (unsigned cpu = 0; cpu < PSCI_MAX_CPUS; cpu++)
		s->power[cpu] = cpu == 0 ? PSCI_ON : PSCI_OFF;
}

/* Our CPUs have only Aff0 = index; anything else names no CPU. */
static bool mpidr_to_cpu(const struct psci_state *s, uint32_t mpidr, unsigned *cpu)
{
	if ((mpidr & ~MPIDR_AFF0_MASK) != 0 || mpidr >= s->nr_cpus)
		return false;
	*cpu = mpidr;
	return true;
}

static bool is_implemented(uint32_t fn)
{
	switch (fn) {
	case PSCI_FN_VERSION:
	case PSCI_FN_CPU_SUSPEND:
	case PSCI_FN_CPU_OFF:
	case PSCI_FN_CPU_ON:
	case PSCI_FN_AFFINITY_INFO:
	case PSCI_FN_MIGRATE_INFO_TYPE:
	case PSCI_FN_SYSTEM_OFF:
	case PSCI_FN_SYSTEM_RESET:
	case PSCI_FN_FEATURES: return true;
	default: return false;
	}
}

static void cpu_off(struct psci_state *s, unsigned caller, struct psci_result *r)
{
	s->power[caller] = PSCI_OFF;
	r->effect = PSCI_STOP_CALLER;
	r->cpu = caller;
}

static void cpu_on(struct psci_state *s, uint32_t mpidr, uint32_t entry, uint32_t context,
                   struct psci_result *r)
{
	unsigned cpu;

	if (!mpidr_to_cpu(s, mpidr, &cpu)) {
		r->ret = PSCI_RET_INVALID_PARAMETERS;
		return;
	}
	if (s->power[cpu] == PSCI_ON) {
		r->ret = PSCI_RET_ALREADY_ON;
		return;
	}
	if (s->power[cpu] == PSCI_ON_PENDING) {
		r->ret = PSCI_RET_ON_PENDING;
		return;
	}
	s->power[cpu] = PSCI_ON;
	r->effect = PSCI_START_CPU;
	r->cpu = cpu;
	r->entry = entry;
	r->context = context;
}

static int32_t affinity_info(const struct psci_state *s, uint32_t mpidr, uint32_t level)
{
	unsigned cpu;

	if (level != 0 || !mpidr_to_cpu(s, mpidr, &cpu))
		return PSCI_RET_INVALID_PARAMETERS;
	return s->power[cpu];
}

void psci_call(struct psci_state *s, unsigned caller_cpu, uint32_t fn, uint32_t a1, uint32_t a2,
               uint32_t a3, struct psci_result *r)
{
	*r = (struct psci_result){.effect = PSCI_NONE}; /* no library call: a hot path */
	if (caller_cpu >= s->nr_cpus) {
		r->ret = PSCI_RET_INTERNAL_FAILURE;
		return;
	}
	switch (fn) {
	case PSCI_FN_VERSION: r->ret = PSCI_VERSION_0_2; break;
	case PSCI_FN_CPU_SUSPEND:
		/* every power state is entered as standby, a WFI (DEN0022 5.4.2
		 * lets a call return from any state as if from standby) */
		r->effect = PSCI_WAIT_CALLER;
		break;
	case PSCI_FN_CPU_OFF: cpu_off(s, caller_cpu, r); break;
	case PSCI_FN_CPU_ON: cpu_on(s, a1, a2, a3, r); break;
	case PSCI_FN_AFFINITY_INFO: r->ret = affinity_info(s, a1, a2); break;
	case PSCI_FN_MIGRATE_INFO_TYPE: r->ret = PSCI_MIGRATE_NOT_NEEDED; break;
	case PSCI_FN_SYSTEM_OFF: r->effect = PSCI_SYSTEM_OFF; break;
	case PSCI_FN_SYSTEM_RESET: r->effect = PSCI_SYSTEM_RESET; break;
	case PSCI_FN_FEATURES:
		r->ret = is_implemented(a1) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
		break;
	default: r->ret = PSCI_RET_NOT_SUPPORTED; break;
	}
}
