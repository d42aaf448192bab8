/*
 * HYP control register fields, one bit per line (ARM ARM B4.1.65 HCR,
 * B4.1.47 HCPTR, B4.1.74 HSTR, B4.1.43 HDCR), and the two trap policies.
 */
#ifndef HYP_REGS_H
#define HYP_REGS_H

#define HCR_VM     (1u << 0)  /* stage 2 translation on */
#define HCR_SWIO   (1u << 1)  /* set/way invalidate becomes clean+invalidate */
#define HCR_PTW    (1u << 2)  /* stage-1 walks to Device memory fault */
#define HCR_FMO    (1u << 3)  /* FIQs to HYP, virtual FIQs to the guest */
#define HCR_IMO    (1u << 4)  /* IRQs to HYP, virtual IRQs to the guest */
#define HCR_AMO    (1u << 5)  /* async aborts to HYP */
#define HCR_FB     (1u << 9)  /* broadcast TLB/cache maintenance (vCPUs move) */
#define HCR_BSU_IS (1u << 10) /* barriers upgraded to inner shareable */
#define HCR_DC     (1u << 12) /* stage 1 off behaves as Normal cacheable */
#define HCR_TWI    (1u << 13) /* trap WFI */
#define HCR_TWE    (1u << 14) /* trap WFE */
#define HCR_TIDCP  (1u << 20) /* trap implementation-defined CP15 (c9-c11) */
#define HCR_TAC    (1u << 21) /* trap ACTLR */
#define HCR_TSW    (1u << 22) /* trap set/way cache maintenance */
#define HCR_TSC    (1u << 19) /* trap SMC */
#define HCR_TGE    (1u << 27) /* PL0 exceptions come to HYP */

/* A guest: stage 2 on, every interrupt and exception it cannot own trapped. */
#define HCR_GUEST                                                                                  \
	(HCR_VM | HCR_SWIO | HCR_PTW | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS |         \
	 HCR_TWI | HCR_TWE | HCR_TIDCP | HCR_TAC | HCR_TSW | HCR_TSC)

/* A native PL0 server: stage 1 off (DC), SVC/aborts/undef to HYP (TGE). */
#define HCR_NATIVE (HCR_VM | HCR_FMO | HCR_IMO | HCR_AMO | HCR_DC | HCR_TGE)

#define HCPTR_TCP10    (1u << 10)                               /* trap VFP/NEON (cp10) */
#define HCPTR_TCP11    (1u << 11)                               /* trap VFP/NEON (cp11) */
#define HCPTR_TASE     (1u << 15)                               /* trap Advanced SIMD */
#define HCPTR_VFP_TRAP (HCPTR_TCP10 | HCPTR_TCP11 | HCPTR_TASE) /* FP not this thread's */

#define HSTR_T15 (1u << 15) /* trap CP15 c15 (implementation defined) */

#define HDCR_TPMCR (1u << 5) /* trap PMCR */
#define HDCR_TPM   (1u << 6) /* trap other PMU registers */
#define HDCR_TDE   (1u << 8) /* debug exceptions to HYP */
#define HDCR_TDA   (1u << 9) /* trap debug register accesses */
#define HDCR_TDOSA (1u << 10)
#define HDCR_TDRA  (1u << 11)

#define HSR_EC(hsr)       ((hsr) >> 26)
#define HSR_IL            (1u << 25)
#define HSR_ISS(hsr)      ((hsr)&0x1ffffff)
#define HSR_DABT_ISV      (1u << 24)
#define HSR_DABT_SRT(hsr) (((hsr) >> 16) & 0xf)
#define HSR_DABT_WNR      (1u << 6)
#define HSR_CP_RT(hsr)    (((hsr) >> 5) & 0xf)
#define HSR_CP_READ       1u /* ISS[0] direction: 1 = read (MRC) */

#define PSR_MODE_MASK 0x1fu
#define PSR_MODE_USR  0x10u
#define PSR_MODE_FIQ  0x11u
#define PSR_MODE_IRQ  0x12u
#define PSR_MODE_SVC  0x13u
#define PSR_MODE_ABT  0x17u
#define PSR_MODE_HYP  0x1au
#define PSR_MODE_UND  0x1bu
#define PSR_MODE_SYS  0x1fu
#define PSR_T         (1u << 5)
#define PSR_F         (1u << 6)
#define PSR_I         (1u << 7)
#define PSR_A         (1u << 8)
#define PSR_E         (1u << 9)
#define PSR_J         (1u << 24)
#define PSR_IT_MASK   (0x06000000u | 0x0000fc00u) /* IT[1:0] at 26:25, IT[7:2] at 15:10 */

/* GICH (GIC architecture spec v2, 5.3 "GIC virtual interface control") */
#define GICH_HCR           0x000
#define GICH_VTR           0x004
#define GICH_VMCR          0x008
#define GICH_MISR          0x010
#define GICH_EISR0         0x020
#define GICH_ELSR0         0x030
#define GICH_APR           0x0f0
#define GICH_LR0           0x100
#define GICH_HCR_EN        (1u << 0)
#define GICH_HCR_UIE       (1u << 1) /* maintenance IRQ when LRs run empty */
#define GICH_LR_STATE_MASK (3u << 28)
#define GICH_LR_PENDING    (1u << 28)
#define GICH_LR_EOI        (1u << 19)
#define GICH_LR_SOURCE_ID  0x1fffu /* CPUID[12:10] and VirtualID[9:0] */
#define GICH_LR_ID_MASK    0x3ffu

#endif
