// The core's export list: a flat, C-like API over linear memory (STYLE rule 11). src/machine/view.ts
// is the only TypeScript that calls these.

export { ExitReason, Ec, Fsc, ExcKind, Access } from "./enums";
export { ExitField } from "./layout";
export { create, resetCpu, run, LINE_IRQ, LINE_FIQ, LINE_SERROR, LINE_VIRQ, LINE_VFIQ } from "./machine";
export { addMmio, clearMmio } from "./mem/phys";
export { setHostEls } from "./cpu/exception";
export { setSemihosting } from "./cpu/exec_sys";
export { setCounterRatio } from "./cpu/sysreg";
export { dcacheInvalidateRange, dcacheFlush } from "./cpu/dcache";
export { mmioComplete, snoopAll } from "./mem/access";
export { utlbFlushAll } from "./mmu/tlb";
export { SYSREG_COUNT } from "./cpu/sysregs.gen";

import * as S from "./cpu/state";
import { activate, hdr, exitRecord, cpuHeader, getSpEl, setSpEl, setElSp, sysGet, sysSet } from "./cpu/state";
import { ramHost, ramBase, ramSize } from "./mem/phys";
import { sysRead, sysWrite, setRunBase, isTranslationReg } from "./cpu/sysreg";
import { exceptionReturn, takeException, invalidateFetch } from "./cpu/exception";
import { newContext } from "./mmu/tlb";
import { translate, trPa, fltFsc } from "./mmu/translate";
import { tlbStat, tlbValidCount, tlbFlushEverything, tlbEntriesOf, tlbEntries } from "./mmu/tlb";
import { tlbiCount } from "./mmu/maint";
import { pmuFold } from "./cpu/pmu";
import { stallBegin, stallEnd, setWalkCost as setWalkCostCore } from "./cpu/stall";

export function ramHostPtr(): usize { return ramHost; }
export function ramBasePa(): u64 { return ramBase; }
export function ramBytes(): u64 { return ramSize; }
export function exitRecordPtr(cpu: i32): usize { return changetype<usize>(exitRecord(cpu)); }

export function getX(cpu: i32, r: u32): u64 { activate(cpu); return r >= 31 ? 0 : S.getX(r); }
export function setX(cpu: i32, r: u32, v: u64): void { activate(cpu); if (r < 31) S.setX(r, v); }
export function getPc(cpu: i32): u64 { activate(cpu); return S.pc; }
export function setPc(cpu: i32, v: u64): void { activate(cpu); S.pc = v; invalidateFetch(); }
/** SP_ELn (n = 0, 1, 2). */
export function getSp(cpu: i32, n: u32): u64 { activate(cpu); return getSpEl(n); }
export function setSp(cpu: i32, n: u32, v: u64): void { activate(cpu); setSpEl(n, v); }
/** PSTATE in SPSR format. */
export function getPstate(cpu: i32): u64 { activate(cpu); return S.pstateToSpsr(); }
/** Sets PSTATE from an SPSR-format value (M[3:0] selects EL and SP; no legality checks). */
export function setPstate(cpu: i32, spsr: u64): void {
  activate(cpu);
  S.nzcv = <u32>(spsr >> 28) & 15;
  S.daif = <u32>spsr & 0x3c0;
  setElSp(<u32>(spsr >> 2) & 3, <u32>spsr & 1);
  hdr().il = <u32>(spsr >> 20) & 1;
  invalidateFetch();
}
/** Raw storage of system register `id` (no side effects). */
export function getSysRaw(cpu: i32, id: i32): u64 { activate(cpu); return sysGet(id); }
export function setSysRaw(cpu: i32, id: i32, v: u64): void {
  activate(cpu);
  sysSet(id, v);
  // Only translation controls change what the uTLB and the fetch page hold.
  if (isTranslationReg(id)) { newContext(); invalidateFetch(); }
}
/** System register as MRS/MSR at the CPU's current EL would see/change it. */
// Outside run() the counter reads the CPU's own clock (timers depend on it), not the last run's.
export function sysReadAs(cpu: i32, id: i32): u64 { activate(cpu); setRunBase(hdr().cycles); return sysRead(id); }
export function sysWriteAs(cpu: i32, id: i32, v: u64): void { activate(cpu); setRunBase(hdr().cycles); sysWrite(id, v); }

/** Host-mode EL software resumes the CPU with ERET semantics from its current EL. */
export function eret(cpu: i32): void { activate(cpu); exceptionReturn(); }
/** Host-mode EL software injects an exception (e.g. UNDEF into a guest). */
export function injectException(cpu: i32, target: u32, kind: u32, esr: u64, far: u64, farValid: bool, ret: u64): void {
  activate(cpu);
  takeException(target, kind, esr, far, farValid, ret);
}

export function setOn(cpu: i32, on: bool): void { cpuHeader(cpu).on = on ? 1 : 0; cpuHeader(cpu).waiting = 0; }
export function isOn(cpu: i32): bool { return cpuHeader(cpu).on != 0; }
export function isWaiting(cpu: i32): u32 { return cpuHeader(cpu).waiting; }
export function setLines(cpu: i32, lines: u32): void {
  cpuHeader(cpu).lines = lines;
  if (cpu == S.curCpu) invalidateFetch();
}
export function getLines(cpu: i32): u32 { return cpuHeader(cpu).lines; }
export function cpuInsns(cpu: i32): u64 { return cpuHeader(cpu).insns; }
export function cpuCycles(cpu: i32): u64 { return cpuHeader(cpu).cycles; }
/**
 * Charges `n` cycles of work done on `cpu` outside run() (the TypeScript hypervisor's steps): the
 * PMU cycle counter first folds the time so far, so the charge counts under the CPU's current EL.
 */
export function addCycles(cpu: i32, n: u64): void {
  activate(cpu);
  const h = hdr();
  pmuFold(h.cycles);
  h.cycles += n;
}
/** addCycles with the count as a double (whole, below 2^53): the host's hot path makes no BigInt. */
export function addCyclesNum(cpu: i32, n: f64): void { addCycles(cpu, <u64>n); }
/** Cycles per descriptor read of the hardware walker (0: walks cost nothing; cpu/stall.ts). */
export function setWalkCost(c: u64): void { setWalkCostCore(c); }
/** Walk stall cycles charged to `cpu`: 0 inside run(), 1 for charged host translations. */
export function cpuStall(cpu: i32, which: i32): u64 { const h = cpuHeader(cpu); return which == 0 ? h.stallRun : h.stallHost; }
export function getEl(cpu: i32): u32 { activate(cpu); return S.el; }

/**
 * Translates `va` for CPU `cpu` as an access of kind `acc` at its current EL, or with EL0
 * permissions if `asEl0` (no faults raised). With `charge`, the walk's descriptor reads cost the
 * CPU time (cpu/stall.ts); observers translate without it.
 * Returns the PA, or u64.MAX_VALUE with the FSC available from lastFsc().
 */
export function translateVa(cpu: i32, va: u64, acc: u32, asEl0: bool, charge: bool): u64 {
  activate(cpu);
  stallBegin(charge);
  const ok = translate(va, acc, asEl0);
  const stall = stallEnd();
  if (stall != 0) {
    // A charged host access (KServ behind the host stage 2): its walk takes the CPU's time.
    const h = hdr();
    pmuFold(h.cycles);
    h.cycles += stall;
    h.stallHost += stall;
  }
  return ok ? trPa : u64.MAX_VALUE;
}
export function lastFsc(): u32 { return fltFsc; }
/** TLB counters of `cpu`: 0 hits, 1 misses, 2 walk steps (descriptor reads). */
export function statTlb(cpu: i32, which: i32): u64 { return tlbStat(cpu, which); }
export function statTlbValid(cpu: i32): u32 { return tlbValidCount(cpu); }
/** Where `cpu`'s architectural TLB entries are, and how many each CPU has (read by src/machine). */
export function tlbEntriesAddr(cpu: i32): usize { return tlbEntriesOf(cpu); }
export function tlbEntriesPerCpu(): u32 { return tlbEntries; }
export function flushAllTlbs(): void { tlbFlushEverything(); }
export function statTlbi(): u64 { return tlbiCount; }

// ---- GIC and timers ----
import { gicInit, gicSetLevel, gicUpdateAll } from "./gic/gic";
import { timerUpdate, timerDeadline } from "./timer/timer";

/** Enables the GICv3 model with its distributor and redistributor frames at these addresses. */
export function enableGic(gicd: u64, gicr: u64): void { gicInit(gicd, gicr); gicUpdateAll(); }
/** Drives the level of an SPI (INTID 32–255) or a PPI of `cpu`. */
export function setIrqLevel(cpu: i32, intid: u32, level: bool): void { gicSetLevel(cpu, intid, level); }
/** Absolute cycle count at which one of `cpu`'s timers next fires (u64 max: none). */
export function nextTimerCycles(cpu: i32): u64 { return timerDeadline(cpu, cpuHeader(cpu).cycles); }
/** Moves an idle CPU's clock forward to `cycles` (never backwards) and re-evaluates its timers. */
export function advanceCycles(cpu: i32, cycles: u64): void {
  const h = cpuHeader(cpu);
  if (cycles > h.cycles) h.cycles = cycles;
  timerUpdate(cpu, h.cycles);
}

// ---- maintenance on behalf of host-mode EL2 software ----
import { tlbi } from "./mmu/maint";
import { SYSINSN_COUNT } from "./cpu/sysregs.gen";

/**
 * Executes TLBI operation `sid` (a SYSINSNS id) with operand `xt` as `cpu` would, using its
 * current VTTBR_EL2/TCR_EL1 (host-mode KCore switching VTTBR around a TLBI, as KVM's
 * __tlb_switch_to_guest does). Returns false for an id that is not a TLBI.
 */
export function tlbiAs(cpu: i32, sid: i32, xt: u64): bool {
  if (sid < 1 || sid > SYSINSN_COUNT) return false;
  activate(cpu);
  tlbi(sid, xt);
  return true;
}

// ---- physical device access on behalf of host software ----
import { gicOwns, gicMmio } from "./gic/gic";

/**
 * A physical 32/64-bit access to a device register the core models (the GIC's frames), as
 * `cpu` would perform it; other addresses read as 0 and ignore writes.
 */
export function physMmio(cpu: i32, pa: u64, size: u32, write: bool, value: u64): u64 {
  activate(cpu);
  if (!gicOwns(pa)) return 0;
  return gicMmio(pa, size, write, value);
}

// ---- snapshots: the little machine state that lives in wasm globals, not in linear memory ----
import { deactivate } from "./cpu/state";
import { lruStamp, setLruStamp } from "./mmu/tlb";
import { setTlbiCount } from "./mmu/maint";
import { monitorsActive, setMonitorsActive } from "./mem/access";
import { gicdCtlr, setGicdCtlr } from "./gic/gic";

/** Writes the active CPU's hot registers back to its block, so linear memory holds every CPU. */
export function parkCpus(): void { deactivate(); invalidateFetch(); }

/** Dynamic globals by index (0 LRU stamp, 1 TLBI count, 2 exclusive monitors, 3 GICD_CTLR). */
export function dynGet(i: i32): u64 {
  switch (i) {
    case 0: return <u64>lruStamp();
    case 1: return tlbiCount;
    case 2: return <u64>monitorsActive;
    case 3: return <u64>gicdCtlr;
    default: return 0;
  }
}
export function dynSet(i: i32, v: u64): void {
  switch (i) {
    case 0: setLruStamp(<u32>v); break;
    case 1: setTlbiCount(v); break;
    case 2: setMonitorsActive(<i32>v); break;
    case 3: setGicdCtlr(<u32>v); break;
  }
}

// ---- dirty RAM pages (snapshots restore only what changed) ----
import { pageFlags, dirtyGroups, dirtyGroupBytes, DIRTY_GROUP_SHIFT, PF_DIRTY } from "./mem/phys";
import { utlbFlushAll } from "./mmu/tlb";

/** Where the per-page flag bytes are (one per RAM page; bit PF_DIRTY = written since dirtyReset). */
export function pageFlagsAddr(): usize { return pageFlags; }
/** Where the dirty-group bytes are (one per 2^dirtyGroupShift() pages: non-zero if one of them is dirty). */
export function dirtyGroupsAddr(): usize { return dirtyGroups; }
export function dirtyGroupShift(): u32 { return DIRTY_GROUP_SHIFT; }

/**
 * Starts dirty tracking afresh: clears every page's dirty bit and drops every uTLB entry, so the
 * next store to any page takes the slow path, which marks the page dirty before it installs a
 * write entry (the fast path only writes pages that are already marked).
 */
export function dirtyReset(): void {
  const pages = <usize>(ramSize >>> 12);
  const groups = dirtyGroupBytes(ramSize);
  for (let g: usize = 0; g < groups; g++) {
    // Eight groups at a time while they are untouched (the map is 8-byte aligned).
    if ((g & 7) == 0 && g + 8 <= groups && load<u64>(dirtyGroups + g) == 0) { g += 7; continue; }
    if (load<u8>(dirtyGroups + g) == 0) continue;
    store<u8>(dirtyGroups + g, 0);
    const first = g << DIRTY_GROUP_SHIFT;
    const end = min(first + (<usize>1 << DIRTY_GROUP_SHIFT), pages);
    for (let i = first; i < end; i++) {
      const f = load<u8>(pageFlags + i);
      if ((f & PF_DIRTY) != 0) store<u8>(pageFlags + i, f & ~PF_DIRTY);
    }
  }
  utlbFlushAll();
}

// ---- the decoded-instruction cache's place (snapshots copy only the slots in use) ----
import { dcTags, dcData } from "./cpu/dcache";
import { DCACHE_PAGES, DCACHE_PAGE_BYTES } from "./layout";

/** Tags of the decoded-instruction cache: u64 per slot, the physical page held or u64 MAX. */
export function dcacheTagsAddr(): usize { return dcTags; }
/** The slots' decoded entries, DCACHE_PAGE_BYTES each, in slot order. */
export function dcacheDataAddr(): usize { return dcData; }
export function dcacheSlots(): i32 { return DCACHE_PAGES; }
export function dcacheSlotBytes(): i32 { return <i32>DCACHE_PAGE_BYTES; }
