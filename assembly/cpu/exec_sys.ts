// Exception-generating and system instructions (Arm ARM C4.1.87, C5): SVC/HVC/SMC/BRK/HLT,
// hints (WFI/WFE/SEV/SEVL), barriers, CLREX, MSR (immediate), MRS/MSR (register) and SYS with the
// DC/IC/AT/TLBI aliases.

import * as S from "./state";
import { getX, setX, sysGet, sysSet, hdr, curExit } from "./state";
import * as G from "./sysregs.gen";
import { Ec, ExcKind, ExitReason, Access } from "../enums";
import { syncException, takeException, undefined_, esrOf, requestStop, setAttention, hostEls, invalidateFetch } from "./exception";
import { sysRead, sysWrite, setRunInsns } from "./sysreg";
import { clearMonitorOf, wrN, abortPending } from "../mem/access";
import { translate, trPa, trDevice, fltFsc, fltStage2, fltS1ptw, stage2Enabled } from "../mmu/translate";
import { tlbi, dataAbortCm } from "../mmu/maint";
import { CpuHeader, CPU_BLOCK_SIZE } from "../layout";
import { HCR_FMO, HCR_HCD, HCR_IMO, HCR_TACR, HCR_TDZ, HCR_TGE, HCR_TID1, HCR_TID2, HCR_TID3, HCR_TPC, HCR_TPU, HCR_TRVM, HCR_TSC, HCR_TSW, HCR_TTLB, HCR_TVM, HCR_TWE, HCR_TWI } from "./hcr";

@inline function next(): void { S.pc += 4; }

/** Semihosting is enabled (HLT #0xF000 exits to the host, as QEMU -semihosting). */
export let semihosting: bool = false;
export function setSemihosting(on: bool): void { semihosting = on; }

// HCR_EL2 bits for traps and gates (../shared/spec/arm.md §4).

/** Syndrome ISS for a trapped MSR/MRS/SYS (EC 0x18) from the instruction word (arm.md §3.2). */
@inline function sysTrapIss(w: u32): u32 {
  const op0 = (w >> 19) & 3, op1 = (w >> 16) & 7, crn = (w >> 12) & 15, crm = (w >> 8) & 15;
  const op2 = (w >> 5) & 7, rt = w & 31, dir = (w >> 21) & 1;
  return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | dir;
}

/** Traps an EL0 system access to EL1 (EC 0x18), as SCTLR_EL1/CNTKCTL_EL1/PMUSERENR_EL0 controls do. */
function trapSys(w: u32): void {
  syncException(Ec.Sys64, sysTrapIss(w), S.pc);
}

// ---- exception generation ----

export function execSvc(w: u32): void {
  const imm = (w >> 5) & 0xffff;
  syncException(Ec.Svc64, imm, S.pc + 4);
}

export function execHvc(w: u32): void {
  const imm = (w >> 5) & 0xffff;
  // HVC is UNDEFINED at EL0 and when HCR_EL2.HCD = 1 (EL1); otherwise it is taken to EL2.
  if (S.el == 0 || (S.el == 1 && (sysGet(G.SR_HCR_EL2) & HCR_HCD) != 0)) { undefined_(); return; }
  takeException(2, ExcKind.Sync, esrOf(Ec.Hvc64, imm), 0, false, S.pc + 4);
}

export function execSmc(w: u32): void {
  const imm = (w >> 5) & 0xffff;
  if (S.el == 0) { undefined_(); return; }
  // HCR_EL2.TSC traps SMC from EL1 to EL2, with ELR = the SMC itself (arm.md §3.3).
  if (S.el == 1 && (sysGet(G.SR_HCR_EL2) & HCR_TSC) != 0) {
    takeException(2, ExcKind.Sync, esrOf(Ec.Smc64, imm), 0, false, S.pc);
    return;
  }
  // There is no EL3: the host's firmware (PSCI) answers, as QEMU's virt board does without EL3.
  if ((hostEls & 8) != 0) {
    const x = curExit();
    x.reason = ExitReason.Exception;
    x.targetEl = 3;
    x.kind = ExcKind.Sync;
    x.esr = esrOf(Ec.Smc64, imm);
    x.far = 0;
    x.hpfar = 0;
    next();   // an SMC that is not trapped returns to the next instruction
    requestStop();
    return;
  }
  undefined_();
}

export function execBrk(w: u32): void {
  syncException(Ec.Brk64, (w >> 5) & 0xffff, S.pc);
}

export function execHlt(w: u32): void {
  const imm = (w >> 5) & 0xffff;
  if (semihosting && imm == 0xf000) {
    const x = curExit();
    x.reason = ExitReason.Semihost;
    x.semiOp = getX(0) & 0xffffffff;
    x.semiArg = getX(1);
    next();
    requestStop();
    return;
  }
  undefined_();   // halting debug is not implemented
}

// ---- hints ----

/** WFI/WFE trap checks: HCR_EL2.TWI/TWE from EL0/1, SCTLR_EL1.nTWI/nTWE from EL0 (EC 0x01). */
function wfxTrapped(isWfe: bool): bool {
  const ti: u32 = isWfe ? 1 : 0;
  if (S.el == 0) {
    const bit: u64 = isWfe ? <u64>1 << 18 : <u64>1 << 16;
    if ((sysGet(G.SR_SCTLR_EL1) & bit) == 0) {
      syncException(Ec.Wfx, (1 << 24) | (0xe << 20) | ti, S.pc);
      return true;
    }
  }
  if (S.el <= 1 && (sysGet(G.SR_HCR_EL2) & (isWfe ? HCR_TWE : HCR_TWI)) != 0) {
    takeException(2, ExcKind.Sync, esrOf(Ec.Wfx, (1 << 24) | (0xe << 20) | ti), 0, false, S.pc);
    return true;
  }
  return false;
}

// WFI/WFE trap only when they would enter the low-power state (Arm ARM D1.16.2/D1.16.3, "conditional
// trap"): a WFE with the event register set, or a WFI with an interrupt already pending, completes.

export function execWfi(): void {
  if (hdr().lines == 0 && wfxTrapped(false)) return;
  next();
  const h = hdr();
  // An interrupt already pending (even masked) is a wake-up event: WFI completes at once
  // (Arm ARM D1.16.2) — no Idle exit, which a hypervisor running this CPU's guest would not expect.
  if (h.lines != 0) return;
  h.waiting = 1;
  curExit().reason = ExitReason.Idle;
  requestStop();
}

export function execWfe(): void {
  const h = hdr();
  if (h.eventReg == 0 && wfxTrapped(true)) return;
  next();
  if (h.eventReg != 0) {
    h.eventReg = 0;
    return;
  }
  h.waiting = 2;
  curExit().reason = ExitReason.Idle;
  requestStop();
}

export function execSev(): void {
  for (let c = 0; c < S.numCpus; c++) {
    const h = changetype<CpuHeader>(S.cpuBlocks + <usize>c * CPU_BLOCK_SIZE);
    h.eventReg = 1;
    if (h.waiting == 2) h.waiting = 0;
  }
  next();
}

export function execSevl(): void {
  hdr().eventReg = 1;
  next();
}

export function execClrex(): void {
  clearMonitorOf(hdr());
  next();
}

// ---- PSTATE and system registers ----

export function execMsrImm(w: u32, field: u32): void {
  const imm = (w >> 8) & 15;
  if (field == 0) {
    if (S.el == 0) { undefined_(); return; }
    sysWrite(G.SR_SPSEL, <u64>(imm & 1));
  } else {
    // DAIFSet/DAIFClr at EL0 need SCTLR_EL1.UMA.
    if (S.el == 0 && (sysGet(G.SR_SCTLR_EL1) & (1 << 9)) == 0) { trapSys(w); return; }
    const bitsD = imm << 6;
    if (field == 1) S.daif |= bitsD; else S.daif &= ~bitsD;
    setAttention();
  }
  next();
}

/**
 * EL0 access controls for registers the table marks as EL0-accessible (Arm ARM D13/D11):
 * returns true if the access must trap to EL1.
 */
function el0Trapped(id: i32, isRead: bool): bool {
  const sctlr = sysGet(G.SR_SCTLR_EL1);
  switch (id) {
    case G.SR_CTR_EL0: return (sctlr & (1 << 15)) == 0;          // UCT
    case G.SR_DAIF: return (sctlr & (1 << 9)) == 0;              // UMA
    case G.SR_CNTFRQ_EL0: return (sysGet(G.SR_CNTKCTL_EL1) & 3) == 0;
    case G.SR_CNTPCT_EL0: return (sysGet(G.SR_CNTKCTL_EL1) & 1) == 0;
    case G.SR_CNTVCT_EL0: return (sysGet(G.SR_CNTKCTL_EL1) & 2) == 0;
    case G.SR_CNTP_TVAL_EL0: case G.SR_CNTP_CTL_EL0: case G.SR_CNTP_CVAL_EL0:
      return (sysGet(G.SR_CNTKCTL_EL1) & (1 << 9)) == 0;
    case G.SR_CNTV_TVAL_EL0: case G.SR_CNTV_CTL_EL0: case G.SR_CNTV_CVAL_EL0:
      return (sysGet(G.SR_CNTKCTL_EL1) & (1 << 8)) == 0;
  }
  if (id >= G.SR_PMCR_EL0 && id <= G.SR_PMCCFILTR_EL0) {
    const en = sysGet(G.SR_PMUSERENR_EL0);
    if ((en & 1) != 0) return false;
    if (id == G.SR_PMCCNTR_EL0 && isRead && (en & 4) != 0) return false;
    return true;
  }
  return false;
}

// HCR_EL2 trap controls for system registers and instructions (../shared/spec/arm.md §4).

/** Registers HCR_EL2.TVM (writes) and TRVM (reads) trap: the EL1 virtual-memory controls. */
function isVmReg(id: i32): bool {
  return id == G.SR_SCTLR_EL1 || id == G.SR_TTBR0_EL1 || id == G.SR_TTBR1_EL1 || id == G.SR_TCR_EL1
    || id == G.SR_ESR_EL1 || id == G.SR_FAR_EL1 || id == G.SR_AFSR0_EL1 || id == G.SR_AFSR1_EL1
    || id == G.SR_MAIR_EL1 || id == G.SR_AMAIR_EL1 || id == G.SR_CONTEXTIDR_EL1;
}

/**
 * Whether an EL0/EL1 access to system register `id` traps to EL2 (EC 0x18): HCR_EL2.TVM/TRVM,
 * TID1/2/3, TACR, IMO/FMO (SGI generation), CPTR_EL2.TCPAC, MDCR_EL2.TPM/TPMCR/TDA/TDOSA,
 * CNTHCTL_EL2.EL1PCTEN/EL1PCEN (Arm ARM D13.2 tables of trap controls).
 */
function trapsToEl2(id: i32, isRead: bool): bool {
  const hcr = sysGet(G.SR_HCR_EL2);
  if ((hcr & HCR_TGE) != 0) return false;
  if (isVmReg(id)) return (hcr & (isRead ? HCR_TRVM : HCR_TVM)) != 0;
  if (id >= G.SR_ID_PFR0_EL1 && id <= G.SR_ID_AA64MMFR2_EL1) return (hcr & HCR_TID3) != 0;
  if (id == G.SR_REVIDR_EL1) return (hcr & HCR_TID1) != 0;
  if (id == G.SR_CTR_EL0 || id == G.SR_CCSIDR_EL1 || id == G.SR_CLIDR_EL1 || id == G.SR_CSSELR_EL1) {
    return (hcr & HCR_TID2) != 0;
  }
  if (id == G.SR_ACTLR_EL1) return (hcr & HCR_TACR) != 0;
  // GICv3: EL1 SGI generation traps when interrupts are routed to EL2 (GIC spec 12.2.21).
  if (id == G.SR_ICC_SGI1R_EL1 || id == G.SR_ICC_ASGI1R_EL1 || id == G.SR_ICC_SGI0R_EL1) {
    return (hcr & (HCR_IMO | HCR_FMO)) != 0;
  }
  if (id == G.SR_CPACR_EL1) return (sysGet(G.SR_CPTR_EL2) & (<u64>1 << 31)) != 0;   // TCPAC
  const mdcr = sysGet(G.SR_MDCR_EL2);
  if (id >= G.SR_PMCR_EL0 && id <= G.SR_PMCCFILTR_EL0 || id == G.SR_PMINTENSET_EL1 || id == G.SR_PMINTENCLR_EL1) {
    if ((mdcr & (1 << 6)) != 0) return true;                       // TPM
    return id == G.SR_PMCR_EL0 && (mdcr & (1 << 5)) != 0;          // TPMCR
  }
  if (id == G.SR_MDSCR_EL1) return (mdcr & (1 << 9)) != 0;         // TDA
  if (id == G.SR_OSLAR_EL1 || id == G.SR_OSLSR_EL1 || id == G.SR_OSDLR_EL1) return (mdcr & (1 << 10)) != 0;   // TDOSA
  const cnthctl = sysGet(G.SR_CNTHCTL_EL2);
  if (id == G.SR_CNTPCT_EL0) return (cnthctl & 1) == 0;            // EL1PCTEN
  if (id == G.SR_CNTP_TVAL_EL0 || id == G.SR_CNTP_CTL_EL0 || id == G.SR_CNTP_CVAL_EL0) return (cnthctl & 2) == 0;   // EL1PCEN
  return false;
}

/** Raises the EC 0x18 trap to EL2 for the current MRS/MSR/SYS word (preferred return: the instruction). */
function trapSysToEl2(w: u32): void {
  takeException(2, ExcKind.Sync, esrOf(Ec.Sys64, sysTrapIss(w)), 0, false, S.pc);
}

/** Whether system instruction `sid` executed at EL0/EL1 traps to EL2 (HCR_EL2.TSW/TPC/TPU/TTLB/TDZ). */
function sysInsnTrapsToEl2(sid: i32): bool {
  const hcr = sysGet(G.SR_HCR_EL2);
  if ((hcr & HCR_TGE) != 0) return false;
  if (sid == G.SI_DC_ISW || sid == G.SI_DC_CSW || sid == G.SI_DC_CISW) return (hcr & HCR_TSW) != 0;
  if (sid == G.SI_DC_IVAC || sid == G.SI_DC_CIVAC || sid == G.SI_DC_CVAC || sid == G.SI_DC_CVAP) return (hcr & HCR_TPC) != 0;
  if (sid == G.SI_IC_IVAU || sid == G.SI_IC_IALLU || sid == G.SI_IC_IALLUIS || sid == G.SI_DC_CVAU) return (hcr & HCR_TPU) != 0;
  if (sid == G.SI_DC_ZVA) return (hcr & HCR_TDZ) != 0;
  if (sid >= G.SI_TLBI_VMALLE1IS && sid <= G.SI_TLBI_VAALE1) return (hcr & HCR_TTLB) != 0;
  return false;
}

/** Common access check for MRS/MSR; returns false after raising UNDEFINED or a trap. */
function sysAccessOk(w: u32, id: i32, isRead: bool): bool {
  const acc = <u32>unchecked(G.SYSREG_ACCESS[id]);
  const minEl = isRead ? acc & 15 : acc >> 4;
  if (S.el < minEl) { undefined_(); return false; }
  if (S.el == 0 && el0Trapped(id, isRead)) { trapSys(w); return false; }
  if (S.el <= 1 && trapsToEl2(id, isRead)) { trapSysToEl2(w); return false; }
  // SP_EL0 is UNDEFINED at EL1 while it is the current stack pointer (PSTATE.SP = 0).
  if (id == G.SR_SP_EL0 && S.el == 1 && S.spsel == 0) { undefined_(); return false; }
  return true;
}

export function execMrs(w: u32, id: u32, insns: u64): void {
  if (!sysAccessOk(w, <i32>id, true)) return;
  setRunInsns(insns);
  setX(w & 31, sysRead(<i32>id));
  next();
}

export function execMsr(w: u32, id: u32, insns: u64): void {
  if (!sysAccessOk(w, <i32>id, false)) return;
  setRunInsns(insns);
  sysWrite(<i32>id, getX(w & 31));
  next();
}

// ---- SYS: cache maintenance, address translation, TLB maintenance ----

export function execSys(w: u32, id: u32): void {
  const minEl = <u32>unchecked(G.SYSINSN_MINEL[id]);
  if (S.el < minEl) { undefined_(); return; }
  const rt = w & 31;
  const xt = getX(rt);
  const sid = <i32>id;
  if (S.el == 0 && el0SysInsnTrapped(sid)) { trapSys(w); return; }
  if (S.el <= 1 && sysInsnTrapsToEl2(sid)) { trapSysToEl2(w); return; }
  if (sid == G.SI_DC_ZVA) {
    const blk = xt & ~(<u64>63);
    for (let i: u64 = 0; i < 64; i += 8) {
      wrN(blk + i, 3, 0, 2 /* AF_ALIGNED: DC ZVA to Device memory faults */);
      if (abortPending()) return;
    }
    next();
    return;
  }
  if (sid == G.SI_DC_CVAC || sid == G.SI_DC_CVAU || sid == G.SI_DC_CVAP || sid == G.SI_DC_CIVAC
    || sid == G.SI_IC_IVAU || sid == G.SI_DC_IVAC) {
    // Maintenance by VA: no caches are modelled, but the VA must translate (faults report CM = 1).
    if (!translate(xt, Access.Read, false)) { dataAbortCm(xt, sid == G.SI_DC_IVAC); return; }
    next();
    return;
  }
  if (sid >= G.SI_AT_S1E1R && sid <= G.SI_AT_S12E0W) {
    execAt(sid, xt);
    next();
    return;
  }
  if (sid >= G.SI_TLBI_VMALLE1IS && sid <= G.SI_TLBI_VMALLS12E1) {
    tlbi(sid, xt);
    next();
    return;
  }
  // DC ISW/CSW/CISW, IC IALLU/IALLUIS: nothing is cached beyond what stays coherent here.
  next();
}

/** EL0 cache maintenance gated by SCTLR_EL1.DZE (DC ZVA) and UCI (DC CVAU/CVAC/CVAP/CIVAC, IC IVAU). */
function el0SysInsnTrapped(sid: i32): bool {
  const sctlr = sysGet(G.SR_SCTLR_EL1);
  if (sid == G.SI_DC_ZVA) return (sctlr & (1 << 14)) == 0;
  return (sctlr & (1 << 26)) == 0;
}

/** AT: translate and write PAR_EL1 (Arm ARM D17.2.112). */
function execAt(sid: i32, va: u64): void {
  const savedEl = S.el;
  let acc: Access = (sid == G.SI_AT_S1E1W || sid == G.SI_AT_S1E0W || sid == G.SI_AT_S1E2W
    || sid == G.SI_AT_S12E1W || sid == G.SI_AT_S12E0W) ? Access.Write : Access.Read;
  const asEl0 = sid == G.SI_AT_S1E0R || sid == G.SI_AT_S1E0W || sid == G.SI_AT_S12E0R || sid == G.SI_AT_S12E0W;
  const s1only = sid == G.SI_AT_S1E1R || sid == G.SI_AT_S1E1W || sid == G.SI_AT_S1E0R || sid == G.SI_AT_S1E0W;
  const el2Regime = sid == G.SI_AT_S1E2R || sid == G.SI_AT_S1E2W;
  // Run the walk in the target regime: EL2 regime for S1E2*, EL1&0 otherwise.
  S.el = el2Regime ? 2 : 1;
  let ok: bool;
  if (s1only && stage2Enabled()) {
    // Stage 1 only: temporarily translate with stage 2 treated as off.
    const hcr = sysGet(G.SR_HCR_EL2);
    sysSet(G.SR_HCR_EL2, hcr & ~(<u64>0x1001));
    ok = translate(va, acc, asEl0);
    sysSet(G.SR_HCR_EL2, hcr);
  } else {
    ok = translate(va, acc, asEl0);
  }
  S.el = savedEl;
  let par: u64;
  if (ok) {
    par = (trPa & 0x0000_ffff_ffff_f000) | (trDevice ? <u64>0x00 << 56 : <u64>0xff << 56) | (<u64>3 << 7);
  } else {
    par = 1 | (<u64>(fltFsc & 0x3f) << 1) | (fltS1ptw ? <u64>1 << 8 : 0) | (fltStage2 ? <u64>1 << 9 : 0);
  }
  sysSet(G.SR_PAR_EL1, par);
}
