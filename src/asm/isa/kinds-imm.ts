/**
 * Plain immediates, the ADD/SUB immediate with its optional LSL #12 (Arm ARM C4.1.2), and
 * condition operands (C1.2.4). Other immediate kinds: kinds-logical.ts (bitmask and MOV),
 * kinds-bitfield.ts, kinds-shift.ts (shifted and extended registers).
 */
import { field, hex, put } from './bits.js';
import { bareName, expected, immValue, show, uintIn } from './kinds-common.js';
import { Mismatch, RANK_KIND, RANK_VALUE, type OperandKind } from './types.js';

export type Fmt = 'hex' | 'dec';
export const fmtNum = (v: number | bigint, fmt: Fmt): string => '#' + (fmt === 'hex' ? hex(v) : v.toString());

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

