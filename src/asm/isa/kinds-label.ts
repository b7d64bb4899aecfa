/**
 * PC-relative operands: branch targets (B/BL imm26, B.cond/CBZ/LDR-literal imm19, TBZ imm14),
 * ADR (byte offset ±1 MiB) and ADRP (4 KiB pages ±4 GiB) (Arm ARM C4.1.3, C4.1.4 branches).
 * Targets are written as expressions (labels, `.+8`, absolute addresses) and printed as
 * absolute addresses, so disassembly re-assembles at the same address.
 */
import { field, put, sext } from './bits.js';
import { expected, show } from './kinds-common.js';
import { Mismatch, RANK_VALUE, type EncCtx, type OperandKind } from './types.js';
import type { Operand } from '../operands.js';

const addr = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16);

function target(op: Operand | undefined, c: EncCtx, allowLiteral: boolean): bigint | Mismatch {
  if (allowLiteral && op?.kind === 'lit') {
    if (c.literalAddress === null) return new Mismatch('literal pool slot missing', RANK_VALUE);
    return c.literalAddress;
  }
  if (op === undefined || op.kind !== 'imm' || op.modifier !== null) return expected('a label or address', op);
  return c.evaluate(op.expr);
}

/** A word offset to a target in a `len`-bit signed field at `pos`. */
export function branch(pos: number, len: number, allowLiteral = false): OperandKind {
  const limit = 1n << BigInt(len + 1); // bytes
  return {
    what: 'a label',
    enc(op, c) {
      const t = target(op, c, allowLiteral);
      if (t instanceof Mismatch) return t;
      const off = BigInt.asIntN(64, t - c.pc);
      if (off % 4n !== 0n) return new Mismatch(`target ${addr(t)} is not a multiple of 4 bytes away`, RANK_VALUE);
      if (off < -limit || off >= limit) {
        return new Mismatch(`target out of range for ${c.mnem} (offset ${show(off)}, must be within ±${show(limit)} bytes)`, RANK_VALUE);
      }
      return put(Number(BigInt.asUintN(len, off / 4n)), pos);
    },
    dec: (w, d) => addr(d.pc + BigInt(sext(field(w, pos, len), len)) * 4n),
  };
}

/** ADR's 21-bit byte offset, split as immhi (23:5) : immlo (30:29). */
export function adrTarget(): OperandKind {
  return {
    what: 'a label',
    enc(op, c) {
      const t = target(op, c, false);
      if (t instanceof Mismatch) return t;
      const off = BigInt.asIntN(64, t - c.pc);
      if (off < -(1n << 20n) || off >= 1n << 20n) return new Mismatch(`target out of range for adr (offset ${show(off)}, must be within ±1 MiB)`, RANK_VALUE);
      return immHiLo(Number(BigInt.asUintN(21, off)));
    },
    dec: (w, d) => addr(d.pc + BigInt(sext(immOf(w), 21))),
  };
}

/** ADRP's 21-bit page offset: target page minus the instruction's page, in 4 KiB units. */
export function adrpTarget(): OperandKind {
  return {
    what: 'a label',
    enc(op, c) {
      const t = target(op, c, false);
      if (t instanceof Mismatch) return t;
      const pages = BigInt.asIntN(64, (t >> 12n) - (c.pc >> 12n));
      if (pages < -(1n << 20n) || pages >= 1n << 20n) return new Mismatch('target out of range for adrp (must be within ±4 GiB)', RANK_VALUE);
      return immHiLo(Number(BigInt.asUintN(21, pages)));
    },
    dec: (w, d) => addr((d.pc & ~0xfffn) + (BigInt(sext(immOf(w), 21)) << 12n)),
  };
}

function immHiLo(v: number): number {
  return put(v & 3, 29) | put(v >>> 2, 5);
}

function immOf(w: number): number {
  return (field(w, 5, 19) << 2) | field(w, 29, 2);
}
