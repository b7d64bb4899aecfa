// System-register semantics: which registers are plain storage and which compute their value
// (PSTATE views, banked stack pointers, counters, virtualised ID registers). Access permission by
// EL comes from the generated table; EL0 access controls (SCTLR_EL1.UCT/UMA, CNTKCTL_EL1,
// PMUSERENR_EL0) and traps are decided here and raise EC 0x18 to EL1.

import * as S from "./state";
import { sysGet, sysSet, getSpEl, setSpEl, setElSp, hdr } from "./state";
import * as G from "./sysregs.gen";
import { umulh } from "./alu";
import { newContext, utlbFlushCpu } from "../mmu/tlb";
import { invalidateFetch, setAttention } from "./exception";
import { gicSysRead, gicSysWrite, gicHandled } from "../gic/gic";
import { timerUpdate } from "../timer/timer";
import { pmuFold, pmuWrite, isPmuControl } from "./pmu";
import { runStall } from "./stall";
import { HCR_RW, HCR_AMO, HCR_FMO, HCR_IMO, HCR_TGE, HCR_VF, HCR_VI, HCR_VSE,
  LINE_FIQ, LINE_IRQ, LINE_SERROR, LINE_VFIQ, LINE_VIRQ } from "./hcr";

/** Counter = umulh(cycles, cntMul): CNTFRQ / CPU frequency as a 0.64 fixed-point ratio. */
export let cntMul: u64 = 0;
export function setCounterRatio(mul: u64): void { cntMul = mul; }

/**
 * Cycles of the active CPU at the start of the current run() call and instructions since; the
 * time now adds the walk stall of this run (cpu/stall.ts).
 */
export let runBaseCycles: u64 = 0;
export let runInsns: u64 = 0;
export function setRunInsns(n: u64): void { runInsns = n; }
export function setRunBase(c: u64): void { runBaseCycles = c; runInsns = 0; }

@inline export function nowCycles(): u64 { return runBaseCycles + runInsns + runStall; }
/** CNTPCT_EL0 of the active CPU. */
export function physCount(): u64 { return umulh(nowCycles(), cntMul); }
/** CNTVCT_EL0 = CNTPCT_EL0 − CNTVOFF_EL2 (E2H = 0). */
export function virtCount(): u64 { return physCount() - sysGet(G.SR_CNTVOFF_EL2); }

/** HCR_EL2.RW is RAO/WI: EL1 is always AArch64 (no AArch32 here). */

/** Registers whose write changes how addresses translate (new uTLB context, refetch). */
export function isTranslationReg(id: i32): bool {
  return id == G.SR_SCTLR_EL1 || id == G.SR_TCR_EL1 || id == G.SR_TTBR0_EL1 || id == G.SR_TTBR1_EL1
    || id == G.SR_MAIR_EL1 || id == G.SR_HCR_EL2 || id == G.SR_VTCR_EL2 || id == G.SR_VTTBR_EL2
    || id == G.SR_SCTLR_EL2 || id == G.SR_TCR_EL2 || id == G.SR_TTBR0_EL2 || id == G.SR_MAIR_EL2
    || id == G.SR_CONTEXTIDR_EL1;
}

/** GIC CPU-interface and virtualization-interface registers are implemented by gic/gic.ts. */
@inline function isGicReg(id: i32): bool {
  return id == G.SR_ICC_PMR_EL1 || (id >= G.SR_ICC_IAR0_EL1 && id <= G.SR_ICC_IGRPEN1_EL1)
    || (id >= G.SR_ICH_AP0R0_EL2 && id <= G.SR_ICH_LR15_EL2);
}

/** Value of system register `id` as MRS at the current EL sees it. */
export function sysRead(id: i32): u64 {
  if (isGicReg(id)) {
    const v = gicSysRead(id);
    if (gicHandled) return v;
  }
  switch (id) {
    case G.SR_CURRENTEL: return <u64>(S.el << 2);
    case G.SR_DAIF: return <u64>S.daif;
    case G.SR_NZCV: return <u64>S.nzcv << 28;
    case G.SR_SPSEL: return <u64>S.spsel;
    case G.SR_SP_EL0: return getSpEl(0);
    case G.SR_SP_EL1: return getSpEl(1);
    // Virtualisation of the ID registers for EL1 (Arm ARM D17.2: reads of MIDR/MPIDR at EL1 return VPIDR/VMPIDR).
    case G.SR_MIDR_EL1: return S.el == 2 ? sysGet(id) : sysGet(G.SR_VPIDR_EL2);
    case G.SR_MPIDR_EL1: return S.el == 2 ? sysGet(id) : sysGet(G.SR_VMPIDR_EL2);
    case G.SR_CNTPCT_EL0: return physCount();
    case G.SR_CNTVCT_EL0: return virtCount();
    case G.SR_CNTP_TVAL_EL0: return (sysGet(G.SR_CNTP_CVAL_EL0) - physCount()) & 0xffffffff;
    case G.SR_CNTV_TVAL_EL0: return (sysGet(G.SR_CNTV_CVAL_EL0) - virtCount()) & 0xffffffff;
    case G.SR_CNTHP_TVAL_EL2: return (sysGet(G.SR_CNTHP_CVAL_EL2) - physCount()) & 0xffffffff;
    case G.SR_CNTP_CTL_EL0: return timerCtl(sysGet(id), sysGet(G.SR_CNTP_CVAL_EL0), physCount());
    case G.SR_CNTV_CTL_EL0: return timerCtl(sysGet(id), sysGet(G.SR_CNTV_CVAL_EL0), virtCount());
    case G.SR_CNTHP_CTL_EL2: return timerCtl(sysGet(id), sysGet(G.SR_CNTHP_CVAL_EL2), physCount());
    case G.SR_ISR_EL1: return isrEl1();
    case G.SR_PMCCNTR_EL0: pmuFold(nowCycles()); return sysGet(id);
    case G.SR_HCR_EL2: return sysGet(id) | HCR_RW;
  }
  return sysGet(id);
}

/** CNTx_CTL with ISTATUS (bit 2) computed: the timer condition is met when count ≥ CVAL. */
@inline function timerCtl(ctl: u64, cval: u64, count: u64): u64 {
  const met = (ctl & 1) != 0 && count >= cval;
  return (ctl & 3) | (met ? 4 : 0);
}

/** Re-evaluates the active CPU's timer outputs after a timer register changed. */
function timersChanged(): void {
  timerUpdate(S.curCpu, nowCycles());
  setAttention();
}

/** Performs MSR to system register `id` at the current EL. */
export function sysWrite(id: i32, v: u64): void {
  if (isGicReg(id)) {
    gicSysWrite(id, v);
    if (gicHandled) return;
  }
  if (isPmuControl(id)) {
    pmuFold(nowCycles());
    if (pmuWrite(id, v)) return;
  }
  switch (id) {
    case G.SR_DAIF: S.daif = <u32>v & 0x3c0; setAttention(); return;
    case G.SR_NZCV: S.nzcv = <u32>(v >> 28) & 15; return;
    case G.SR_SPSEL: setElSp(S.el, <u32>v & 1); return;
    case G.SR_SP_EL0: setSpEl(0, v); return;
    case G.SR_SP_EL1: setSpEl(1, v); return;
    case G.SR_CNTP_TVAL_EL0: sysSet(G.SR_CNTP_CVAL_EL0, physCount() + <u64>(<i64><i32>v)); timersChanged(); return;
    case G.SR_CNTV_TVAL_EL0: sysSet(G.SR_CNTV_CVAL_EL0, virtCount() + <u64>(<i64><i32>v)); timersChanged(); return;
    case G.SR_CNTHP_TVAL_EL2: sysSet(G.SR_CNTHP_CVAL_EL2, physCount() + <u64>(<i64><i32>v)); timersChanged(); return;
    case G.SR_CNTP_CTL_EL0: case G.SR_CNTV_CTL_EL0: case G.SR_CNTHP_CTL_EL2:
      sysSet(id, v & 3); timersChanged(); return;
    case G.SR_CNTP_CVAL_EL0: case G.SR_CNTV_CVAL_EL0: case G.SR_CNTHP_CVAL_EL2: case G.SR_CNTVOFF_EL2:
      sysSet(id, v); timersChanged(); return;
    case G.SR_OSLAR_EL1: sysSet(G.SR_OSLSR_EL1, (sysGet(G.SR_OSLSR_EL1) & ~(<u64>2)) | ((v & 1) << 1)); return;
    case G.SR_HCR_EL2: sysSet(id, v | HCR_RW); newContext(); invalidateFetch(); setAttention(); return;
  }
  sysSet(id, v);
  if (isTranslationReg(id)) {
    newContext();
    invalidateFetch();
  }
}

/** Resets the system registers of the active CPU (cold reset values; Arm ARM "reset" fields). */
export function sysReset(cpuIndex: i32): void {
  memory.fill(S.sysBase, 0, <usize>(G.SYSREG_COUNT + 1) * 8);
  const midr: u64 = 0x411fd070;   // Cortex-A57 r1p0, as QEMU's cortex-a57
  const mpidr: u64 = 0x80000000 | ((<u64>cpuIndex / 16) << 8) | (<u64>cpuIndex % 16);
  sysSet(G.SR_MIDR_EL1, midr);
  sysSet(G.SR_MPIDR_EL1, mpidr);
  sysSet(G.SR_VPIDR_EL2, midr);
  sysSet(G.SR_VMPIDR_EL2, mpidr);
  // EL0/EL1/EL2 AArch64 only, no EL3, no FP/AdvSIMD (integer core), GICv3 system registers.
  sysSet(G.SR_ID_AA64PFR0_EL1, 0x01ff0111);
  sysSet(G.SR_ID_AA64ISAR0_EL1, 0x00200000);      // Atomic = 2 (FEAT_LSE)
  sysSet(G.SR_ID_AA64MMFR0_EL1, 0x0f000024);      // 4 KB granule only, 16-bit ASID, PARange 44 bits
  sysSet(G.SR_ID_AA64MMFR1_EL1, 0x00000020);      // 16-bit VMID; no HAFDBS, no VHE, no PAN
  sysSet(G.SR_ID_AA64DFR0_EL1, 0x00000106);       // PMUv3, Debug v8
  sysSet(G.SR_CTR_EL0, 0x8444c004);
  sysSet(G.SR_DCZID_EL0, 4);                      // DC ZVA block = 64 bytes
  sysSet(G.SR_CLIDR_EL1, 0x0a200023);
  sysSet(G.SR_CCSIDR_EL1, 0x701fe00a);
  sysSet(G.SR_SCTLR_EL1, 0x30d00800);             // RES1 bits (v8.0); MMU and caches off
  sysSet(G.SR_SCTLR_EL2, 0x30c50830);
  sysSet(G.SR_HCR_EL2, HCR_RW);
  sysSet(G.SR_VTCR_EL2, <u64>1 << 31);
  sysSet(G.SR_CNTFRQ_EL0, 62500000);
  sysSet(G.SR_CNTHCTL_EL2, 3);                    // EL1PCTEN | EL1PCEN (IMPDEF reset; QEMU uses 3)
  sysSet(G.SR_OSLSR_EL1, 0x8);
  sysSet(G.SR_ICH_VTR_EL2, 0x90080003);           // 4 list registers, 5 priority bits (as QEMU)
  sysSet(G.SR_PMCR_EL0, 0x41013000 | (6 << 11));  // IMP = 'A', 6 event counters
  utlbFlushCpu(S.curCpu);
  newContext();
}

/**
 * ISR_EL1: pending I (bit 7), F (bit 6), A (bit 8). At EL1 with an interrupt class routed to EL2
 * (HCR_EL2.IMO/FMO/AMO, TGE = 0) the bit shows the virtual interrupt of that class (HCR_EL2.VI/VF/VSE
 * or the GIC's virtual CPU interface), otherwise the physical one (Arm ARM D13.2.63).
 */
function isrEl1(): u64 {
  const lines = hdr().lines;
  const hcr = sysGet(G.SR_HCR_EL2);
  const virt = S.el <= 1 && (hcr & HCR_TGE) == 0;
  let isr: u64 = 0;
  if (virt && (hcr & HCR_IMO) != 0) { if ((lines & LINE_VIRQ) != 0 || (hcr & HCR_VI) != 0) isr |= 0x80; }
  else if ((lines & LINE_IRQ) != 0) isr |= 0x80;
  if (virt && (hcr & HCR_FMO) != 0) { if ((lines & LINE_VFIQ) != 0 || (hcr & HCR_VF) != 0) isr |= 0x40; }
  else if ((lines & LINE_FIQ) != 0) isr |= 0x40;
  if (virt && (hcr & HCR_AMO) != 0) { if ((hcr & HCR_VSE) != 0) isr |= 0x100; }
  else if ((lines & LINE_SERROR) != 0) isr |= 0x100;
  return isr;
}
