/*
 * Coprocessor register accessors, one line per register (ARM ARM B4.1 and
 * B8 "The Generic Timer"). Names follow the ARM ARM.
 */
#ifndef CP15_H
#define CP15_H

#include <stdint.h>

#define CP32(name, op1, crn, crm, op2)                                                             \
	static inline uint32_t read_##name(void)                                                   \
	{                                                                                          \
		uint32_t v;                                                                        \
		__asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v));    \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_##name(uint32_t v)                                                \
	{                                                                                          \
		__asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 ::"r"(v));     \
	}

#define CP64(name, op1, crm)                                                                       \
	static inline uint64_t read_##name(void)                                                   \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ volatile("mrrc p15, " #op1 ", %Q0, %R0, " #crm : "=r"(v));                 \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_##name(uint64_t v)                                                \
	{                                                                                          \
		__asm__ volatile("mcrr p15, " #op1 ", %Q0, %R0, " #crm ::"r"(v));                  \
	}

/* Hyp configuration and syndrome */
CP32(hcr, 4, c1, c1, 0)
CP32(hdcr, 4, c1, c1, 1)
CP32(hcptr, 4, c1, c1, 2)
CP32(hstr, 4, c1, c1, 3)
CP32(hsctlr, 4, c1, c0, 0)
CP32(hsr, 4, c5, c2, 0)
CP32(hdfar, 4, c6, c0, 0)
CP32(hifar, 4, c6, c0, 2)
CP32(hpfar, 4, c6, c0, 4)
CP32(htpidr, 4, c13, c0, 2)
CP32(hmair0, 4, c10, c2, 0)
CP32(htcr, 4, c2, c0, 2)
CP32(vtcr, 4, c2, c1, 2)
CP32(hvbar, 4, c12, c0, 0)
CP32(vmpidr, 4, c0, c0, 5)
CP64(httbr, 4, c2)
CP64(vttbr, 6, c2)

/* Guest (PL1) context, switched per vCPU */
CP32(sctlr, 0, c1, c0, 0)
CP32(cpacr, 0, c1, c0, 2)
CP32(ttbcr, 0, c2, c0, 2)
CP32(dacr, 0, c3, c0, 0)
CP32(dfsr, 0, c5, c0, 0)
CP32(ifsr, 0, c5, c0, 1)
CP32(adfsr, 0, c5, c1, 0)
CP32(aifsr, 0, c5, c1, 1)
CP32(dfar, 0, c6, c0, 0)
CP32(ifar, 0, c6, c0, 2)
CP32(prrr, 0, c10, c2, 0)
CP32(nmrr, 0, c10, c2, 1)
CP32(amair0, 0, c10, c3, 0)
CP32(amair1, 0, c10, c3, 1)
CP32(vbar, 0, c12, c0, 0)
CP32(contextidr, 0, c13, c0, 1)
CP32(tpidrurw, 0, c13, c0, 2)
CP32(tpidruro, 0, c13, c0, 3)
CP32(tpidrprw, 0, c13, c0, 4)
CP32(cntkctl, 0, c14, c1, 0)
CP32(csselr, 2, c0, c0, 0)
CP64(ttbr0, 0, c2)
CP64(ttbr1, 1, c2)
CP64(par, 0, c7)

/* Generic timer */
CP32(cntfrq, 0, c14, c0, 0)
CP32(cnthctl, 4, c14, c1, 0)
CP32(cnthp_ctl, 4, c14, c2, 1)
CP32(cntv_ctl, 0, c14, c3, 1)
CP64(cntpct, 0, c14)
CP64(cnthp_cval, 6, c14)
CP64(cntv_cval, 3, c14)
CP64(cntvoff, 4, c14)

static inline void isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}
static inline void dsb(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
}

#endif
