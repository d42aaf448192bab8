/*
 * Stage-2 translation tables: one per address space, walked by the MMU
 * through VTTBR with the address space's VMID.
 *
 * 32-bit IPA space (VTCR.T0SZ=0, SL0=1): a 4-entry level-1 table, level-2
 * tables of 2 MiB blocks, level-3 tables of 4 KiB pages; 40-bit PAs.
 * Every table, the root included, is one page from arch_pt_alloc().
 */
#ifndef S2PT_H
#define S2PT_H

#include <stdint.h>

#include <hv/abi.h>

/* attr bits: HV_MAP_R, HV_MAP_W, HV_MAP_X from abi.h, plus: */
#define S2_DEVICE 0x100u /* Device memory instead of Normal write-back */

struct s2pt {
	uint64_t *root; /* level-1 table, a page (VTTBR.BADDR needs 32 bytes) */
	uint32_t vmid;
	unsigned tables; /* table pages allocated, the root included */
};

/* Allocates an empty root. HV_ENOMEM if no page is left. */
int s2pt_init(struct s2pt *pt, uint32_t vmid);

/*
 * Frees every table page and leaves root NULL. The space must no longer be
 * live on any CPU; flushing the VMID's TLB entries is the caller's job.
 */
void s2pt_destroy(struct s2pt *pt);

/*
 * Maps [ipa, ipa + size) to [pa, pa + size) with attr (R or W required).
 * HV_EINVAL: unaligned/zero size, range past 4 GiB IPA or 2^40 PA, bad attr.
 * HV_EBUSY: some page of the range is mapped. HV_ENOMEM: no table page.
 * On any error the tables are unchanged.
 */
int s2pt_map(struct s2pt *pt, uint32_t ipa, uint64_t pa, uint32_t size, unsigned attr);

/*
 * Unmaps whatever is mapped in [ipa, ipa + size) and flushes it from the TLB.
 * HV_EINVAL: unaligned/zero size or past 4 GiB. HV_ENOMEM: splitting a
 * partly unmapped 2 MiB block needed a page; the tables are unchanged.
 */
int s2pt_unmap(struct s2pt *pt, uint32_t ipa, uint32_t size);

/*
 * The PA of byte ipa and the attr it was mapped with; HV_EFAULT if
 * unmapped. pa or attr may be NULL.
 */
int s2pt_lookup(const struct s2pt *pt, uint32_t ipa, uint64_t *pa, unsigned *attr);

#endif
