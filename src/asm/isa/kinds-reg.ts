/**
 * Register operand kinds (Arm ARM C1.2.5, "Register names"). Register number 31 means the
 * zero register or the stack pointer depending on the field, which each kind states.
 */
import { regName } from '../registers.js';
import { field, put } from './bits.js';
import { expected } from './kinds-common.js';
import { Mismatch, RANK_REG, RANK_KIND, type OperandKind } from './types.js';
import type { Operand } from '../operands.js';

export type Flavour = 'zr' | 'sp';

function describe(size: 32 | 64, flavour: Flavour): string {
  return flavour === 'sp' ? `a ${size}-bit register or ${size === 64 ? 'sp' : 'wsp'}` : `a ${size}-bit register`;
}

/** Checks that `op` is a register of `size` bits usable where 31 means `flavour`; returns its number. */
export function regNum(op: Operand | undefined, size: 32 | 64, flavour: Flavour): number | Mismatch {
  const what = describe(size, flavour);
  if (op === undefined || op.kind !== 'reg') return expected(what, op);
  const r = op.reg;
  if (r.size !== size) return expected(what, op, RANK_REG);
  if (r.num === 31 && r.sp !== (flavour === 'sp')) {
    const why = flavour === 'sp' ? `${size === 64 ? 'xzr' : 'wzr'} is not allowed here` : `${size === 64 ? 'sp' : 'wsp'} is not allowed here`;
    return new Mismatch(`expected ${what}, got '${op.text}' (${why})`, RANK_REG);
  }
  return r.num;
}

/** A register in the 5-bit field at `pos`. */
export function reg(size: 32 | 64, pos: number, flavour: Flavour = 'zr'): OperandKind {
  return {
    what: describe(size, flavour),
    enc(op) {
      const n = regNum(op, size, flavour);
      return n instanceof Mismatch ? n : put(n, pos);
    },
    dec: (w) => regName(field(w, pos, 5), size, flavour === 'sp'),
  };
}

/** One register written to two fields (`ror x0, x1, #3` = EXTR x0, x1, x1; `cinc` = CSINC Rn, Rn). */
export function regTwice(size: 32 | 64, pos: number, pos2: number): OperandKind {
  return {
    what: describe(size, 'zr'),
    enc(op) {
      const n = regNum(op, size, 'zr');
      return n instanceof Mismatch ? n : put(n, pos) | put(n, pos2);
    },
    dec: (w) => (field(w, pos, 5) === field(w, pos2, 5) ? regName(field(w, pos, 5), size, false) : null),
  };
}

/** An even-numbered register (first of a CASP pair). */
export function regEven(size: 32 | 64, pos: number): OperandKind {
  return {
    what: `an even-numbered ${size}-bit register`,
    enc(op) {
      const n = regNum(op, size, 'zr');
      if (n instanceof Mismatch) return n;
      if (n % 2 !== 0 || n === 31) return expected(`an even-numbered ${size}-bit register`, op, RANK_REG);
      return put(n, pos);
    },
    dec: (w) => (field(w, pos, 5) % 2 === 0 && field(w, pos, 5) !== 31 ? regName(field(w, pos, 5), size, false) : null),
  };
}

/** The register after the one in field `pos` (second of a CASP pair); encodes nothing. */
export function regNext(size: 32 | 64, pos: number): OperandKind {
  return {
    what: `the register after the first of the pair`,
    enc(op, c) {
      const n = regNum(op, size, 'zr');
      if (n instanceof Mismatch) return n;
      const first = field(c.word, pos, 5);
      if (n !== first + 1) {
        return new Mismatch(`expected ${regName(first + 1, size, false)} (the pair's second register), got '${op!.text}'`, RANK_REG);
      }
      return 0;
    },
    dec: (w) => regName(field(w, pos, 5) + 1, size, false),
  };
}

/** An optional register (RET's Xn, default x30); omitted in disassembly when it is the default. */
export function regOpt(size: 32 | 64, pos: number, dflt: number): OperandKind {
  const inner = reg(size, pos);
  return {
    what: inner.what,
    optional: true,
    enc: (op, c) => (op === undefined ? put(dflt, pos) : inner.enc(op, c)),
    dec: (w, d) => (field(w, pos, 5) === dflt ? '' : inner.dec(w, d)),
  };
}

/** A register that must be absent or register 31 (as in `sys …{, xt}`); prints only when not 31. */
export function regOpt31(size: 32 | 64, pos: number): OperandKind {
  return regOpt(size, pos, 31);
}

/** Rejects any operand: used where a form must not have a trailing operand. */
export const nothing: OperandKind = {
  what: 'no operand',
  optional: true,
  enc: (op) => (op === undefined ? 0 : new Mismatch(`unexpected operand '${op.text}'`, RANK_KIND)),
  dec: () => '',
};
