/**
 * Random instructions that are neither plain data-processing nor buffer accesses: PC-relative
 * address generation (ADR/ADRP), literal loads and prefetches, barriers and the hints whose
 * effect is architecturally fixed, and the EL0 thread register TPIDR_EL0.
 *
 * PC-relative results are the same under every runner because both load the same static ELF
 * at its linked address. Literal loads read forward into the program's own code, at most 128
 * bytes ahead, which always exists (each sequence ends with a dump call, and the routines
 * follow the last one). Prefetches may name any address: PRFM never faults.
 * Hints are limited to NOP, YIELD and CSDB: other hint encodings are PAC/BTI/... instructions
 * on a CPU that has those features (qemu's -cpu max does), which would make the oracle's
 * answer depend on optional features.
 */
import { type GenCtx, type Unit, reg, x, dest, src } from './context.js';

const one = (...lines: string[]): Unit => ({ lines });

function pcRelative(ctx: GenCtx): Unit {
  if (ctx.rng.chance(0.5)) return one(`adr ${x(dest(ctx, false))}, . + ${ctx.rng.range(-(1 << 20), (1 << 20) - 1)}`);
  return one(`adrp ${x(dest(ctx, false))}, . + ${ctx.rng.range(-(1 << 19), (1 << 19) - 1) * 4096}`);
}

function literalLoad(ctx: GenCtx): Unit {
  const offset = 4 * ctx.rng.range(1, 32);
  const form = ctx.rng.pick(['w', 'x', 'sw', 'prfm'] as const);
  if (form === 'prfm') return one(`prfm ${ctx.rng.pick(['pldl1keep', 'pldl2strm', 'pstl1keep', 'plil3keep'])}, . + ${offset}`);
  const d = dest(ctx);
  if (form === 'sw') return one(`ldrsw ${x(d)}, . + ${offset}`);
  return one(`ldr ${reg(form === 'x', d)}, . + ${offset}`);
}

function prefetch(ctx: GenCtx): Unit {
  const op = ctx.rng.pick(['pldl1keep', 'pldl1strm', 'pldl3keep', 'pstl2keep', 'plil1strm']);
  return ctx.rng.chance(0.5)
    ? one(`prfm ${op}, [${x(src(ctx, false))}, #${8 * ctx.rng.int(4096)}]`)
    : one(`prfum ${op}, [${x(src(ctx, false))}, #${ctx.rng.range(-256, 255)}]`);
}

const BARRIER_OPTIONS = ['sy', 'st', 'ld', 'ish', 'ishst', 'ishld', 'nsh', 'nshst', 'nshld', 'osh', 'oshst', 'oshld'] as const;

function barrierOrHint(ctx: GenCtx): Unit {
  const kind = ctx.rng.pick(['dmb', 'dsb', 'isb', 'nop', 'yield', 'csdb'] as const);
  if (kind === 'dmb' || kind === 'dsb') return one(`${kind} ${ctx.rng.pick(BARRIER_OPTIONS)}`);
  return one(kind);
}

/** A write of TPIDR_EL0 followed by a read, so no read sees the loader's initial value. */
function threadRegister(ctx: GenCtx): Unit {
  return one(`msr tpidr_el0, ${x(src(ctx))}`, `mrs ${x(dest(ctx, false))}, tpidr_el0`);
}

/** Generators of this module and their relative weights. */
export const MISC_GENERATORS: readonly (readonly [number, (ctx: GenCtx) => Unit])[] = [
  [3, pcRelative], [2, literalLoad], [1, prefetch], [2, barrierOrHint], [1, threadRegister],
];
