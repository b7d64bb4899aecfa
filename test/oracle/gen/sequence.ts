/**
 * One random test sequence: an initial state (x0–x30, NZCV, and the seed of the buffer's
 * contents) plus 5–30 instructions drawn from the data-processing, memory, miscellaneous
 * (PC-relative, literal, barrier, TPIDR_EL0) and forward-branch generators. Everything is a function of (seed, index), so a failing sequence can be
 * regenerated alone.
 */
import { Prng } from './prng.js';
import { type GenCtx, type Unit, CONDS, reg, x, src, pickFree } from './context.js';
import { ALU_GENERATORS } from './alu.js';
import { memoryGenerators } from './mem.js';
import { MISC_GENERATORS } from './misc.js';
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
  const family = ctx.rng.weighted([[58, 'alu'], [34, 'memory'], [8, 'misc']] as const);
  if (family === 'alu') return aluUnit(ctx);
  return ctx.rng.weighted(family === 'memory' ? MEMORY : MISC_GENERATORS)(ctx);
}

const BRANCH_KINDS = [[6, 'b.cond'], [2, 'cbz'], [2, 'cbnz'], [2, 'tbz'], [2, 'tbnz'], [1, 'b'], [1, 'bl'], [1, 'br'], [1, 'blr'], [1, 'ret']] as const;

/** The instructions that jump forward to `label`. */
function branchHead(ctx: GenCtx, label: string): string[] {
  let kind = ctx.rng.weighted(BRANCH_KINDS);
  // BL and BLR write the link register x30, which may be the buffer's base register.
  if ((kind === 'bl' || kind === 'blr') && ctx.reserved.has(30)) kind = 'b';
  const sf = ctx.rng.chance(0.5);
  if (kind === 'b.cond') return [`b.${ctx.rng.pick(CONDS)} ${label}`];
  if (kind === 'b' || kind === 'bl') return [`${kind} ${label}`];
  if (kind === 'cbz' || kind === 'cbnz') return [`${kind} ${reg(sf, src(ctx))}, ${label}`];
  if (kind === 'tbz' || kind === 'tbnz') {
    const bit = ctx.rng.int(64);
    return [`${kind} ${reg(bit >= 32, src(ctx))}, #${bit}, ${label}`];
  }
  const target = pickFree(ctx);
  return [`adr ${x(target)}, ${label}`, `${kind} ${x(target)}`];
}

/** A forward branch (direct, conditional or indirect) over 1–3 plain units. */
function branchUnit(ctx: GenCtx): Unit {
  const skipped = Array.from({ length: ctx.rng.range(1, 3) }, () => plainUnit(ctx));
  const label = ctx.label();
  return { lines: [...branchHead(ctx, label), ...skipped.flatMap((u) => u.lines), `${label}:`], branches: true };
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
