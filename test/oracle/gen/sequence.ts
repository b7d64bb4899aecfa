/**
 * One random test sequence: an initial state (x0–x30, NZCV, and the seed of the buffer's
 * contents) plus 5–30 instructions drawn from the data-processing, memory and forward-branch
 * generators. Everything is a function of (seed, index), so a failing sequence can be
 * regenerated alone.
 */
import { Prng } from './prng.js';
import { type GenCtx, type Unit, CONDS, reg, src } from './context.js';
import { ALU_GENERATORS } from './alu.js';
import { memoryGenerators } from './mem.js';
import { edgeValue } from './values.js';

export interface Sequence {
  /** Index within the whole run (also in the dump record). */
  readonly index: number;
  /** The register that holds the buffer address. */
  readonly base: number;
  /** Initial x0..x30 (the base register's entry is replaced by the buffer address). */
  readonly init: readonly bigint[];
  /** Initial NZCV in bits 3..0 (N=8, Z=4, C=2, V=1). */
  readonly nzcv: number;
  /** Seed of the buffer-filling generator run before the sequence. */
  readonly bufferSeed: bigint;
  /** The body. */
  readonly units: readonly Unit[];
}

const aluUnit = (ctx: GenCtx): Unit => ctx.rng.weighted(ALU_GENERATORS)(ctx);
const MEMORY = memoryGenerators(aluUnit);

/** Any unit other than a branch. */
function plainUnit(ctx: GenCtx): Unit {
  return ctx.rng.chance(0.62) ? aluUnit(ctx) : ctx.rng.weighted(MEMORY)(ctx);
}

/** A forward branch over 1–3 plain units. */
function branchUnit(ctx: GenCtx): Unit {
  const skipped = Array.from({ length: ctx.rng.range(1, 3) }, () => plainUnit(ctx));
  const label = ctx.label();
  const sf = ctx.rng.chance(0.5);
  const kind = ctx.rng.pick(['b.cond', 'cbz', 'cbnz', 'tbz', 'tbnz', 'b'] as const);
  let head: string;
  if (kind === 'b.cond') head = `b.${ctx.rng.pick(CONDS)} ${label}`;
  else if (kind === 'b') head = `b ${label}`;
  else if (kind === 'cbz' || kind === 'cbnz') head = `${kind} ${reg(sf, src(ctx))}, ${label}`;
  else {
    const bit = ctx.rng.int(64);
    head = `${kind} ${reg(bit >= 32, src(ctx))}, #${bit}, ${label}`;
  }
  return { lines: [head, ...skipped.flatMap((u) => u.lines), `${label}:`], branches: true };
}

/** Number of instructions (not labels) in some lines. */
export function countInstructions(lines: readonly string[]): number {
  return lines.filter((l) => !l.endsWith(':')).length;
}

/** The sequence with this index in the run seeded by `seed`. */
export function generateSequence(seed: string, index: number): Sequence {
  const rng = new Prng(`${seed}/${index}`);
  const base = rng.int(31);
  let labels = 0;
  const ctx: GenCtx = { rng, base, reserved: new Set([base]), label: () => `.Ls${index}_${labels++}` };
  const init = Array.from({ length: 31 }, () => edgeValue(rng));
  const nzcv = rng.int(16);
  const bufferSeed = rng.u64();
  const goal = rng.range(5, 30);
  const units: Unit[] = [];
  let count = 0;
  while (count < goal) {
    const unit = rng.chance(0.1) ? branchUnit(ctx) : plainUnit(ctx);
    units.push(unit);
    count += countInstructions(unit.lines);
  }
  return { index, base, init, nzcv, bufferSeed, units };
}
