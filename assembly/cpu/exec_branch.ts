// Branches (Arm ARM C4.1.87): immediate, conditional, compare/test, register, and ERET.

import * as S from "./state";
import { getX, setX } from "./state";
import { condHolds } from "./alu";
import { undefined_, exceptionReturn } from "./exception";

@inline function simm(w: u32, lo: u32, len: u32): u64 {
  return <u64>(<i64>(<i32>(w << (32 - lo - len)) >> (32 - len)));
}

export function execB(w: u32): void { S.pc += simm(w, 0, 26) << 2; }

export function execBl(w: u32): void {
  setX(30, S.pc + 4);
  S.pc += simm(w, 0, 26) << 2;
}

export function execBCond(w: u32): void {
  S.pc += condHolds(w & 15) ? simm(w, 5, 19) << 2 : 4;
}

export function execCbzX(w: u32): void { S.pc += getX(w & 31) == 0 ? simm(w, 5, 19) << 2 : 4; }
export function execCbnzX(w: u32): void { S.pc += getX(w & 31) != 0 ? simm(w, 5, 19) << 2 : 4; }
export function execCbzW(w: u32): void { S.pc += (getX(w & 31) & 0xffffffff) == 0 ? simm(w, 5, 19) << 2 : 4; }
export function execCbnzW(w: u32): void { S.pc += (getX(w & 31) & 0xffffffff) != 0 ? simm(w, 5, 19) << 2 : 4; }

export function execTbz(w: u32, nz: bool): void {
  const bit = <u64>(((w >> 26) & 32) | ((w >> 19) & 31));
  const set = ((getX(w & 31) >> bit) & 1) != 0;
  S.pc += set == nz ? simm(w, 5, 14) << 2 : 4;
}

export function execBr(w: u32): void { S.pc = getX((w >> 5) & 31); }

export function execBlr(w: u32): void {
  const target = getX((w >> 5) & 31);   // read before writing X30 (BLR X30)
  setX(30, S.pc + 4);
  S.pc = target;
}

export function execEret(): void {
  if (S.el == 0) { undefined_(); return; }
  exceptionReturn();
}
