/*
 * Virtual GICv2 distributor (ARM IHI0048B), one per VM. The register
 * behaviour is described in vgicd.c.
 *
 * The state is plain data without pointers: it lives in the monitor's state
 * region and a restarted monitor picks it up as it is.
 */
#ifndef VMM_VGICD_H
#define VMM_VGICD_H

#include <stdbool.h>
#include <stdint.h>

#define VGICD_MAX_IRQS   256
#define VGICD_MAX_CPUS   4
#define VGICD_NR_SGIS    16
#define VGICD_NR_PRIVATE 32 /* SGIs and PPIs: banked per CPU */

/* The four per-INTID bit arrays (IGROUPR, I[SC]ENABLER, I[SC]PENDR, I[SC]ACTIVER). */
enum vgicd_bitmap { VGICD_GROUP, VGICD_ENABLE, VGICD_PENDING, VGICD_ACTIVE, VGICD_NR_BITMAPS };

/* State of INTIDs 0-31 as one CPU sees it. */
struct vgicd_banked {
	uint32_t bits[VGICD_NR_BITMAPS]; /* SGI pending lives in sgi_pending */
	uint8_t priority[VGICD_NR_PRIVATE];
	uint8_t sgi_pending[VGICD_NR_SGIS]; /* per SGI: bitmask of source CPUs */
};

struct vgicd {
	uint32_t nr_irqs; /* multiple of 32, 32..VGICD_MAX_IRQS */
	uint32_t nr_cpus; /* 1..VGICD_MAX_CPUS */
	uint32_t ctlr;
	struct vgicd_banked banked[VGICD_MAX_CPUS];
	/* SPIs; word 0 is unused (banked). */
	uint32_t bits[VGICD_NR_BITMAPS][VGICD_MAX_IRQS / 32];
	uint8_t priority[VGICD_MAX_IRQS];    /* 0-31 unused (banked) */
	uint8_t targets[VGICD_MAX_IRQS];     /* 0-31 unused (read as 1 << cpu) */
	uint32_t icfgr[VGICD_MAX_IRQS / 16]; /* words 0 and 1 unused (RO) */
};

void vgicd_init(struct vgicd *d, unsigned nr_irqs, unsigned nr_cpus);

/* offset is within the 4 KiB frame, size 1, 2 or 4. 0, or -1 = bad access
 * (the caller injects a data abort). */
int vgicd_read(const struct vgicd *d, unsigned cpu, uint32_t offset, unsigned size, uint32_t *val);
int vgicd_write(struct vgicd *d, unsigned cpu, uint32_t offset, unsigned size, uint32_t val);

/*
 * The highest-priority interrupt (lowest value; ties: lowest INTID) that is
 * pending, enabled, of a group enabled in CTLR and targets cpu, or -1. Its
 * pending state is cleared (for an SGI: one source, the lowest-numbered)
 * because it now lives in a list register. *lr_info = source CPU (SGIs
 * only) | priority << 8 | group << 16.
 */
int vgicd_take_pending(struct vgicd *d, unsigned cpu, uint32_t *lr_info);

/* A device model raises intid: a PPI pends on cpu, an SPI ignores cpu.
 * SGIs (raised through GICD_SGIR) and INTIDs >= nr_irqs are ignored. */
/* Whether intid is level-sensitive (needs re-sampling at EOI). */
bool vgicd_is_level(const struct vgicd *d, unsigned intid);
void vgicd_set_pending(struct vgicd *d, unsigned cpu, unsigned intid);

#endif
