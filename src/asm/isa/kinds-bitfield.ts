/**
 * Operands of SBFM/BFM/UBFM and their aliases (Arm ARM C4.1.4 "Bitfield"; alias rules from
 * C6.2 LSL/LSR/ASR (immediate), SBFIZ/UBFIZ/BFI/BFC, SBFX/UBFX/BFXIL).
 */
import type { Operand } from '../operands.js';
import { field, put } from './bits.js';
import { immValue, outOfRange } from './kinds-common.js';
import { uimm } from './kinds-imm.js';
import { Mismatch, type EncCtx, type OperandKind } from './types.js';

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

