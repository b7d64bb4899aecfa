/** Helpers shared by the operand kinds: reading immediates and building messages. */
import type { Operand } from '../operands.js';
import { Mismatch, RANK_KIND, RANK_VALUE, type EncCtx } from './types.js';

/** `got 'text'` part of messages. */
export function got(op: Operand | undefined): string {
  return op === undefined ? 'nothing' : `'${op.text}'`;
}

export function expected(what: string, op: Operand | undefined, rank = RANK_KIND): Mismatch {
  return new Mismatch(`expected ${what}, got ${got(op)}`, rank);
}

/**
 * The value of an immediate operand (`#expr` or a bare expression). `:lo12:` is rejected
 * unless `allowLo12`, in which case the low 12 bits of the value are returned.
 */
export function immValue(op: Operand | undefined, c: EncCtx, what: string, allowLo12 = false): bigint | Mismatch {
  if (op === undefined || op.kind !== 'imm') return expected(what, op);
  const v = c.evaluate(op.expr);
  if (v instanceof Mismatch) return v;
  if (op.modifier === 'lo12') {
    if (!allowLo12) return new Mismatch(`:lo12: is not allowed in ${c.mnem} here`, RANK_VALUE);
    return v & 0xfffn;
  }
  return v;
}

/** Decimal for small magnitudes, hex otherwise (how values are shown in messages). */
export function show(v: bigint): string {
  const a = v < 0n ? -v : v;
  if (a < 4096n) return v.toString();
  return (v < 0n ? '-0x' : '0x') + a.toString(16);
}

export function outOfRange(what: string, v: bigint, lo: bigint, hi: bigint): Mismatch {
  return new Mismatch(`${what} ${show(v)} out of range (must be in ${show(lo)}..${show(hi)})`, RANK_VALUE);
}

/** Reads an unsigned immediate in lo..hi. */
export function uintIn(op: Operand | undefined, c: EncCtx, what: string, lo: number, hi: number): number | Mismatch {
  const v = immValue(op, c, what);
  if (v instanceof Mismatch) return v;
  if (v < BigInt(lo) || v > BigInt(hi)) return outOfRange('immediate', v, BigInt(lo), BigInt(hi));
  return Number(v);
}

/** The bare name written as an operand (`eq`, `ish`, `hcr_el2`), lower case; null if not a bare name. */
export function bareName(op: Operand | undefined): string | null {
  if (op === undefined || op.kind !== 'imm' || op.hash || op.modifier !== null || op.expr.t !== 'sym') return null;
  return op.expr.name.toLowerCase();
}
