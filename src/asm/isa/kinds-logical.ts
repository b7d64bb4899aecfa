/**
 * Bitmask immediates of AND/ORR/EOR/ANDS (Arm ARM C4.1.4, DecodeBitMasks), the move-wide
 * immediates of MOVZ/MOVN/MOVK (C4.1.3) and the MOV (immediate) aliases with their
 * disassembler preference rules (C6.2 MOV (wide immediate), MOV (bitmask immediate)).
 */
import type { Operand } from '../operands.js';
import { decodeBitmask, encodeBitmask } from './bitmask.js';
import { field, hex, put } from './bits.js';
import { expected, immValue, show } from './kinds-common.js';
import { fmtNum, uimm } from './kinds-imm.js';
import { Mismatch, RANK_KIND, RANK_VALUE, type EncCtx, type OperandKind } from './types.js';

/** Truncates a 32-bit operand value like GNU as: accepts −2^31..2^32−1. */
function asSize(v: bigint, size: 32 | 64): bigint | null {
  if (size === 64) return BigInt.asUintN(64, v);
  if (v < -(1n << 31n) || v > 0xffffffffn) return null;
  return BigInt.asUintN(32, v);
}

function bitmaskBits(value: bigint, size: 32 | 64): number | null {
  const f = encodeBitmask(value, size);
  return f === null ? null : put(f.n, 22) | put(f.immr, 16) | put(f.imms, 10);
}

function bitmaskOf(w: number, size: 32 | 64, strict = true): bigint | null {
  return decodeBitmask(field(w, 22, 1), field(w, 16, 6), field(w, 10, 6), size, strict);
}

/** Decode-only bitmask immediate that also accepts non-canonical immr values. */
export function logImmLenient(size: 32 | 64): OperandKind {
  return {
    what: 'a bitmask immediate',
    enc: () => new Mismatch('decode only', RANK_KIND),
    dec(w) {
      const v = bitmaskOf(w, size, false);
      return v === null ? null : fmtNum(v, 'hex');
    },
  };
}

/** A bitmask immediate (`and x0, x1, #0xff`). With `invert`, the complement is encoded (GNU's `bic #imm`). */
export function logImm(size: 32 | 64, invert = false): OperandKind {
  return {
    what: 'a bitmask immediate',
    enc(op, c) {
      const raw = immValue(op, c, 'an immediate');
      if (raw instanceof Mismatch) return raw;
      const v = asSize(raw, size);
      if (v === null) return new Mismatch(`immediate ${show(raw)} does not fit in 32 bits`, RANK_VALUE);
      const bits = bitmaskBits(invert ? BigInt.asUintN(size, ~v) : v, size);
      return bits ?? new Mismatch(`immediate ${hex(v)} cannot be encoded as a bitmask immediate`, RANK_VALUE);
    },
    dec(w) {
      const v = bitmaskOf(w, size);
      return v === null || invert ? null : fmtNum(v, 'hex');
    },
  };
}

// ---- Move wide (C4.1.3) and the MOV (immediate) aliases ----

/** The imm16 of MOVZ/MOVN/MOVK. */
export function movImm16(): OperandKind {
  return uimm(5, 16, 'hex');
}

/** The optional `lsl #16*hw` of MOVZ/MOVN/MOVK (bits 22:21; W registers allow 0 and 16). */
export function movShift(size: 32 | 64): OperandKind {
  const max = size === 64 ? 48 : 16;
  return {
    what: `lsl #0..${max} in steps of 16`,
    optional: true,
    enc(op, c) {
      if (op === undefined) return 0;
      if (op.kind !== 'shift' || op.op !== 'lsl' || op.amount === null) return expected(`lsl #0, #16${size === 64 ? ', #32 or #48' : ''}`, op);
      const v = c.evaluate(op.amount);
      if (v instanceof Mismatch) return v;
      if (v < 0n || v > BigInt(max) || v % 16n !== 0n) return new Mismatch(`shift amount ${show(v)} must be one of 0, 16${size === 64 ? ', 32, 48' : ''}`, RANK_VALUE);
      return put(Number(v / 16n), 21);
    },
    dec: (w) => (field(w, 21, 2) === 0 ? '' : `lsl #${16 * field(w, 21, 2)}`),
  };
}

/** The single non-zero 16-bit chunk of `u`, if it has at most one. */
function oneChunk(u: bigint, size: 32 | 64): { hw: number; imm16: number } | null {
  for (let hw = 0; hw < size / 16; hw++) {
    const rest = u & ~(0xffffn << BigInt(16 * hw));
    if (rest === 0n) return { hw, imm16: Number((u >> BigInt(16 * hw)) & 0xffffn) };
  }
  return null;
}

function movValue(op: Operand | undefined, c: EncCtx, size: 32 | 64): bigint | Mismatch {
  const raw = immValue(op, c, 'an immediate');
  if (raw instanceof Mismatch) return raw;
  const v = asSize(raw, size);
  if (v === null) return new Mismatch(`immediate ${show(raw)} does not fit in a 32-bit register`, RANK_VALUE);
  return v;
}

const movFail = (v: bigint): Mismatch =>
  new Mismatch(`immediate ${hex(v)} cannot be moved with one instruction (it is not a movz, movn or bitmask immediate)`, RANK_VALUE);

const sizeMask = (size: 32 | 64): bigint => (size === 64 ? 0xffffffffffffffffn : 0xffffffffn);

/** Whether MOVZ or MOVN can build `u` (the Arm ARM's MoveWidePreferred, stated on the value). */
function moveWideCan(u: bigint, size: 32 | 64): boolean {
  return oneChunk(u, size) !== null || oneChunk(~u & sizeMask(size), size) !== null;
}

/** `mov Rd, #imm` as MOVZ: the value has one non-zero 16-bit chunk. */
export function movzAlias(size: 32 | 64): OperandKind {
  return {
    what: 'an immediate',
    enc(op, c) {
      const v = movValue(op, c, size);
      if (v instanceof Mismatch) return v;
      const ch = oneChunk(v, size);
      return ch ? put(ch.imm16, 5) | put(ch.hw, 21) : movFail(v);
    },
    dec: (w) => fmtNum(BigInt(field(w, 5, 16)) << BigInt(16 * field(w, 21, 2)), 'hex'),
  };
}

/** `mov Rd, #imm` as MOVN: the complement has one non-zero 16-bit chunk. */
export function movnAlias(size: 32 | 64): OperandKind {
  return {
    what: 'an immediate',
    enc(op, c) {
      const v = movValue(op, c, size);
      if (v instanceof Mismatch) return v;
      const ch = oneChunk(~v & sizeMask(size), size);
      return ch ? put(ch.imm16, 5) | put(ch.hw, 21) : movFail(v);
    },
    dec: (w) => fmtNum(~(BigInt(field(w, 5, 16)) << BigInt(16 * field(w, 21, 2))) & sizeMask(size), 'hex'),
  };
}

/** `mov Rd, #imm` as ORR Rd, ZR, #bitmask. */
export function movOrrAlias(size: 32 | 64): OperandKind {
  return {
    what: 'an immediate',
    enc(op, c) {
      const v = movValue(op, c, size);
      if (v instanceof Mismatch) return v;
      return bitmaskBits(v, size) ?? movFail(v);
    },
    dec(w) {
      const v = bitmaskOf(w, size);
      return v === null ? null : fmtNum(v, 'hex');
    },
  };
}

/** Alias conditions for the disassembler (Arm ARM C6.2, MOV (wide immediate), MOV (inverted wide immediate), MOV (bitmask immediate)). */
export const movzPreferred = (w: number): boolean => !(field(w, 5, 16) === 0 && field(w, 21, 2) !== 0);
export const movnPreferred = (size: 32 | 64) => (w: number): boolean =>
  movzPreferred(w) && !(size === 32 && field(w, 5, 16) === 0xffff);
export const orrMovPreferred = (size: 32 | 64) => (w: number): boolean => {
  const v = bitmaskOf(w, size);
  return v !== null && !moveWideCan(v, size);
};

