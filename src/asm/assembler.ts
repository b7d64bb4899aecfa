/**
 * The two-pass assembler.
 *
 * Pass 1 walks the statements, tracks each section's location counter, defines labels,
 * collects literal-pool entries and records one placed Item per statement that emits bytes.
 * Then sections get addresses (layout.ts). Pass 2 evaluates every expression with final
 * addresses and writes the bytes. Every instruction is 4 bytes, so pass 1 never needs an
 * operand's value; sizes (`.skip n`, `.align n`) must be known in pass 1, as in GNU as.
 */
import { Diagnostics, type SrcPos } from './errors.js';
import { defaultSectionFlags, type Directive, type SectionFlags } from './directives.js';
import { evaluate, linearKey, type Expr, type Value } from './expr.js';
import { encodeInstruction } from './isa/encode.js';
import { Mismatch, RANK_SYMBOL, RANK_VALUE } from './isa/types.js';
import { unpredictable } from './isa/unpredictable.js';
import { layoutSections } from './layout.js';
import { LiteralPool, type PoolEntry } from './literal-pool.js';
import { parseProgram, type Stmt } from './parser.js';
import { SymbolTable } from './symbols.js';
import type { AsmObject, AsmSection, AsmSymbol } from './object.js';

export interface AssembleOptions {
  /** File name used in messages (default `input.s`). */
  readonly file?: string;
  /** Address of the first section (default 0x400000, GNU ld's base for executables). */
  readonly base?: bigint;
  /** Alignment of the writable segment (default 0x1000). */
  readonly pageSize?: bigint;
}

export const DEFAULT_BASE = 0x400000n;
export const DEFAULT_PAGE = 0x1000n;
const NOP = 0xd503201f;

interface Section {
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

type InsnStmt = Extract<Stmt, { kind: 'insn' }>;

type Item =
  | { readonly k: 'insn'; readonly sec: Section; readonly off: number; readonly stmt: InsnStmt; readonly lit: PoolEntry | null }
  | { readonly k: 'data'; readonly sec: Section; readonly off: number; readonly size: number; readonly values: readonly Expr[]; readonly pos: SrcPos }
  | { readonly k: 'inst'; readonly sec: Section; readonly off: number; readonly values: readonly Expr[]; readonly pos: SrcPos }
  | { readonly k: 'bytes'; readonly sec: Section; readonly off: number; readonly bytes: readonly number[]; readonly pos: SrcPos }
  | { readonly k: 'fill'; readonly sec: Section; readonly off: number; readonly count: number; readonly size: number; readonly value: Expr | null; readonly pos: SrcPos }
  | { readonly k: 'pad'; readonly sec: Section; readonly off: number; readonly len: number; readonly fill: number | null }
  | { readonly k: 'pool'; readonly sec: Section; readonly entries: readonly PoolEntry[] }
  | { readonly k: 'assign'; readonly sec: Section; readonly off: number; readonly name: string; readonly expr: Expr; readonly pos: SrcPos };

/** Mutable state of one assembly. */
class Assembly {
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

// ---------------------------------------------------------------- pass 1

function pass1(a: Assembly, stmts: readonly Stmt[]): void {
  for (const st of stmts) {
    if (st.kind === 'label') defineLabel(a, st.name, st.pos);
    else if (st.kind === 'insn') placeInsn(a, st);
    else if (st.dir.d === 'end') break;
    else placeDirective(a, st.dir, st.pos);
  }
  for (const s of a.sections) flushPool(a, s);
}

function defineLabel(a: Assembly, name: string, pos: SrcPos): void {
  const s = a.syms.get(name);
  if (s.kind !== null) {
    a.diag.error(pos, `symbol '${name.split('\u0002')[0]}' is already defined${s.pos ? ` (at line ${s.pos.line})` : ''}`);
    return;
  }
  s.kind = 'label';
  s.pos = pos;
  s.value = a.dot();
}

function placeInsn(a: Assembly, st: InsnStmt): void {
  const sec = a.cur;
  if (sec.flags.exec && sec.size % 4 !== 0) {
    // In code sections GNU as pads to the next instruction boundary with zero bytes
    // (in data sections it does not).
    const len = 4 - (sec.size % 4);
    a.items.push({ k: 'pad', sec, off: sec.size, len, fill: 0 });
    sec.size += len;
  }
  if (sec.flags.exec) sec.align = Math.max(sec.align, 4);
  let lit: PoolEntry | null = null;
  const litOp = st.operands.find((o) => o.kind === 'lit');
  if (litOp !== undefined && litOp.kind === 'lit') {
    lit = addLiteral(a, st, litOp.expr);
    if (lit === null) {
      sec.size += 4; // keep the layout; the error is reported
      return;
    }
  }
  a.items.push({ k: 'insn', sec, off: sec.size, stmt: st, lit });
  sec.size += 4;
}

/** Adds `=expr` to the current pool: 4 bytes for a W register or LDRSW, else 8. */
function addLiteral(a: Assembly, st: InsnStmt, e: Expr): PoolEntry | null {
  const rt = st.operands[0];
  if ((st.mnem !== 'ldr' && st.mnem !== 'ldrsw') || rt?.kind !== 'reg' || st.operands[1]?.kind !== 'lit') {
    a.diag.error(st.pos, 'a literal (=expr) is only allowed as the second operand of ldr or ldrsw');
    return null;
  }
  const size = st.mnem === 'ldrsw' || rt.reg.size === 32 ? 4 : 8;
  const r = evaluate(e, a.syms.env(a.dot()));
  const key = r.ok && r.value.sec === null ? `c:${r.value.v}` : linearKey(e);
  return a.cur.pool.add(e, size, key === null ? null : `s:${key}`, st.pos);
}

function flushPool(a: Assembly, sec: Section): void {
  if (sec.pool.empty) return;
  const { entries, end } = sec.pool.flush(sec.size);
  a.items.push({ k: 'pool', sec, entries });
  sec.align = Math.max(sec.align, ...entries.map((e) => e.size));
  sec.size = end;
}

function placeDirective(a: Assembly, d: Directive, pos: SrcPos): void {
  const sec = a.cur;
  switch (d.d) {
    case 'section':
      a.switchTo(a.section(d.name, d.flags, d.nobits));
      return;
    case 'pushsection':
      a.push(a.section(d.name, d.flags, d.nobits));
      return;
    case 'popsection':
      a.pop(pos);
      return;
    case 'previous':
      a.previous();
      return;
    case 'align':
      placeAlign(a, d, pos);
      return;
    case 'data':
      a.items.push({ k: 'data', sec, off: sec.size, size: d.size, values: d.values, pos });
      sec.size += d.size * d.values.length;
      return;
    case 'inst':
      a.items.push({ k: 'inst', sec, off: sec.size, values: d.values, pos });
      sec.size += 4 * d.values.length;
      return;
    case 'ascii': {
      const bytes = d.strings.flatMap((s) => (d.zero ? [...s, 0] : [...s]));
      a.items.push({ k: 'bytes', sec, off: sec.size, bytes, pos });
      sec.size += bytes.length;
      return;
    }
    case 'space':
    case 'fill':
      placeFill(a, d, pos);
      return;
    case 'assign':
      placeAssign(a, d.name, d.expr, d.equiv, pos);
      return;
    case 'bind':
      for (const n of d.names) a.syms.get(n).global = d.global;
      return;
    case 'type':
      a.syms.get(d.name).type = d.type;
      return;
    case 'ltorg':
      flushPool(a, sec);
      return;
    case 'comm':
      placeComm(a, d, pos);
      return;
    case 'end':
    case 'ignored':
      return;
  }
}

function placeAlign(a: Assembly, d: Extract<Directive, { d: 'align' }>, pos: SrcPos): void {
  const sec = a.cur;
  const n = a.constant(d.amount, 'alignment');
  if (n === null) return;
  let bytes: number;
  if (d.bytes) {
    if (n <= 0n || (n & (n - 1n)) !== 0n || n > 1n << 30n) {
      a.diag.error(pos, `alignment ${n} is not a power of 2`);
      return;
    }
    bytes = Number(n);
  } else {
    if (n < 0n || n > 30n) {
      a.diag.error(pos, `alignment exponent ${n} out of range (must be in 0..30)`);
      return;
    }
    bytes = 2 ** Number(n);
  }
  const fill = d.fill === null ? null : a.constant(d.fill, 'fill value');
  const max = d.max === null ? null : a.constant(d.max, 'maximum padding');
  const len = (bytes - (sec.size % bytes)) % bytes;
  if (max !== null && BigInt(len) > max) return;
  sec.align = Math.max(sec.align, bytes);
  if (len === 0) return;
  a.items.push({ k: 'pad', sec, off: sec.size, len, fill: fill === null ? null : Number(BigInt.asUintN(8, fill)) });
  sec.size += len;
}

function placeFill(a: Assembly, d: Extract<Directive, { d: 'space' | 'fill' }>, pos: SrcPos): void {
  const sec = a.cur;
  let count: bigint | null;
  let size = 1n;
  let value: Expr | null;
  if (d.d === 'space') {
    count = a.constant(d.size, 'size');
    value = d.fill;
  } else {
    count = a.constant(d.repeat, 'repeat count');
    if (d.size !== null) size = a.constant(d.size, 'fill size') ?? 1n;
    value = d.value;
  }
  if (count === null) return;
  if (count < 0n || count > 1n << 28n) {
    a.diag.error(pos, `size ${count} out of range (must be in 0..${1 << 28})`);
    return;
  }
  if (size < 0n || size > 8n) {
    a.diag.error(pos, `fill size ${size} out of range (must be in 0..8)`);
    return;
  }
  a.items.push({ k: 'fill', sec, off: sec.size, count: Number(count), size: Number(size), value, pos });
  sec.size += Number(count * size);
}

function placeAssign(a: Assembly, name: string, expr: Expr, equiv: boolean, pos: SrcPos): void {
  const s = a.syms.get(name);
  if (s.kind === 'label' || s.kind === 'comm' || (equiv && s.kind !== null)) {
    a.diag.error(pos, `symbol '${name}' is already defined${s.pos ? ` (at line ${s.pos.line})` : ''}`);
    return;
  }
  s.kind = 'assign';
  s.pos = pos;
  const dot = a.dot();
  const r = evaluate(expr, a.syms.env(dot));
  if (r.ok) {
    s.value = r.value;
    s.lazy = null;
  } else if (r.undefinedSymbol !== undefined) {
    s.value = null;
    s.lazy = { expr, dot };
  } else {
    a.diag.error(r.pos, r.message);
    return;
  }
  a.items.push({ k: 'assign', sec: a.cur, off: a.cur.size, name, expr, pos });
}

function placeComm(a: Assembly, d: Extract<Directive, { d: 'comm' }>, pos: SrcPos): void {
  const size = a.constant(d.size, 'size');
  const align = d.align === null ? 8n : a.constant(d.align, 'alignment');
  if (size === null || align === null) return;
  if (align <= 0n || (align & (align - 1n)) !== 0n) {
    a.diag.error(pos, `alignment ${align} is not a power of 2`);
    return;
  }
  const bss = a.section('.bss', null, null);
  bss.size = Math.ceil(bss.size / Number(align)) * Number(align);
  bss.align = Math.max(bss.align, Number(align));
  const s = a.syms.get(d.name);
  if (s.kind !== null) {
    a.diag.error(pos, `symbol '${d.name}' is already defined`);
    return;
  }
  s.kind = 'comm';
  s.pos = pos;
  s.value = { sec: bss.index, v: BigInt(bss.size) };
  s.type = 'object';
  if (!d.local) s.global = true;
  bss.size += Number(size);
}

// ---------------------------------------------------------------- pass 2

function pass2(a: Assembly): void {
  for (const s of a.sections) s.data = new Uint8Array(s.nobits ? 0 : s.size);
  for (const it of a.items) {
    switch (it.k) {
      case 'insn':
        emitInsn(a, it);
        break;
      case 'data':
        it.values.forEach((e, i) => emitValue(a, it.sec, it.off + i * it.size, it.size, e, { sec: it.sec.index, v: BigInt(it.off + i * it.size) }));
        break;
      case 'inst':
        it.values.forEach((e, i) => emitValue(a, it.sec, it.off + 4 * i, 4, e, { sec: it.sec.index, v: BigInt(it.off + 4 * i) }));
        break;
      case 'bytes':
        if (needsData(a, it.sec, it.pos, it.bytes.some((b) => b !== 0))) it.sec.data.set(it.bytes, it.off);
        break;
      case 'fill':
        emitFill(a, it);
        break;
      case 'pad':
        emitPad(it.sec, it.off, it.len, it.fill);
        break;
      case 'pool':
        for (const e of it.entries) emitValue(a, it.sec, e.offset, e.size, e.expr, { sec: it.sec.index, v: BigInt(e.offset) }, e.pos);
        break;
      case 'assign': {
        const r = evaluate(it.expr, a.syms.env({ sec: it.sec.index, v: BigInt(it.off) }));
        const s = a.syms.get(it.name);
        if (r.ok) {
          s.value = r.value;
          s.lazy = null;
        } else {
          a.diag.error(r.pos, r.message);
        }
        break;
      }
    }
  }
}

/** Whether bytes may be written to `sec`; NOBITS sections (.bss) only take zeros. */
function needsData(a: Assembly, sec: Section, pos: SrcPos, nonZero: boolean): boolean {
  if (!sec.nobits) return true;
  if (nonZero) a.diag.error(pos, `cannot put data in ${sec.name} (a NOBITS section holds only zeros)`);
  return false;
}

function emitInsn(a: Assembly, it: Extract<Item, { k: 'insn' }>): void {
  const { sec, off, stmt } = it;
  if (!needsData(a, sec, stmt.pos, true)) return;
  const pc = sec.addr + BigInt(off);
  const dot: Value = { sec: sec.index, v: BigInt(off) };
  const r = encodeInstruction(stmt.mnem, stmt.operands, {
    pc,
    literalAddress: it.lit === null ? null : sec.addr + BigInt(it.lit.offset),
    evaluate: (e) => {
      const v = evaluate(e, a.syms.env(dot));
      if (!v.ok) return new Mismatch(v.message, v.undefinedSymbol !== undefined ? RANK_SYMBOL : RANK_VALUE, v.pos);
      return a.absolute(v.value);
    },
  });
  if (!r.ok) {
    a.diag.error(r.pos ?? stmt.pos, r.message);
    return;
  }
  writeLE(sec.data, off, BigInt(r.word), 4);
  const warning = unpredictable(r.word);
  if (warning !== null) a.diag.warn(stmt.pos, warning);
}

function emitValue(a: Assembly, sec: Section, off: number, size: number, e: Expr, dot: Value, at?: SrcPos): void {
  const r = evaluate(e, a.syms.env(dot));
  if (!r.ok) {
    a.diag.error(r.pos, r.message);
    return;
  }
  const v = a.absolute(r.value);
  const bits = BigInt(size * 8);
  const fits = v >= -(1n << (bits - 1n)) && v < 1n << bits;
  if (!fits) {
    const shown = `0x${BigInt.asUintN(64, v).toString(16)}`;
    if (r.value.sec !== null) {
      a.diag.error(at ?? e.pos, `address ${shown} does not fit in ${size} bytes`);
      return;
    }
    a.diag.warn(at ?? e.pos, `value ${shown} truncated to 0x${BigInt.asUintN(size * 8, v).toString(16)}`);
  }
  if (needsData(a, sec, at ?? e.pos, v !== 0n)) writeLE(sec.data, off, v, size);
}

function emitFill(a: Assembly, it: Extract<Item, { k: 'fill' }>): void {
  if (it.value === null) return;
  const r = evaluate(it.value, a.syms.env({ sec: it.sec.index, v: BigInt(it.off) }));
  if (!r.ok) {
    a.diag.error(r.pos, r.message);
    return;
  }
  const v = a.absolute(r.value);
  const size = it.size;
  if (size === 0 || v === 0n || !needsData(a, it.sec, it.pos, true)) return;
  for (let i = 0; i < it.count; i++) writeLE(it.sec.data, it.off + i * size, v, size);
}

/** Alignment padding: in code, zero bytes up to a word boundary and then NOPs (as GNU as does). */
function emitPad(sec: Section, off: number, len: number, fill: number | null): void {
  if (sec.nobits) return;
  if (fill !== null) {
    sec.data.fill(fill, off, off + len);
    return;
  }
  if (!sec.flags.exec) return;
  for (let at = Math.ceil(off / 4) * 4; at + 4 <= off + len; at += 4) writeLE(sec.data, at, BigInt(NOP), 4);
}

function writeLE(buf: Uint8Array, off: number, v: bigint, size: number): void {
  let u = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    buf[off + i] = Number(u & 0xffn);
    u >>= 8n;
  }
}

// ---------------------------------------------------------------- driver

function isLocalName(name: string): boolean {
  return name.startsWith('.L') || name.includes('\u0002');
}

function collect(a: Assembly, file: string, base: bigint, source: string, opts: AssembleOptions): AsmObject {
  const sections: AsmSection[] = a.sections
    .filter((s) => s.size > 0)
    .map((s) => ({ name: s.name, addr: s.addr, size: s.size, data: s.data, flags: s.flags, nobits: s.nobits, align: s.align }));
  const symbols: AsmSymbol[] = [];
  for (const s of a.syms.map.values()) {
    const v = s.kind === null ? undefined : a.syms.valueOf(s.name);
    if (v === undefined || isLocalName(s.name)) continue;
    symbols.push({
      name: s.name, value: a.absolute(v), section: v.sec === null ? null : a.sections[v.sec]!.name,
      global: s.global, type: s.type,
    });
  }
  const start = a.syms.map.get('_start');
  const startValue = start?.kind ? a.syms.valueOf('_start') : undefined;
  const text = sections.find((s) => s.name === '.text') ?? sections.find((s) => s.flags.exec);
  const entry = startValue !== undefined ? a.absolute(startValue) : text?.addr ?? base;
  return { file, base, entry, sections, symbols, warnings: a.diag.warnings, source, pageSize: opts.pageSize ?? DEFAULT_PAGE };
}

/** Assembles `source`; see src/asm/index.ts for the public contract. */
export function assembleSource(source: string, opts: AssembleOptions = {}): { obj: AsmObject | null; diag: Diagnostics } {
  const file = opts.file ?? 'input.s';
  const base = opts.base ?? DEFAULT_BASE;
  const diag = new Diagnostics(file);
  if (base % 4n !== 0n || base < 0n) {
    diag.error({ line: 1, column: 1 }, `base address 0x${base.toString(16)} is not 4-byte aligned`);
    return { obj: null, diag };
  }
  const stmts = parseProgram(source, diag);
  const a = new Assembly(diag);
  pass1(a, stmts);
  const addrs = layoutSections(a.sections, base, opts.pageSize ?? DEFAULT_PAGE);
  a.sections.forEach((s, i) => (s.addr = addrs[i]!));
  pass2(a);
  if (diag.errors.length > 0) return { obj: null, diag };
  return { obj: collect(a, file, base, source, opts), diag };
}
