/*
 * Memory, capability slots and native servers. init holds all free RAM
 * identity-mapped, so it fills a server's memory directly and then maps
 * the same frames into the server's own stage-2 space.
 */
#include "init.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <hv/syscall.h>
#include <string.h>

#define SERVER_IMAGE_SIZE 0x00100000u
#define SERVER_PRIO_MASK  0xffu

static uint32_t mem_next, mem_end;
static uint8_t slot_used[HV_CAP_SLOTS];

void mem_init(uint32_t base, uint32_t end)
{
	mem_next = base;
	mem_end = end;
	for (int s = 0; s < HV_INIT_CAP_FIRST_FREE; s++)
		slot_used[s] = 1;
}

/* Zeroed, aligned physical memory; 0 when none is left. */
uint32_t mem_alloc(uint32_t size, uint32_t align)
{
	uint32_t pa = (mem_next + align - 1) & ~(align - 1);
	if (pa < mem_next || pa + size > mem_end || pa + size < pa)
		return 0;
	mem_next = pa + size;
	memset((void *)pa, 0, size);
	return pa;
}

int slot_alloc(void)
{
	for (int s = HV_INIT_CAP_FIRST_FREE; s < HV_CAP_SLOTS; s++) {
		if (!slot_used[s]) {
			slot_used[s] = 1;
			return s;
		}
	}
	return 0;
}

void slot_free(int slot)
{
	if (slot >= HV_INIT_CAP_FIRST_FREE && slot < HV_CAP_SLOTS)
		slot_used[slot] = 0;
}

const struct hv_module *module_find(const char *name)
{
	for (unsigned i = 0; i < bootinfo->nr_modules; i++)
		if (!strcmp(bootinfo->modules[i].name, name))
			return &bootinfo->modules[i];
	return NULL;
}

/* Objects whose destruction races a CPU still leaving them are retried,
 * for a while: a slot that stays busy is reported and left alone. */
int destroy_retry(int slot)
{
	int err, tries = 0;
	if (!slot)
		return HV_ECAP;
	while ((err = hv_obj_destroy((uint32_t)slot)) == HV_EBUSY && ++tries < 10000)
		hv_yield();
	if (err)
		log_printf("init: cannot destroy object in slot %d: error %d\n", slot, err);
	if (err == HV_OK)
		slot_free(slot);
	return err;
}

int server_map(struct server *s, uint32_t pa, uint32_t ipa, uint32_t size, uint32_t flags)
{
	return hv_map((uint32_t)s->as, C_MEMORY, pa, ipa, size, flags);
}

int server_grant(struct server *s, uint32_t dest, int src, uint32_t rights, uint32_t badge)
{
	return hv_cap_copy((uint32_t)s->as, dest, (uint32_t)src, rights, badge);
}

static int load_image(struct server *s, const char *module)
{
	const struct hv_module *m = module_find(module);
	if (!m || m->size > SERVER_IMAGE_SIZE - HV_SRV_IMAGE - 0x20000) {
		log_printf("init: no usable server image '%s'\n", module);
		return HV_EINVAL;
	}
	if (!s->image_pa)
		s->image_pa = mem_alloc(SERVER_IMAGE_SIZE, SERVER_IMAGE_SIZE);
	if (!s->info_pa)
		s->info_pa = mem_alloc(4096, 4096);
	if (!s->image_pa || !s->info_pa)
		return HV_ENOMEM;
	memset((void *)s->image_pa, 0, SERVER_IMAGE_SIZE);
	memcpy((void *)(s->image_pa + HV_SRV_IMAGE), (const void *)m->ipa, m->size);
	return HV_OK;
}

/* A fresh space and thread running `module`, not yet started. The image
 * and info page are reused when s already has them (a restart). */
int server_create(struct server *s, const char *module, uint32_t prio, uint32_t cpu,
                  uint32_t fault_badge)
{
	int err = load_image(s, module);
	if (err)
		return err;
	s->as = slot_alloc();
	s->thread = slot_alloc();
	if (!s->as || !s->thread)
		return HV_ENOMEM;
	err = hv_obj_create(C_CONTROL, HV_OBJ_ASPACE, (uint32_t)s->as, 0);
	if (!err)
		err = hv_obj_create(C_CONTROL, HV_OBJ_THREAD, (uint32_t)s->thread, 0);
	if (!err)
		err = server_map(s, s->image_pa, 0, SERVER_IMAGE_SIZE, HV_MAP_RWX);
	if (!err)
		err = server_map(s, s->info_pa, HV_SRV_BOOTINFO, 4096, HV_MAP_R);
	if (!err)
		err = hv_thread_config((uint32_t)s->thread, (uint32_t)s->as, HV_SRV_IMAGE,
		                       HV_SRV_STACK_TOP, prio & SERVER_PRIO_MASK, cpu,
		                       (uint32_t)supervisor_ep, fault_badge);
	if (err)
		log_printf("init: cannot create server '%s': error %d\n", module, err);
	return err;
}

void server_destroy(struct server *s)
{
	if (s->thread)
		destroy_retry(s->thread);
	if (s->as)
		destroy_retry(s->as);
	s->thread = s->as = 0;
}
