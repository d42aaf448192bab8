/* Controls of the host page-table hooks (fake_pt.c) for unit tests. */
#ifndef FAKE_PT_H
#define FAKE_PT_H

#include <stdint.h>

struct fake_tlb_call {
	uint32_t vmid, ipa, size;
};
typedef void fake_tlb_hook_fn(uint32_t vmid, uint32_t ipa, uint32_t size);

void fake_pt_reset(void);
void fake_pt_set_limit(int pages_left); /* -1: no limit */
int fake_pt_in_use(void);
int fake_pt_errors(void);
unsigned fake_pt_syncs(void);
unsigned fake_tlb_calls(void);
struct fake_tlb_call fake_tlb_last(void);
void fake_tlb_set_hook(fake_tlb_hook_fn *hook);

#endif
