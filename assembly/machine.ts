// The machine: creation (memory layout), and run(cpu, budget) — the interpreter loop that fetches
// through the decoded-instruction cache, dispatches on the decoded Op, and returns an exit record
// when the budget runs out or something needs the host (KVM_RUN's shape, DESIGN.md rule 1).

import { ExitReason, ExcKind, Ec, Access, Fsc } from "./enums";
import {
  CPU_BLOCK_SIZE, DCACHE_PAGES, DCACHE_PAGE_BYTES, SYS_OFF,
} from "./layout";
import * as S from "./cpu/state";
import { hdr, curExit, activate, setCpuBlocks, sysGet, sysSet } from "./cpu/state";
import { Op } from "./cpu/ops";
import { decode } from "./cpu/decode";
import { buildBitmaskTable } from "./cpu/bitmask";
import { dcacheInit, dcachePage, setExecEntries } from "./cpu/dcache";
import { pmuFold } from "./cpu/pmu";
import { setRam, paToHost, isMmio, dirtyGroupBytes } from "./mem/phys";
import {
  attention, stopRun, fetchInvalid, clearStop, clearAttention, requestStop, takeException, esrOf,
  syncTargetEl, setAttention,
} from "./cpu/exception";
import * as X from "./cpu/exception";
import { translate, trPa, fltFsc, fltStage2, fltS1ptw, fltIpa, HCR_TGE } from "./mmu/translate";
import { utlbFill, utlbFlushCpu, tlbInit, tlbRegionBytes } from "./mmu/tlb";
import { UTLB_MASK } from "./layout";
import { setRunBase, sysReset, setRunInsns, nowCycles, runBaseCycles } from "./cpu/sysreg";
import { timerUpdate, timerDeadline } from "./timer/timer";
import { runStall, stallBegin, stallEnd } from "./cpu/stall";
import { SR_HCR_EL2, SR_HPFAR_EL2 } from "./cpu/sysregs.gen";
import * as DP from "./cpu/exec_dp";
import * as BR from "./cpu/exec_branch";
import * as LS from "./cpu/exec_ldst";
import * as SY from "./cpu/exec_sys";

export let memBase: usize = 0;

/**
 * Lays out the machine in linear memory: `ncpu` CPU blocks, the decoded-instruction cache, the
 * page-flag map and `ramBytes` of RAM at physical address `ramBase`. Returns 0 on success, or
 * the number of 64 KiB pages that could not be allocated.
 */
export function create(ncpu: i32, ramBase: u64, ramBytes: u64, tlbEntries: u32, tlbWays: u32, tlbPolicy: u32): i32 {
  buildBitmaskTable();
  const start: usize = (__heap_base + 0xffff) & ~(<usize>0xffff);
  let p = start;
  const cpus = p;
  p += <usize>ncpu * CPU_BLOCK_SIZE;
  const dcTags = p;
  p += <usize>DCACHE_PAGES * 8;
  p = (p + 4095) & ~(<usize>4095);
  const dcData = p;
  p += <usize>DCACHE_PAGES * DCACHE_PAGE_BYTES;
  const flags = p;
  p += <usize>(ramBytes >> 12);
  p = (p + 7) & ~(<usize>7);   // (the host scans the groups four bytes at a time)
  const groups = p;
  p += dirtyGroupBytes(ramBytes);
  p = (p + 63) & ~(<usize>63);
  const tlbs = p;
  p += tlbRegionBytes(ncpu, tlbEntries, tlbWays);
  p = (p + 0xffff) & ~(<usize>0xffff);
  const ram = p;
  const end: u64 = <u64>p + ramBytes;
  if (end > 0xffff_0000) return <i32>((end - 0xffff_0000) >> 16) + 1;
  const needPages = <i32>((end + 0xffff) >> 16);
  const have = memory.size();
  if (needPages > have && memory.grow(needPages - have) < 0) return needPages - have;
  memBase = start;
  memory.fill(cpus, 0, p - cpus);
  setCpuBlocks(cpus, ncpu);
  setRam(ramBase, ramBytes, ram, flags, groups);
  dcacheInit(dcTags, dcData);
  tlbInit(tlbs, tlbEntries, tlbWays, tlbPolicy);
  for (let i = 0; i < ncpu; i++) resetCpu(i);
  return 0;
}

/** Cold reset of one CPU: registers zero, EL2h (the highest EL: there is no EL3), powered off. */
export function resetCpu(cpu: i32): void {
  activate(cpu);
  memory.fill(S.XREGS, 0, 32 * 8);
  S.pc = 0;
  S.nzcv = 0;
  S.daif = X.DAIF_ALL;
  const h = hdr();
  h.spEl0 = 0; h.spEl1 = 0; h.spEl2 = 0; h.il = 0; h.on = 0; h.exValid = 0; h.waiting = 0;
  h.eventReg = 0; h.lines = 0; h.replayCount = 0; h.replayIndex = 0;
  S.sp = 0;
  S.el = 2;
  S.spsel = 1;
  S.selectUtlb();
  sysReset(cpu);
}

// ---- fetch ----

/** Translates the PC for execution; returns the host pointer of its page or 0 after raising a fault. */
let fetchPa: u64 = 0;
function fetchSlow(): usize {
  const va = S.pc;
  if ((va & 3) != 0) {
    // PC alignment fault (EC 0x22), FAR = the misaligned PC.
    takeException(syncTargetEl(), ExcKind.Sync, esrOf(Ec.PcAlign, 0), va, true, va);
    return 0;
  }
  const e = S.utlbEx + (<usize>(<u32>(va >>> 12) & UTLB_MASK) << 4);
  if (load<u64>(e) == ((va >>> 12) | S.ctxTag)) {
    const host = <usize>((va & ~(<u64>0xfff)) + load<u64>(e, 8));
    fetchPa = <u64>(host - paToHostBase()) + ramBaseVal();
    return host;
  }
  if (!translate(va, Access.Exec, false)) {
    instructionAbort(va, fltFsc, fltStage2, fltS1ptw);
    return 0;
  }
  const host = paToHost(trPa);
  if (host == 0) {
    // Execution from a device or from nothing: synchronous external abort on fetch.
    instructionAbort(va, Fsc.SyncExternal, false, false);
    return 0;
  }
  utlbFill(S.utlbEx, va, host & ~(<usize>0xfff));
  fetchPa = trPa;
  return host & ~(<usize>0xfff);
}

import { ramHost, ramBase } from "./mem/phys";
import { HCR_AMO, HCR_FMO, HCR_IMO, HCR_VF, HCR_VI, HCR_VSE, LINE_FIQ, LINE_IRQ, LINE_SERROR, LINE_VFIQ, LINE_VIRQ } from "./cpu/hcr";
export { LINE_FIQ, LINE_IRQ, LINE_SERROR, LINE_VFIQ, LINE_VIRQ } from "./cpu/hcr";
@inline function paToHostBase(): usize { return ramHost; }
@inline function ramBaseVal(): u64 { return ramBase; }

function instructionAbort(va: u64, fsc: u32, stage2: bool, s1ptw: bool): void {
  let target: u32;
  if (stage2) target = 2;
  else if (S.el == 2) target = 2;
  else target = (S.el == 0 && (sysGet(SR_HCR_EL2) & HCR_TGE) != 0) ? 2 : 1;
  const ec: u32 = target == S.el ? Ec.IabtCur : Ec.IabtLow;
  const iss: u32 = fsc | (s1ptw ? 1 << 7 : 0) | (fsc == Fsc.SyncExternal || (fsc & 0x3c) == 0x14 ? 1 << 9 : 0);
  if (stage2) sysSet(SR_HPFAR_EL2, (fltIpa >> 12) << 4);
  takeException(target, ExcKind.Sync, esrOf(ec, iss), va, true, va);
}

// ---- interrupts ----

// HCR_EL2 routing bits (../shared/spec/arm.md §4).

/** Interrupt lines (CpuHeader.lines): physical IRQ/FIQ/SError and virtual IRQ/FIQ from the GIC. */

/**
 * Takes the highest-priority deliverable interrupt, if any (Arm ARM D1.16: routing by HCR_EL2
 * IMO/FMO/AMO, masking by PSTATE.{A,I,F} at the target EL only). Returns true if one was taken.
 */
function checkInterrupts(): bool {
  const lines = hdr().lines;
  const hcr = sysGet(SR_HCR_EL2);
  const el = S.el;
  const tge = (hcr & HCR_TGE) != 0;
  // Physical FIQ, IRQ, SError.
  if (deliver(lines & LINE_FIQ, (hcr & HCR_FMO) != 0 || tge, 6, ExcKind.Fiq)) return true;
  if (deliver(lines & LINE_IRQ, (hcr & HCR_IMO) != 0 || tge, 7, ExcKind.Irq)) return true;
  if (deliver(lines & LINE_SERROR, (hcr & HCR_AMO) != 0 || tge, 8, ExcKind.SError)) return true;
  // Virtual interrupts go to EL1, only when routed (IMO/FMO/AMO) and running at EL0/EL1.
  if (el <= 1 && !tge) {
    const vfiq = (lines & LINE_VFIQ) != 0 || (hcr & HCR_VF) != 0;
    const virq = (lines & LINE_VIRQ) != 0 || (hcr & HCR_VI) != 0;
    if (vfiq && (hcr & HCR_FMO) != 0 && (S.daif & (1 << 6)) == 0) { takeException(1, ExcKind.Fiq, 0, 0, false, S.pc); return true; }
    if (virq && (hcr & HCR_IMO) != 0 && (S.daif & (1 << 7)) == 0) { takeException(1, ExcKind.Irq, 0, 0, false, S.pc); return true; }
    if ((hcr & HCR_VSE) != 0 && (hcr & HCR_AMO) != 0 && (S.daif & (1 << 8)) == 0) {
      sysSet(SR_HCR_EL2, hcr & ~HCR_VSE);
      takeException(1, ExcKind.SError, esrOf(Ec.SError, 0), 0, false, S.pc);
      return true;
    }
  }
  return false;
}

function deliver(pending: u32, toEl2: bool, maskBit: u32, kind: ExcKind): bool {
  if (pending == 0) return false;
  const el = S.el;
  let target: u32;
  if (toEl2) {
    target = 2;
    // Routed to EL2: always taken from EL0/EL1; at EL2 only if unmasked.
    if (el == 2 && (S.daif & (1 << maskBit)) != 0) return false;
  } else {
    target = 1;
    if (el == 2) return false;
    if ((S.daif & (1 << maskBit)) != 0) return false;
  }
  takeException(target, kind, kind == ExcKind.SError ? esrOf(Ec.SError, 0) : 0, 0, false, S.pc);
  return true;
}

// ---- run ----

/** Instruction count (within this run) at which the loop must stop for a timer or the budget. */
function segmentEnd(cpu: i32, budget: u64, n: u64): u64 {
  const now = runBaseCycles + n + runStall;
  const d = timerDeadline(cpu, now);
  if (d == u64.MAX_VALUE) return budget;
  const at = n + (d - now);
  return at < budget ? at : budget;
}

let pageVa: u64 = 2;        // VA of the page being executed (2 = none: never matches an aligned PC)
let pageHost: usize = 0;    // host pointer of that page
let pageEntries: usize = 0; // its decoded entries

/** Handles whatever set `attention`; returns true if run() must return. */
function handleAttention(n: u64): bool {
  clearAttention();
  const h = hdr();
  if (S.el != h.pmuEl) pmuFold(runBaseCycles + n + runStall);   // the cycle counter's filter depends on the EL
  if (stopRun) return true;
  if (fetchInvalid) {
    pageVa = 2;
    X.validateFetch();
  }
  if (h.il != 0) {
    // PSTATE.IL after an illegal exception return: Illegal Execution State exception (EC 0x0E).
    // The SPSR keeps IL = 1 (Arm ARM D1.4.5); taking the exception clears PSTATE.IL.
    takeException(syncTargetEl(), ExcKind.Sync, esrOf(Ec.IllegalState, 0), 0, false, S.pc);
    pageVa = 2;
    X.validateFetch();
    return stopRun;
  }
  if (h.lines != 0 || (sysGet(SR_HCR_EL2) & (HCR_VI | HCR_VF | HCR_VSE)) != 0) {
    if (checkInterrupts()) {
      pageVa = 2;
      X.validateFetch();
      clearAttention();
      return stopRun;
    }
  }
  return false;
}

/**
 * Executes one instruction at the PC: fetch through the decoded-instruction cache, decode on
 * first use, dispatch. Inlined into both the main loop and the MMIO-replay step.
 */
@inline function step(n: u64): void {
  let off = S.pc - pageVa;
  if ((off & 0xffff_ffff_ffff_f003) != 0) {
    const host = fetchSlow();
    if (host == 0) return;
    pageVa = S.pc & ~(<u64>0xfff);
    pageHost = host;
    pageEntries = dcachePage(fetchPa);
    setExecEntries(pageEntries);
    off = S.pc - pageVa;
  }
  const entry = pageEntries + (<usize>(off >> 2) << 3);
  const ent = load<u64>(entry);
  let w = <u32>ent;
  let opx = <u32>(ent >> 32);
  if (opx == 0) {
    w = load<u32>(pageHost + <usize>off);
    opx = decode(w);
    store<u64>(entry, <u64>w | (<u64>opx << 32));
  }
  switch (opx & 0xffff) {
    case Op.Undef: X.undefined_(); break;
    case Op.Adr: DP.execAdr(w); break;
    case Op.Adrp: DP.execAdrp(w); break;
    case Op.AddImmX: DP.execAddImmX(w); break;
    case Op.AddImmW: DP.execAddImmW(w); break;
    case Op.SubImmX: DP.execSubImmX(w); break;
    case Op.SubImmW: DP.execSubImmW(w); break;
    case Op.AddsImm: DP.execAddsImm(w); break;
    case Op.SubsImmX: DP.execSubsImmX(w); break;
    case Op.SubsImmW: DP.execSubsImmW(w); break;
    case Op.LogImm: DP.execLogImm(w); break;
    case Op.MovZ: DP.execMovZ(w); break;
    case Op.MovN: DP.execMovN(w); break;
    case Op.MovK: DP.execMovK(w); break;
    case Op.Sbfm: DP.execBitfield(w, 0); break;
    case Op.Bfm: DP.execBitfield(w, 1); break;
    case Op.Ubfm: DP.execBitfield(w, 2); break;
    case Op.Extr: DP.execExtr(w); break;
    case Op.UbfxX: DP.execUbfxX(w); break;
    case Op.UbfizX: DP.execUbfizX(w); break;
    case Op.SbfxX: DP.execSbfxX(w); break;
    case Op.UbfxW: DP.execUbfxW(w); break;
    case Op.UbfizW: DP.execUbfizW(w); break;
    case Op.SbfxW: DP.execSbfxW(w); break;
    case Op.B: BR.execB(w); break;
    case Op.Bl: BR.execBl(w); break;
    case Op.BCond: BR.execBCond(w); break;
    case Op.CbzX: BR.execCbzX(w); break;
    case Op.CbnzX: BR.execCbnzX(w); break;
    case Op.CbzW: BR.execCbzW(w); break;
    case Op.CbnzW: BR.execCbnzW(w); break;
    case Op.Tbz: BR.execTbz(w, false); break;
    case Op.Tbnz: BR.execTbz(w, true); break;
    case Op.Br: BR.execBr(w); break;
    case Op.Blr: BR.execBlr(w); break;
    case Op.Ret: BR.execBr(w); break;
    case Op.Eret: BR.execEret(); break;
    case Op.Svc: SY.execSvc(w); break;
    case Op.Hvc: SY.execHvc(w); break;
    case Op.Smc: SY.execSmc(w); break;
    case Op.Brk: SY.execBrk(w); break;
    case Op.Hlt: SY.execHlt(w); break;
    case Op.Nop: S.pc += 4; break;
    case Op.Wfi: SY.execWfi(); break;
    case Op.Wfe: SY.execWfe(); break;
    case Op.Sev: SY.execSev(); break;
    case Op.Sevl: SY.execSevl(); break;
    case Op.Clrex: SY.execClrex(); break;
    case Op.Dsb: S.pc += 4; break;
    case Op.Dmb: S.pc += 4; break;
    case Op.Isb: S.pc += 4; break;
    case Op.MsrImm: SY.execMsrImm(w, opx >> 16); break;
    case Op.Mrs: SY.execMrs(w, opx >> 16, n); break;
    case Op.Msr: SY.execMsr(w, opx >> 16, n); break;
    case Op.Sys: SY.execSys(w, opx >> 16); break;
    case Op.LdrLit: LS.execLdrLit(w); break;
    case Op.PrfmLit: S.pc += 4; break;
    case Op.LdrXUi: LS.execLdrXUi(w); break;
    case Op.LdrWUi: LS.execLdrWUi(w); break;
    case Op.StrXUi: LS.execStrXUi(w); break;
    case Op.StrWUi: LS.execStrWUi(w); break;
    case Op.LdrbUi: LS.execLdrbUi(w); break;
    case Op.StrbUi: LS.execStrbUi(w); break;
    case Op.LdstUi: LS.execLdstUi(w); break;
    case Op.LdstImm9: LS.execLdstImm9(w); break;
    case Op.LdstReg: LS.execLdstReg(w); break;
    case Op.Ldstp: LS.execLdstp(w); break;
    case Op.StpXPre: LS.execStpXPre(w); break;
    case Op.LdpXPost: LS.execLdpXPost(w); break;
    case Op.StpXOff: LS.execStpXOff(w); break;
    case Op.LdpXOff: LS.execLdpXOff(w); break;
    case Op.Ldx: LS.execLdx(w); break;
    case Op.Stx: LS.execStx(w); break;
    case Op.Ldxp: LS.execLdxp(w); break;
    case Op.Stxp: LS.execStxp(w); break;
    case Op.Ldar: LS.execLdar(w); break;
    case Op.Stlr: LS.execStlr(w); break;
    case Op.Cas: LS.execCas(w); break;
    case Op.Casp: LS.execCasp(w); break;
    case Op.Atomic: LS.execAtomic(w, opx >> 16); break;
    case Op.Swp: LS.execSwp(w); break;
    case Op.LogSr: DP.execLogSr(w); break;
    case Op.MovReg: DP.execMovReg(w); break;
    case Op.AndRegX: DP.execAndRegX(w); break;
    case Op.OrrRegX: DP.execOrrRegX(w); break;
    case Op.EorRegX: DP.execEorRegX(w); break;
    case Op.AddRegX: DP.execAddRegX(w); break;
    case Op.SubRegX: DP.execSubRegX(w); break;
    case Op.SubsRegX: DP.execSubsRegX(w); break;
    case Op.AddSubSr: DP.execAddSubSr(w); break;
    case Op.AddSubEr: DP.execAddSubEr(w); break;
    case Op.AdcSbc: DP.execAdcSbc(w); break;
    case Op.Ccmp: DP.execCcmp(w); break;
    case Op.Csel: DP.execCsel(w); break;
    case Op.Udiv: DP.execDiv(w, false); break;
    case Op.Sdiv: DP.execDiv(w, true); break;
    case Op.Lslv: DP.execShiftV(w, 0); break;
    case Op.Lsrv: DP.execShiftV(w, 1); break;
    case Op.Asrv: DP.execShiftV(w, 2); break;
    case Op.Rorv: DP.execShiftV(w, 3); break;
    case Op.Rbit: DP.execRbit(w); break;
    case Op.Rev16: DP.execRev16(w); break;
    case Op.Rev32: DP.execRev32(w); break;
    case Op.Rev: DP.execRev(w); break;
    case Op.Clz: DP.execClz(w); break;
    case Op.Cls: DP.execCls(w); break;
    case Op.MaddX: DP.execMaddX(w); break;
    case Op.MsubX: DP.execMsubX(w); break;
    case Op.MaddW: DP.execMaddW(w); break;
    case Op.MsubW: DP.execMsubW(w); break;
    case Op.Smaddl: DP.execMulLong(w, true, false); break;
    case Op.Smsubl: DP.execMulLong(w, true, true); break;
    case Op.Umaddl: DP.execMulLong(w, false, false); break;
    case Op.Umsubl: DP.execMulLong(w, false, true); break;
    case Op.Smulh: DP.execMulh(w, true); break;
    case Op.Umulh: DP.execMulh(w, false); break;
    default: X.undefined_(); break;
  }
}

/**
 * Runs CPU `cpu` for at most `budget` instructions. Returns the ExitReason; details are in the
 * CPU's exit record (ExitField offsets).
 */
export function run(cpu: i32, budgetInsns: u32): u32 {
  const budget = <u64>budgetInsns;
  activate(cpu);
  const h = hdr();
  const x = curExit();
  x.reason = ExitReason.Budget;
  x.insns = 0;
  if (h.on == 0) {
    x.reason = ExitReason.Off;
    return ExitReason.Off;
  }
  if (h.waiting != 0) {
    // Waiting in WFI/WFE: wakes on an interrupt line (even if masked, Arm ARM D1.16.2) or an event.
    if (h.lines == 0 && !(h.waiting == 2 && h.eventReg != 0)) {
      x.reason = ExitReason.Idle;
      return ExitReason.Idle;
    }
    if (h.waiting == 2) h.eventReg = 0;
    h.waiting = 0;
  }
  setRunBase(h.cycles);
  stallBegin(true);
  pmuFold(h.cycles);
  timerUpdate(cpu, h.cycles);
  clearStop();
  pageVa = 2;
  X.validateFetch();
  setAttention();
  let n: u64 = 0;
  if (h.replayCount != 0) {
    // Re-execute the instruction whose device accesses the host has completed.
    n++;
    step(n);
    if (stopRun && x.reason == ExitReason.Mmio) h.replayIndex = 0;
    else { h.replayCount = 0; h.replayIndex = 0; }
  }
  // The loop runs in segments that end at the next timer deadline, so a timer fires at the
  // right instruction without a per-instruction time check.
  let segEnd = segmentEnd(cpu, budget, n);
  let stop = stopRun;
  while (!stop && n < budget) {
    while (n < segEnd) {
      if (attention) {
        if (handleAttention(n)) { stop = true; break; }
        segEnd = segmentEnd(cpu, budget, n);
        if (n >= segEnd) break;
      }
      n++;
      step(n);
    }
    if (stop || n >= budget) break;
    setRunInsns(n);
    timerUpdate(cpu, nowCycles());
    segEnd = segmentEnd(cpu, budget, n);
  }
  const stall = stallEnd();
  h.cycles += n + stall;
  h.stallRun += stall;
  h.insns += n;
  pmuFold(h.cycles);
  x.insns = n;
  return x.reason;
}
