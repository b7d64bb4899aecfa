/**
 * What instruction generators share: the PRNG, which registers they may write, register and
 * condition names, and the unit of generated code.
 *
 * Register rules that keep every sequence architecturally defined and inside the buffer:
 *  - `base` points at the scratch buffer for the whole sequence and is never written;
 *  - registers in `reserved` (e.g. an exclusive pair's address register) are not written
 *    either while a unit that depends on them is being generated;
 *  - sp (and register 31 where it means sp) is never used by generated instructions.
 */
import type { Prng } from './prng.js';

/** A group of instructions that must run together (e.g. address setup plus the access). */
export interface Unit {
  /** Assembly lines: instructions, plus local labels ending in ':'. */
  readonly lines: readonly string[];
  /** True for units that branch, which must not be skipped over by another branch. */
  readonly branches?: boolean;
}

export interface GenCtx {
  readonly rng: Prng;
  /** The register holding the buffer's address. */
  readonly base: number;
  /** Registers that must not be written (always includes `base`). */
  readonly reserved: Set<number>;
  /** A fresh assembler label. */
  label(): string;
}

export const ZR = 31;

export const CONDS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'] as const;
/** Conditions usable by aliases (CSET, CINC, ...) that invert them: not AL or NV. */
export const INVERTIBLE_CONDS = CONDS.slice(0, 14);

/** `x5`, `w5`, `xzr`, `wzr`. */
export function reg(sf: boolean, n: number): string {
  if (n === ZR) return sf ? 'xzr' : 'wzr';
  return `${sf ? 'x' : 'w'}${n}`;
}

export const x = (n: number): string => reg(true, n);
export const w = (n: number): string => reg(false, n);

/** A register the unit may write (never `base` or a reserved one); 31 (ZR) with small probability if allowed. */
export function dest(ctx: GenCtx, zrOk = true, exclude: readonly number[] = []): number {
  if (zrOk && ctx.rng.chance(0.04)) return ZR;
  return pickFree(ctx, exclude);
}

/** A register the unit may read: any of x0..x30, or 31 (ZR) sometimes if allowed. */
export function src(ctx: GenCtx, zrOk = true): number {
  if (zrOk && ctx.rng.chance(0.05)) return ZR;
  return ctx.rng.int(31);
}

/** A writable register not in `exclude`. */
export function pickFree(ctx: GenCtx, exclude: readonly number[] = []): number {
  const free: number[] = [];
  for (let r = 0; r <= 30; r++) if (!ctx.reserved.has(r) && !exclude.includes(r)) free.push(r);
  return ctx.rng.pick(free);
}

/** `count` distinct writable registers, none in `exclude`. */
export function distinctFree(ctx: GenCtx, count: number, exclude: readonly number[] = []): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(pickFree(ctx, [...exclude, ...out]));
  return out;
}

/** An even register n (so n, n+1 form a CASP pair) with both halves writable and not excluded. */
export function freePair(ctx: GenCtx, exclude: readonly number[] = []): number {
  const free: number[] = [];
  for (let r = 0; r <= 28; r += 2) {
    const ok = [r, r + 1].every((q) => !ctx.reserved.has(q) && !exclude.includes(q));
    if (ok) free.push(r);
  }
  return ctx.rng.pick(free);
}

/** Runs `gen` with `regs` temporarily reserved. */
export function withReserved<T>(ctx: GenCtx, regs: readonly number[], gen: () => T): T {
  const added = regs.filter((r) => !ctx.reserved.has(r));
  added.forEach((r) => ctx.reserved.add(r));
  try {
    return gen();
  } finally {
    added.forEach((r) => ctx.reserved.delete(r));
  }
}

/** A valid logical (bitmask) immediate for a 32- or 64-bit operation (DecodeBitMasks, arm.md §8). */
export function bitmaskImmediate(ctx: GenCtx, sf: boolean): bigint {
  const size = sf ? 64 : 32;
  const esize = ctx.rng.pick([2, 4, 8, 16, 32, 64].filter((e) => e <= size));
  const ones = ctx.rng.range(1, esize - 1);
  const rot = ctx.rng.int(esize);
  const emask = (1n << BigInt(esize)) - 1n;
  const run = (1n << BigInt(ones)) - 1n;
  const element = ((run >> BigInt(rot)) | (run << BigInt(esize - rot))) & emask;
  let value = 0n;
  for (let i = 0; i < size; i += esize) value |= element << BigInt(i);
  return value;
}
