/*
 * Hooks the portable stage-2 table code (core/s2pt.c) needs from the
 * architecture. The ARMv7 implementation lives with the rest of the arch
 * code; tests/unit/fake_pt.c is the host fake.
 */
#ifndef ARCH_PT_H
#define ARCH_PT_H

#include <stdint.h>

/* A zeroed, 4 KiB-aligned 4 KiB page for a translation table, or NULL. */
void *arch_pt_alloc(void);

/* Give back a page from arch_pt_alloc (its contents are garbage). */
void arch_pt_free(void *page);

/* Physical address of a table page (what descriptors and VTTBR hold). */
uint64_t arch_pt_pa(const void *page);

/* Kernel pointer for the table page at physical address pa. */
void *arch_pt_va(uint64_t pa);

/* Make descriptor writes visible to the table walkers (DSB on ARM). */
void arch_pt_sync(void);

/* Invalidate stage-2 TLB entries of vmid for IPAs [ipa, ipa + size). */
void arch_s2_tlb_invalidate(uint32_t vmid, uint32_t ipa, uint32_t size);

#endif
