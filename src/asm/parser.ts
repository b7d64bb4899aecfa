/**
 * Source text → statements: labels (`name:`, numeric `1:`), assignments (`sym = expr`),
 * directives and instructions with parsed operands. Numeric local labels are renamed here,
 * in source order, so `1b` / `1f` refer to the nearest definition before / after.
 */
import type { Diagnostics, SrcPos } from './errors.js';
import { parseExpr, type Expr, type LocalResolver } from './expr.js';
import { lexStatement, splitStatements, type LexError, type Token } from './lexer.js';
import { expandMacros } from './macros.js';
import { parseDirective, type Directive } from './directives.js';
import { parseOperands, type Operand } from './operands.js';

export type Stmt =
  | { readonly kind: 'label'; readonly name: string; readonly pos: SrcPos }
  | { readonly kind: 'dir'; readonly dir: Directive; readonly pos: SrcPos }
  | { readonly kind: 'insn'; readonly mnem: string; readonly operands: readonly Operand[]; readonly pos: SrcPos };

/** Renames numeric local labels: definition k of label N is the symbol `N\u0002k`. */
class LocalLabels {
  private readonly counts = new Map<string, number>();

  define(label: string): string {
    const k = (this.counts.get(label) ?? 0) + 1;
    this.counts.set(label, k);
    return `${label}\u0002${k}`;
  }

  readonly resolve: LocalResolver = (label, dir) => {
    const k = this.counts.get(label) ?? 0;
    return `${label}\u0002${dir === 'b' ? k : k + 1}`;
  };
}

/** Parses a whole source file; problems go to `diag`, and the statement is skipped. */
export function parseProgram(src: string, diag: Diagnostics): Stmt[] {
  const locals = new LocalLabels();
  const out: Stmt[] = [];
  for (const raw of expandMacros(splitStatements(src), diag)) {
    const errors: LexError[] = [];
    const tokens = lexStatement(raw, errors);
    for (const e of errors) diag.error(e.pos, e.message);
    if (tokens.length > 0) parseStatement(tokens, raw.source, locals, diag, out);
  }
  return out;
}

function parseStatement(toks: readonly Token[], line: string, locals: LocalLabels, diag: Diagnostics, out: Stmt[]): void {
  let i = 0;
  // Labels: `name:` or `1:`, possibly several.
  while (i + 1 < toks.length && toks[i + 1]!.kind === 'p' && toks[i + 1]!.text === ':' &&
    (toks[i]!.kind === 'id' || (toks[i]!.kind === 'num' && /^[0-9]+$/.test(toks[i]!.text)))) {
    const t = toks[i]!;
    const name = t.kind === 'num' ? locals.define(String(t.num)) : t.text;
    out.push({ kind: 'label', name, pos: t.pos });
    i += 2;
  }
  if (i >= toks.length) return;
  const head = toks[i]!;
  if (head.kind !== 'id') {
    diag.error(head.pos, `expected an instruction or directive, got '${head.text}'`);
    return;
  }
  const next = toks[i + 1];
  if (next && next.kind === 'p' && next.text === '=') {
    const e = wholeExpr(toks, i + 2, locals.resolve, head.pos, diag);
    if (e) out.push({ kind: 'dir', dir: { d: 'assign', name: head.text, expr: e, equiv: false }, pos: head.pos });
    return;
  }
  const rest = toks.slice(i + 1);
  if (head.text.startsWith('.')) {
    const r = parseDirective(head.text.toLowerCase(), rest, head.pos, locals.resolve);
    if (r.ok) out.push({ kind: 'dir', dir: r.dir, pos: head.pos });
    else diag.error(r.pos, r.message);
    return;
  }
  const r = parseOperands(rest, line, locals.resolve);
  if (r.ok) out.push({ kind: 'insn', mnem: head.text.toLowerCase(), operands: r.operands, pos: head.pos });
  else diag.error(r.pos, r.message);
}

function wholeExpr(toks: readonly Token[], i: number, local: LocalResolver, at: SrcPos, diag: Diagnostics): Expr | null {
  if (i >= toks.length) {
    diag.error(at, 'expected an expression after =');
    return null;
  }
  const r = parseExpr(toks, i, local);
  if (!r.ok) {
    diag.error(r.pos, r.message);
    return null;
  }
  const extra = toks[r.next];
  if (extra) {
    diag.error(extra.pos, `unexpected '${extra.text}'`);
    return null;
  }
  return r.expr;
}
