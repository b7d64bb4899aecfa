/**
 * Instruction operands as written (GNU as AArch64 syntax), before any instruction is chosen:
 * registers, immediates (`#expr`, or a bare expression such as a label or a name like `eq`),
 * shift/extend specifiers (`lsl #3`, `sxtw`), memory references (`[x1, #8]!`,
 * `[x1, w2, sxtw #3]`) and literal loads (`=expr`). Whether an operand suits an instruction is
 * decided later, by the operand kinds of src/asm/isa.
 */
import type { SrcPos } from './errors.js';
import type { Token } from './lexer.js';
import { parseExpr, type Expr, type LocalResolver } from './expr.js';
import { parseReg, type Reg } from './registers.js';

/** Relocation-style modifiers: `:lo12:sym` is the low 12 bits of an address. */
export type Modifier = 'lo12';

interface Base {
  /** The operand as written, for messages. */
  readonly text: string;
  readonly pos: SrcPos;
}

export interface RegOperand extends Base {
  readonly kind: 'reg';
  readonly reg: Reg;
}
export interface ImmOperand extends Base {
  readonly kind: 'imm';
  readonly expr: Expr;
  /** Written with a leading `#`. */
  readonly hash: boolean;
  readonly modifier: Modifier | null;
}
export interface ShiftOperand extends Base {
  readonly kind: 'shift';
  /** lsl lsr asr ror msl uxtb uxth uxtw uxtx sxtb sxth sxtw sxtx (lower case). */
  readonly op: string;
  readonly amount: Expr | null;
}
export interface MemOperand extends Base {
  readonly kind: 'mem';
  readonly base: RegOperand;
  /** Offset: an immediate or an index register. */
  readonly offset: RegOperand | ImmOperand | null;
  /** Shift or extend applied to an index register. */
  readonly ext: ShiftOperand | null;
  /** Pre-index writeback (`]!`). */
  readonly writeback: boolean;
}
export interface LitOperand extends Base {
  readonly kind: 'lit';
  readonly expr: Expr;
}

export type Operand = RegOperand | ImmOperand | ShiftOperand | MemOperand | LitOperand;

export type OperandsResult =
  | { readonly ok: true; readonly operands: Operand[] }
  | { readonly ok: false; readonly message: string; readonly pos: SrcPos };

const SHIFTS = new Set(['lsl', 'lsr', 'asr', 'ror', 'msl', 'uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx']);

type Fail = { readonly ok: false; readonly message: string; readonly pos: SrcPos };
const fail = (pos: SrcPos, message: string): Fail => ({ ok: false, message, pos });

/** Parses the comma-separated operands in `toks` (everything after the mnemonic). */
export function parseOperands(toks: readonly Token[], line: string, local: LocalResolver): OperandsResult {
  const operands: Operand[] = [];
  const commas = toks.filter((t, i) => t.kind === 'p' && t.text === ',' && depthAt(toks, i) === 0);
  for (const [k, group] of splitTopLevel(toks).entries()) {
    if (group.length === 0) {
      const at = commas[k] ?? commas[k - 1] ?? toks[0]?.pos ?? { line: 0, column: 0 };
      return fail('pos' in at ? at.pos : at, `missing operand ${k + 1} (nothing ${k < commas.length ? 'before' : 'after'} this comma)`);
    }
    const r = parseOperand(group, line, local);
    if (!r.ok) return r;
    operands.push(r.operand);
  }
  return { ok: true, operands };
}

/** Bracket/parenthesis nesting depth just before token `i`. */
function depthAt(toks: readonly Token[], i: number): number {
  let d = 0;
  for (let j = 0; j < i; j++) {
    const t = toks[j]!;
    if (t.kind === 'p' && (t.text === '[' || t.text === '(')) d++;
    if (t.kind === 'p' && (t.text === ']' || t.text === ')')) d--;
  }
  return d;
}

/** Splits tokens at commas outside brackets and parentheses. */
function splitTopLevel(toks: readonly Token[]): Token[][] {
  if (toks.length === 0) return [];
  const groups: Token[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.kind === 'p' && (t.text === '[' || t.text === '(')) depth++;
    if (t.kind === 'p' && (t.text === ']' || t.text === ')')) depth--;
    if (t.kind === 'p' && t.text === ',' && depth === 0) groups.push([]);
    else groups[groups.length - 1]!.push(t);
  }
  return groups;
}

function sourceText(line: string, toks: readonly Token[]): string {
  const first = toks[0]!;
  const last = toks[toks.length - 1]!;
  if (first.pos.line !== last.pos.line) return toks.map((t) => t.text).join(' ');
  return line.slice(first.pos.column - 1, last.pos.column - 1 + last.text.length);
}

type One = { readonly ok: true; readonly operand: Operand } | Fail;

function parseOperand(toks: readonly Token[], line: string, local: LocalResolver): One {
  const t0 = toks[0]!;
  const text = sourceText(line, toks);
  const pos = t0.pos;
  if (t0.kind === 'p' && t0.text === '[') return parseMem(toks, line, local);
  if (t0.kind === 'p' && t0.text === '=') {
    const e = wholeExpr(toks, 1, local);
    return e.ok ? { ok: true, operand: { kind: 'lit', expr: e.expr, text, pos } } : e;
  }
  if (t0.kind === 'id' && toks.length === 1) {
    const reg = parseReg(t0.text);
    if (reg) return { ok: true, operand: { kind: 'reg', reg, text, pos } };
  }
  if (t0.kind === 'id' && SHIFTS.has(t0.text.toLowerCase()) && (toks.length === 1 || isImmStart(toks[1]!))) {
    let amount: Expr | null = null;
    if (toks.length > 1) {
      const e = wholeExpr(toks, toks[1]!.text === '#' ? 2 : 1, local);
      if (!e.ok) return e;
      amount = e.expr;
    }
    return { ok: true, operand: { kind: 'shift', op: t0.text.toLowerCase(), amount, text, pos } };
  }
  return parseImm(toks, text, local);
}

/** Whether a token can begin the amount of a shift (`#3`, `3`, `(…)`), rather than an expression. */
function isImmStart(t: Token): boolean {
  return (t.kind === 'p' && (t.text === '#' || t.text === '(' || t.text === '-')) || t.kind === 'num';
}

function parseImm(toks: readonly Token[], text: string, local: LocalResolver): One {
  let i = 0;
  const hash = toks[0]!.kind === 'p' && toks[0]!.text === '#';
  if (hash) i++;
  let modifier: Modifier | null = null;
  const m = toks[i];
  if (m && m.kind === 'p' && m.text === ':') {
    const name = toks[i + 1];
    const close = toks[i + 2];
    if (!name || name.kind !== 'id' || !close || close.text !== ':') return fail(m.pos, 'expected a modifier such as :lo12:');
    if (name.text.toLowerCase() !== 'lo12') return fail(name.pos, `unsupported modifier ':${name.text}:' (only :lo12: is supported)`);
    modifier = 'lo12';
    i += 3;
  }
  if (i >= toks.length) return fail(toks[toks.length - 1]!.pos, 'expected an expression');
  const e = wholeExpr(toks, i, local);
  if (!e.ok) return e;
  return { ok: true, operand: { kind: 'imm', expr: e.expr, hash, modifier, text, pos: toks[0]!.pos } };
}

function wholeExpr(toks: readonly Token[], i: number, local: LocalResolver): { ok: true; expr: Expr } | Fail {
  const r = parseExpr(toks, i, local);
  if (!r.ok) return r;
  const extra = toks[r.next];
  if (extra) return fail(extra.pos, `unexpected '${extra.text}'`);
  return { ok: true, expr: r.expr };
}

function parseMem(toks: readonly Token[], line: string, local: LocalResolver): One {
  const open = toks[0]!;
  let close = -1;
  for (let i = toks.length - 1; i > 0; i--) {
    if (toks[i]!.kind === 'p' && toks[i]!.text === ']') {
      close = i;
      break;
    }
  }
  if (close < 0) return fail(open.pos, "expected ']'");
  const after = toks.slice(close + 1);
  const writeback = after.length === 1 && after[0]!.text === '!';
  if (after.length > 0 && !writeback) return fail(after[0]!.pos, `unexpected '${after[0]!.text}' after ']'`);
  const parts = splitTopLevel(toks.slice(1, close));
  if (parts.length === 0 || parts[0]!.length === 0) return fail(open.pos, 'expected a base register after [');
  if (parts.length > 3) return fail(parts[3]![0]?.pos ?? open.pos, 'too many parts in memory operand');
  const ops: Operand[] = [];
  for (const p of parts) {
    if (p.length === 0) return fail(open.pos, 'empty part in memory operand');
    const r = parseOperand(p, line, local);
    if (!r.ok) return r;
    ops.push(r.operand);
  }
  const [base, offset, ext] = ops;
  if (base!.kind !== 'reg') return fail(base!.pos, `expected a base register, got '${base!.text}'`);
  if (offset && offset.kind !== 'reg' && offset.kind !== 'imm') return fail(offset.pos, `expected an offset, got '${offset.text}'`);
  if (ext && ext.kind !== 'shift') return fail(ext.pos, `expected a shift or extend, got '${ext.text}'`);
  if (ext && offset?.kind !== 'reg') return fail(ext.pos, 'a shift or extend needs an index register');
  const text = sourceText(line, toks);
  return {
    ok: true,
    operand: { kind: 'mem', base, offset: offset ?? null, ext: ext ?? null, writeback, text, pos: open.pos },
  };
}
