/**
 * Addressing-mode operand kinds of loads and stores (Arm ARM C1.3.3, C4.1.4 "Loads and
 * Stores"): unsigned scaled offset, signed unscaled / pre-index / post-index offsets, register
 * offset with extend, pair offsets, and a bare base for exclusives and atomics.
 * The base is always Xn or SP (register 31 is SP, never XZR).
 */
import { regName } from '../registers.js';
import { field, put, sext } from './bits.js';
import { expected, got } from './kinds-common.js';
import { regNum } from './kinds-reg.js';
import { Mismatch, RANK_KIND, RANK_REG, RANK_VALUE, type EncCtx, type OperandKind } from './types.js';
import type { MemOperand, Operand } from '../operands.js';

const base = (w: number): string => regName(field(w, 5, 5), 64, true);

function memOf(op: Operand | undefined, what: string): MemOperand | Mismatch {
  if (op === undefined || op.kind !== 'mem') return expected(what, op);
  return op;
}

function baseBits(m: MemOperand): number | Mismatch {
  const n = regNum(m.base, 64, 'sp');
  if (n instanceof Mismatch) return new Mismatch(`expected a 64-bit base register or sp, got '${m.base.text}'`, RANK_REG);
  return put(n, 5);
}

/** The immediate offset inside `[base, #off]` (0 if absent); `lo12` allowed where stated. */
function offsetValue(m: MemOperand, c: EncCtx, allowLo12: boolean): bigint | Mismatch {
  if (m.offset === null) return 0n;
  if (m.offset.kind !== 'imm') return new Mismatch(`expected an immediate offset, got '${m.offset.text}'`, RANK_KIND);
  const v = c.evaluate(m.offset.expr);
  if (v instanceof Mismatch) return v;
  if (m.offset.modifier === 'lo12') {
    if (!allowLo12) return new Mismatch(`:lo12: is not allowed in this addressing mode`, RANK_VALUE);
    return v & 0xfffn;
  }
  return v;
}

/** `[Xn|SP{, #imm}]` with imm = imm12 << scale (unsigned offset form). `label` names the instruction for messages. */
export function memUnsigned(scale: number, label: string): OperandKind {
  const unit = 1n << BigInt(scale);
  const max = 4095n * unit;
  const rule = scale === 0 ? `must be in 0..${max}` : `must be a multiple of ${unit} in 0..${max}`;
  return {
    what: 'a memory operand [xn{, #imm}]',
    enc(op, c) {
      const m = memOf(op, 'a memory operand [xn{, #imm}]');
      if (m instanceof Mismatch) return m;
      if (m.writeback) return new Mismatch('pre-index form', RANK_KIND);
      if (m.offset?.kind === 'reg') return new Mismatch('register offset', RANK_KIND);
      const b = baseBits(m);
      if (b instanceof Mismatch) return b;
      const v = offsetValue(m, c, true);
      if (v instanceof Mismatch) return v;
      if (v < 0n || v > max || v % unit !== 0n) {
        const kind = m.offset?.kind === 'imm' && m.offset.modifier === 'lo12' ? ':lo12: offset' : 'offset';
        return new Mismatch(`${kind} ${v} out of range for ${label} (${rule})`, RANK_VALUE);
      }
      return b | put(Number(v / unit), 10);
    },
    dec(w) {
      const off = field(w, 10, 12) * Number(unit);
      return off === 0 ? `[${base(w)}]` : `[${base(w)}, #${off}]`;
    },
  };
}

/** `[Xn|SP{, #simm9}]` (unscaled, unprivileged) or `[Xn|SP, #simm9]!` (pre-index). */
export function memSimm9(mode: 'offset' | 'pre', label: string): OperandKind {
  const what = mode === 'pre' ? 'a pre-index memory operand [xn, #imm]!' : 'a memory operand [xn{, #imm}]';
  return {
    what,
    enc(op, c) {
      const m = memOf(op, what);
      if (m instanceof Mismatch) return m;
      if (m.writeback !== (mode === 'pre')) return new Mismatch(mode === 'pre' ? "expected '!' (pre-index)" : 'pre-index form', RANK_KIND);
      if (m.offset?.kind === 'reg') return new Mismatch('register offset', RANK_KIND);
      const b = baseBits(m);
      if (b instanceof Mismatch) return b;
      const v = offsetValue(m, c, false);
      if (v instanceof Mismatch) return v;
      if (v < -256n || v > 255n) return new Mismatch(`offset ${v} out of range for ${label} (must be in -256..255)`, RANK_VALUE);
      return b | put(Number(BigInt.asUintN(9, v)), 12);
    },
    dec(w) {
      const off = sext(field(w, 12, 9), 9);
      if (mode === 'pre') return `[${base(w)}, #${off}]!`;
      return off === 0 ? `[${base(w)}]` : `[${base(w)}, #${off}]`;
    },
  };
}

/** `[Xn|SP]` alone (post-index base, exclusives, atomics); `[Xn|SP, #0]` too when `allowZero`. */
export function memBase(allowZero: boolean): OperandKind {
  return {
    what: 'a memory operand [xn]',
    enc(op, c) {
      const m = memOf(op, 'a memory operand [xn]');
      if (m instanceof Mismatch) return m;
      if (m.writeback) return new Mismatch('pre-index form', RANK_KIND);
      if (m.offset !== null) {
        if (!allowZero || m.offset.kind !== 'imm') return new Mismatch(`expected [xn] without an offset, got '${m.text}'`, RANK_KIND);
        const v = offsetValue(m, c, false);
        if (v instanceof Mismatch) return v;
        if (v !== 0n) return new Mismatch(`offset ${v} not allowed for ${c.mnem} (only [xn] or [xn, #0])`, RANK_VALUE);
      }
      return baseBits(m);
    },
    dec: (w) => `[${base(w)}]`,
  };
}

/** The `#simm9` after `[Xn]` in post-index form. */
export function postSimm9(label: string): OperandKind {
  return {
    what: 'a post-index offset',
    enc(op, c) {
      if (op === undefined || op.kind !== 'imm') return expected('a post-index offset #imm', op);
      const v = c.evaluate(op.expr);
      if (v instanceof Mismatch) return v;
      if (v < -256n || v > 255n) return new Mismatch(`offset ${v} out of range for ${label} (must be in -256..255)`, RANK_VALUE);
      return put(Number(BigInt.asUintN(9, v)), 12);
    },
    dec: (w) => `#${sext(field(w, 12, 9), 9)}`,
  };
}

/**
 * `[Xn|SP, Rm{, extend {#amount}}]`: option 15:13 (UXTW 010, LSL 011, SXTW 110, SXTX 111),
 * S bit 12 = shift by `scale`. For byte accesses an explicit `#0` sets S (GNU as and the Arm ARM).
 */
export function memRegister(scale: number, label: string): OperandKind {
  const what = 'a memory operand [xn, xm{, lsl #n}]';
  return {
    what,
    enc(op, c) {
      const m = memOf(op, what);
      if (m instanceof Mismatch) return m;
      if (m.offset?.kind !== 'reg') return new Mismatch('not a register offset', RANK_KIND);
      if (m.writeback) return new Mismatch(`register offsets cannot be pre-indexed`, RANK_VALUE);
      const b = baseBits(m);
      if (b instanceof Mismatch) return b;
      const idx = m.offset.reg;
      if (idx.sp) return new Mismatch(`expected an index register, got '${m.offset.text}'`, RANK_REG);
      const ext = m.ext;
      const name = ext?.op ?? (idx.size === 64 ? 'lsl' : '');
      const option = { uxtw: 2, lsl: 3, sxtw: 6, sxtx: 7 }[name];
      if (option === undefined) {
        if (ext === null) return new Mismatch(`expected an extend (uxtw or sxtw) after index register '${m.offset.text}'`, RANK_REG);
        return new Mismatch(`expected lsl, uxtw, sxtw or sxtx, got '${ext.op}'`, RANK_VALUE);
      }
      if ((option & 1) === 1 ? idx.size !== 64 : idx.size !== 32) {
        return new Mismatch(`extend '${name}' needs a ${(option & 1) === 1 ? 64 : 32}-bit index register, got ${got(m.offset)}`, RANK_REG);
      }
      let s = 0;
      if (ext?.amount != null) {
        const v = c.evaluate(ext.amount);
        if (v instanceof Mismatch) return v;
        if (v !== 0n && v !== BigInt(scale)) return new Mismatch(`shift amount ${v} must be 0 or ${scale} for ${label}`, RANK_VALUE);
        // `#scale` sets S; `#0` sets it only for bytes, where the amount is 0 either way.
        s = v === BigInt(scale) ? 1 : 0;
      } else if (ext?.op === 'lsl') {
        return new Mismatch(`missing shift amount after 'lsl'`, RANK_VALUE);
      }
      return b | put(idx.num, 16) | put(option, 13) | put(s, 12);
    },
    dec(w) {
      const option = field(w, 13, 3);
      if ((option & 2) === 0) return null;
      const x = (option & 1) === 1;
      const rm = regName(field(w, 16, 5), x ? 64 : 32, false);
      const s = field(w, 12, 1);
      const names: Record<number, string> = { 2: 'uxtw', 3: 'lsl', 6: 'sxtw', 7: 'sxtx' };
      const ext = names[option]!;
      if (option === 3 && s === 0) return `[${base(w)}, ${rm}]`;
      return `[${base(w)}, ${rm}, ${ext}${s ? ` #${scale}` : ''}]`;
    },
  };
}

/** `[Xn|SP{, #imm}]` or `[Xn|SP, #imm]!` of LDP/STP: imm7 (21:15) scaled by 4 or 8. */
export function memPair(scale: number, mode: 'offset' | 'pre', label: string): OperandKind {
  const unit = 1n << BigInt(scale);
  const rule = `must be a multiple of ${unit} in ${-64n * unit}..${63n * unit}`;
  const what = mode === 'pre' ? 'a pre-index memory operand [xn, #imm]!' : 'a memory operand [xn{, #imm}]';
  return {
    what,
    enc(op, c) {
      const m = memOf(op, what);
      if (m instanceof Mismatch) return m;
      if (m.writeback !== (mode === 'pre')) return new Mismatch(mode === 'pre' ? "expected '!' (pre-index)" : 'pre-index form', RANK_KIND);
      if (m.offset?.kind === 'reg') return new Mismatch(`${label} has no register-offset form`, RANK_VALUE);
      const b = baseBits(m);
      if (b instanceof Mismatch) return b;
      const v = offsetValue(m, c, false);
      if (v instanceof Mismatch) return v;
      const bad = pairOffset(v, unit, label, rule);
      return bad instanceof Mismatch ? bad : b | pairBits(v, unit);
    },
    dec(w) {
      const off = sext(field(w, 15, 7), 7) * Number(unit);
      if (mode === 'pre') return `[${base(w)}, #${off}]!`;
      return off === 0 ? `[${base(w)}]` : `[${base(w)}, #${off}]`;
    },
  };
}

function pairBits(v: bigint, unit: bigint): number {
  return put(Number(BigInt.asUintN(7, v / unit)), 15);
}

/** A Mismatch for an offset the pair forms cannot encode, else null. */
function pairOffset(v: bigint, unit: bigint, label: string, rule: string): Mismatch | null {
  if (v % unit !== 0n || v < -64n * unit || v > 63n * unit) return new Mismatch(`offset ${v} out of range for ${label} (${rule})`, RANK_VALUE);
  return null;
}

/** The `#imm` after `[Xn]` of a post-index pair. */
export function postPair(scale: number, label: string): OperandKind {
  const unit = 1n << BigInt(scale);
  const rule = `must be a multiple of ${unit} in ${-64n * unit}..${63n * unit}`;
  return {
    what: 'a post-index offset',
    enc(op, c) {
      if (op === undefined || op.kind !== 'imm') return expected('a post-index offset #imm', op);
      const v = c.evaluate(op.expr);
      if (v instanceof Mismatch) return v;
      const bad = pairOffset(v, unit, label, rule);
      return bad instanceof Mismatch ? bad : pairBits(v, unit);
    },
    dec: (w) => `#${sext(field(w, 15, 7), 7) * Number(unit)}`,
  };
}
