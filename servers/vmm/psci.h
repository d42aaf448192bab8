/*
 * PSCI 0.2 (ARM DEN0022) for the guest's HVC calls, as a pure function of
 * the VM's CPU power states: the monitor carries out the effect it returns.
 *
 * The state is plain data without pointers (monitor state region).
 */
#ifndef VMM_PSCI_H
#define VMM_PSCI_H

#include <stdint.h>

#define PSCI_MAX_CPUS 4

/* SMC32 function IDs (DEN0022 5.1) */
#define PSCI_FN_VERSION           0x84000000u
#define PSCI_FN_CPU_SUSPEND       0x84000001u
#define PSCI_FN_CPU_OFF           0x84000002u
#define PSCI_FN_CPU_ON            0x84000003u
#define PSCI_FN_AFFINITY_INFO     0x84000004u
#define PSCI_FN_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_FN_SYSTEM_OFF        0x84000008u
#define PSCI_FN_SYSTEM_RESET      0x84000009u
#define PSCI_FN_FEATURES          0x8400000Au

/* Return codes (DEN0022 5.2.2) */
#define PSCI_RET_SUCCESS            0
#define PSCI_RET_NOT_SUPPORTED      (-1)
#define PSCI_RET_INVALID_PARAMETERS (-2)
#define PSCI_RET_DENIED             (-3)
#define PSCI_RET_ALREADY_ON         (-4)
#define PSCI_RET_ON_PENDING         (-5)
#define PSCI_RET_INTERNAL_FAILURE   (-6)

#define PSCI_VERSION_0_2        0x00000002u
#define PSCI_MIGRATE_NOT_NEEDED 2 /* MIGRATE_INFO_TYPE: no Trusted OS */

/* Power states, numbered as AFFINITY_INFO reports them. */
enum psci_power { PSCI_ON = 0, PSCI_OFF = 1, PSCI_ON_PENDING = 2 };

struct psci_state {
	uint32_t nr_cpus;
	uint8_t power[PSCI_MAX_CPUS]; /* enum psci_power */
};

/* What the monitor must do; psci_state changes only with START_CPU or
 * STOP_CALLER. */
enum psci_effect {
	PSCI_NONE,
	PSCI_START_CPU,   /* start cpu at entry with r0 = context */
	PSCI_STOP_CALLER, /* the calling CPU (cpu) stops; no return value */
	PSCI_WAIT_CALLER, /* the caller waits for an interrupt, then gets ret */
	PSCI_SYSTEM_OFF,
	PSCI_SYSTEM_RESET,
};

struct psci_result {
	int32_t ret; /* value for the caller's r0 */
	enum psci_effect effect;
	uint32_t cpu;
	uint32_t entry;
	uint32_t context;
};

/* nr_cpus is clamped to 1..PSCI_MAX_CPUS; cpu 0 is on, the others off. */
void psci_init(struct psci_state *s, unsigned nr_cpus);

void psci_call(struct psci_state *s, unsigned caller_cpu, uint32_t fn, uint32_t a1, uint32_t a2,
               uint32_t a3, struct psci_result *r);

#endif
