/*
 * Physical interrupts owned by servers (SPIs). A bound interrupt is masked
 * when it fires and its notification signalled with the notification cap's
 * badge; the server acknowledges it (IRQ_ACK) to unmask it again.
 */
#include "arch.h"
#include "kernel.h"

static struct {
	struct ntfn *ntfn;
	uint32_t bits;
} bindings[MAX_IRQS];

int irq_bind(uint32_t irq, struct ntfn *n, uint32_t bits)
{
	if (irq < 32 || irq >= MAX_IRQS)
		return HV_EINVAL;
	bindings[irq].ntfn = n;
	bindings[irq].bits = bits;
	if (n)
		arch_irq_unmask(irq);
	else
		arch_irq_mask(irq);
	return HV_OK;
}

int irq_ack(uint32_t irq)
{
	if (irq < 32 || irq >= MAX_IRQS || !bindings[irq].ntfn)
		return HV_ESTATE;
	arch_irq_unmask(irq);
	return HV_OK;
}

void irq_deliver(uint32_t irq)
{
	arch_irq_mask(irq);
	if (irq < MAX_IRQS && bindings[irq].ntfn)
		ntfn_signal(bindings[irq].ntfn, bindings[irq].bits);
}

/* A notification going away takes its bindings with it. */
void irq_unbind_ntfn(struct ntfn *n)
{
	for (unsigned i = 0; i < MAX_IRQS; i++)
		if (bindings[i].ntfn == n)
			irq_bind(i, NULL, 0);
}
