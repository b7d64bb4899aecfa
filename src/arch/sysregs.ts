/**
 * The system registers and system instructions the machine knows, as data.
 *
 * This table is the single source for:
 *  - the assembler and disassembler (`mrs x0, hcr_el2`, `tlbi vmalls12e1is`),
 *  - the core's decode table (`assembly/cpu/sysregs.gen.ts`, generated from this file by
 *    `scripts/gen-sysregs.mjs`; a test checks the generated file is current).
 *
 * Encodings are (op0, op1, CRn, CRm, op2) as in the Arm ARM "System register encoding" tables and
 * Linux `arch/arm64/include/asm/sysreg.h` (`sys_reg()`); see ../shared/spec/arm.md §8 and §5.
 * What this file does not do: describe register *behaviour*. Plain storage is the default; the
 * core implements registers with side effects (timers, GIC, PSTATE fields) by id.
 */

/** Who may access a register: the lowest EL allowed for reads and for writes (4 = never). */
export interface SysRegDef {
  /** Upper-case architectural name, e.g. `HCR_EL2`. */
  readonly name: string;
  readonly op0: number;
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
  /** Lowest EL that may read (MRS); 4 = write-only. */
  readonly readEl: number;
  /** Lowest EL that may write (MSR); 4 = read-only. */
  readonly writeEl: number;
}

/** A system instruction (SYS/SYSL alias): DC, IC, AT, TLBI. */
export interface SysInsnDef {
  /** Mnemonic family. */
  readonly kind: 'dc' | 'ic' | 'at' | 'tlbi';
  /** Operation name in upper case, e.g. `VMALLS12E1IS`. */
  readonly op: string;
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
  /** Whether the instruction takes an Xt operand (`tlbi vae1, x0`) or not (`tlbi vmalle1`). */
  readonly hasRt: boolean;
  /** Lowest EL that may execute it. */
  readonly minEl: number;
}

const NEVER = 4;

function r(name: string, op0: number, op1: number, crn: number, crm: number, op2: number,
  readEl: number, writeEl: number): SysRegDef {
  return { name, op0, op1, crn, crm, op2, readEl, writeEl };
}
/** Read/write register accessible from `el` up. */
function rw(name: string, op0: number, op1: number, crn: number, crm: number, op2: number, el: number): SysRegDef {
  return r(name, op0, op1, crn, crm, op2, el, el);
}
/** Read-only register accessible from `el` up. */
function ro(name: string, op0: number, op1: number, crn: number, crm: number, op2: number, el: number): SysRegDef {
  return r(name, op0, op1, crn, crm, op2, el, NEVER);
}
/** Write-only register accessible from `el` up. */
function wo(name: string, op0: number, op1: number, crn: number, crm: number, op2: number, el: number): SysRegDef {
  return r(name, op0, op1, crn, crm, op2, NEVER, el);
}

/**
 * Every system register, in id order (the core's ids are indexes into this array, plus one:
 * id 0 means "no such register" and takes the UNDEFINED exception).
 */
export const SYSREGS: readonly SysRegDef[] = [
  // Identification (Arm ARM D17.2). Read-only at EL1.
  ro('MIDR_EL1', 3, 0, 0, 0, 0, 1),
  ro('MPIDR_EL1', 3, 0, 0, 0, 5, 1),
  ro('REVIDR_EL1', 3, 0, 0, 0, 6, 1),
  // The AArch32 ID registers (op0=3 op1=0 CRn=0 CRm=1..3). This CPU has no AArch32 state, so
  // they read as zero; like the AArch64 ones they are ID group 3 (HCR_EL2.TID3 traps them).
  ro('ID_PFR0_EL1', 3, 0, 0, 1, 0, 1),
  ro('ID_PFR1_EL1', 3, 0, 0, 1, 1, 1),
  ro('ID_DFR0_EL1', 3, 0, 0, 1, 2, 1),
  ro('ID_AFR0_EL1', 3, 0, 0, 1, 3, 1),
  ro('ID_MMFR0_EL1', 3, 0, 0, 1, 4, 1),
  ro('ID_MMFR1_EL1', 3, 0, 0, 1, 5, 1),
  ro('ID_MMFR2_EL1', 3, 0, 0, 1, 6, 1),
  ro('ID_MMFR3_EL1', 3, 0, 0, 1, 7, 1),
  ro('ID_ISAR0_EL1', 3, 0, 0, 2, 0, 1),
  ro('ID_ISAR1_EL1', 3, 0, 0, 2, 1, 1),
  ro('ID_ISAR2_EL1', 3, 0, 0, 2, 2, 1),
  ro('ID_ISAR3_EL1', 3, 0, 0, 2, 3, 1),
  ro('ID_ISAR4_EL1', 3, 0, 0, 2, 4, 1),
  ro('ID_ISAR5_EL1', 3, 0, 0, 2, 5, 1),
  ro('ID_MMFR4_EL1', 3, 0, 0, 2, 6, 1),
  ro('MVFR0_EL1', 3, 0, 0, 3, 0, 1),
  ro('MVFR1_EL1', 3, 0, 0, 3, 1, 1),
  ro('MVFR2_EL1', 3, 0, 0, 3, 2, 1),
  ro('ID_AA64PFR0_EL1', 3, 0, 0, 4, 0, 1),
  ro('ID_AA64PFR1_EL1', 3, 0, 0, 4, 1, 1),
  ro('ID_AA64DFR0_EL1', 3, 0, 0, 5, 0, 1),
  ro('ID_AA64DFR1_EL1', 3, 0, 0, 5, 1, 1),
  ro('ID_AA64AFR0_EL1', 3, 0, 0, 5, 4, 1),
  ro('ID_AA64AFR1_EL1', 3, 0, 0, 5, 5, 1),
  ro('ID_AA64ISAR0_EL1', 3, 0, 0, 6, 0, 1),
  ro('ID_AA64ISAR1_EL1', 3, 0, 0, 6, 1, 1),
  ro('ID_AA64MMFR0_EL1', 3, 0, 0, 7, 0, 1),
  ro('ID_AA64MMFR1_EL1', 3, 0, 0, 7, 1, 1),
  ro('ID_AA64MMFR2_EL1', 3, 0, 0, 7, 2, 1),
  ro('CCSIDR_EL1', 3, 1, 0, 0, 0, 1),
  ro('CLIDR_EL1', 3, 1, 0, 0, 1, 1),
  rw('CSSELR_EL1', 3, 2, 0, 0, 0, 1),
  ro('CTR_EL0', 3, 3, 0, 0, 1, 0),
  ro('DCZID_EL0', 3, 3, 0, 0, 7, 0),
  // EL1 system control and translation.
  rw('SCTLR_EL1', 3, 0, 1, 0, 0, 1),
  rw('ACTLR_EL1', 3, 0, 1, 0, 1, 1),
  rw('CPACR_EL1', 3, 0, 1, 0, 2, 1),
  rw('TTBR0_EL1', 3, 0, 2, 0, 0, 1),
  rw('TTBR1_EL1', 3, 0, 2, 0, 1, 1),
  rw('TCR_EL1', 3, 0, 2, 0, 2, 1),
  rw('SPSR_EL1', 3, 0, 4, 0, 0, 1),
  rw('ELR_EL1', 3, 0, 4, 0, 1, 1),
  rw('SP_EL0', 3, 0, 4, 1, 0, 1),
  rw('SPSEL', 3, 0, 4, 2, 0, 1),
  ro('CURRENTEL', 3, 0, 4, 2, 2, 1),
  rw('PAN', 3, 0, 4, 2, 3, 1),
  rw('UAO', 3, 0, 4, 2, 4, 1),
  rw('ICC_PMR_EL1', 3, 0, 4, 6, 0, 1),
  rw('AFSR0_EL1', 3, 0, 5, 1, 0, 1),
  rw('AFSR1_EL1', 3, 0, 5, 1, 1, 1),
  rw('ESR_EL1', 3, 0, 5, 2, 0, 1),
  rw('FAR_EL1', 3, 0, 6, 0, 0, 1),
  rw('PAR_EL1', 3, 0, 7, 4, 0, 1),
  rw('PMINTENSET_EL1', 3, 0, 9, 14, 1, 1),
  rw('PMINTENCLR_EL1', 3, 0, 9, 14, 2, 1),
  rw('MAIR_EL1', 3, 0, 10, 2, 0, 1),
  rw('AMAIR_EL1', 3, 0, 10, 3, 0, 1),
  rw('VBAR_EL1', 3, 0, 12, 0, 0, 1),
  ro('ISR_EL1', 3, 0, 12, 1, 0, 1),
  // GICv3 CPU interface, EL1 view (GIC architecture spec 12.2; ../shared/spec/arm.md §6).
  ro('ICC_IAR0_EL1', 3, 0, 12, 8, 0, 1),
  wo('ICC_EOIR0_EL1', 3, 0, 12, 8, 1, 1),
  ro('ICC_HPPIR0_EL1', 3, 0, 12, 8, 2, 1),
  rw('ICC_BPR0_EL1', 3, 0, 12, 8, 3, 1),
  rw('ICC_AP0R0_EL1', 3, 0, 12, 8, 4, 1),
  rw('ICC_AP1R0_EL1', 3, 0, 12, 9, 0, 1),
  wo('ICC_DIR_EL1', 3, 0, 12, 11, 1, 1),
  ro('ICC_RPR_EL1', 3, 0, 12, 11, 3, 1),
  wo('ICC_SGI1R_EL1', 3, 0, 12, 11, 5, 1),
  wo('ICC_ASGI1R_EL1', 3, 0, 12, 11, 6, 1),
  wo('ICC_SGI0R_EL1', 3, 0, 12, 11, 7, 1),
  ro('ICC_IAR1_EL1', 3, 0, 12, 12, 0, 1),
  wo('ICC_EOIR1_EL1', 3, 0, 12, 12, 1, 1),
  ro('ICC_HPPIR1_EL1', 3, 0, 12, 12, 2, 1),
  rw('ICC_BPR1_EL1', 3, 0, 12, 12, 3, 1),
  rw('ICC_CTLR_EL1', 3, 0, 12, 12, 4, 1),
  rw('ICC_SRE_EL1', 3, 0, 12, 12, 5, 1),
  rw('ICC_IGRPEN0_EL1', 3, 0, 12, 12, 6, 1),
  rw('ICC_IGRPEN1_EL1', 3, 0, 12, 12, 7, 1),
  rw('CONTEXTIDR_EL1', 3, 0, 13, 0, 1, 1),
  rw('TPIDR_EL1', 3, 0, 13, 0, 4, 1),
  rw('CNTKCTL_EL1', 3, 0, 14, 1, 0, 1),
  // EL0-accessible state.
  rw('NZCV', 3, 3, 4, 2, 0, 0),
  rw('DAIF', 3, 3, 4, 2, 1, 0),
  rw('FPCR', 3, 3, 4, 4, 0, 0),
  rw('FPSR', 3, 3, 4, 4, 1, 0),
  rw('TPIDR_EL0', 3, 3, 13, 0, 2, 0),
  r('TPIDRRO_EL0', 3, 3, 13, 0, 3, 0, 1),
  // Performance monitors (Arm ARM D13); EL0 access is gated by PMUSERENR_EL0 in the core.
  rw('PMCR_EL0', 3, 3, 9, 12, 0, 0),
  rw('PMCNTENSET_EL0', 3, 3, 9, 12, 1, 0),
  rw('PMCNTENCLR_EL0', 3, 3, 9, 12, 2, 0),
  rw('PMOVSCLR_EL0', 3, 3, 9, 12, 3, 0),
  rw('PMSELR_EL0', 3, 3, 9, 12, 5, 0),
  ro('PMCEID0_EL0', 3, 3, 9, 12, 6, 0),
  ro('PMCEID1_EL0', 3, 3, 9, 12, 7, 0),
  rw('PMCCNTR_EL0', 3, 3, 9, 13, 0, 0),
  r('PMUSERENR_EL0', 3, 3, 9, 14, 0, 0, 1),
  rw('PMOVSSET_EL0', 3, 3, 9, 14, 3, 0),
  rw('PMCCFILTR_EL0', 3, 3, 14, 15, 7, 0),
  // Generic timer (Arm ARM D11); EL0 access is gated by CNTKCTL_EL1 in the core.
  r('CNTFRQ_EL0', 3, 3, 14, 0, 0, 0, 1),
  ro('CNTPCT_EL0', 3, 3, 14, 0, 1, 0),
  ro('CNTVCT_EL0', 3, 3, 14, 0, 2, 0),
  rw('CNTP_TVAL_EL0', 3, 3, 14, 2, 0, 0),
  rw('CNTP_CTL_EL0', 3, 3, 14, 2, 1, 0),
  rw('CNTP_CVAL_EL0', 3, 3, 14, 2, 2, 0),
  rw('CNTV_TVAL_EL0', 3, 3, 14, 3, 0, 0),
  rw('CNTV_CTL_EL0', 3, 3, 14, 3, 1, 0),
  rw('CNTV_CVAL_EL0', 3, 3, 14, 3, 2, 0),
  // Debug (only what kernels touch at boot).
  rw('MDSCR_EL1', 2, 0, 0, 2, 2, 1),
  wo('OSLAR_EL1', 2, 0, 1, 0, 4, 1),
  ro('OSLSR_EL1', 2, 0, 1, 1, 4, 1),
  rw('OSDLR_EL1', 2, 0, 1, 3, 4, 1),
  // EL2 (Arm ARM D17.2; ../shared/spec/arm.md §4, §8).
  rw('VPIDR_EL2', 3, 4, 0, 0, 0, 2),
  rw('VMPIDR_EL2', 3, 4, 0, 0, 5, 2),
  rw('SCTLR_EL2', 3, 4, 1, 0, 0, 2),
  rw('ACTLR_EL2', 3, 4, 1, 0, 1, 2),
  rw('HCR_EL2', 3, 4, 1, 1, 0, 2),
  rw('MDCR_EL2', 3, 4, 1, 1, 1, 2),
  rw('CPTR_EL2', 3, 4, 1, 1, 2, 2),
  rw('HSTR_EL2', 3, 4, 1, 1, 3, 2),
  rw('HACR_EL2', 3, 4, 1, 1, 7, 2),
  rw('TTBR0_EL2', 3, 4, 2, 0, 0, 2),
  rw('TCR_EL2', 3, 4, 2, 0, 2, 2),
  rw('VTTBR_EL2', 3, 4, 2, 1, 0, 2),
  rw('VTCR_EL2', 3, 4, 2, 1, 2, 2),
  rw('DACR32_EL2', 3, 4, 3, 0, 0, 2),
  rw('SPSR_EL2', 3, 4, 4, 0, 0, 2),
  rw('ELR_EL2', 3, 4, 4, 0, 1, 2),
  rw('SP_EL1', 3, 4, 4, 1, 0, 2),
  rw('SPSR_IRQ', 3, 4, 4, 3, 0, 2),
  rw('SPSR_ABT', 3, 4, 4, 3, 1, 2),
  rw('SPSR_UND', 3, 4, 4, 3, 2, 2),
  rw('SPSR_FIQ', 3, 4, 4, 3, 3, 2),
  rw('IFSR32_EL2', 3, 4, 5, 0, 1, 2),
  rw('AFSR0_EL2', 3, 4, 5, 1, 0, 2),
  rw('AFSR1_EL2', 3, 4, 5, 1, 1, 2),
  rw('ESR_EL2', 3, 4, 5, 2, 0, 2),
  rw('FPEXC32_EL2', 3, 4, 5, 3, 0, 2),
  rw('FAR_EL2', 3, 4, 6, 0, 0, 2),
  rw('HPFAR_EL2', 3, 4, 6, 0, 4, 2),
  rw('MAIR_EL2', 3, 4, 10, 2, 0, 2),
  rw('AMAIR_EL2', 3, 4, 10, 3, 0, 2),
  rw('VBAR_EL2', 3, 4, 12, 0, 0, 2),
  ro('RVBAR_EL2', 3, 4, 12, 0, 1, 2),
  rw('ICH_AP0R0_EL2', 3, 4, 12, 8, 0, 2),
  rw('ICH_AP1R0_EL2', 3, 4, 12, 9, 0, 2),
  rw('ICC_SRE_EL2', 3, 4, 12, 9, 5, 2),
  rw('ICH_HCR_EL2', 3, 4, 12, 11, 0, 2),
  ro('ICH_VTR_EL2', 3, 4, 12, 11, 1, 2),
  ro('ICH_MISR_EL2', 3, 4, 12, 11, 2, 2),
  ro('ICH_EISR_EL2', 3, 4, 12, 11, 3, 2),
  ro('ICH_ELRSR_EL2', 3, 4, 12, 11, 5, 2),
  rw('ICH_VMCR_EL2', 3, 4, 12, 11, 7, 2),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((n) => rw(`ICH_LR${n}_EL2`, 3, 4, 12, 12, n, 2)),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((n) => rw(`ICH_LR${n + 8}_EL2`, 3, 4, 12, 13, n, 2)),
  rw('TPIDR_EL2', 3, 4, 13, 0, 2, 2),
  rw('CNTVOFF_EL2', 3, 4, 14, 0, 3, 2),
  rw('CNTHCTL_EL2', 3, 4, 14, 1, 0, 2),
  rw('CNTHP_TVAL_EL2', 3, 4, 14, 2, 0, 2),
  rw('CNTHP_CTL_EL2', 3, 4, 14, 2, 1, 2),
  rw('CNTHP_CVAL_EL2', 3, 4, 14, 2, 2, 2),
];

function s(kind: SysInsnDef['kind'], op: string, op1: number, crn: number, crm: number, op2: number,
  hasRt: boolean, minEl: number): SysInsnDef {
  return { kind, op, op1, crn, crm, op2, hasRt, minEl };
}

/**
 * System instructions (SYS op0=1) with their architectural aliases (Arm ARM C5.3;
 * Linux sysreg.h `OP_TLBI_*`, `SYS_DC_*`; ../shared/spec/arm.md §5).
 * Their effects (cache maintenance, address translation, TLB invalidation) are the core's.
 */
export const SYSINSNS: readonly SysInsnDef[] = [
  s('ic', 'IALLUIS', 0, 7, 1, 0, false, 1),
  s('ic', 'IALLU', 0, 7, 5, 0, false, 1),
  s('ic', 'IVAU', 3, 7, 5, 1, true, 0),
  s('dc', 'IVAC', 0, 7, 6, 1, true, 1),
  s('dc', 'ISW', 0, 7, 6, 2, true, 1),
  s('dc', 'CSW', 0, 7, 10, 2, true, 1),
  s('dc', 'CISW', 0, 7, 14, 2, true, 1),
  s('dc', 'ZVA', 3, 7, 4, 1, true, 0),
  s('dc', 'CVAC', 3, 7, 10, 1, true, 0),
  s('dc', 'CVAU', 3, 7, 11, 1, true, 0),
  s('dc', 'CVAP', 3, 7, 12, 1, true, 0),
  s('dc', 'CIVAC', 3, 7, 14, 1, true, 0),
  s('at', 'S1E1R', 0, 7, 8, 0, true, 1),
  s('at', 'S1E1W', 0, 7, 8, 1, true, 1),
  s('at', 'S1E0R', 0, 7, 8, 2, true, 1),
  s('at', 'S1E0W', 0, 7, 8, 3, true, 1),
  s('at', 'S1E2R', 4, 7, 8, 0, true, 2),
  s('at', 'S1E2W', 4, 7, 8, 1, true, 2),
  s('at', 'S12E1R', 4, 7, 8, 4, true, 2),
  s('at', 'S12E1W', 4, 7, 8, 5, true, 2),
  s('at', 'S12E0R', 4, 7, 8, 6, true, 2),
  s('at', 'S12E0W', 4, 7, 8, 7, true, 2),
  s('tlbi', 'VMALLE1IS', 0, 8, 3, 0, false, 1),
  s('tlbi', 'VAE1IS', 0, 8, 3, 1, true, 1),
  s('tlbi', 'ASIDE1IS', 0, 8, 3, 2, true, 1),
  s('tlbi', 'VAAE1IS', 0, 8, 3, 3, true, 1),
  s('tlbi', 'VALE1IS', 0, 8, 3, 5, true, 1),
  s('tlbi', 'VAALE1IS', 0, 8, 3, 7, true, 1),
  s('tlbi', 'VMALLE1', 0, 8, 7, 0, false, 1),
  s('tlbi', 'VAE1', 0, 8, 7, 1, true, 1),
  s('tlbi', 'ASIDE1', 0, 8, 7, 2, true, 1),
  s('tlbi', 'VAAE1', 0, 8, 7, 3, true, 1),
  s('tlbi', 'VALE1', 0, 8, 7, 5, true, 1),
  s('tlbi', 'VAALE1', 0, 8, 7, 7, true, 1),
  s('tlbi', 'IPAS2E1IS', 4, 8, 0, 1, true, 2),
  s('tlbi', 'IPAS2LE1IS', 4, 8, 0, 5, true, 2),
  s('tlbi', 'IPAS2E1', 4, 8, 4, 1, true, 2),
  s('tlbi', 'IPAS2LE1', 4, 8, 4, 5, true, 2),
  s('tlbi', 'ALLE2IS', 4, 8, 3, 0, false, 2),
  s('tlbi', 'VAE2IS', 4, 8, 3, 1, true, 2),
  s('tlbi', 'ALLE1IS', 4, 8, 3, 4, false, 2),
  s('tlbi', 'VALE2IS', 4, 8, 3, 5, true, 2),
  s('tlbi', 'VMALLS12E1IS', 4, 8, 3, 6, false, 2),
  s('tlbi', 'ALLE2', 4, 8, 7, 0, false, 2),
  s('tlbi', 'VAE2', 4, 8, 7, 1, true, 2),
  s('tlbi', 'ALLE1', 4, 8, 7, 4, false, 2),
  s('tlbi', 'VALE2', 4, 8, 7, 5, true, 2),
  s('tlbi', 'VMALLS12E1', 4, 8, 7, 6, false, 2),
];

/** The 16-bit key the core indexes by: op0:op1:CRn:CRm:op2 (bits 20:5 of an MRS/MSR/SYS word). */
export function sysKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

const byName = new Map<string, SysRegDef>(SYSREGS.map((d) => [d.name, d]));
const byKey = new Map<number, SysRegDef>(SYSREGS.map((d) => [sysKey(d.op0, d.op1, d.crn, d.crm, d.op2), d]));

/** Looks up a register by name (case-insensitive); undefined if the core does not know it. */
export function sysRegByName(name: string): SysRegDef | undefined {
  return byName.get(name.toUpperCase());
}

/** Looks up a register by encoding; undefined if the core does not know it. */
export function sysRegByKey(key: number): SysRegDef | undefined {
  return byKey.get(key);
}

/** The core's id of a register: 1 + its index in SYSREGS (0 = unknown). */
export function sysRegId(name: string): number {
  return SYSREG_IDS.get(name) ?? SYSREG_IDS.get(name.toUpperCase()) ?? 0;
}

const SYSREG_IDS: ReadonlyMap<string, number> = new Map(SYSREGS.map((d, i) => [d.name, i + 1]));
