/**
 * Random memory instructions whose addresses always fall inside the scratch buffer: single
 * loads/stores of every size and sign extension in every addressing mode, pairs (LDP/STP/LDPSW/
 * LDNP/STNP), exclusives (LDXR/STXR and acquire/release and pair forms, CLREX), LDAR/STLR, and
 * LSE atomics (CAS/CASP/LD<op>/ST<op>/SWP).
 *
 * Each unit first points a temporary register at `base + target - offset`, so that the access
 * lands on `target` whatever the instruction adds. Rules kept to stay architecturally defined
 * (Arm ARM C6, "CONSTRAINED UNPREDICTABLE behavior" notes of each instruction):
 *  - writeback forms never use the base register as a transfer register (Rt, Rt2 ≠ Rn);
 *  - LDP/LDXP/LDNP never load both halves into one register (Rt ≠ Rt2);
 *  - store-exclusive status registers differ from the data and address registers;
 *  - exclusives pair a load and a store of the same size on the same address with only
 *    data-processing in between, and CLREX before a deliberately unpaired store;
 *  - exclusives, LDAR/STLR and atomics are naturally aligned (pairs to their total size);
 *  - CASP uses even, distinct register pairs.
 */
import {
  type GenCtx, type Unit, reg, x, w, dest, src, pickFree, distinctFree, freePair, withReserved,
} from './context.js';
import { loadConstant } from './values.js';

export const BUFFER_SIZE = 4096;

/** A byte offset in the buffer for an access of `size` bytes, aligned to `align`. */
function target(ctx: GenCtx, size: number, align: number): number {
  const slots = Math.floor((BUFFER_SIZE - size) / align) + 1;
  return ctx.rng.int(slots) * align;
}

/** Lines setting `tmp` = base + delta. */
export function pointAt(ctx: GenCtx, tmp: number, delta: number): string[] {
  if (delta >= 0 && delta < 4096) return [`add ${x(tmp)}, ${x(ctx.base)}, #${delta}`];
  if (delta < 0 && delta > -4096) return [`sub ${x(tmp)}, ${x(ctx.base)}, #${-delta}`];
  return [`mov ${x(tmp)}, #${delta}`, `add ${x(tmp)}, ${x(ctx.base)}, ${x(tmp)}`];
}

interface SingleForm {
  /** Mnemonic root for the scaled/pre/post/register forms (LDUR-style names are derived). */
  readonly op: string;
  readonly size: number;
  readonly load: boolean;
  /** Transfer register width. */
  readonly sf: boolean;
}

const SINGLE_FORMS: readonly SingleForm[] = [
  { op: 'ldrb', size: 1, load: true, sf: false }, { op: 'ldrsb', size: 1, load: true, sf: false },
  { op: 'ldrsb', size: 1, load: true, sf: true }, { op: 'ldrh', size: 2, load: true, sf: false },
  { op: 'ldrsh', size: 2, load: true, sf: false }, { op: 'ldrsh', size: 2, load: true, sf: true },
  { op: 'ldr', size: 4, load: true, sf: false }, { op: 'ldrsw', size: 4, load: true, sf: true },
  { op: 'ldr', size: 8, load: true, sf: true }, { op: 'strb', size: 1, load: false, sf: false },
  { op: 'strh', size: 2, load: false, sf: false }, { op: 'str', size: 4, load: false, sf: false },
  { op: 'str', size: 8, load: false, sf: true },
];

const unscaledName = (op: string): string => op.replace(/^(ld|st)r/, '$1ur');
const log2 = (n: number): number => Math.round(Math.log2(n));

/** A single-register load or store in one of the five addressing modes. */
function singleAccess(ctx: GenCtx): Unit {
  const f = ctx.rng.pick(SINGLE_FORMS);
  const mode = ctx.rng.pick(['scaled', 'unscaled', 'pre', 'post', 'register'] as const);
  const align = ctx.rng.chance(0.2) ? 1 : f.size;
  const at = target(ctx, f.size, align);
  const tmp = pickFree(ctx);
  const writeback = mode === 'pre' || mode === 'post';
  const rt = f.load ? dest(ctx, true, writeback ? [tmp] : []) : pickSource(ctx, writeback ? [tmp] : []);
  const t = reg(f.sf, rt);
  if (mode === 'register') return registerOffset(ctx, f, t, tmp, at);
  const imm9 = ctx.rng.range(-256, 255);
  if (mode === 'scaled') {
    const off = ctx.rng.chance(0.3) ? ctx.rng.pick([0, 4095]) * f.size : ctx.rng.int(4096) * f.size;
    return { lines: [...pointAt(ctx, tmp, at - off), `${f.op} ${t}, [${x(tmp)}, #${off}]`] };
  }
  if (mode === 'unscaled') return { lines: [...pointAt(ctx, tmp, at - imm9), `${unscaledName(f.op)} ${t}, [${x(tmp)}, #${imm9}]`] };
  if (mode === 'pre') return { lines: [...pointAt(ctx, tmp, at - imm9), `${f.op} ${t}, [${x(tmp)}, #${imm9}]!`] };
  return { lines: [...pointAt(ctx, tmp, at), `${f.op} ${t}, [${x(tmp)}], #${imm9}`] };
}

/** A register to store from: any readable one (or ZR), but not in `exclude`. */
function pickSource(ctx: GenCtx, exclude: readonly number[]): number {
  for (;;) {
    const r = src(ctx);
    if (!exclude.includes(r)) return r;
  }
}

/** `[tmp, index{, extend/shift}]`, with the index register set to a small known value. */
function registerOffset(ctx: GenCtx, f: SingleForm, t: string, tmp: number, at: number): Unit {
  const idx = pickFree(ctx, [tmp]);
  const ext = ctx.rng.pick(['lsl', 'uxtw', 'sxtw', 'sxtx'] as const);
  const shift = ctx.rng.chance(0.5) && f.size > 1 ? log2(f.size) : 0;
  const v = ext === 'uxtw' ? ctx.rng.int(65) : ctx.rng.range(-64, 64);
  const garbage = BigInt(ctx.rng.u32()) << 32n;
  const value = ext === 'uxtw' || ext === 'sxtw' ? garbage | (BigInt(v) & 0xffffffffn) : BigInt(v);
  const index = ext === 'lsl' || ext === 'sxtx' ? x(idx) : w(idx);
  const amount = shift > 0 ? ` #${shift}` : '';
  const operand = ext === 'lsl' ? (shift > 0 ? `${index}, lsl #${shift}` : index) : `${index}, ${ext}${amount}`;
  return {
    lines: [...loadConstant(x(idx), value), ...pointAt(ctx, tmp, at - v * (1 << shift)), `${f.op} ${t}, [${x(tmp)}, ${operand}]`],
  };
}

/** LDP/STP/LDPSW/LDNP/STNP. */
function pairAccess(ctx: GenCtx): Unit {
  const kind = ctx.rng.pick(['ldp', 'stp', 'ldpsw', 'ldnp', 'stnp'] as const);
  const sf = kind === 'ldpsw' || ctx.rng.chance(0.5);
  const elem = kind === 'ldpsw' ? 4 : sf ? 8 : 4;
  const mode = kind.endsWith('np') ? 'offset' : ctx.rng.pick(['offset', 'pre', 'post'] as const);
  const at = target(ctx, 2 * elem, ctx.rng.chance(0.15) ? 1 : elem);
  const imm = ctx.rng.range(-64, 63) * elem;
  const tmp = pickFree(ctx);
  const writeback = mode !== 'offset';
  const load = kind.startsWith('ld');
  const [r1, r2] = load
    ? distinctFree(ctx, 2, writeback ? [tmp] : [])
    : [pickSource(ctx, writeback ? [tmp] : []), pickSource(ctx, writeback ? [tmp] : [])];
  const regs = `${reg(sf, r1!)}, ${reg(sf, r2!)}`;
  if (mode === 'offset') return { lines: [...pointAt(ctx, tmp, at - imm), `${kind} ${regs}, [${x(tmp)}, #${imm}]`] };
  if (mode === 'pre') return { lines: [...pointAt(ctx, tmp, at - imm), `${kind} ${regs}, [${x(tmp)}, #${imm}]!`] };
  return { lines: [...pointAt(ctx, tmp, at), `${kind} ${regs}, [${x(tmp)}], #${imm}`] };
}

const SIZE_SUFFIX: Readonly<Record<number, string>> = { 1: 'b', 2: 'h', 4: '', 8: '' };

/**
 * An exclusive load, up to two data-processing units, and the matching exclusive store; or
 * CLREX followed by a store-exclusive that must fail.
 */
function exclusive(ctx: GenCtx, between: (ctx: GenCtx) => Unit): Unit {
  const pair = ctx.rng.chance(0.3);
  const size = pair ? ctx.rng.pick([4, 8]) : ctx.rng.pick([1, 2, 4, 8]);
  const sf = size === 8;
  const total = pair ? 2 * size : size;
  const tmp = pickFree(ctx);
  const lines = pointAt(ctx, tmp, target(ctx, total, total));
  const acq = ctx.rng.chance(0.5) ? 'a' : '';
  const rel = ctx.rng.chance(0.5) ? 'l' : '';
  const sfx = pair ? 'p' : `r${SIZE_SUFFIX[size]}`;
  return withReserved(ctx, [tmp], () => {
    if (ctx.rng.chance(0.15)) {
      lines.push('clrex');
    } else {
      const loaded = distinctFree(ctx, pair ? 2 : 1);
      lines.push(`ld${acq}x${sfx} ${loaded.map((r) => reg(sf, r)).join(', ')}, [${x(tmp)}]`);
      for (let k = ctx.rng.int(3); k > 0; k--) lines.push(...between(ctx).lines);
    }
    const stored = pair ? [src(ctx), src(ctx)] : [src(ctx)];
    const status = pickFree(ctx, stored);
    lines.push(`st${rel}x${sfx} ${w(status)}, ${stored.map((r) => reg(sf, r)).join(', ')}, [${x(tmp)}]`);
    return { lines };
  });
}

/** LDAR/STLR of every size. */
function acquireRelease(ctx: GenCtx): Unit {
  const size = ctx.rng.pick([1, 2, 4, 8]);
  const tmp = pickFree(ctx);
  const load = ctx.rng.chance(0.5);
  const rt = load ? dest(ctx) : src(ctx);
  const op = `${load ? 'ldar' : 'stlr'}${SIZE_SUFFIX[size]}`;
  return { lines: [...pointAt(ctx, tmp, target(ctx, size, size)), `${op} ${reg(size === 8, rt)}, [${x(tmp)}]`] };
}

const LSE_OPS = ['add', 'clr', 'eor', 'set', 'smax', 'smin', 'umax', 'umin'] as const;
const ORDERS = ['', 'a', 'l', 'al'] as const;

/** LSE atomics: LD<op>, ST<op>, SWP, CAS, CASP. */
function atomic(ctx: GenCtx): Unit {
  const kind = ctx.rng.weighted([[5, 'ld'], [2, 'st'], [2, 'swp'], [3, 'cas'], [2, 'casp']] as const);
  if (kind === 'casp') return compareAndSwapPair(ctx);
  const size = ctx.rng.pick([1, 2, 4, 8]);
  const sf = size === 8;
  const tmp = pickFree(ctx);
  const lines = pointAt(ctx, tmp, target(ctx, size, size));
  const order = ctx.rng.pick(ORDERS);
  const sfx = SIZE_SUFFIX[size]!;
  const mem = `[${x(tmp)}]`;
  if (kind === 'ld') lines.push(`ld${ctx.rng.pick(LSE_OPS)}${order}${sfx} ${reg(sf, src(ctx))}, ${reg(sf, dest(ctx))}, ${mem}`);
  if (kind === 'st') lines.push(`st${ctx.rng.pick(LSE_OPS)}${ctx.rng.pick(['', 'l'])}${sfx} ${reg(sf, src(ctx))}, ${mem}`);
  if (kind === 'swp') lines.push(`swp${order}${sfx} ${reg(sf, src(ctx))}, ${reg(sf, dest(ctx))}, ${mem}`);
  if (kind === 'cas') {
    const rs = pickFree(ctx, [tmp]);
    if (ctx.rng.chance(0.5)) lines.push(`${size === 8 ? 'ldr' : `ldr${sfx}`} ${reg(sf, rs)}, ${mem}`);
    lines.push(`cas${order}${sfx} ${reg(sf, rs)}, ${reg(sf, src(ctx))}, ${mem}`);
  }
  return { lines };
}

/** CASP on an even register pair, half the time preloaded so that the compare succeeds. */
function compareAndSwapPair(ctx: GenCtx): Unit {
  const sf = ctx.rng.chance(0.5);
  const elem = sf ? 8 : 4;
  const tmp = pickFree(ctx);
  const lines = pointAt(ctx, tmp, target(ctx, 2 * elem, 2 * elem));
  const rs = freePair(ctx, [tmp]);
  const rt = 2 * ctx.rng.int(15);
  const pairOf = (r: number): string => `${reg(sf, r)}, ${reg(sf, r + 1)}`;
  if (ctx.rng.chance(0.5)) lines.push(`ldp ${pairOf(rs)}, [${x(tmp)}]`);
  lines.push(`casp${ctx.rng.pick(ORDERS)} ${pairOf(rs)}, ${pairOf(rt === rs ? (rt + 2) % 30 : rt)}, [${x(tmp)}]`);
  return { lines };
}

/** Memory generators and their relative weights; `between` makes the filler inside exclusives. */
export function memoryGenerators(between: (ctx: GenCtx) => Unit): readonly (readonly [number, (ctx: GenCtx) => Unit])[] {
  return [
    [14, singleAccess], [6, pairAccess], [4, (ctx) => exclusive(ctx, between)], [3, acquireRelease], [8, atomic],
  ];
}

