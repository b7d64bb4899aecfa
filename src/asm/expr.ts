/**
 * Integer expressions as GNU `as` understands them ("Expressions" in the GNU as manual):
 * 64-bit two's-complement arithmetic, symbols, `.` (the location counter) and the operator
 * precedence of GNU as, which is not C's:
 *
 *   highest   * / % << >>
 *             | & ^ !          (binary `!` is "or not")
 *             + - == != <> < > <= >=
 *   lowest    && ||
 *
 * A value is absolute or relative to a section (a label). Only the combinations a linker
 * could resolve are allowed: rel ± abs, abs + rel, and rel − rel within one section.
 */
import type { SrcPos } from './errors.js';
import type { Token } from './lexer.js';

export type Expr =
  | { readonly t: 'num'; readonly v: bigint; readonly pos: SrcPos }
  | { readonly t: 'sym'; readonly name: string; readonly pos: SrcPos }
  | { readonly t: 'dot'; readonly pos: SrcPos }
  | { readonly t: 'un'; readonly op: string; readonly a: Expr; readonly pos: SrcPos }
  | { readonly t: 'bin'; readonly op: string; readonly a: Expr; readonly b: Expr; readonly pos: SrcPos };

/** An absolute value (`sec` null) or an offset into section number `sec`. */
export interface Value {
  readonly v: bigint;
  readonly sec: number | null;
}

export interface ExprEnv {
  /** Value of a symbol, or undefined if it is not defined (yet). */
  symbol(name: string): Value | undefined;
  /** Value of `.`. */
  dot(): Value;
  /**
   * Address of a section, once laid out. With it, differences of addresses in different
   * sections are absolute values (GNU as would leave them to the linker as PC-relative
   * relocations; this assembler links, so it can compute them).
   */
  sectionAddress?(sec: number): bigint;
}

export type EvalResult =
  | { readonly ok: true; readonly value: Value }
  | { readonly ok: false; readonly message: string; readonly pos: SrcPos; readonly undefinedSymbol?: string };

export type ParseResult =
  | { readonly ok: true; readonly expr: Expr; readonly next: number }
  | { readonly ok: false; readonly message: string; readonly pos: SrcPos };

/** Turns a numeric local label reference (`1b`, `1f`) into the symbol name it denotes. */
export type LocalResolver = (label: string, dir: 'b' | 'f') => string;

const LEVELS: readonly (readonly string[])[] = [
  ['&&', '||'],
  ['+', '-', '==', '!=', '<>', '<', '>', '<=', '>='],
  ['|', '&', '^', '!'],
  ['*', '/', '%', '<<', '>>'],
];

/** Parses an expression starting at token `i`; stops at the first token that cannot continue it. */
export function parseExpr(toks: readonly Token[], i: number, local: LocalResolver): ParseResult {
  return parseLevel(toks, i, 0, local);
}

function parseLevel(toks: readonly Token[], i: number, level: number, local: LocalResolver): ParseResult {
  if (level === LEVELS.length) return parseUnary(toks, i, local);
  let left = parseLevel(toks, i, level + 1, local);
  if (!left.ok) return left;
  for (;;) {
    const t: Token | undefined = toks[left.next];
    if (!t || t.kind !== 'p' || !LEVELS[level]!.includes(t.text)) return left;
    const right = parseLevel(toks, left.next + 1, level + 1, local);
    if (!right.ok) return right;
    left = { ok: true, expr: { t: 'bin', op: t.text, a: left.expr, b: right.expr, pos: t.pos }, next: right.next };
  }
}

function parseUnary(toks: readonly Token[], i: number, local: LocalResolver): ParseResult {
  const t = toks[i];
  if (!t) {
    const last = toks[toks.length - 1];
    const pos = last ? { line: last.pos.line, column: last.pos.column + last.text.length } : { line: 0, column: 0 };
    return { ok: false, message: 'expected an expression', pos };
  }
  if (t.kind === 'num') return { ok: true, expr: { t: 'num', v: t.num!, pos: t.pos }, next: i + 1 };
  if (t.kind === 'lref') return { ok: true, expr: { t: 'sym', name: local(t.text, t.dir!), pos: t.pos }, next: i + 1 };
  if (t.kind === 'id') {
    const expr: Expr = t.text === '.' ? { t: 'dot', pos: t.pos } : { t: 'sym', name: t.text, pos: t.pos };
    return { ok: true, expr, next: i + 1 };
  }
  if (t.kind === 'p' && (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+')) {
    const a = parseUnary(toks, i + 1, local);
    if (!a.ok) return a;
    return { ok: true, expr: { t: 'un', op: t.text, a: a.expr, pos: t.pos }, next: a.next };
  }
  if (t.kind === 'p' && t.text === '(') {
    const inner = parseExpr(toks, i + 1, local);
    if (!inner.ok) return inner;
    const close = toks[inner.next];
    if (!close || close.text !== ')') return { ok: false, message: "expected ')'", pos: close?.pos ?? t.pos };
    return { ok: true, expr: inner.expr, next: inner.next + 1 };
  }
  return { ok: false, message: `expected an expression, got '${t.text}'`, pos: t.pos };
}

const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);
const bool = (b: boolean): bigint => (b ? -1n : 0n); // GNU as: true is all ones

/** Evaluates `e` in `env`. Never throws. */
export function evaluate(e: Expr, env: ExprEnv): EvalResult {
  switch (e.t) {
    case 'num':
      return ok(abs(e.v));
    case 'dot':
      return ok(env.dot());
    case 'sym': {
      const v = env.symbol(e.name);
      if (v === undefined) {
        return { ok: false, message: `undefined symbol '${displayName(e.name)}'`, pos: e.pos, undefinedSymbol: e.name };
      }
      return ok(v);
    }
    case 'un': {
      const a = evaluate(e.a, env);
      if (!a.ok) return a;
      if (e.op === '+') return a;
      if (a.value.sec !== null) return fail(e.pos, `operator '${e.op}' needs an absolute value, not an address`);
      const v = a.value.v;
      return ok(abs(e.op === '-' ? wrap(-v) : e.op === '~' ? wrap(~v) : bool(v === 0n)));
    }
    case 'bin':
      return evalBinary(e.op, e.a, e.b, e.pos, env);
  }
}

function evalBinary(op: string, ea: Expr, eb: Expr, pos: SrcPos, env: ExprEnv): EvalResult {
  const ra = evaluate(ea, env);
  if (!ra.ok) return ra;
  const rb = evaluate(eb, env);
  if (!rb.ok) return rb;
  const a = ra.value;
  const b = rb.value;
  if (op === '+') {
    if (a.sec !== null && b.sec !== null) return fail(pos, 'cannot add two addresses');
    return ok({ v: wrap(a.v + b.v), sec: a.sec ?? b.sec });
  }
  if (op === '-') {
    if (b.sec === null) return ok({ v: wrap(a.v - b.v), sec: a.sec });
    if (a.sec === b.sec) return ok(abs(wrap(a.v - b.v)));
    if (env.sectionAddress) {
      const at = (x: Value): bigint => (x.sec === null ? x.v : env.sectionAddress!(x.sec) + x.v);
      return ok(abs(wrap(at(a) - at(b))));
    }
    return fail(pos, 'cannot subtract addresses in different sections (before layout)');
  }
  const sameSec = a.sec === b.sec;
  if (!sameSec || (a.sec !== null && !['==', '!=', '<>', '<', '>', '<=', '>='].includes(op))) {
    return fail(pos, `operator '${op}' needs absolute values, not addresses`);
  }
  return arith(op, a.v, b.v, pos);
}

function arith(op: string, a: bigint, b: bigint, pos: SrcPos): EvalResult {
  switch (op) {
    case '*': return ok(abs(wrap(a * b)));
    case '/':
    case '%':
      if (b === 0n) return fail(pos, 'division by zero');
      return ok(abs(wrap(op === '/' ? a / b : a % b)));
    case '<<': return ok(abs(b >= 64n || b < 0n ? 0n : wrap(a << b)));
    case '>>': return ok(abs(b >= 64n || b < 0n ? (a < 0n ? -1n : 0n) : a >> b));
    case '|': return ok(abs(wrap(a | b)));
    case '&': return ok(abs(wrap(a & b)));
    case '^': return ok(abs(wrap(a ^ b)));
    case '!': return ok(abs(wrap(a | ~b)));
    case '==': return ok(abs(bool(a === b)));
    case '!=':
    case '<>': return ok(abs(bool(a !== b)));
    case '<': return ok(abs(bool(a < b)));
    case '>': return ok(abs(bool(a > b)));
    case '<=': return ok(abs(bool(a <= b)));
    case '>=': return ok(abs(bool(a >= b)));
    case '&&': return ok(abs(bool(a !== 0n && b !== 0n)));
    case '||': return ok(abs(bool(a !== 0n || b !== 0n)));
    default: return fail(pos, `unknown operator '${op}'`);
  }
}

function abs(v: bigint): Value {
  return { v, sec: null };
}

function ok(value: Value): EvalResult {
  return { ok: true, value };
}

function fail(pos: SrcPos, message: string): EvalResult {
  return { ok: false, message, pos };
}

/** Numeric local labels are stored as `N\u0002k`; errors show them as GNU does (`1b`/`1f` → `1`). */
export function displayName(name: string): string {
  const k = name.indexOf('\u0002');
  return k < 0 ? name : name.slice(0, k);
}

/**
 * A key identifying `symbol + constant` expressions, for merging literal-pool entries the way
 * GNU as does (`=lab` and `=lab+0` share a slot; different symbols never do). Null when the
 * expression is not of that shape.
 */
export function linearKey(e: Expr): string | null {
  const f = linear(e);
  return f === null ? null : `${f.sym ?? ''}+${f.add}`;
}

function linear(e: Expr): { sym: string | null; add: bigint } | null {
  switch (e.t) {
    case 'num':
      return { sym: null, add: e.v };
    case 'sym':
      return { sym: e.name, add: 0n };
    case 'un': {
      const a = linear(e.a);
      if (a === null || (a.sym !== null && e.op !== '+')) return null;
      if (e.op === '+') return a;
      return { sym: null, add: e.op === '-' ? wrap(-a.add) : e.op === '~' ? wrap(~a.add) : bool(a.add === 0n) };
    }
    case 'bin': {
      const a = linear(e.a);
      const b = linear(e.b);
      if (a === null || b === null) return null;
      if (e.op === '+' && (a.sym === null || b.sym === null)) return { sym: a.sym ?? b.sym, add: wrap(a.add + b.add) };
      if (e.op === '-' && b.sym === null) return { sym: a.sym, add: wrap(a.add - b.add) };
      if (a.sym !== null || b.sym !== null) return null;
      const r = arith(e.op, a.add, b.add, e.pos);
      return r.ok ? { sym: null, add: r.value.v } : null;
    }
    case 'dot':
      return null;
  }
}
