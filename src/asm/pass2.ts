/**
 * Pass 2: with every section at its final address, evaluates expressions and writes the
 * bytes of each Item pass 1 placed: instructions (encoded by isa/encode.ts), data, strings,
 * fills, alignment padding and literal pools.
 */
import type { SrcPos } from './errors.js';
import { evaluate, type Expr, type Value } from './expr.js';
import { encodeInstruction } from './isa/encode.js';
import { Mismatch, RANK_SYMBOL, RANK_VALUE } from './isa/types.js';
import { encodingWarning } from './isa/warnings.js';
import type { Assembly, Item, Section } from './state.js';

const NOP = 0xd503201f;

/** Runs pass 2: allocates section contents and writes every placed Item. */
export function pass2(a: Assembly): void {
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
  const warning = encodingWarning(r.word);
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

