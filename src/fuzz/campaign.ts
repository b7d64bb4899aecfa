/**
 * A fuzzing campaign: fast-check generates command sequences (src/fuzz/commands.ts), each runs
 * against a freshly restored world with every check after every step (src/fuzz/run.ts), and the
 * first failing sequence is shrunk by fast-check to a minimal one and written as a JSON
 * reproducer that `sekvm-sim replay` re-runs.
 *
 * Determinism: a round is a function of (its fast-check seed, the world's interleaving seed, the
 * injected bugs). Rounds of a campaign use seeds base + r·n + k for shard k of n, so shards
 * never repeat each other's seeds and results merge by seed.
 */
import fc from 'fast-check';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FuzzWorld, DEFAULT_RAM_MIB } from './world.js';
import { type Cmd, type CmdKind, sequenceArb, describeCmd } from './commands.js';
import { runSequence, newCoverage, type Coverage, type Finding } from './run.js';
import type { KcoreBug } from '../kcore/kcore.js';

export interface CampaignOptions {
  readonly seed: number;
  /** Stop after this long (ms) or this many sequences, whichever comes first. */
  readonly timeMs: number;
  readonly iterations?: number;
  /** Stop once this many steps (commands) have run. */
  readonly maxSteps?: number;
  readonly bugs?: readonly KcoreBug[];
  /** This campaign is shard k of n (default 0 of 1). */
  readonly shard?: { readonly k: number; readonly n: number };
  /** Longest generated sequence (default 24). */
  readonly maxLength?: number;
  /** Sequences per fast-check round (default 100). */
  readonly roundSize?: number;
  /** Write reproducers here. */
  readonly outDir?: string;
  /** Stop at the first failure (default true). */
  readonly stopOnFailure?: boolean;
  readonly onProgress?: (p: Progress) => void;
  readonly switchProbability?: number;
  /** The kinds of command to draw (default all: commands.ts CMD_KINDS). */
  readonly commands?: readonly CmdKind[];
  /** The simulated machine's RAM (default FuzzWorld's, 64 MiB). */
  readonly ramMiB?: number;
}

export interface Progress {
  readonly elapsedMs: number;
  /** Of elapsedMs, the time spent preparing the world (booting SeKVM and its VMs, the snapshot). */
  readonly prepareMs: number;
  readonly sequences: number;
  readonly steps: number;
  readonly hypercalls: number;
  /** Checked VM hypercalls (SequenceResult.guestHypercalls). */
  readonly guestHypercalls: number;
  /** Checked KCore entries (SequenceResult.kcoreEntries). */
  readonly kcoreEntries: number;
  readonly failures: number;
  readonly pairs: number;
  readonly checks: number;
  /** Distinct KCore effects seen (Coverage.effects). */
  readonly effects: number;
}

export interface Reproducer {
  readonly format: 'sekvm-sim fuzz reproducer';
  readonly version: 1;
  /** fast-check seed of the round that found it. */
  readonly seed: number;
  /** The world's interleaving seed (the scheduler's). */
  readonly interleaveSeed: number;
  readonly bugs: readonly KcoreBug[];
  readonly switchProbability: number;
  /** The machine's RAM in MiB (absent in files written before it could change: 64). */
  readonly ramMiB?: number;
  readonly finding: Finding;
  readonly commands: readonly Cmd[];
  /** The commands in words, for people. */
  readonly steps: readonly string[];
}

export interface Failure {
  readonly reproducer: Reproducer;
  readonly path: string | null;
  /** Time from the campaign's start to the shrunk reproducer. */
  readonly foundAfterMs: number;
}

export interface CampaignResult extends Omit<Progress, 'failures'> {
  readonly failures: readonly Failure[];
  readonly coverage: Coverage;
}

/** The world's interleaving seed for a campaign seed. */
export function interleaveSeedOf(seed: number): number {
  return (seed * 2654435761) >>> 0 || 1;
}

export function runCampaign(opts: CampaignOptions): CampaignResult {
  const t0 = Date.now();
  const shard = opts.shard ?? { k: 0, n: 1 };
  const switchProbability = opts.switchProbability ?? 0.5;
  const world = new FuzzWorld({ ...(opts.bugs ? { bugs: opts.bugs } : {}), switchProbability, ...(opts.ramMiB !== undefined ? { ramMiB: opts.ramMiB } : {}) });
  const prepareMs = Date.now() - t0;
  const cov = newCoverage();
  const failures: Failure[] = [];
  let sequences = 0;
  let steps = 0;
  let hypercalls = 0;
  let guestHypercalls = 0;
  let kcoreEntries = 0;
  let lastProgress = 0;
  const progress = (): Progress => ({
    elapsedMs: Date.now() - t0, prepareMs, sequences, steps, hypercalls, guestHypercalls, kcoreEntries, failures: failures.length, pairs: cov.pairs.size, checks: cov.checks.size, effects: cov.effects.size,
  });
  const roundSize = opts.roundSize ?? 100;
  const arb = sequenceArb(opts.maxLength ?? 24, opts.commands);
  for (let round = 0; ; round++) {
    const left = opts.timeMs - (Date.now() - t0);
    if (left <= 0) break;
    if (opts.iterations !== undefined && sequences >= opts.iterations) break;
    if (opts.maxSteps !== undefined && steps >= opts.maxSteps) break;
    const seed = opts.seed + round * shard.n + shard.k;
    const iseed = interleaveSeedOf(seed);
    const numRuns = opts.iterations !== undefined ? Math.min(roundSize, opts.iterations - sequences) : roundSize;
    let shrinking = false;
    const r = fc.check(
      fc.property(arb, (cmds) => {
        if (!shrinking && opts.maxSteps !== undefined && steps >= opts.maxSteps) return true;
        const res = runSequence(world, cmds, iseed, shrinking ? undefined : cov);
        if (!shrinking) {
          sequences++;
          steps += res.steps;
          hypercalls += res.hypercalls;
          guestHypercalls += res.guestHypercalls;
          kcoreEntries += res.kcoreEntries;
          if (opts.onProgress && Date.now() - lastProgress > 2000) {
            lastProgress = Date.now();
            opts.onProgress(progress());
          }
        }
        if (res.finding !== null) shrinking = true;
        return res.finding === null;
      }),
      { seed, numRuns, interruptAfterTimeLimit: Math.max(1000, left), markInterruptAsFailure: false },
    );
    if (r.failed && r.counterexample !== null) {
      const cmds = unpair(world, r.counterexample[0] as Cmd[], iseed);
      // Run the shrunk sequence once more: its own finding (shrinking may have changed which).
      const res = runSequence(world, cmds, iseed);
      if (res.finding !== null) {
        const used = cmds.slice(0, res.steps);
        const rep: Reproducer = {
          format: 'sekvm-sim fuzz reproducer', version: 1, seed, interleaveSeed: iseed, bugs: opts.bugs ?? [], switchProbability,
          ...(opts.ramMiB !== undefined && opts.ramMiB !== DEFAULT_RAM_MIB ? { ramMiB: opts.ramMiB } : {}),
          finding: res.finding, commands: used, steps: used.map((c) => describeCmd(c, (nr) => world.hvcName(nr))),
        };
        let path: string | null = null;
        if (opts.outDir) {
          mkdirSync(opts.outDir, { recursive: true });
          path = join(opts.outDir, `repro-${(opts.bugs ?? []).join('+') || 'kcore'}-${seed}.json`);
          writeFileSync(path, JSON.stringify(rep, null, 2) + '\n');
        }
        failures.push({ reproducer: rep, path, foundAfterMs: Date.now() - t0 });
        if (opts.stopOnFailure ?? true) break;
      }
    }
    if (r.interrupted) break;
  }
  return { ...progress(), failures, coverage: cov };
}

/**
 * What fast-check's shrinking cannot do: a concurrent pair ('par') shrinks half by half but never
 * into one of its halves. Each pair is replaced by its first half alone, then its second, where
 * the same invariant (or check) still fails — so a reproducer keeps a pair only when the race
 * is the finding.
 */
function unpair(world: FuzzWorld, cmds: Cmd[], iseed: number): Cmd[] {
  const name = runSequence(world, cmds, iseed).finding?.name;
  if (name === undefined) return cmds;
  let out = cmds;
  for (let i = 0; i < out.length; i++) {
    const c = out[i]!;
    if (c.t !== 'par') continue;
    for (const half of [c.a, c.b]) {
      const tried = [...out.slice(0, i), half, ...out.slice(i + 1)];
      const res = runSequence(world, tried, iseed);
      if (res.finding?.name === name) { out = tried.slice(0, res.steps); break; }
    }
  }
  return out;
}

/** Re-runs a reproducer; `onStep` sees each command before it runs. */
export function replay(rep: Reproducer, onStep?: (i: number, c: Cmd, text: string) => void, trace?: FuzzWorld['traceHook']): { finding: Finding | null; world: FuzzWorld } {
  const world = new FuzzWorld({ bugs: rep.bugs, switchProbability: rep.switchProbability, ramMiB: rep.ramMiB ?? DEFAULT_RAM_MIB });
  if (trace) world.traceHook = trace;
  const res = runSequence(world, rep.commands, rep.interleaveSeed, undefined, (i, c) => onStep?.(i, c, describeCmd(c, (nr) => world.hvcName(nr))));
  return { finding: res.finding, world };
}
