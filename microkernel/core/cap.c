/*
 * Capability tables: one per address space, HV_CAP_SLOTS entries. Every
 * syscall names its objects by slot; cap_lookup checks type and rights
 * before anything else happens (decode, then invoke).
 */
#include "kernel.h"

#include <string.h>

/* An empty slot, or NULL when the slot is out of range or occupied. */
struct cap *cap_slot_empty(struct aspace *as, uint32_t slot)
{
	if (slot == 0 || slot >= HV_CAP_SLOTS || as->caps[slot].type != HV_CAP_NULL)
		return NULL;
	return &as->caps[slot];
}

/* Copy with rights reduced to `rights`; a non-zero badge replaces the
 * source's badge (endpoints and notifications only). */
int cap_copy(struct aspace *dst, uint32_t dslot, struct aspace *src, uint32_t sslot,
             uint32_t rights, uint32_t badge)
{
	if (sslot >= HV_CAP_SLOTS || src->caps[sslot].type == HV_CAP_NULL)
		return HV_ECAP;
	if ((rights & ~HV_RIGHTS_ALL) != 0)
		return HV_EINVAL;
	struct cap *d = cap_slot_empty(dst, dslot);
	if (!d)
		return dslot == 0 || dslot >= HV_CAP_SLOTS ? HV_EINVAL : HV_EBUSY;
	const struct cap *s = &src->caps[sslot];
	if (badge != 0 && s->type != HV_CAP_ENDPOINT && s->type != HV_CAP_NOTIFICATION)
		return HV_EINVAL;
	*d = *s;
	d->rights &= rights;
	if (badge != 0)
		d->badge = badge;
	return HV_OK;
}

int cap_delete(struct aspace *as, uint32_t slot)
{
	if (slot == 0 || slot >= HV_CAP_SLOTS)
		return HV_EINVAL;
	if (as->caps[slot].type == HV_CAP_NULL)
		return HV_ECAP;
	memset(&as->caps[slot], 0, sizeof(as->caps[slot]));
	return HV_OK;
}

/* Clear every capability, in every table, that names obj. */
void cap_revoke_object(void *obj)
{
	extern struct aspace aspaces[MAX_ASPACES];
	for (unsigned a = 0; a < MAX_ASPACES; a++) {
		if (!aspaces[a].used)
			continue;
		for (unsigned s = 0; s < HV_CAP_SLOTS; s++) {
			struct cap *c = &aspaces[a].caps[s];
			bool by_pointer = c->type == HV_CAP_ASPACE || c->type == HV_CAP_THREAD ||
			                  c->type == HV_CAP_ENDPOINT ||
			                  c->type == HV_CAP_NOTIFICATION;
			if (by_pointer && c->obj == obj)
				memset(c, 0, sizeof(*c));
		}
	}
}
