/**
 * The symbol table: labels (section-relative until layout), assignments (`.set`, `.equ`,
 * `sym = expr`, possibly evaluated later when they refer forward), and binding/type
 * attributes from `.global` and `.type`.
 */
import type { SrcPos } from './errors.js';
import { evaluate, type Expr, type ExprEnv, type Value } from './expr.js';

export interface Sym {
  readonly name: string;
  /** The value, once known. */
  value: Value | null;
  /** An assignment not yet evaluable (forward reference), with the `.` it was written at. */
  lazy: { readonly expr: Expr; readonly dot: Value } | null;
  kind: 'label' | 'assign' | 'comm' | null;
  pos: SrcPos | null;
  global: boolean;
  /** Declared with `.local` (so a later `.comm` stays local, as in GNU as). */
  local: boolean;
  type: 'func' | 'object' | 'notype';
  evaluating: boolean;
}

export class SymbolTable {
  readonly map = new Map<string, Sym>();

  get(name: string): Sym {
    let s = this.map.get(name);
    if (s === undefined) {
      s = { name, value: null, lazy: null, kind: null, pos: null, global: false, local: false, type: 'notype', evaluating: false };
      this.map.set(name, s);
    }
    return s;
  }

  /** Section addresses, once laid out (pass 2); until then null. */
  sectionAddress: ((sec: number) => bigint) | null = null;

  /** An expression environment where `.` is `dot`. */
  env(dot: Value): ExprEnv {
    const env: ExprEnv = { symbol: (name) => this.valueOf(name), dot: () => dot };
    return this.sectionAddress === null ? env : { ...env, sectionAddress: this.sectionAddress };
  }

  /** The value of a symbol, evaluating a pending assignment if needed (cycles give undefined). */
  valueOf(name: string): Value | undefined {
    const s = this.map.get(name);
    if (s === undefined) return undefined;
    if (s.value !== null) return s.value;
    if (s.lazy === null || s.evaluating) return undefined;
    s.evaluating = true;
    const r = evaluate(s.lazy.expr, this.env(s.lazy.dot));
    s.evaluating = false;
    return r.ok ? r.value : undefined;
  }
}
