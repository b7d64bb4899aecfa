/**
 * General-purpose register names (Arm ARM C1.2.5): x0–x30 / w0–w30, register 31 as the zero
 * register (xzr/wzr) or the stack pointer (sp/wsp) depending on the instruction, and the GNU
 * aliases fp (x29), lr (x30), ip0 (x16), ip1 (x17).
 */

/** A parsed register: number 0–31, width, and for number 31 whether it was written as SP. */
export interface Reg {
  readonly num: number;
  readonly size: 32 | 64;
  readonly sp: boolean;
}

const ALIASES: Record<string, number> = { fp: 29, lr: 30, ip0: 16, ip1: 17 };

/** Parses a register name (case-insensitive); null if `name` is not one. */
export function parseReg(name: string): Reg | null {
  const n = name.toLowerCase();
  if (n === 'sp') return { num: 31, size: 64, sp: true };
  if (n === 'wsp') return { num: 31, size: 32, sp: true };
  if (n === 'xzr') return { num: 31, size: 64, sp: false };
  if (n === 'wzr') return { num: 31, size: 32, sp: false };
  const alias = ALIASES[n];
  if (alias !== undefined) return { num: alias, size: 64, sp: false };
  const m = /^([xw])([0-9]|[12][0-9]|30)$/.exec(n);
  if (!m) return null;
  return { num: Number(m[2]), size: m[1] === 'x' ? 64 : 32, sp: false };
}

/** The name of register `num` of width `size`; register 31 is sp/wsp if `sp`, else xzr/wzr. */
export function regName(num: number, size: 32 | 64, sp: boolean): string {
  if (num === 31) return sp ? (size === 64 ? 'sp' : 'wsp') : size === 64 ? 'xzr' : 'wzr';
  return (size === 64 ? 'x' : 'w') + num;
}
