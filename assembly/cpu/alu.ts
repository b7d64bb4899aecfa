// Integer helpers shared by the data-processing handlers: flag-setting add/subtract (Arm ARM
// J1 AddWithCarry), condition evaluation (ConditionHolds), shifts and extends, 128-bit multiply.

import * as S from "./state";

/** ConditionHolds as a 16×16 table: bit nzcv of COND[cond] says whether cond holds. */
const COND = memory.data<u16>([
  0xf0f0, 0x0f0f, 0xcccc, 0x3333, 0xff00, 0x00ff, 0xaaaa, 0x5555,
  0x0c0c, 0xf3f3, 0xaa55, 0x55aa, 0x0a05, 0xf5fa, 0xffff, 0xffff,
]);

@inline export function condHolds(cond: u32): bool {
  return ((load<u16>(COND + (<usize>cond << 1)) >> <u16>S.nzcv) & 1) != 0;
}

/** AddWithCarry for 64 bits; sets PSTATE.NZCV and returns the sum. */
@inline export function adcs64(a: u64, b: u64, c: u64): u64 {
  const s1 = a + b;
  const r = s1 + c;
  const carry: u32 = <u32>(s1 < a) | <u32>(r < s1);
  const v = <u32>((((a ^ r) & (b ^ r)) >> 63) & 1);
  S.nzcv = (<u32>(r >> 63) << 3) | (<u32>(r == 0) << 2) | (carry << 1) | v;
  return r;
}

/** AddWithCarry for 32 bits (operands are the low 32 bits); sets NZCV; returns the zero-extended sum. */
@inline export function adcs32(a: u64, b: u64, c: u64): u64 {
  const x = a & 0xffffffff, y = b & 0xffffffff;
  const full = x + y + c;
  const r = full & 0xffffffff;
  const carry = <u32>(full >> 32) & 1;
  const v = <u32>((((x ^ r) & (y ^ r)) >> 31) & 1);
  S.nzcv = (<u32>(r >> 31) << 3) | (<u32>(r == 0) << 2) | (carry << 1) | v;
  return r;
}

/** Sets N and Z from a logical result (C = V = 0), as ANDS/BICS do. */
@inline export function logicFlags64(r: u64): void {
  S.nzcv = (<u32>(r >> 63) << 3) | (<u32>(r == 0) << 2);
}
@inline export function logicFlags32(r: u64): void {
  S.nzcv = (<u32>((r >> 31) & 1) << 3) | (<u32>((r & 0xffffffff) == 0) << 2);
}

/** ShiftReg: type 0 LSL, 1 LSR, 2 ASR, 3 ROR, amount < datasize. */
@inline export function shift64(v: u64, type: u32, amt: u64): u64 {
  if (type == 0) return v << amt;
  if (type == 1) return v >> amt;
  if (type == 2) return <u64>(<i64>v >> amt);
  return rotr<u64>(v, amt);
}
@inline export function shift32(v: u64, type: u32, amt: u64): u64 {
  const x = <u32>v;
  const a = <u32>amt;
  if (type == 0) return <u64>(x << a);
  if (type == 1) return <u64>(x >> a);
  if (type == 2) return <u64><u32>(<i32>x >> a);
  return <u64>rotr<u32>(x, a);
}

/** ExtendReg: option 0 UXTB, 1 UXTH, 2 UXTW, 3 UXTX, 4 SXTB, 5 SXTH, 6 SXTW, 7 SXTX; then << shift. */
@inline export function extendReg(v: u64, option: u32, sh: u64): u64 {
  let x: u64;
  switch (option) {
    case 0: x = v & 0xff; break;
    case 1: x = v & 0xffff; break;
    case 2: x = v & 0xffffffff; break;
    case 4: x = <u64><i64><i8>v; break;
    case 5: x = <u64><i64><i16>v; break;
    case 6: x = <u64><i64><i32>v; break;
    default: x = v; break;
  }
  return x << sh;
}

/** High 64 bits of the unsigned 128-bit product. */
export function umulh(a: u64, b: u64): u64 {
  const aLo = a & 0xffffffff, aHi = a >> 32, bLo = b & 0xffffffff, bHi = b >> 32;
  const ll = aLo * bLo, lh = aLo * bHi, hl = aHi * bLo, hh = aHi * bHi;
  const mid = (ll >> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);
  return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/** High 64 bits of the signed 128-bit product. */
export function smulh(a: u64, b: u64): u64 {
  let h = umulh(a, b);
  if (<i64>a < 0) h -= b;
  if (<i64>b < 0) h -= a;
  return h;
}

/** CLS: leading sign bits (excluding the sign bit itself). */
@inline export function cls64(v: u64): u64 {
  return <u64>clz<u64>((v ^ (v << 1)) | 1);
}
