/**
 * Pass 1: walks the statements, tracks each section's location counter, defines labels and
 * assignments, collects literal-pool entries and records a placed Item for everything that
 * emits bytes. Sizes must be known here (`.skip n`, `.align n`), as in GNU as; operand
 * values are not needed, since every instruction is 4 bytes.
 */
import type { SrcPos } from './errors.js';
import type { Directive } from './directives.js';
import { evaluate, linearKey, type Expr } from './expr.js';
import type { PoolEntry } from './literal-pool.js';
import type { Stmt } from './parser.js';
import type { Assembly, InsnStmt, Section } from './state.js';

/** Runs pass 1 over `stmts`, then places each section's remaining literal pool at its end. */
export function pass1(a: Assembly, stmts: readonly Stmt[]): void {
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
      for (const n of d.names) {
        a.syms.get(n).global = d.global;
        a.syms.get(n).local = !d.global;
      }
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
    case 'org':
      placeOrg(a, d, pos);
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

/** `.org target[, fill]`: advances to a section offset (or an address in this section); never backwards. */
function placeOrg(a: Assembly, d: Extract<Directive, { d: 'org' }>, pos: SrcPos): void {
  const sec = a.cur;
  const r = evaluate(d.target, a.syms.env(a.dot()));
  if (!r.ok) {
    a.diag.error(r.pos, r.undefinedSymbol !== undefined ? `${r.message} (.org's target must be known when it is reached)` : r.message);
    return;
  }
  if (r.value.sec !== null && r.value.sec !== sec.index) {
    a.diag.error(pos, `.org target is in another section`);
    return;
  }
  const fill = d.fill === null ? 0n : a.constant(d.fill, 'fill value');
  const target = Number(r.value.v);
  if (target < sec.size) {
    a.diag.error(pos, `.org would move the location counter backwards (from ${sec.size} to ${target})`);
    return;
  }
  if (target - sec.size > 1 << 28) {
    a.diag.error(pos, `.org target ${target} is too far ahead`);
    return;
  }
  if (target > sec.size) a.items.push({ k: 'pad', sec, off: sec.size, len: target - sec.size, fill: Number(BigInt.asUintN(8, fill ?? 0n)) });
  sec.size = target;
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
  if (!d.local && !s.local) s.global = true;
  bss.size += Number(size);
}

