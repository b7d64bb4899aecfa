/**
 * Immediate, shift, extend and condition operand kinds of the data-processing instructions
 * (Arm ARM C4.1.2–C4.1.5 encodings; alias rules from the alias descriptions in C6.2).
 */
import type { Operand } from '../operands.js';
import { decodeBitmask, encodeBitmask } from './bitmask.js';
import { field, hex, put } from './bits.js';
import { bareName, expected, immValue, outOfRange, show, uintIn } from './kinds-common.js';
import { Mismatch, RANK_KIND, RANK_REG, RANK_VALUE, type EncCtx, type OperandKind } from './types.js';

/** How a plain field prints: `#0x1f` or `#31`. */
export type Fmt = 'hex' | 'dec';
const fmtNum = (v: number | bigint, fmt: Fmt): string => '#' + (fmt === 'hex' ? hex(v) : v.toString());

/** An unsigned immediate in a `len`-bit field at `pos`, range 0..max. */
export function uimm(pos: number, len: number, fmt: Fmt, max = 2 ** len - 1): OperandKind {
  return {
    what: 'an immediate',
    enc(op, c) {
      const v = uintIn(op, c, 'an immediate', 0, max);
      return v instanceof Mismatch ? v : put(v, pos);
    },
    dec: (w) => (field(w, pos, len) <= max ? fmtNum(field(w, pos, len), fmt) : null),
  };
}

/** An optional unsigned immediate with a default that is not printed (`clrex`, `isb`). */
export function uimmOpt(pos: number, len: number, fmt: Fmt, dflt: number): OperandKind {
  const inner = uimm(pos, len, fmt);
  return {
    what: inner.what,
    optional: true,
    enc: (op, c) => (op === undefined ? put(dflt, pos) : inner.enc(op, c)),
    dec: (w, d) => (field(w, pos, len) === dflt ? '' : inner.dec(w, d)),
  };
}

// ---- ADD/SUB (immediate): imm12 with optional LSL #12 (C4.1.2) ----

function addImmBits(v: bigint): number | null {
  if (v >= 0n && v <= 0xfffn) return put(Number(v), 10);
  if (v > 0n && (v & 0xfffn) === 0n && v >> 12n <= 0xfffn) return put(Number(v >> 12n), 10) | put(1, 22);
  return null;
}

const ADD_RANGE = 'must be in 0..4095, or a multiple of 4096 up to 0xfff000';

/**
 * The 12-bit immediate of ADD/SUB. Like GNU as, a value that only fits shifted (0x1000) is
 * encoded with LSL #12. `:lo12:sym` gives the low 12 bits of an address.
 */
export function addImm(): OperandKind {
  return {
    what: 'an immediate',
    enc(op, c) {
      const v = immValue(op, c, 'an immediate', true);
      if (v instanceof Mismatch) return v;
      const bits = addImmBits(v);
      return bits ?? new Mismatch(`immediate ${show(v)} out of range for ${c.mnem} (${ADD_RANGE})`, RANK_VALUE);
    },
    dec: (w) => fmtNum(field(w, 10, 12), 'hex'),
  };
}

/** GNU as accepts `add x0, x1, #-1` as `sub x0, x1, #1` (and the reverse): the negated immediate. */
export function addImmNeg(): OperandKind {
  return {
    what: 'a negative immediate',
    enc(op, c) {
      const v = immValue(op, c, 'an immediate');
      if (v instanceof Mismatch) return v;
      if (v >= 0n) return new Mismatch('not a negative immediate', RANK_KIND);
      const bits = addImmBits(-v);
      return bits ?? new Mismatch(`immediate ${show(v)} out of range for ${c.mnem} (${ADD_RANGE})`, RANK_VALUE);
    },
    dec: () => null,
  };
}

/** The optional `lsl #0` / `lsl #12` after an ADD/SUB immediate (bit 22). */
export function addShift(): OperandKind {
  return {
    what: 'lsl #0 or lsl #12',
    optional: true,
    enc(op, c) {
      if (op === undefined) return 0;
      if (op.kind !== 'shift' || op.op !== 'lsl' || op.amount === null) return expected('lsl #0 or lsl #12', op);
      const v = c.evaluate(op.amount);
      if (v instanceof Mismatch) return v;
      if (v !== 0n && v !== 12n) return new Mismatch(`shift amount ${show(v)} must be 0 or 12`, RANK_VALUE);
      if (field(c.word, 22, 1) === 1) return new Mismatch(`immediate out of range for ${c.mnem} with lsl #${v}`, RANK_VALUE);
      return v === 12n ? put(1, 22) : 0;
    },
    dec: (w) => (field(w, 22, 1) ? 'lsl #12' : ''),
  };
}

// ---- Logical (immediate): bitmask immediates (C4.1.4) ----

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

// ---- Bitfield (C4.1.4: SBFM/BFM/UBFM) and their aliases ----

/** A raw immr/imms field (0..size−1, decimal). */
export function bfField(size: 32 | 64, pos: number): OperandKind {
  return uimm(pos, 6, 'dec', size - 1);
}

function shiftAmount(op: Operand | undefined, c: EncCtx, lo: number, hi: number): number | Mismatch {
  const v = immValue(op, c, 'an immediate');
  if (v instanceof Mismatch) return v;
  if (v < BigInt(lo) || v > BigInt(hi)) return outOfRange('immediate', v, BigInt(lo), BigInt(hi));
  return Number(v);
}

/** LSL #s as UBFM: immr = −s mod size, imms = size−1−s. */
export function lslImm(size: 32 | 64): OperandKind {
  return {
    what: 'a shift amount',
    enc(op, c) {
      const s = shiftAmount(op, c, 0, size - 1);
      if (s instanceof Mismatch) return s;
      return put((size - s) % size, 16) | put(size - 1 - s, 10);
    },
    dec: (w) => `#${size - 1 - field(w, 10, 6)}`,
  };
}

/** Alias conditions of UBFM/SBFM/BFM (C6.2): which alias the disassembler prints. */
export const bf = {
  lsl: (size: number) => (w: number) => field(w, 10, 6) !== size - 1 && field(w, 10, 6) + 1 === field(w, 16, 6),
  insert: (w: number) => field(w, 10, 6) < field(w, 16, 6),
  extract: (w: number) => field(w, 10, 6) >= field(w, 16, 6),
};

/** lsb of UBFIZ/SBFIZ/BFI/BFC: immr = −lsb mod size (remembered for the width). */
export function bfLsbInsert(size: 32 | 64): OperandKind {
  return {
    what: 'a bit position',
    enc(op, c) {
      const lsb = shiftAmount(op, c, 0, size - 1);
      if (lsb instanceof Mismatch) return lsb;
      c.scratch.set('lsb', lsb);
      return put((size - lsb) % size, 16);
    },
    dec: (w) => `#${(size - field(w, 16, 6)) % size}`,
  };
}

/** width of UBFIZ/SBFIZ/BFI/BFC: imms = width−1, with lsb+width ≤ size. */
export function bfWidthInsert(size: 32 | 64): OperandKind {
  return {
    what: 'a width',
    enc(op, c) {
      const lsb = c.scratch.get('lsb') ?? 0;
      const width = shiftAmount(op, c, 1, size - lsb);
      if (width instanceof Mismatch) return width;
      return put(width - 1, 10);
    },
    dec: (w) => `#${field(w, 10, 6) + 1}`,
  };
}

/** lsb of UBFX/SBFX/BFXIL: immr = lsb. */
export function bfLsbExtract(size: 32 | 64): OperandKind {
  return {
    what: 'a bit position',
    enc(op, c) {
      const lsb = shiftAmount(op, c, 0, size - 1);
      if (lsb instanceof Mismatch) return lsb;
      c.scratch.set('lsb', lsb);
      return put(lsb, 16);
    },
    dec: (w) => `#${field(w, 16, 6)}`,
  };
}

/** width of UBFX/SBFX/BFXIL: imms = lsb+width−1. */
export function bfWidthExtract(size: 32 | 64): OperandKind {
  return {
    what: 'a width',
    enc(op, c) {
      const lsb = c.scratch.get('lsb') ?? 0;
      const width = shiftAmount(op, c, 1, size - lsb);
      if (width instanceof Mismatch) return width;
      return put(lsb + width - 1, 10);
    },
    dec: (w) => `#${field(w, 10, 6) - field(w, 16, 6) + 1}`,
  };
}

// ---- Shifted and extended registers (C4.1.5) ----

const SHIFT_NAMES = ['lsl', 'lsr', 'asr', 'ror'];

/** The optional `shift #amount` of a shifted-register operand (bits 23:22 and imm6 15:10). */
export function shiftOpt(size: 32 | 64, allowRor: boolean): OperandKind {
  const names = allowRor ? SHIFT_NAMES : SHIFT_NAMES.slice(0, 3);
  const what = `a shift (${names.join(', ')}) with an amount`;
  return {
    what,
    optional: true,
    enc(op, c) {
      if (op === undefined) return 0;
      if (op.kind !== 'shift' || !names.includes(op.op)) return expected(what, op, op.kind === 'shift' ? RANK_REG : RANK_KIND);
      if (op.amount === null) return new Mismatch(`missing shift amount after '${op.op}'`, RANK_VALUE);
      const v = c.evaluate(op.amount);
      if (v instanceof Mismatch) return v;
      if (v < 0n || v >= BigInt(size)) return outOfRange('shift amount', v, 0n, BigInt(size - 1));
      return put(names.indexOf(op.op), 22) | put(Number(v), 10);
    },
    dec(w) {
      const type = field(w, 22, 2);
      const amt = field(w, 10, 6);
      if (type >= names.length || amt >= size) return null;
      return type === 0 && amt === 0 ? '' : `${names[type]} #${amt}`;
    },
  };
}

const EXTENDS = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'];

/** Rm of an extended-register operand: a W register, or an X register for uxtx/sxtx in 64-bit forms. */
export function extReg(size: 32 | 64): OperandKind {
  return {
    what: 'a register',
    enc(op, c) {
      if (op === undefined || op.kind !== 'reg') return expected('a register', op);
      if (op.reg.sp) return expected('a register', op, RANK_REG);
      if (size === 32 && op.reg.size !== 32) return expected('a 32-bit register', op, RANK_REG);
      c.scratch.set('extRegSize', op.reg.size);
      return put(op.reg.num, 16);
    },
    dec(w) {
      const x = size === 64 && (field(w, 13, 3) & 3) === 3;
      const n = field(w, 16, 5);
      return n === 31 ? (x ? 'xzr' : 'wzr') : (x ? 'x' : 'w') + n;
    },
  };
}

/**
 * The extend of an extended-register operand (option 15:13, imm3 12:10). Written `lsl #n` (or
 * left out) when the register width's own extend applies and SP is involved: `spFields` are
 * the register fields where 31 means SP (Rd and Rn for ADD/SUB, Rn only for ADDS/SUBS).
 * Leaving it out after a W index register of a 64-bit form is an error, as in GNU as.
 */
export function extendOpt(size: 32 | 64, spFields: readonly number[]): OperandKind {
  const plain = size === 64 ? 3 : 2; // UXTX for 64-bit, UXTW for 32-bit
  const usesSp = (w: number): boolean => spFields.some((p) => field(w, p, 5) === 31);
  return {
    what: 'an extend',
    optional: true,
    enc(op, c) {
      const rmSize = c.scratch.get('extRegSize') ?? size;
      if (op === undefined) {
        if (rmSize !== size) return new Mismatch(`expected an extend (uxtw, sxtw, …) after the ${rmSize}-bit register`, RANK_REG);
        return put(plain, 13);
      }
      if (op.kind !== 'shift' || (op.op !== 'lsl' && !EXTENDS.includes(op.op))) return expected('an extend such as uxtw or sxtw', op);
      let amt = 0n;
      if (op.amount !== null) {
        const v = c.evaluate(op.amount);
        if (v instanceof Mismatch) return v;
        amt = v;
      } else if (op.op === 'lsl') {
        return new Mismatch(`missing shift amount after 'lsl'`, RANK_VALUE);
      }
      if (amt < 0n || amt > 4n) return outOfRange('extend amount', amt, 0n, 4n);
      let option: number;
      if (op.op === 'lsl') {
        if (!usesSp(c.word)) return new Mismatch(`lsl is only an extend when sp is an operand; use uxt${size === 64 ? 'x' : 'w'}`, RANK_REG);
        option = plain;
      } else {
        option = EXTENDS.indexOf(op.op);
      }
      // GNU as does not check the index register's width against the extend
      // (`add x0, x1, x2, uxtw` is accepted as w2); neither do we.
      return put(option, 13) | put(Number(amt), 10);
    },
    dec(w) {
      const option = field(w, 13, 3);
      const amt = field(w, 10, 3);
      if (amt > 4) return null;
      if (option === plain && usesSp(w)) return amt === 0 ? '' : `lsl #${amt}`;
      return amt === 0 ? EXTENDS[option]! : `${EXTENDS[option]} #${amt}`;
    },
  };
}

// ---- Conditions (C1.2.4) ----

export const COND_NAMES = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
const COND_ALIASES: Record<string, number> = { hs: 2, lo: 3 };

/** Condition number of a name (case-insensitive, with hs/lo), or undefined. */
export function condNumber(name: string): number | undefined {
  const n = name.toLowerCase();
  const i = COND_NAMES.indexOf(n);
  return i >= 0 ? i : COND_ALIASES[n];
}

/** A condition in the 4-bit field at `pos`; `invert` stores the inverse (CSET, CINC, …), which excludes al/nv. */
export function cond(pos: number, invert = false): OperandKind {
  return {
    what: 'a condition',
    enc(op) {
      const name = bareName(op);
      const n = name === null ? undefined : condNumber(name);
      if (n === undefined) return expected('a condition (eq, ne, …)', op);
      if (invert && n >= 14) return new Mismatch(`condition '${name}' is not allowed for this alias`, RANK_VALUE);
      return put(invert ? n ^ 1 : n, pos);
    },
    dec(w) {
      const n = field(w, pos, 4);
      if (invert && n >= 14) return null;
      return COND_NAMES[invert ? n ^ 1 : n]!;
    },
  };
}

/** Decoder condition for CINC/CINV/CNEG/CSET/CSETM: the condition is not al/nv. */
export const condNotAlways = (w: number): boolean => field(w, 12, 4) < 14;

