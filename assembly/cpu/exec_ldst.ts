// Loads and stores (Arm ARM C4.1.88, C6.2): every size and sign extension, unsigned offset,
// unscaled, pre/post-index, unprivileged, register offset, literal, pairs, exclusives with the
// exclusive monitor, load-acquire/store-release, and FEAT_LSE atomics. Memory accesses go through
// mem/access.ts; a handler commits register writes only after all its accesses succeeded.

import * as S from "./state";
import { getX, setX, getXsp, setXsp, sysGet, hdr } from "./state";
import {
  rdN, wrN, rd64, abortPending, peekAborted, AF_ALIGNED, AF_UNPRIV, AF_NODEVICE, rmwPtr, rmwDone, setMonitor,
  clearMonitorOf, lastPa, ramPaOf, alignmentFaultAt,
} from "../mem/access";
import { extendReg } from "./alu";
import { Ec } from "../enums";
import { syncException } from "./exception";
import { SR_SCTLR_EL1, SR_SCTLR_EL2 } from "./sysregs.gen";

@inline function rt(w: u32): u32 { return w & 31; }
@inline function rn(w: u32): u32 { return (w >> 5) & 31; }
@inline function next(): void { S.pc += 4; }

@inline function sext(v: u64, bitsN: u64): u64 {
  return <u64>(<i64>(v << (64 - bitsN)) >> (64 - bitsN));
}

/**
 * Base register value for an access; if it is SP, checks SP alignment when SCTLR_ELx.SA/SA0
 * enables it (Arm ARM D1.8.2) and raises the SP alignment fault (EC 0x26) otherwise.
 */
let baseOk: bool = true;
@inline function base(w: u32): u64 {
  const n = rn(w);
  if (n != 31) { baseOk = true; return getX(n); }
  const v = S.sp;
  baseOk = (v & 15) == 0 || !spCheckEnabled();
  if (!baseOk) syncException(Ec.SpAlign, 0, S.pc);
  return v;
}

function spCheckEnabled(): bool {
  if (S.el == 0) return (sysGet(SR_SCTLR_EL1) & (1 << 4)) != 0;
  if (S.el == 1) return (sysGet(SR_SCTLR_EL1) & (1 << 3)) != 0;
  return (sysGet(SR_SCTLR_EL2) & (1 << 3)) != 0;
}

/** Writes a loaded value to Rt: opc 1 zero-extend, 2 sign-extend to 64, 3 sign-extend to 32. */
@inline function writeLoaded(t: u32, v: u64, size: u32, opc: u32): void {
  if (opc == 1) setX(t, v);
  else if (opc == 2) setX(t, sext(v, <u64>8 << size));
  else setX(t, sext(v, <u64>8 << size) & 0xffffffff);
}

// ---- single register ----

export function execLdrXUi(w: u32): void {
  const a = base(w); if (!baseOk) return;
  const v = rd64(a + (<u64>((w >> 10) & 0xfff) << 3));
  if (abortPending()) return;
  setX(rt(w), v);
  next();
}

export function execLdrWUi(w: u32): void {
  const a = base(w); if (!baseOk) return;
  const v = rdN(a + (<u64>((w >> 10) & 0xfff) << 2), 2, 0);
  if (abortPending()) return;
  setX(rt(w), v);
  next();
}

export function execStrXUi(w: u32): void {
  const a = base(w); if (!baseOk) return;
  wrN(a + (<u64>((w >> 10) & 0xfff) << 3), 3, getX(rt(w)), 0);
  if (abortPending()) return;
  next();
}

export function execStrWUi(w: u32): void {
  const a = base(w); if (!baseOk) return;
  wrN(a + (<u64>((w >> 10) & 0xfff) << 2), 2, getX(rt(w)), 0);
  if (abortPending()) return;
  next();
}

export function execLdrbUi(w: u32): void {
  const a = base(w); if (!baseOk) return;
  const v = rdN(a + <u64>((w >> 10) & 0xfff), 0, 0);
  if (abortPending()) return;
  setX(rt(w), v);
  next();
}

export function execStrbUi(w: u32): void {
  const a = base(w); if (!baseOk) return;
  wrN(a + <u64>((w >> 10) & 0xfff), 0, getX(rt(w)), 0);
  if (abortPending()) return;
  next();
}

/** Unsigned-offset loads/stores of any size and extension. */
export function execLdstUi(w: u32): void {
  const size = w >> 30, opc = (w >> 22) & 3;
  const a = base(w); if (!baseOk) return;
  ldstCommon(w, a + (<u64>((w >> 10) & 0xfff) << size), size, opc, 0);
  if (abortPending()) return;
  next();
}

/** Access + Rt transfer shared by the single-register forms (no writeback). */
@inline function ldstCommon(w: u32, addr: u64, size: u32, opc: u32, flags: u32): void {
  if (opc == 0) {
    wrN(addr, size, getX(rt(w)), flags);
  } else {
    const v = rdN(addr, size, flags);
    if (peekAborted()) return;
    writeLoaded(rt(w), v, size, opc);
  }
}

/** LDUR/STUR, post-index, LDTR/STTR, pre-index (imm9 forms). */
export function execLdstImm9(w: u32): void {
  const size = w >> 30, opc = (w >> 22) & 3;
  const imm = sext(<u64>((w >> 12) & 0x1ff), 9);
  const idx = (w >> 10) & 3;
  const b = base(w); if (!baseOk) return;
  const addr = idx == 1 ? b : b + imm;
  const flags: u32 = idx == 2 && S.el == 1 ? AF_UNPRIV : 0;
  ldstCommon(w, addr, size, opc, flags);
  if (abortPending()) return;
  if (idx == 1 || idx == 3) setXsp(rn(w), b + imm);
  next();
}

/** Register offset: [Xn, Rm{, extend {#amount}}]. */
export function execLdstReg(w: u32): void {
  const size = w >> 30, opc = (w >> 22) & 3;
  const sh: u64 = ((w >> 12) & 1) != 0 ? <u64>size : 0;
  const off = extendReg(getX((w >> 16) & 31), (w >> 13) & 7, sh);
  const b = base(w); if (!baseOk) return;
  ldstCommon(w, b + off, size, opc, 0);
  if (abortPending()) return;
  next();
}

/** LDR (literal): opc 00 W, 01 X, 10 LDRSW. */
export function execLdrLit(w: u32): void {
  const addr = S.pc + (sext(<u64>((w >> 5) & 0x7ffff), 19) << 2);
  const opc = w >> 30;
  const v = rdN(addr, opc == 0 ? 2 : opc == 1 ? 3 : 2, 0);
  if (abortPending()) return;
  setX(rt(w), opc == 2 ? sext(v, 32) : v);
  next();
}

// ---- pairs ----

export function execLdstp(w: u32): void {
  const opc = w >> 30, idx = (w >> 23) & 3, l = (w >> 22) & 1;
  const scale: u32 = opc == 2 ? 3 : 2;
  const imm = sext(<u64>((w >> 15) & 0x7f), 7) << scale;
  const t = rt(w), t2 = (w >> 10) & 31;
  const b = base(w); if (!baseOk) return;
  const addr = idx == 1 ? b : b + imm;
  const esz: u64 = <u64>1 << scale;
  if (l) {
    const v1 = rdN(addr, scale, 0);
    if (abortPending()) return;
    const v2 = rdN(addr + esz, scale, 0);
    if (abortPending()) return;
    if (opc == 1) { setX(t, sext(v1, 32)); setX(t2, sext(v2, 32)); }
    else { setX(t, v1); setX(t2, v2); }
  } else {
    const v1 = getX(t), v2 = getX(t2);
    wrN(addr, scale, v1, 0);
    if (abortPending()) return;
    wrN(addr + esz, scale, v2, 0);
    if (abortPending()) return;
  }
  if (idx == 1 || idx == 3) setXsp(rn(w), b + imm);
  next();
}

@inline function imm7x8(w: u32): u64 { return sext(<u64>((w >> 15) & 0x7f), 7) << 3; }

export function execStpXPre(w: u32): void {
  const b = base(w); if (!baseOk) return;
  const addr = b + imm7x8(w);
  const v1 = getX(rt(w)), v2 = getX((w >> 10) & 31);
  wrN(addr, 3, v1, 0);
  if (abortPending()) return;
  wrN(addr + 8, 3, v2, 0);
  if (abortPending()) return;
  setXsp(rn(w), addr);
  next();
}

export function execStpXOff(w: u32): void {
  const b = base(w); if (!baseOk) return;
  const addr = b + imm7x8(w);
  wrN(addr, 3, getX(rt(w)), 0);
  if (abortPending()) return;
  wrN(addr + 8, 3, getX((w >> 10) & 31), 0);
  if (abortPending()) return;
  next();
}

export function execLdpXPost(w: u32): void {
  const b = base(w); if (!baseOk) return;
  const v1 = rd64(b);
  if (abortPending()) return;
  const v2 = rd64(b + 8);
  if (abortPending()) return;
  setX(rt(w), v1);
  setX((w >> 10) & 31, v2);
  setXsp(rn(w), b + imm7x8(w));
  next();
}

export function execLdpXOff(w: u32): void {
  const b = base(w); if (!baseOk) return;
  const addr = b + imm7x8(w);
  const v1 = rd64(addr);
  if (abortPending()) return;
  const v2 = rd64(addr + 8);
  if (abortPending()) return;
  setX(rt(w), v1);
  setX((w >> 10) & 31, v2);
  next();
}

// ---- exclusives and acquire/release ----

export function execLdx(w: u32): void {
  const size = w >> 30;
  const a = base(w); if (!baseOk) return;
  const v = rdN(a, size, AF_ALIGNED | AF_NODEVICE);
  if (abortPending()) return;
  setMonitor(lastPa, 1 << size);
  setX(rt(w), v);
  next();
}

export function execLdxp(w: u32): void {
  const sz = (w >> 30) & 1;   // 0: W pair, 1: X pair
  const size: u32 = sz ? 3 : 2;
  const esz: u64 = <u64>1 << size;
  const a = base(w); if (!baseOk) return;
  // The pair must be aligned to its total size (Arm ARM C6.2.133); then both halves share a page.
  if ((a & (esz * 2 - 1)) != 0) { alignmentFaultAt(a, false); abortPending(); return; }
  const v1 = rdN(a, size, AF_ALIGNED | AF_NODEVICE);
  if (abortPending()) return;
  const pa = lastPa;
  const v2 = rdN(a + esz, size, AF_ALIGNED | AF_NODEVICE);
  if (abortPending()) return;
  setMonitor(pa, <u32>esz * 2);
  setX(rt(w), v1);
  setX((w >> 10) & 31, v2);
  next();
}

/** STXR/STLXR/STXP/STLXP: store if the monitor covers this address; Ws ← 0 on success, 1 on failure. */
function storeExclusive(w: u32, size: u32, v1: u64, v2: u64, pair: bool): void {
  const s = (w >> 16) & 31;
  const a = base(w); if (!baseOk) return;
  const p = rmwPtr(a, size);
  if (p == 0) { abortPending(); return; }
  const h = hdr();
  const pa = ramPaOf(p);
  const ok = h.exValid != 0 && h.exAddr == pa && h.exSize == size;
  clearMonitorOf(h);
  if (ok) {
    if (pair) {
      if (size == 16) { store<u64>(p, v1); store<u64>(p + 8, v2); }
      else { store<u32>(p, <u32>v1); store<u32>(p + 4, <u32>v2); }
    } else if (size == 8) store<u64>(p, v1);
    else if (size == 4) store<u32>(p, <u32>v1);
    else if (size == 2) store<u16>(p, <u16>v1);
    else store<u8>(p, <u8>v1);
    rmwDone(p, size);
  }
  setX(s, ok ? 0 : 1);
  next();
}

export function execStx(w: u32): void {
  storeExclusive(w, 1 << (w >> 30), getX(rt(w)), 0, false);
}

export function execStxp(w: u32): void {
  const sz = (w >> 30) & 1;
  storeExclusive(w, sz ? 16 : 8, getX(rt(w)), getX((w >> 10) & 31), true);
}

export function execLdar(w: u32): void {
  const size = w >> 30;
  const a = base(w); if (!baseOk) return;
  const v = rdN(a, size, AF_ALIGNED);
  if (abortPending()) return;
  setX(rt(w), v);
  next();
}

export function execStlr(w: u32): void {
  const size = w >> 30;
  const a = base(w); if (!baseOk) return;
  wrN(a, size, getX(rt(w)), AF_ALIGNED);
  if (abortPending()) return;
  next();
}

// ---- FEAT_LSE atomics ----

@inline function loadSized(p: usize, size: u32): u64 {
  if (size == 3) return load<u64>(p);
  if (size == 2) return <u64>load<u32>(p);
  if (size == 1) return <u64>load<u16>(p);
  return <u64>load<u8>(p);
}

@inline function storeSized(p: usize, size: u32, v: u64): void {
  if (size == 3) store<u64>(p, v);
  else if (size == 2) store<u32>(p, <u32>v);
  else if (size == 1) store<u16>(p, <u16>v);
  else store<u8>(p, <u8>v);
}

@inline function sizeMask(size: u32): u64 {
  return size == 3 ? u64.MAX_VALUE : (<u64>1 << (<u64>8 << size)) - 1;
}

/** LDADD, LDCLR, LDEOR, LDSET, LDSMAX, LDSMIN, LDUMAX, LDUMIN (aux = opc), all orderings. */
export function execAtomic(w: u32, opc: u32): void {
  const size = w >> 30;
  const a = base(w); if (!baseOk) return;
  const p = rmwPtr(a, 1 << size);
  if (p == 0) { abortPending(); return; }
  const old = loadSized(p, size);
  const s = getX((w >> 16) & 31) & sizeMask(size);
  const nb: u64 = <u64>8 << size;
  let r: u64;
  switch (opc) {
    case 0: r = old + s; break;
    case 1: r = old & ~s; break;
    case 2: r = old ^ s; break;
    case 3: r = old | s; break;
    case 4: r = <i64>sext(old, nb) > <i64>sext(s, nb) ? old : s; break;
    case 5: r = <i64>sext(old, nb) < <i64>sext(s, nb) ? old : s; break;
    case 6: r = old > s ? old : s; break;
    default: r = old < s ? old : s; break;
  }
  storeSized(p, size, r);
  rmwDone(p, 1 << size);
  setX(rt(w), old);
  next();
}

export function execSwp(w: u32): void {
  const size = w >> 30;
  const a = base(w); if (!baseOk) return;
  const p = rmwPtr(a, 1 << size);
  if (p == 0) { abortPending(); return; }
  const old = loadSized(p, size);
  storeSized(p, size, getX((w >> 16) & 31));
  rmwDone(p, 1 << size);
  setX(rt(w), old);
  next();
}

export function execCas(w: u32): void {
  const size = w >> 30;
  const s = (w >> 16) & 31;
  const a = base(w); if (!baseOk) return;
  const p = rmwPtr(a, 1 << size);
  if (p == 0) { abortPending(); return; }
  const old = loadSized(p, size);
  if (old == (getX(s) & sizeMask(size))) {
    storeSized(p, size, getX(rt(w)));
    rmwDone(p, 1 << size);
  }
  setX(s, old);
  next();
}

export function execCasp(w: u32): void {
  const sz = (w >> 30) & 1;
  const s = (w >> 16) & 31, t = rt(w);
  const a = base(w); if (!baseOk) return;
  const esz: u32 = sz ? 8 : 4;
  const p = rmwPtr(a, esz * 2);
  if (p == 0) { abortPending(); return; }
  const size: u32 = sz ? 3 : 2;
  const m0 = loadSized(p, size), m1 = loadSized(p + esz, size);
  const mask = sizeMask(size);
  if (m0 == (getX(s) & mask) && m1 == (getX(s + 1) & mask)) {
    storeSized(p, size, getX(t));
    storeSized(p + esz, size, getX(t + 1));
    rmwDone(p, esz * 2);
  }
  setX(s, m0);
  setX(s + 1, m1);
  next();
}

