/** Building Forms from Arm ARM style bit patterns. */
import { pattern } from './bits.js';
import type { Form, OperandKind } from './types.js';

export interface FormOptions {
  /** An alias: preferred by the disassembler over the instruction it stands for. */
  readonly alias?: boolean;
  /** Extra decoder condition (alias conditions, reserved values). */
  readonly when?: (w: number) => boolean;
  /** Only for assembly (alternative spellings the disassembler never prints). */
  readonly asmOnly?: boolean;
}

/** A Form from a mnemonic, a 32-character `0`/`1`/`x` pattern (spaces ignored) and operand kinds. */
export function form(mnem: string, pat: string, ops: readonly OperandKind[], opts: FormOptions = {}): Form {
  const { bits, mask } = pattern(pat);
  const f: Form = { mnem, bits, mask, ops, alias: opts.alias ?? false, asmOnly: opts.asmOnly ?? false };
  return opts.when ? { ...f, when: opts.when } : f;
}

/** An alias Form. */
export function alias(mnem: string, pat: string, ops: readonly OperandKind[], when?: (w: number) => boolean): Form {
  return form(mnem, pat, ops, when ? { alias: true, when } : { alias: true });
}

/** An assembler-only Form. */
export function asmOnly(mnem: string, pat: string, ops: readonly OperandKind[]): Form {
  return form(mnem, pat, ops, { asmOnly: true });
}

/** Calls `make` for sf = 0 (32-bit, W registers) and sf = 1 (64-bit, X registers). */
export function bothSizes(make: (sf: '0' | '1', size: 32 | 64) => Form[]): Form[] {
  return [...make('0', 32), ...make('1', 64)];
}

/** A run of `n` `x` characters, for readable patterns. */
export const x = (n: number): string => 'x'.repeat(n);

/**
 * A decode-only copy of `f` that also matches words whose `dontCare` bits differ from the
 * canonical encoding (Arm ARM "should be one" fields, which the hardware ignores).
 */
export function nonCanonical(f: Form, dontCare: number, ops: readonly OperandKind[] = f.ops): Form {
  const mask = (f.mask & ~dontCare) >>> 0;
  return { ...f, mask, bits: (f.bits & mask) >>> 0, ops, asmOnly: false, nonCanonical: true };
}
