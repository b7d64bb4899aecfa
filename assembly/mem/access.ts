// Data accesses of the active CPU: fast paths through the uTLB, and the slow path that translates,
// checks alignment and memory type, raises data aborts with the architectural syndrome, performs
// device accesses through the host (MMIO exits with replay), keeps the decoded-instruction cache
// coherent, and snoops other CPUs' exclusive monitors.
//
// Protocol for instruction handlers: read/write with rd*/wr*, and after each access
// `if (abortPending()) return;` before committing anything — a faulting or exiting access leaves
// the instruction unexecuted (PC unchanged), so it restarts cleanly.

import { Access, Ec, ExcKind, ExitReason, Fsc } from "../enums";
import * as S from "../cpu/state";
import { pc, el, hdr, sysGet, sysSet, curExit, utlbRd, utlbWr, ctxTag } from "../cpu/state";
import { UTLB_MASK, CpuHeader, CPU_BLOCK_SIZE } from "../layout";
import { paToHost, isMmio, ramHost, ramBase, pageFlag, PF_CODE, PF_DIRTY, setPageFlag } from "./phys";
import { translate, trPa, trDevice, fltFsc, fltStage2, fltS1ptw, fltIpa, fltEa, HCR_TGE } from "../mmu/translate";
import { utlbFill } from "../mmu/tlb";
import { dcacheStore, execWord } from "../cpu/dcache";
import { takeException, esrOf, stopRun, requestStop } from "../cpu/exception";
import { SR_HCR_EL2, SR_HPFAR_EL2, SR_SCTLR_EL1, SR_SCTLR_EL2 } from "../cpu/sysregs.gen";
import { gicOwns, gicMmio } from "../gic/gic";

/** Set by a slow-path access that raised an exception or needs the host; see abortPending(). */
let aborted: bool = false;

/** True if an access of the current instruction aborted (without clearing the flag). */
@inline export function peekAborted(): bool { return aborted; }

/** Physical address of the last slow-path access (LDXR records it in the monitor). */
export let lastPa: u64 = 0;

/** The physical address of a host pointer into RAM. */
@inline export function ramPaOf(p: usize): u64 { return <u64>(p - ramHost) + ramBase; }

/** True (once) if the last access aborted the instruction; the handler must return at once. */
@inline export function abortPending(): bool {
  if (aborted) {
    aborted = false;
    return true;
  }
  return false;
}

// Access flags for the slow path.
export const AF_UNPRIV: u32 = 1;      // LDTR/STTR: check permissions as EL0
export const AF_ALIGNED: u32 = 2;     // exclusives, acquire/release, atomics: must be naturally aligned
export const AF_NODEVICE: u32 = 4;    // exclusives/atomics: not to an MMIO device

// ---- fast paths ----

@inline function fastPtr(arr: usize, va: u64, size: u32): usize {
  const vpn = va >>> 12;
  const e = arr + (<usize>(<u32>vpn & UTLB_MASK) << 4);
  if (load<u64>(e) == (vpn | ctxTag) && (<u32>va & 0xfff) + size <= 4096) return <usize>(va + load<u64>(e, 8));
  return 0;
}

@inline export function rd8(va: u64): u64 {
  const p = fastPtr(utlbRd, va, 1);
  return p != 0 ? <u64>load<u8>(p) : slowRead(va, 1, 0);
}
@inline export function rd16(va: u64): u64 {
  const p = fastPtr(utlbRd, va, 2);
  return p != 0 ? <u64>load<u16>(p) : slowRead(va, 2, 0);
}
@inline export function rd32(va: u64): u64 {
  const p = fastPtr(utlbRd, va, 4);
  return p != 0 ? <u64>load<u32>(p) : slowRead(va, 4, 0);
}
@inline export function rd64(va: u64): u64 {
  const p = fastPtr(utlbRd, va, 8);
  return p != 0 ? load<u64>(p) : slowRead(va, 8, 0);
}
/** Read of 1 << sizeLog2 bytes, zero-extended. */
@inline export function rdN(va: u64, sizeLog2: u32, flags: u32): u64 {
  const size: u32 = 1 << sizeLog2;
  if (flags == 0) {
    const p = fastPtr(utlbRd, va, size);
    if (p != 0) {
      if (sizeLog2 == 3) return load<u64>(p);
      if (sizeLog2 == 2) return <u64>load<u32>(p);
      if (sizeLog2 == 1) return <u64>load<u16>(p);
      return <u64>load<u8>(p);
    }
  }
  return slowRead(va, size, flags);
}

export let monitorsActive: i32 = 0;
export function setMonitorsActive(v: i32): void { monitorsActive = v; }

@inline function storeSnoop(p: usize, size: u32): void {
  if (monitorsActive != 0) snoop(<u64>(p - ramHost) + ramBase, size);
}

@inline export function wrN(va: u64, sizeLog2: u32, v: u64, flags: u32): void {
  const size: u32 = 1 << sizeLog2;
  if (flags == 0) {
    const p = fastPtr(utlbWr, va, size);
    if (p != 0) {
      if (sizeLog2 == 3) store<u64>(p, v);
      else if (sizeLog2 == 2) store<u32>(p, <u32>v);
      else if (sizeLog2 == 1) store<u16>(p, <u16>v);
      else store<u8>(p, <u8>v);
      storeSnoop(p, size);
      return;
    }
  }
  slowWrite(va, size, v, flags);
}
@inline export function wr64(va: u64, v: u64): void { wrN(va, 3, v, 0); }
@inline export function wr32(va: u64, v: u64): void { wrN(va, 2, v, 0); }

// ---- exclusive monitors (Arm ARM B2.9; reservation granule 64 bytes as on Cortex-A57) ----

export const ERG_MASK: u64 = ~(<u64>63);

export function setMonitor(pa: u64, size: u32): void {
  const h = hdr();
  if (h.exValid == 0) monitorsActive++;
  h.exValid = 1;
  h.exAddr = pa;
  h.exSize = size;
}

export function clearMonitorOf(h: CpuHeader): void {
  if (h.exValid != 0) {
    h.exValid = 0;
    monitorsActive--;
  }
}

/** A store to [pa, pa+size) by the active CPU clears other CPUs' reservations on that granule. */
function snoop(pa: u64, size: u32): void {
  const lo = pa & ERG_MASK, hi = (pa + size - 1) & ERG_MASK;
  for (let c = 0; c < S.numCpus; c++) {
    if (c == S.curCpu) continue;
    const h = changetype<CpuHeader>(S.cpuBlocks + <usize>c * CPU_BLOCK_SIZE);
    if (h.exValid != 0) {
      const g = h.exAddr & ERG_MASK;
      if (g == lo || g == hi) clearMonitorOf(h);
    }
  }
}

/** Host-side stores (DMA, KCore) must snoop too: clears every CPU's reservation on the range. */
export function snoopAll(pa: u64, size: u64): void {
  for (let c = 0; c < S.numCpus; c++) {
    const h = changetype<CpuHeader>(S.cpuBlocks + <usize>c * CPU_BLOCK_SIZE);
    if (h.exValid != 0 && h.exAddr + h.exSize > pa && h.exAddr < pa + size) clearMonitorOf(h);
  }
}

// ---- slow paths ----

/** Target EL of a fault in the current translation regime (not stage 2). */
@inline function regimeEl(): u32 {
  if (el == 2) return 2;
  return (sysGet(SR_HCR_EL2) & HCR_TGE) != 0 && el == 0 ? 2 : 1;
}

/**
 * The instruction syndrome ISS[24:14] (ISV, SAS, SSE, SRT, SF, AR) of the current instruction if it
 * is a single-register load/store without writeback (arm.md §3.2), else 0.
 */
export function isvBits(w: u32): u32 {
  const rt = w & 31;
  let sas: u32 = w >> 30;
  let sse: u32 = 0, sf: u32 = 0, ar: u32 = 0;
  if ((w & 0x3b000000) == 0x39000000 || ((w & 0x3b200c00) == 0x38000000) || ((w & 0x3b200c00) == 0x38000800)
    || ((w & 0x3b200c00) == 0x38200800)) {
    // unsigned offset, unscaled (LDUR/STUR), unprivileged (LDTR/STTR), register offset
    if ((w & 0x04000000) != 0) return 0;            // SIMD&FP
    const opc = (w >> 22) & 3;
    if (sas == 3 && opc >= 2) return 0;             // PRFM
    if (opc >= 2) { sse = 1; sf = opc == 2 ? 1 : 0; } else { sf = sas == 3 ? 1 : 0; }
  } else if ((w & 0x3b000000) == 0x18000000) {
    // LDR (literal): opc 00 W, 01 X, 10 LDRSW
    if ((w & 0x04000000) != 0) return 0;
    const opc = w >> 30;
    if (opc == 3) return 0;
    sas = opc == 1 ? 3 : 2;
    sse = opc == 2 ? 1 : 0;
    sf = opc >= 1 ? 1 : 0;
  } else if ((w & 0x3f800000) == 0x08800000) {
    // LDAR/STLR (o2 = 1, o1 = 0, o0 = 1); o1 = 1 is CAS, which has no syndrome
    if (((w >> 15) & 1) == 0 || ((w >> 21) & 1) != 0) return 0;
    ar = 1;
    sf = sas == 3 ? 1 : 0;
  } else {
    return 0;
  }
  return (1 << 24) | (sas << 22) | (sse << 21) | (rt << 16) | (sf << 15) | (ar << 14);
}

/** Raises the data abort described by flt* for an access to `va`. */
function dataAbort(va: u64, write: bool, cm: bool): void {
  const target: u32 = fltStage2 ? 2 : regimeEl();
  const ec: u32 = target == el ? Ec.DabtCur : Ec.DabtLow;
  let iss: u32 = fltFsc | (write ? 1 << 6 : 0) | (fltS1ptw ? 1 << 7 : 0) | (fltEa ? 1 << 9 : 0) | (cm ? 1 << 8 : 0);
  // ISV only for aborts taken to EL2 and never for a stage-2 fault on a stage-1 walk (QEMU
  // merge_syn_data_abort; KVM relies on it to emulate MMIO).
  if (target == 2 && !fltS1ptw && !cm) iss |= isvBits(execWord(pc));
  if (fltStage2) sysSet(SR_HPFAR_EL2, (fltIpa >> 12) << 4);
  takeException(target, ExcKind.Sync, esrOf(ec, iss), va, true, pc);
  aborted = true;
}

/** Raises an alignment fault (DFSC 0x21) for an access to `va`. */
export function alignmentFaultAt(va: u64, write: bool): void { alignmentFault(va, write); }

function alignmentFault(va: u64, write: bool): void {
  const target = regimeEl();
  const ec: u32 = target == el ? Ec.DabtCur : Ec.DabtLow;
  takeException(target, ExcKind.Sync, esrOf(ec, Fsc.Alignment | (write ? 1 << 6 : 0)), va, true, pc);
  aborted = true;
}

/** Raises a synchronous external abort (no device at the address). */
function externalAbort(va: u64, write: bool): void {
  const target = regimeEl();
  const ec: u32 = target == el ? Ec.DabtCur : Ec.DabtLow;
  takeException(target, ExcKind.Sync, esrOf(ec, Fsc.SyncExternal | (1 << 9) | (write ? 1 << 6 : 0)), va, true, pc);
  aborted = true;
}

@inline function sctlrA(): bool {
  return ((el == 2 ? sysGet(SR_SCTLR_EL2) : sysGet(SR_SCTLR_EL1)) & 2) != 0;
}

/** Translates one page-contained access; returns the PA or u64.MAX_VALUE after raising a fault. */
let xlDevice: bool = false;
function xlate(va: u64, acc: Access, flags: u32): u64 {
  if (!translate(va, acc, (flags & AF_UNPRIV) != 0)) {
    dataAbort(va, acc == Access.Write, false);
    return u64.MAX_VALUE;
  }
  xlDevice = trDevice;
  return trPa;
}

/** Device (MMIO) access through the host, with replay of completed accesses. */
function deviceAccess(va: u64, pa: u64, size: u32, write: bool, v: u64): u64 {
  const h = hdr();
  if (h.replayIndex < h.replayCount) {
    const d = h.replayIndex == 0 ? h.replayData0 : h.replayData1;
    h.replayIndex++;
    return d;
  }
  // The GIC's frames are part of the core (no host exit).
  if (gicOwns(pa)) return gicMmio(pa, size, write, v);
  if (!isMmio(pa)) {
    externalAbort(va, write);
    return 0;
  }
  const x = curExit();
  x.reason = ExitReason.Mmio;
  x.mmioPa = pa;
  x.mmioSize = size;
  x.mmioWrite = write ? 1 : 0;
  x.mmioData = write ? v : 0;
  requestStop();
  aborted = true;
  return 0;
}

function checkAlign(va: u64, size: u32, flags: u32, write: bool): bool {
  if ((va & <u64>(size - 1)) != 0 && ((flags & AF_ALIGNED) != 0 || sctlrA())) {
    alignmentFault(va, write);
    return false;
  }
  return true;
}

export function slowRead(va: u64, size: u32, flags: u32): u64 {
  if (!checkAlign(va, size, flags, false)) return 0;
  const off = <u32>va & 0xfff;
  if (off + size > 4096) {
    // Crosses a page: translate both pages first, then gather bytes (little-endian).
    const split: u32 = 4096 - off;
    const pa1 = xlate(va, Access.Read, flags);
    if (pa1 == u64.MAX_VALUE) return 0;
    const dev1 = xlDevice;
    const pa2 = xlate(va + split, Access.Read, flags);
    if (pa2 == u64.MAX_VALUE) return 0;
    if (dev1 || xlDevice) { alignmentFault(va, false); return 0; }
    const h1 = paToHost(pa1), h2 = paToHost(pa2);
    if (h1 == 0 || h2 == 0) { externalAbort(va, false); return 0; }
    let v: u64 = 0;
    for (let i: u32 = 0; i < size; i++) {
      const b = i < split ? load<u8>(h1 + i) : load<u8>(h2 + (i - split));
      v |= <u64>b << (<u64>i << 3);
    }
    return v;
  }
  const pa = xlate(va, Access.Read, flags);
  if (pa == u64.MAX_VALUE) return 0;
  lastPa = pa;
  const host = paToHost(pa);
  if (host == 0 || (isMmio(pa) && xlDevice)) {
    if ((flags & AF_NODEVICE) != 0) { externalAbort(va, false); return 0; }
    if (host == 0 || xlDevice) return deviceAccess(va, pa, size, false, 0);
  }
  if (xlDevice) {
    if ((va & <u64>(size - 1)) != 0) { alignmentFault(va, false); return 0; }
  } else if ((flags & AF_UNPRIV) == 0) {
    utlbFill(utlbRd, va, host & ~(<usize>0xfff));
  }
  switch (size) {
    case 1: return <u64>load<u8>(host);
    case 2: return <u64>load<u16>(host);
    case 4: return <u64>load<u32>(host);
    default: return load<u64>(host);
  }
}

export function slowWrite(va: u64, size: u32, v: u64, flags: u32): void {
  if (!checkAlign(va, size, flags, true)) return;
  const off = <u32>va & 0xfff;
  if (off + size > 4096) {
    const split: u32 = 4096 - off;
    const pa1 = xlate(va, Access.Write, flags);
    if (pa1 == u64.MAX_VALUE) return;
    const dev1 = xlDevice;
    const pa2 = xlate(va + split, Access.Write, flags);
    if (pa2 == u64.MAX_VALUE) return;
    if (dev1 || xlDevice) { alignmentFault(va, true); return; }
    const h1 = paToHost(pa1), h2 = paToHost(pa2);
    if (h1 == 0 || h2 == 0) { externalAbort(va, true); return; }
    for (let i: u32 = 0; i < size; i++) {
      const b = <u8>(v >> (<u64>i << 3));
      if (i < split) store<u8>(h1 + i, b); else store<u8>(h2 + (i - split), b);
    }
    afterStore(pa1, split);
    afterStore(pa2, size - split);
    return;
  }
  const pa = xlate(va, Access.Write, flags);
  if (pa == u64.MAX_VALUE) return;
  lastPa = pa;
  const host = paToHost(pa);
  if (host == 0 || (isMmio(pa) && xlDevice)) {
    if ((flags & AF_NODEVICE) != 0) { externalAbort(va, true); return; }
    if (host == 0 || xlDevice) { deviceAccess(va, pa, size, true, v); return; }
  }
  if (xlDevice) {
    if ((va & <u64>(size - 1)) != 0) { alignmentFault(va, true); return; }
  }
  switch (size) {
    case 1: store<u8>(host, <u8>v); break;
    case 2: store<u16>(host, <u16>v); break;
    case 4: store<u32>(host, <u32>v); break;
    default: store<u64>(host, v); break;
  }
  afterStore(pa, size);
  if (!xlDevice && (flags & AF_UNPRIV) == 0 && (pageFlag(pa) & PF_CODE) == 0 && writeAlsoReadable(va)) {
    utlbFill(utlbWr, va, host & ~(<usize>0xfff));
  }
}

/** A write entry in the uTLB implies read permission too (atomics use it): check before filling. */
function writeAlsoReadable(va: u64): bool {
  return translate(va, Access.Read, false);
}

/** Bookkeeping after a store to RAM: code coherence and other CPUs' monitors. */
@inline function afterStore(pa: u64, size: u32): void {
  const f = pageFlag(pa);
  if ((f & PF_DIRTY) == 0) setPageFlag(pa, f | PF_DIRTY);   // (marks its dirty group too)
  if ((f & PF_CODE) != 0) dcacheStore(pa, size);
  if (monitorsActive != 0) snoop(pa, size);
}

/**
 * Host pointer for a read-modify-write of `size` bytes at `va` (atomics, exclusives), after
 * checking alignment, write+read permission and that it is RAM. 0 if the instruction aborted.
 * The caller performs the update and then calls rmwDone(ptr, size).
 */
export function rmwPtr(va: u64, size: u32): usize {
  if ((va & <u64>(size - 1)) != 0) { alignmentFault(va, true); return 0; }
  const p = fastPtr(utlbWr, va, size);
  if (p != 0) return p;
  const pa = xlate(va, Access.Write, 0);
  if (pa == u64.MAX_VALUE) return 0;
  if (!translate(va, Access.Read, false)) { dataAbort(va, false, false); return 0; }
  const host = paToHost(trPa);
  if (host == 0) { externalAbort(va, true); return 0; }
  return host;
}

export function rmwDone(p: usize, size: u32): void {
  const pa = <u64>(p - ramHost) + ramBase;
  afterStore(pa, size);
}

/** Physical address of a read at `va` (for LDXR's monitor), translating as a read. */
export function readPa(va: u64, size: u32): u64 {
  const p = fastPtr(utlbRd, va, size);
  if (p != 0) return <u64>(p - ramHost) + ramBase;
  const pa = xlate(va, Access.Read, 0);
  return pa;
}

/** Records that the host completed this CPU's pending MMIO access (read data, or 0 for writes). */
export function mmioComplete(cpu: i32, data: u64): void {
  const h = changetype<CpuHeader>(S.cpuBlocks + <usize>cpu * CPU_BLOCK_SIZE);
  if (h.replayCount == 0) h.replayData0 = data; else h.replayData1 = data;
  h.replayCount++;
  h.replayIndex = 0;
}
