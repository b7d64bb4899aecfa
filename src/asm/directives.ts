/**
 * Parsing of assembler directives (GNU as "Assembler Directives", with the AArch64 meanings:
 * `.align n` is a power of two, `.word` is 4 bytes, `.hword` 2, `.xword`/`.dword` 8).
 * Only the syntax is handled here; src/asm/assembler.ts gives them meaning.
 */
import type { SrcPos } from './errors.js';
import { parseExpr, type Expr, type LocalResolver } from './expr.js';
import type { Token } from './lexer.js';

export interface SectionFlags {
  readonly alloc: boolean;
  readonly write: boolean;
  readonly exec: boolean;
}

export type Directive =
  | { readonly d: 'section'; readonly name: string; readonly flags: SectionFlags | null; readonly nobits: boolean | null }
  | { readonly d: 'pushsection'; readonly name: string; readonly flags: SectionFlags | null; readonly nobits: boolean | null }
  | { readonly d: 'popsection' }
  | { readonly d: 'previous' }
  | { readonly d: 'align'; readonly bytes: boolean; readonly amount: Expr; readonly fill: Expr | null; readonly max: Expr | null }
  | { readonly d: 'data'; readonly size: 1 | 2 | 4 | 8; readonly values: readonly Expr[] }
  | { readonly d: 'inst'; readonly values: readonly Expr[] }
  | { readonly d: 'ascii'; readonly strings: readonly (readonly number[])[]; readonly zero: boolean }
  | { readonly d: 'space'; readonly size: Expr; readonly fill: Expr | null }
  | { readonly d: 'fill'; readonly repeat: Expr; readonly size: Expr | null; readonly value: Expr | null }
  | { readonly d: 'assign'; readonly name: string; readonly expr: Expr; readonly equiv: boolean }
  | { readonly d: 'bind'; readonly names: readonly string[]; readonly global: boolean }
  | { readonly d: 'type'; readonly name: string; readonly type: 'func' | 'object' | 'notype' }
  | { readonly d: 'ltorg' }
  | { readonly d: 'org'; readonly target: Expr; readonly fill: Expr | null }
  | { readonly d: 'comm'; readonly name: string; readonly size: Expr; readonly align: Expr | null; readonly local: boolean }
  | { readonly d: 'end' }
  | { readonly d: 'ignored' };

export type DirectiveResult =
  | { readonly ok: true; readonly dir: Directive }
  | { readonly ok: false; readonly message: string; readonly pos: SrcPos };

type Fail = { readonly ok: false; readonly message: string; readonly pos: SrcPos };
const fail = (pos: SrcPos, message: string): Fail => ({ ok: false, message, pos });
const ok = (dir: Directive): DirectiveResult => ({ ok: true, dir });

const DATA_SIZES: Record<string, 1 | 2 | 4 | 8> = {
  '.byte': 1, '.hword': 2, '.short': 2, '.2byte': 2, '.word': 4, '.int': 4, '.long': 4, '.4byte': 4,
  '.quad': 8, '.xword': 8, '.dword': 8, '.8byte': 8,
};

/** Directives accepted and ignored: they only matter for object files, debug info or CPU selection. */
const IGNORED = new Set([
  '.arch', '.cpu', '.arch_extension', '.fpu', '.file', '.ident', '.loc', '.size', '.hidden', '.protected',
  '.internal', '.addrsig', '.addrsig_sym', '.variant_pcs', '.gnu_attribute', '.eabi_attribute', '.loc_view',
  '.sleb128', '.uleb128',
]);

/** Directives with no operands that select a standard section. */
const SECTION_SHORTCUTS: Record<string, string> = { '.text': '.text', '.data': '.data', '.bss': '.bss', '.rodata': '.rodata' };

/** Splits at top-level commas. */
function args(toks: readonly Token[]): Token[][] {
  if (toks.length === 0) return [];
  const out: Token[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (t.kind === 'p' && t.text === ',' && depth === 0) out.push([]);
    else out[out.length - 1]!.push(t);
  }
  return out;
}

function expr(part: readonly Token[] | undefined, at: SrcPos, local: LocalResolver): { ok: true; e: Expr } | Fail {
  if (part === undefined || part.length === 0) return fail(at, 'expected an expression');
  const r = parseExpr(part, 0, local);
  if (!r.ok) return r;
  const extra = part[r.next];
  if (extra) return fail(extra.pos, `unexpected '${extra.text}'`);
  return { ok: true, e: r.expr };
}

function optExpr(part: readonly Token[] | undefined, at: SrcPos, local: LocalResolver): { ok: true; e: Expr | null } | Fail {
  if (part === undefined || part.length === 0) return { ok: true, e: null };
  return expr(part, at, local);
}

function exprList(parts: readonly Token[][], at: SrcPos, local: LocalResolver): { ok: true; es: Expr[] } | Fail {
  const es: Expr[] = [];
  for (const [k, p] of parts.entries()) {
    const prev = parts[k - 1];
    const after = prev?.[prev.length - 1];
    const where = p[0]?.pos ?? (after ? { line: after.pos.line, column: after.pos.column + after.text.length } : at);
    const r = expr(p, where, local);
    if (!r.ok) return r;
    es.push(r.e);
  }
  return { ok: true, es };
}

function symbolName(part: readonly Token[] | undefined, at: SrcPos): { ok: true; name: string } | Fail {
  if (part === undefined || part.length !== 1 || part[0]!.kind !== 'id') return fail(part?.[0]?.pos ?? at, 'expected a symbol name');
  return { ok: true, name: part[0]!.text };
}

/** Default flags of well-known section names (GNU as "`.section name`" for ELF targets). */
export function defaultSectionFlags(name: string): { flags: SectionFlags; nobits: boolean } {
  const is = (p: string): boolean => name === p || name.startsWith(p + '.');
  if (is('.text')) return { flags: { alloc: true, write: false, exec: true }, nobits: false };
  if (is('.bss') || is('.sbss') || is('.tbss')) return { flags: { alloc: true, write: true, exec: false }, nobits: true };
  if (is('.data') || is('.sdata') || is('.tdata') || is('.init_array') || is('.fini_array')) {
    return { flags: { alloc: true, write: true, exec: false }, nobits: false };
  }
  if (is('.rodata')) return { flags: { alloc: true, write: false, exec: false }, nobits: false };
  return { flags: { alloc: false, write: false, exec: false }, nobits: false };
}

function parseSection(d: 'section' | 'pushsection', toks: readonly Token[], at: SrcPos): DirectiveResult {
  const parts = args(toks);
  const namePart = parts[0];
  if (!namePart || namePart.length === 0) return fail(at, 'expected a section name');
  const name = namePart.length === 1 && namePart[0]!.kind === 'str' ? String.fromCharCode(...namePart[0]!.bytes!) : namePart.map((t) => t.text).join('');
  let flags: SectionFlags | null = null;
  let nobits: boolean | null = null;
  const flagPart = parts[1];
  if (flagPart && flagPart.length > 0) {
    if (flagPart.length !== 1 || flagPart[0]!.kind !== 'str') return fail(flagPart[0]!.pos, 'expected section flags as a string, e.g. "ax"');
    const f = String.fromCharCode(...flagPart[0]!.bytes!);
    flags = { alloc: f.includes('a'), write: f.includes('w'), exec: f.includes('x') };
  }
  const typePart = parts[2];
  if (typePart && typePart.length > 0) {
    const t = typePart.map((x) => x.text).join('').replace(/^[@%]/, '');
    if (t === 'nobits') nobits = true;
    else if (t === 'progbits' || t === 'note' || t === 'init_array' || t === 'fini_array') nobits = false;
  }
  return ok({ d, name, flags, nobits });
}

function parseAscii(zero: boolean, toks: readonly Token[], at: SrcPos): DirectiveResult {
  const strings: number[][] = [];
  for (const part of args(toks)) {
    if (part.length !== 1 || part[0]!.kind !== 'str') return fail(part[0]?.pos ?? at, 'expected a string');
    strings.push([...part[0]!.bytes!]);
  }
  return ok({ d: 'ascii', strings, zero });
}

type Parser = (toks: readonly Token[], at: SrcPos, local: LocalResolver, name: string) => DirectiveResult;

function parseAlign(toks: readonly Token[], at: SrcPos, local: LocalResolver, name: string): DirectiveResult {
  const parts = args(toks);
  const amount = expr(parts[0], at, local);
  if (!amount.ok) return amount;
  const fill = optExpr(parts[1], at, local);
  if (!fill.ok) return fill;
  const max = optExpr(parts[2], at, local);
  if (!max.ok) return max;
  return ok({ d: 'align', bytes: name === '.balign', amount: amount.e, fill: fill.e, max: max.e });
}

function parseSpace(toks: readonly Token[], at: SrcPos, local: LocalResolver, name: string): DirectiveResult {
  const parts = args(toks);
  const size = expr(parts[0], at, local);
  if (!size.ok) return size;
  const fill = name === '.zero' ? { ok: true as const, e: null } : optExpr(parts[1], at, local);
  if (!fill.ok) return fill;
  return ok({ d: 'space', size: size.e, fill: fill.e });
}

function parseFill(toks: readonly Token[], at: SrcPos, local: LocalResolver): DirectiveResult {
  const parts = args(toks);
  const repeat = expr(parts[0], at, local);
  if (!repeat.ok) return repeat;
  const size = optExpr(parts[1], at, local);
  if (!size.ok) return size;
  const value = optExpr(parts[2], at, local);
  if (!value.ok) return value;
  return ok({ d: 'fill', repeat: repeat.e, size: size.e, value: value.e });
}

function parseAssign(toks: readonly Token[], at: SrcPos, local: LocalResolver, name: string): DirectiveResult {
  const parts = args(toks);
  const n = symbolName(parts[0], at);
  if (!n.ok) return n;
  const e = expr(parts[1], at, local);
  if (!e.ok) return e;
  return ok({ d: 'assign', name: n.name, expr: e.e, equiv: name === '.equiv' });
}

function parseBind(toks: readonly Token[], at: SrcPos, _local: LocalResolver, name: string): DirectiveResult {
  const names: string[] = [];
  for (const p of args(toks)) {
    const n = symbolName(p, at);
    if (!n.ok) return n;
    names.push(n.name);
  }
  return ok({ d: 'bind', names, global: name !== '.local' });
}

function parseType(toks: readonly Token[], at: SrcPos): DirectiveResult {
  const parts = args(toks);
  const n = symbolName(parts[0], at);
  if (!n.ok) return n;
  const t = (parts[1] ?? []).map((x) => x.text).join('').replace(/^[@%]/, '').toLowerCase();
  const type = t === 'function' || t === 'stt_func' ? 'func' : t === 'object' || t === 'stt_object' ? 'object' : 'notype';
  return ok({ d: 'type', name: n.name, type });
}

function parseComm(toks: readonly Token[], at: SrcPos, local: LocalResolver, name: string): DirectiveResult {
  const parts = args(toks);
  const n = symbolName(parts[0], at);
  if (!n.ok) return n;
  const size = expr(parts[1], at, local);
  if (!size.ok) return size;
  const align = optExpr(parts[2], at, local);
  if (!align.ok) return align;
  return ok({ d: 'comm', name: n.name, size: size.e, align: align.e, local: name === '.lcomm' });
}

function parseOrg(toks: readonly Token[], at: SrcPos, local: LocalResolver): DirectiveResult {
  const parts = args(toks);
  const target = expr(parts[0], at, local);
  if (!target.ok) return target;
  const fill = optExpr(parts[1], at, local);
  if (!fill.ok) return fill;
  return ok({ d: 'org', target: target.e, fill: fill.e });
}

function parseData(toks: readonly Token[], at: SrcPos, local: LocalResolver, name: string): DirectiveResult {
  const r = exprList(args(toks), at, local);
  if (!r.ok) return r;
  return ok(name === '.inst' ? { d: 'inst', values: r.es } : { d: 'data', size: DATA_SIZES[name]!, values: r.es });
}

const sectionShortcut: Parser = (_t, _a, _l, name) => ok({ d: 'section', name: SECTION_SHORTCUTS[name]!, flags: null, nobits: null });
const fixed = (dir: Directive): Parser => () => ok(dir);

/** The directive table: name → parser. */
const PARSERS: Record<string, Parser> = {
  ...Object.fromEntries(Object.keys(SECTION_SHORTCUTS).map((k) => [k, sectionShortcut])),
  ...Object.fromEntries(Object.keys(DATA_SIZES).map((k) => [k, parseData])),
  ...Object.fromEntries([...IGNORED].map((k) => [k, fixed({ d: 'ignored' })])),
  '.inst': parseData,
  '.section': (toks, at) => parseSection('section', toks, at),
  '.pushsection': (toks, at) => parseSection('pushsection', toks, at),
  '.popsection': fixed({ d: 'popsection' }),
  '.previous': fixed({ d: 'previous' }),
  '.align': parseAlign,
  '.p2align': parseAlign,
  '.balign': parseAlign,
  '.ascii': (toks, at) => parseAscii(false, toks, at),
  '.asciz': (toks, at) => parseAscii(true, toks, at),
  '.string': (toks, at) => parseAscii(true, toks, at),
  '.skip': parseSpace,
  '.space': parseSpace,
  '.zero': parseSpace,
  '.fill': parseFill,
  '.equ': parseAssign,
  '.set': parseAssign,
  '.equiv': parseAssign,
  '.global': parseBind,
  '.globl': parseBind,
  '.weak': parseBind,
  '.local': parseBind,
  '.type': parseType,
  '.ltorg': fixed({ d: 'ltorg' }),
  '.pool': fixed({ d: 'ltorg' }),
  '.comm': parseComm,
  '.lcomm': parseComm,
  '.end': fixed({ d: 'end' }),
  '.org': parseOrg,
};

/**
 * Parses directive `name` (lower case, with the dot) with argument tokens `toks`.
 * Unknown directives are errors, so typos are not silently ignored.
 */
export function parseDirective(name: string, toks: readonly Token[], at: SrcPos, local: LocalResolver): DirectiveResult {
  if (name.startsWith('.cfi_')) return ok({ d: 'ignored' });
  const p = PARSERS[name];
  return p ? p(toks, at, local, name) : fail(at, `unknown or unsupported directive '${name}'`);
}
