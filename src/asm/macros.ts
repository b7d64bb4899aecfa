/**
 * Text-level expansion before parsing, as GNU as does it ("Macros", ".rept", ".irp", ".if"):
 * `.macro`/`.endm` (parameters with defaults, `:req`, `:vararg`, `\param`, `\@`, `\()`,
 * `.exitm`, `.purgem`), `.rept`/`.irp`/`.irpc` … `.endr`, and the conditionals `.if`,
 * `.ifdef`/`.ifndef`, `.ifeq`/`.ifne`/`.ifgt`/`.ifge`/`.iflt`/`.ifle`, `.ifc`/`.ifnc`,
 * `.ifb`/`.ifnb`, `.elseif`, `.else`, `.endif`, plus `.error`/`.warning`.
 *
 * Conditions and repeat counts must be constant when reached: they may use numbers and
 * symbols assigned earlier with `=`, `.equ` or `.set`; `.ifdef` also sees earlier labels.
 */
import type { Diagnostics, SrcPos } from './errors.js';
import { evaluate, parseExpr, type Value } from './expr.js';
import { lexStatement, type LexError, type RawStatement } from './lexer.js';

interface Param {
  readonly name: string;
  readonly dflt: string;
  readonly required: boolean;
  readonly vararg: boolean;
}

interface Macro {
  readonly params: readonly Param[];
  readonly body: readonly RawStatement[];
}

/** One level of `.if`: whether its lines are kept, and whether a branch was taken already. */
interface Cond {
  readonly parentActive: boolean;
  active: boolean;
  taken: boolean;
  sawElse: boolean;
}

const MAX_DEPTH = 100;
const LABEL = /^([A-Za-z_.$][A-Za-z0-9_.$]*|[0-9]+)\s*:(?!:)\s*/;

class Expander {
  private readonly macros = new Map<string, Macro>();
  private readonly constants = new Map<string, bigint>();
  private readonly labels = new Set<string>();
  private readonly conds: Cond[] = [];
  private counter = 0;
  readonly out: RawStatement[] = [];

  constructor(private readonly diag: Diagnostics) {}

  private pos(r: RawStatement): SrcPos {
    return { line: r.line, column: r.column };
  }

  private get active(): boolean {
    return this.conds.length === 0 || this.conds[this.conds.length - 1]!.active;
  }

  /** Expands `list`; returns false if `.exitm` ended the enclosing macro. */
  run(list: readonly RawStatement[], depth: number): boolean {
    for (let i = 0; i < list.length; i++) {
      const r = this.splitLabels(list[i]!);
      if (r === null) continue;
      const { name, rest } = head(r.text);
      if (isConditional(name)) {
        this.conditional(r, name, rest);
        continue;
      }
      if (!this.active) {
        if (name === '.macro' || name === '.rept' || name === '.irp' || name === '.irpc') i = this.block(list, i, name).end;
        continue;
      }
      if (name === '.macro') {
        i = this.define(list, i, rest);
      } else if (name === '.rept' || name === '.irp' || name === '.irpc') {
        const { body, end } = this.block(list, i, name);
        i = end;
        if (!this.repeat(r, name, rest, body, depth)) return false;
      } else if (name === '.exitm') {
        return false;
      } else if (!this.directive(r, name, rest, depth)) {
        this.emit(r);
      }
    }
    return true;
  }

  /** Handles the simple directives of this module; false if `r` is an ordinary statement. */
  private directive(r: RawStatement, name: string, rest: string, depth: number): boolean {
    switch (name) {
      case '.endm':
      case '.endr':
        this.diag.error(this.pos(r), `${name} without a matching ${name === '.endm' ? '.macro' : '.rept/.irp'}`);
        return true;
      case '.purgem':
        this.macros.delete(rest.trim().toLowerCase());
        return true;
      case '.error':
      case '.err':
        this.diag.error(this.pos(r), rest.trim() === '' ? '.error directive invoked' : unquote(rest.trim()));
        return true;
      case '.warning':
        this.diag.warn(this.pos(r), rest.trim() === '' ? '.warning directive invoked' : unquote(rest.trim()));
        return true;
      case '.include':
        this.diag.error(this.pos(r), '.include is not supported: assemble one self-contained file');
        return true;
    }
    const m = this.macros.get(name.toLowerCase());
    if (m === undefined) return false;
    if (depth >= MAX_DEPTH) {
      this.diag.error(this.pos(r), `macro '${name}' nested more than ${MAX_DEPTH} deep (recursive?)`);
      return true;
    }
    this.invoke(r, name, m, rest, depth);
    return true;
  }

  /**
   * Emits (when active) the labels at the start of a statement, so `label: macro args` and
   * `label: .if …` work; returns the rest of the statement, or null if nothing is left.
   */
  private splitLabels(r: RawStatement): RawStatement | null {
    let text = r.text;
    let column = r.column;
    let m: RegExpExecArray | null;
    while ((m = LABEL.exec(text)) !== null) {
      if (this.active) {
        this.labels.add(m[1]!);
        this.out.push({ ...r, text: text.slice(0, m[0].length).trimEnd(), column });
      }
      column += m[0].length;
      text = text.slice(m[0].length);
    }
    if (text === '') return null;
    return text === r.text ? r : { ...r, text, column };
  }

  /** Emits an ordinary statement, noting constants for later conditions. */
  private emit(r: RawStatement): void {
    this.noteConstant(r);
    this.out.push(r);
  }

  private noteConstant(r: RawStatement): void {
    const assign = /^([A-Za-z_.$][A-Za-z0-9_.$]*)\s*=(?!=)\s*(.*)$/.exec(r.text);
    const { name, rest } = head(r.text);
    let sym: string | undefined;
    let expr: string | undefined;
    if (assign) [sym, expr] = [assign[1], assign[2]];
    else if (name === '.equ' || name === '.set' || name === '.equiv') {
      const comma = rest.indexOf(',');
      if (comma > 0) [sym, expr] = [rest.slice(0, comma).trim(), rest.slice(comma + 1)];
    }
    if (sym === undefined || expr === undefined) return;
    const v = this.constant({ ...r, text: expr }, false);
    if (v !== null) this.constants.set(sym, v);
    else this.constants.delete(sym);
  }

  /** Evaluates a constant expression from raw text; reports and returns null if it is not one. */
  private constant(r: RawStatement, report = true): bigint | null {
    const errors: LexError[] = [];
    const toks = lexStatement(r, errors);
    const fail = (pos: SrcPos, msg: string): null => {
      if (report) this.diag.error(pos, msg);
      return null;
    };
    if (errors.length > 0) return fail(errors[0]!.pos, errors[0]!.message);
    const p = parseExpr(toks, 0, (label) => label);
    if (!p.ok) return fail(p.pos, p.message);
    if (p.next < toks.length) return fail(toks[p.next]!.pos, `unexpected '${toks[p.next]!.text}'`);
    const env = {
      symbol: (n: string): Value | undefined => (this.constants.has(n) ? { v: this.constants.get(n)!, sec: null } : undefined),
      dot: (): Value => ({ v: 0n, sec: 0 }),
    };
    const v = evaluate(p.expr, env);
    if (!v.ok) return fail(v.pos, `${v.message} (conditions and counts must be constants known at this point)`);
    if (v.value.sec !== null) return fail(this.pos(r), 'expected a constant, not an address');
    return v.value.v;
  }

  private conditional(r: RawStatement, name: string, rest: string): void {
    const top = this.conds[this.conds.length - 1];
    if (name === '.endif') {
      if (!this.conds.pop()) this.diag.error(this.pos(r), '.endif without .if');
      return;
    }
    if (name === '.else' || name === '.elseif') {
      if (!top || top.sawElse) {
        this.diag.error(this.pos(r), `${name} without .if`);
        return;
      }
      if (name === '.else') top.sawElse = true;
      const want = !top.taken && top.parentActive && (name === '.else' || this.test('.if', r, rest));
      top.active = want;
      top.taken ||= want;
      return;
    }
    const parentActive = this.active;
    const want = parentActive && this.test(name, r, rest);
    this.conds.push({ parentActive, active: want, taken: want, sawElse: false });
  }

  private test(name: string, r: RawStatement, rest: string): boolean {
    const arg = { ...r, text: rest, column: r.column + r.text.length - rest.length };
    switch (name) {
      case '.ifdef':
        return this.labels.has(rest.trim()) || this.constants.has(rest.trim());
      case '.ifndef':
      case '.ifnotdef':
        return !(this.labels.has(rest.trim()) || this.constants.has(rest.trim()));
      case '.ifb':
        return rest.trim() === '';
      case '.ifnb':
        return rest.trim() !== '';
      case '.ifc':
      case '.ifnc': {
        const [a = '', b = ''] = splitArgs(rest).map((s) => unquote(s.trim()));
        return (a === b) === (name === '.ifc');
      }
    }
    const v = this.constant(arg) ?? 0n;
    const tests: Record<string, boolean> = { '.if': v !== 0n, '.ifne': v !== 0n, '.ifeq': v === 0n, '.ifgt': v > 0n, '.ifge': v >= 0n, '.iflt': v < 0n, '.ifle': v <= 0n };
    return tests[name] ?? false;
  }

  /** Collects the body of a block opened at `list[i]` up to its matching end; returns it and the end index. */
  private block(list: readonly RawStatement[], i: number, name: string): { body: RawStatement[]; end: number } {
    const close = name === '.macro' ? '.endm' : '.endr';
    const opens = name === '.macro' ? ['.macro'] : ['.rept', '.irp', '.irpc'];
    let depth = 1;
    const body: RawStatement[] = [];
    for (let j = i + 1; j < list.length; j++) {
      const n = head(list[j]!.text).name;
      if (opens.includes(n)) depth++;
      if (n === close && --depth === 0) return { body, end: j };
      body.push(list[j]!);
    }
    this.diag.error(this.pos(list[i]!), `${name} without ${close}`);
    return { body, end: list.length };
  }

  private define(list: readonly RawStatement[], i: number, rest: string): number {
    const { body, end } = this.block(list, i, '.macro');
    const parts = rest.trim().split(/[\s,]+/).filter((p) => p !== '');
    const name = parts.shift();
    if (name === undefined) {
      this.diag.error(this.pos(list[i]!), '.macro needs a name');
      return end;
    }
    const params: Param[] = [];
    for (const p of rest.trim().slice(name.length).split(',').flatMap((s) => splitParams(s))) {
      const m = /^([A-Za-z_.$][A-Za-z0-9_.$]*)(?::(req|vararg))?(?:\s*=\s*(.*))?$/.exec(p);
      if (!m) {
        this.diag.error(this.pos(list[i]!), `bad macro parameter '${p}'`);
        continue;
      }
      params.push({ name: m[1]!, dflt: m[3] ?? '', required: m[2] === 'req', vararg: m[2] === 'vararg' });
    }
    this.macros.set(name.toLowerCase(), { params, body });
    return end;
  }

  private invoke(r: RawStatement, name: string, m: Macro, rest: string, depth: number): void {
    const values = new Map(m.params.map((p) => [p.name, p.dflt]));
    let args = splitArgs(rest);
    // GNU as also separates arguments by spaces (`m x3 x4`); split that way only when commas
    // give too few arguments, so `m 1 + 2` still passes one expression to a one-parameter macro.
    if (args.length < m.params.length && args.length === 1) args = args[0]!.trim().split(/\s+/);
    let k = 0;
    for (let a = 0; a < args.length; a++) {
      const arg = args[a]!.trim();
      const kw = /^([A-Za-z_.$][A-Za-z0-9_.$]*)\s*=(?!=)\s*(.*)$/.exec(arg);
      if (kw && values.has(kw[1]!)) {
        values.set(kw[1]!, kw[2]!);
        continue;
      }
      const p = m.params[k++];
      if (p === undefined) {
        this.diag.error(this.pos(r), `too many arguments for macro '${name}'`);
        return;
      }
      values.set(p.name, p.vararg ? args.slice(a).map((s) => s.trim()).join(', ') : arg === '' ? p.dflt : arg);
      if (p.vararg) break;
    }
    for (const p of m.params) {
      if (p.required && (values.get(p.name) ?? '') === '') {
        this.diag.error(this.pos(r), `missing value for required parameter '${p.name}' of macro '${name}'`);
        return;
      }
    }
    const n = String(this.counter++);
    const body = m.body.map((b) => substitute(b, values, n));
    this.run(body, depth + 1);
  }

  private repeat(r: RawStatement, name: string, rest: string, body: readonly RawStatement[], depth: number): boolean {
    if (depth >= MAX_DEPTH) {
      this.diag.error(this.pos(r), `${name} nested more than ${MAX_DEPTH} deep`);
      return true;
    }
    if (name === '.rept') {
      const n = this.constant({ ...r, text: rest, column: r.column + r.text.length - rest.length });
      if (n === null) return true;
      if (n < 0n || n > 1_000_000n) {
        this.diag.error(this.pos(r), `.rept count ${n} out of range (must be in 0..1000000)`);
        return true;
      }
      for (let k = 0n; k < n; k++) if (!this.run(body, depth + 1)) return false;
      return true;
    }
    const [sym = '', ...vals] = splitArgs(rest).map((s) => s.trim());
    const items = name === '.irpc' ? [...(vals[0] ?? '')] : vals.length === 0 ? [''] : vals;
    for (const v of items) if (!this.run(body.map((b) => substitute(b, new Map([[sym, v]]), String(this.counter))), depth + 1)) return false;
    return true;
  }
}

/** The first word (lower case if a directive) and the rest of a statement's text. */
function head(text: string): { name: string; rest: string } {
  const m = /^(\S+)\s*(.*)$/s.exec(text);
  if (!m) return { name: '', rest: '' };
  const name = m[1]!.startsWith('.') ? m[1]!.toLowerCase() : m[1]!;
  return { name, rest: m[2]! };
}

function isConditional(name: string): boolean {
  return /^\.(if|ifdef|ifndef|ifnotdef|ifeq|ifne|ifgt|ifge|iflt|ifle|ifc|ifnc|ifb|ifnb|elseif|else|endif)$/.test(name);
}

/** Splits macro arguments at commas outside quotes, brackets and parentheses. */
function splitArgs(s: string): string[] {
  if (s.trim() === '') return [];
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = '';
  for (const c of s) {
    if (c === '"') quote = !quote;
    if (!quote && (c === '(' || c === '[')) depth++;
    if (!quote && (c === ')' || c === ']')) depth--;
    if (c === ',' && depth === 0 && !quote) {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

/** Parameter declarations may be separated by spaces as well as commas (`p1 p2=3`). */
function splitParams(s: string): string[] {
  return s.trim().replace(/\s*=\s*/g, '=').split(/\s+/).filter((p) => p !== '');
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/** Replaces `\name` by its value, `\@` by the expansion counter and `\()` by nothing. */
function substitute(r: RawStatement, values: ReadonlyMap<string, string>, counter: string): RawStatement {
  const text = r.text.replace(/\\(\(\)|@|[A-Za-z_.$][A-Za-z0-9_$]*)/g, (whole, name: string) => {
    if (name === '()') return '';
    if (name === '@') return counter;
    return values.get(name) ?? whole;
  });
  return text === r.text ? r : { ...r, text, column: 1, source: text };
}

/** Expands macros, repetitions and conditionals; problems go to `diag`. */
export function expandMacros(raws: readonly RawStatement[], diag: Diagnostics): RawStatement[] {
  const x = new Expander(diag);
  x.run(raws, 0);
  return x.out;
}
