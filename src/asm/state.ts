/**
 * The state of one assembly, shared by the two passes: sections with their location counters
 * and literal pools, the symbol table, the placed Items pass 1 leaves for pass 2, and the
 * current section (with .pushsection/.previous history).
 */
import type { Diagnostics, SrcPos } from './errors.js';
import { defaultSectionFlags, type SectionFlags } from './directives.js';
import { evaluate, type Expr, type Value } from './expr.js';
import { LiteralPool, type PoolEntry } from './literal-pool.js';
import type { Stmt } from './parser.js';
import { SymbolTable } from './symbols.js';

export interface Section {
  readonly index: number;
  readonly name: string;
  readonly flags: SectionFlags;
  readonly nobits: boolean;
  readonly pool: LiteralPool;
  size: number;
  align: number;
  addr: bigint;
  data: Uint8Array;
}

export type InsnStmt = Extract<Stmt, { kind: 'insn' }>;

export type Item =
  | { readonly k: 'insn'; readonly sec: Section; readonly off: number; readonly stmt: InsnStmt; readonly lit: PoolEntry | null }
  | { readonly k: 'data'; readonly sec: Section; readonly off: number; readonly size: number; readonly values: readonly Expr[]; readonly pos: SrcPos }
  | { readonly k: 'inst'; readonly sec: Section; readonly off: number; readonly values: readonly Expr[]; readonly pos: SrcPos }
  | { readonly k: 'bytes'; readonly sec: Section; readonly off: number; readonly bytes: readonly number[]; readonly pos: SrcPos }
  | { readonly k: 'fill'; readonly sec: Section; readonly off: number; readonly count: number; readonly size: number; readonly value: Expr | null; readonly pos: SrcPos }
  | { readonly k: 'pad'; readonly sec: Section; readonly off: number; readonly len: number; readonly fill: number | null }
  | { readonly k: 'pool'; readonly sec: Section; readonly entries: readonly PoolEntry[] }
  | { readonly k: 'assign'; readonly sec: Section; readonly off: number; readonly name: string; readonly expr: Expr; readonly pos: SrcPos };

/** Mutable state of one assembly. */
export class Assembly {
  readonly sections: Section[] = [];
  readonly syms = new SymbolTable();
  readonly items: Item[] = [];
  cur: Section;
  private prev: Section;
  private readonly stack: Section[] = [];

  constructor(readonly diag: Diagnostics) {
    this.cur = this.section('.text', null, null);
    this.prev = this.cur;
  }

  section(name: string, flags: SectionFlags | null, nobits: boolean | null): Section {
    const found = this.sections.find((s) => s.name === name);
    if (found) return found;
    const dflt = defaultSectionFlags(name);
    const s: Section = {
      index: this.sections.length, name, flags: flags ?? dflt.flags, nobits: nobits ?? dflt.nobits,
      pool: new LiteralPool(), size: 0, align: 1, addr: 0n, data: new Uint8Array(0),
    };
    this.sections.push(s);
    return s;
  }

  switchTo(s: Section): void {
    this.prev = this.cur;
    this.cur = s;
  }

  push(s: Section): void {
    this.stack.push(this.cur);
    this.switchTo(s);
  }

  pop(pos: SrcPos): void {
    const s = this.stack.pop();
    if (s === undefined) this.diag.error(pos, '.popsection without .pushsection');
    else this.switchTo(s);
  }

  previous(): void {
    this.switchTo(this.prev);
  }

  dot(): Value {
    return { sec: this.cur.index, v: BigInt(this.cur.size) };
  }

  /** An absolute constant known in pass 1 (sizes, alignments), or null after reporting why not. */
  constant(e: Expr, what: string): bigint | null {
    const r = evaluate(e, this.syms.env(this.dot()));
    if (!r.ok) {
      const why = r.undefinedSymbol !== undefined ? `${r.message} (${what} must be known when it is reached)` : r.message;
      this.diag.error(r.pos, why);
      return null;
    }
    if (r.value.sec !== null) {
      this.diag.error(e.pos, `${what} must be a constant, not an address`);
      return null;
    }
    return r.value.v;
  }

  /** Absolute address of a value (after layout). */
  absolute(v: Value): bigint {
    return v.sec === null ? v.v : this.sections[v.sec]!.addr + v.v;
  }
}

