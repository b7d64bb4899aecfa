/**
 * Shifted-register and extended-register operands (Arm ARM C4.1.5, "Add/subtract (shifted
 * register)", "Add/subtract (extended register)", "Logical (shifted register)").
 */
import { field, put } from './bits.js';
import { expected, outOfRange } from './kinds-common.js';
import { Mismatch, RANK_KIND, RANK_REG, RANK_VALUE, type OperandKind } from './types.js';

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

