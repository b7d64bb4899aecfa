// Data-processing instructions (Arm ARM C4.1.86 immediate, C4.1.89 register). Each handler reads
// its operands from the instruction word, computes, writes Rd (and NZCV) and advances the PC.

import * as S from "./state";
import { getX, setX, getXsp, setXsp } from "./state";
import { adcs64, adcs32, logicFlags64, logicFlags32, shift64, shift32, extendReg, condHolds, umulh, smulh, cls64 } from "./alu";
import { logicalImm, decodeWmask } from "./bitmask";

@inline function rd(w: u32): u32 { return w & 31; }
@inline function rn(w: u32): u32 { return (w >> 5) & 31; }
@inline function rm(w: u32): u32 { return (w >> 16) & 31; }
@inline function next(): void { S.pc += 4; }

// ---- immediate ----

export function execAdr(w: u32): void {
  const imm = <u64>(<i64>(((w >> 3) & 0x1ffffc) | ((w >> 29) & 3)) << 43 >> 43);
  setX(rd(w), S.pc + imm);
  next();
}

export function execAdrp(w: u32): void {
  const imm = <u64>(<i64>(((w >> 3) & 0x1ffffc) | ((w >> 29) & 3)) << 43 >> 43);
  setX(rd(w), (S.pc & ~(<u64>0xfff)) + (imm << 12));
  next();
}

@inline function addImm(w: u32): u64 {
  const imm = <u64>((w >> 10) & 0xfff);
  return ((w >> 22) & 1) != 0 ? imm << 12 : imm;
}

export function execAddImmX(w: u32): void { setXsp(rd(w), getXsp(rn(w)) + addImm(w)); next(); }
export function execAddImmW(w: u32): void { setXsp(rd(w), (getXsp(rn(w)) + addImm(w)) & 0xffffffff); next(); }
export function execSubImmX(w: u32): void { setXsp(rd(w), getXsp(rn(w)) - addImm(w)); next(); }
export function execSubImmW(w: u32): void { setXsp(rd(w), (getXsp(rn(w)) - addImm(w)) & 0xffffffff); next(); }

export function execAddsImm(w: u32): void {
  const a = getXsp(rn(w)), b = addImm(w);
  setX(rd(w), (w >> 31) != 0 ? adcs64(a, b, 0) : adcs32(a, b, 0));
  next();
}
export function execSubsImmX(w: u32): void { setX(rd(w), adcs64(getXsp(rn(w)), ~addImm(w), 1)); next(); }
export function execSubsImmW(w: u32): void { setX(rd(w), adcs32(getXsp(rn(w)), ~addImm(w), 1)); next(); }

export function execLogImm(w: u32): void {
  const sf = w >> 31;
  let imm = logicalImm(w);
  const a = getX(rn(w));
  let r: u64;
  const opc = (w >> 29) & 3;
  if (opc == 0) r = a & imm;
  else if (opc == 1) r = a | imm;
  else if (opc == 2) r = a ^ imm;
  else r = a & imm;
  if (sf == 0) r &= 0xffffffff;
  if (opc == 3) {
    if (sf) logicFlags64(r); else logicFlags32(r);
    setX(rd(w), r);
  } else {
    setXsp(rd(w), r);   // AND/ORR/EOR (immediate) write SP when Rd = 31
  }
  next();
}

@inline function movImm(w: u32): u64 { return <u64>((w >> 5) & 0xffff) << (<u64>((w >> 21) & 3) << 4); }

export function execMovZ(w: u32): void { setX(rd(w), movImm(w)); next(); }
export function execMovN(w: u32): void {
  const v = ~movImm(w);
  setX(rd(w), (w >> 31) != 0 ? v : v & 0xffffffff);
  next();
}
export function execMovK(w: u32): void {
  const sh = <u64>((w >> 21) & 3) << 4;
  const v = (getX(rd(w)) & ~(<u64>0xffff << sh)) | movImm(w);
  setX(rd(w), (w >> 31) != 0 ? v : v & 0xffffffff);
  next();
}

/** SBFM/BFM/UBFM (Arm ARM C6.2 pseudocode with DecodeBitMasks(immediate = FALSE)). */
export function execBitfield(w: u32, kind: u32): void {
  const sf = w >> 31;
  const size: u64 = sf ? 64 : 32;
  const immr = <u64>((w >> 16) & 63), imms = <u64>((w >> 10) & 63);
  // DecodeBitMasks(immediate = FALSE): wmask = ROR(ones(S+1), R), tmask = ones(((S − R) mod size) + 1).
  const wmask = sf ? decodeWmask(1, <u32>imms, <u32>immr) : decodeWmask(0, <u32>imms, <u32>immr) & 0xffffffff;
  const diff = (imms - immr) & (size - 1);
  let tmask: u64 = diff == 63 ? u64.MAX_VALUE : (<u64>1 << (diff + 1)) - 1;
  const src = getX(rn(w));
  const bot: u64 = rorN(src, immr, size) & wmask;
  let r: u64;
  if (kind == 1) {
    // BFM: dst keeps the bits outside the masks
    const dst = getX(rd(w));
    const b2 = (dst & ~wmask) | bot;
    r = (dst & ~tmask) | (b2 & tmask);
  } else if (kind == 0) {
    // SBFM: top = replicate(src<S>)
    const top: u64 = ((src >> imms) & 1) != 0 ? u64.MAX_VALUE : 0;
    r = (top & ~tmask) | (bot & tmask);
  } else {
    r = bot & tmask;
  }
  if (sf == 0) r &= 0xffffffff;
  setX(rd(w), r);
  next();
}

@inline function rorN(v: u64, r: u64, size: u64): u64 {
  if (r == 0) return size == 64 ? v : v & 0xffffffff;
  if (size == 64) return rotr<u64>(v, r);
  return <u64>rotr<u32>(<u32>v, <u32>r);
}

// Fast forms of UBFM/SBFM (the general form is execBitfield):
//   UBFM imms ≥ immr: UBFX/LSR — field [imms:immr] moved to bit 0, zero-extended.
//   UBFM imms < immr: UBFIZ/LSL — field [imms:0] moved to bit (size − immr).
//   SBFM imms ≥ immr: SBFX/ASR/SXTB/SXTH/SXTW — as UBFX, sign-extended from bit imms − immr.
export function execUbfxX(w: u32): void {
  const immr = <u64>((w >> 16) & 63), imms = <u64>((w >> 10) & 63);
  const v = getX(rn(w)) >> immr;
  const width = imms - immr + 1;
  setX(rd(w), width == 64 ? v : v & ((<u64>1 << width) - 1));
  next();
}
export function execUbfxW(w: u32): void {
  const immr = (w >> 16) & 31, imms = (w >> 10) & 31;
  const v = <u32>getX(rn(w)) >> immr;
  const width = imms - immr + 1;
  setX(rd(w), <u64>(width == 32 ? v : v & ((1 << width) - 1)));
  next();
}
export function execUbfizX(w: u32): void {
  const immr = <u64>((w >> 16) & 63), imms = <u64>((w >> 10) & 63);
  const v = getX(rn(w)) & ((<u64>1 << (imms + 1)) - 1);
  setX(rd(w), v << (64 - immr));
  next();
}
export function execUbfizW(w: u32): void {
  const immr = (w >> 16) & 31, imms = (w >> 10) & 31;
  const v = <u32>getX(rn(w)) & ((1 << (imms + 1)) - 1);
  setX(rd(w), <u64>(v << (32 - immr)));
  next();
}
export function execSbfxX(w: u32): void {
  const immr = <u64>((w >> 16) & 63), imms = <u64>((w >> 10) & 63);
  setX(rd(w), <u64>((<i64>(getX(rn(w)) << (63 - imms))) >> (63 - imms + immr)));
  next();
}
export function execSbfxW(w: u32): void {
  const immr = (w >> 16) & 31, imms = (w >> 10) & 31;
  setX(rd(w), <u64><u32>((<i32>(<u32>getX(rn(w)) << (31 - imms))) >> (31 - imms + immr)));
  next();
}

export function execExtr(w: u32): void {
  const lsb = <u64>((w >> 10) & 63);
  const hi = getX(rn(w)), lo = getX(rm(w));
  let r: u64;
  if ((w >> 31) != 0) {
    r = lsb == 0 ? lo : (lo >> lsb) | (hi << (64 - lsb));
  } else {
    const x = (hi << 32) | (lo & 0xffffffff);
    r = (x >> lsb) & 0xffffffff;
  }
  setX(rd(w), r);
  next();
}

// ---- register ----

export function execMovReg(w: u32): void {
  const v = getX(rm(w));
  setX(rd(w), (w >> 31) != 0 ? v : v & 0xffffffff);
  next();
}

export function execAndRegX(w: u32): void { setX(rd(w), getX(rn(w)) & getX(rm(w))); next(); }
export function execOrrRegX(w: u32): void { setX(rd(w), getX(rn(w)) | getX(rm(w))); next(); }
export function execEorRegX(w: u32): void { setX(rd(w), getX(rn(w)) ^ getX(rm(w))); next(); }
export function execAddRegX(w: u32): void { setX(rd(w), getX(rn(w)) + getX(rm(w))); next(); }
export function execSubRegX(w: u32): void { setX(rd(w), getX(rn(w)) - getX(rm(w))); next(); }
export function execSubsRegX(w: u32): void { setX(rd(w), adcs64(getX(rn(w)), ~getX(rm(w)), 1)); next(); }

export function execLogSr(w: u32): void {
  const sf = w >> 31;
  const type = (w >> 22) & 3, amt = <u64>((w >> 10) & 63);
  let b = sf ? shift64(getX(rm(w)), type, amt) : shift32(getX(rm(w)), type, amt);
  if (((w >> 21) & 1) != 0) b = ~b;
  const a = getX(rn(w));
  const opc = (w >> 29) & 3;
  let r: u64 = opc == 1 ? a | b : opc == 2 ? a ^ b : a & b;
  if (sf == 0) r &= 0xffffffff;
  if (opc == 3) { if (sf) logicFlags64(r); else logicFlags32(r); }
  setX(rd(w), r);
  next();
}

export function execAddSubSr(w: u32): void {
  const sf = w >> 31, sub = (w >> 30) & 1, s = (w >> 29) & 1;
  const type = (w >> 22) & 3, amt = <u64>((w >> 10) & 63);
  const a = getX(rn(w));
  let b = sf ? shift64(getX(rm(w)), type, amt) : shift32(getX(rm(w)), type, amt);
  addSubCommit(w, sf, sub, s, a, b, false);
}

export function execAddSubEr(w: u32): void {
  const sf = w >> 31, sub = (w >> 30) & 1, s = (w >> 29) & 1;
  const a = getXsp(rn(w));
  const b = extendReg(getX(rm(w)), (w >> 13) & 7, <u64>((w >> 10) & 7));
  addSubCommit(w, sf, sub, s, a, b, true);
}

@inline function addSubCommit(w: u32, sf: u32, sub: u32, s: u32, a: u64, b: u64, spDest: bool): void {
  let r: u64;
  if (s) {
    if (sf) r = sub ? adcs64(a, ~b, 1) : adcs64(a, b, 0);
    else r = sub ? adcs32(a, ~b, 1) : adcs32(a, b, 0);
    setX(rd(w), r);
  } else {
    r = sub ? a - b : a + b;
    if (sf == 0) r &= 0xffffffff;
    if (spDest) setXsp(rd(w), r); else setX(rd(w), r);
  }
  next();
}

export function execAdcSbc(w: u32): void {
  const sf = w >> 31, sub = (w >> 30) & 1, s = (w >> 29) & 1;
  const a = getX(rn(w));
  let b = getX(rm(w));
  if (sub) b = ~b;
  const c = <u64>((S.nzcv >> 1) & 1);
  let r: u64;
  if (s) {
    r = sf ? adcs64(a, b, c) : adcs32(a, b, c);
  } else {
    r = a + b + c;
    if (sf == 0) r &= 0xffffffff;
  }
  setX(rd(w), r);
  next();
}

export function execCcmp(w: u32): void {
  const sf = w >> 31, sub = (w >> 30) & 1;
  const cond = (w >> 12) & 15;
  if (condHolds(cond)) {
    const a = getX(rn(w));
    const b: u64 = ((w >> 11) & 1) != 0 ? <u64>((w >> 16) & 31) : getX(rm(w));
    if (sf) { if (sub) adcs64(a, ~b, 1); else adcs64(a, b, 0); }
    else { if (sub) adcs32(a, ~b, 1); else adcs32(a, b, 0); }
  } else {
    S.nzcv = w & 15;
  }
  next();
}

export function execCsel(w: u32): void {
  const sf = w >> 31, inv = (w >> 30) & 1, inc = (w >> 10) & 1;
  let r: u64;
  if (condHolds((w >> 12) & 15)) {
    r = getX(rn(w));
  } else {
    r = getX(rm(w));
    if (inv) r = ~r;
    if (inc) r += 1;
  }
  setX(rd(w), sf ? r : r & 0xffffffff);
  next();
}

export function execDiv(w: u32, signed: bool): void {
  const sf = w >> 31;
  const a = getX(rn(w)), b = getX(rm(w));
  let r: u64;
  // Division by zero gives 0; INT_MIN / −1 gives INT_MIN (Arm ARM C6.2 SDIV: RoundTowardsZero, no trap).
  if (sf) {
    if (b == 0) r = 0;
    else if (signed) r = (a == 0x8000000000000000 && b == u64.MAX_VALUE) ? a : <u64>(<i64>a / <i64>b);
    else r = a / b;
  } else {
    const x = <u32>a, y = <u32>b;
    if (y == 0) r = 0;
    else if (signed) r = (x == 0x80000000 && y == 0xffffffff) ? <u64>x : <u64><u32>(<i32>x / <i32>y);
    else r = <u64>(x / y);
  }
  setX(rd(w), r);
  next();
}

export function execShiftV(w: u32, type: u32): void {
  const sf = w >> 31;
  const r = sf ? shift64(getX(rn(w)), type, getX(rm(w)) & 63) : shift32(getX(rn(w)), type, getX(rm(w)) & 31);
  setX(rd(w), r);
  next();
}

export function execRbit(w: u32): void {
  let v = getX(rn(w));
  // reverse bits of a 64-bit value
  v = ((v >> 1) & 0x5555555555555555) | ((v & 0x5555555555555555) << 1);
  v = ((v >> 2) & 0x3333333333333333) | ((v & 0x3333333333333333) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0f) | ((v & 0x0f0f0f0f0f0f0f0f) << 4);
  v = bswap<u64>(v);
  setX(rd(w), (w >> 31) != 0 ? v : v >> 32);
  next();
}

export function execRev16(w: u32): void {
  const v = getX(rn(w));
  let r = ((v >> 8) & 0x00ff00ff00ff00ff) | ((v & 0x00ff00ff00ff00ff) << 8);
  setX(rd(w), (w >> 31) != 0 ? r : r & 0xffffffff);
  next();
}

export function execRev32(w: u32): void {
  const v = getX(rn(w));
  const lo = <u64>bswap<u32>(<u32>v), hi = <u64>bswap<u32>(<u32>(v >> 32));
  setX(rd(w), (hi << 32) | lo);
  next();
}

export function execRev(w: u32): void {
  const v = getX(rn(w));
  setX(rd(w), (w >> 31) != 0 ? bswap<u64>(v) : <u64>bswap<u32>(<u32>v));
  next();
}

export function execClz(w: u32): void {
  const v = getX(rn(w));
  setX(rd(w), (w >> 31) != 0 ? <u64>clz<u64>(v) : <u64>clz<u32>(<u32>v));
  next();
}

export function execCls(w: u32): void {
  const v = getX(rn(w));
  if ((w >> 31) != 0) {
    setX(rd(w), cls64(v));
  } else {
    const x = <u32>v;
    setX(rd(w), <u64>clz<u32>((x ^ (x << 1)) | 1));
  }
  next();
}

export function execMaddX(w: u32): void { setX(rd(w), getX((w >> 10) & 31) + getX(rn(w)) * getX(rm(w))); next(); }
export function execMsubX(w: u32): void { setX(rd(w), getX((w >> 10) & 31) - getX(rn(w)) * getX(rm(w))); next(); }
export function execMaddW(w: u32): void { setX(rd(w), (getX((w >> 10) & 31) + getX(rn(w)) * getX(rm(w))) & 0xffffffff); next(); }
export function execMsubW(w: u32): void { setX(rd(w), (getX((w >> 10) & 31) - getX(rn(w)) * getX(rm(w))) & 0xffffffff); next(); }

export function execMulLong(w: u32, signed: bool, sub: bool): void {
  const a: u64 = signed ? <u64><i64><i32>getX(rn(w)) : getX(rn(w)) & 0xffffffff;
  const b: u64 = signed ? <u64><i64><i32>getX(rm(w)) : getX(rm(w)) & 0xffffffff;
  const acc = getX((w >> 10) & 31);
  setX(rd(w), sub ? acc - a * b : acc + a * b);
  next();
}

export function execMulh(w: u32, signed: bool): void {
  const a = getX(rn(w)), b = getX(rm(w));
  setX(rd(w), signed ? smulh(a, b) : umulh(a, b));
  next();
}
