/**
 * Fuzzer throughput (issue "Live isolation checks…", item 6), against the correct KCore, wall
 * clock, over the fuzzing time (the world's preparation — booting SeKVM and two VMs, taking the
 * snapshot — is printed apart):
 *
 *  - every kind of command (`sekvm-sim fuzz`'s default), `--jobs 1` and `--jobs 2`: steps
 *    (commands) per second; checked hypercalls per second — host hypercalls into KCore and VM
 *    hypercalls (the HVC exits KCore takes: pvops, PSCI), each followed by the incremental
 *    invariant checks, shown apart and summed; checked KCore entries per second (host
 *    hypercalls, host stage-2 faults and every VM exit);
 *  - the hypercall interface alone (`--commands hvc,par`: host hypercalls with hostile
 *    arguments, singly and in concurrent pairs on the two pCPUs), `--jobs 1` and `--jobs 2`;
 *  - the hypercall interface's same first RAM_SEQUENCES sequences at 64 MiB and at 2 GiB of RAM
 *    (32 times the pages), twice each, alternating (the best of each): time per step, to show the
 *    checking cost per step does not grow with the number of pages.
 *
 * The figures depend on what else the machine is doing (the load average is printed).
 */
import { loadavg } from 'node:os';
import { runParallel } from '../fuzz/parallel.js';
import type { CmdKind } from '../fuzz/commands.js';
import type { CampaignResult } from '../fuzz/campaign.js';

const SECONDS = 20;
const RAM_SEQUENCES = 20_000;
const HYPERCALLS: readonly CmdKind[] = ['hvc', 'par'];

export interface FuzzFigures {
  /** 'all' (every kind of command) or the kinds drawn, comma-separated. */
  readonly commands: string;
  readonly jobs: number;
  readonly ramMiB: number;
  readonly stepsPerSec: number;
  /** Host hypercalls (KServ → KCore), each followed by the incremental check. */
  readonly hypercallsPerSec: number;
  /** VM hypercalls (HVC exits KCore took: pvops, PSCI), each followed by the incremental check. */
  readonly guestHypercallsPerSec: number;
  readonly kcoreEntriesPerSec: number;
  /** Microseconds of one worker's time per step. */
  readonly usPerStep: number;
  readonly prepareSec: number;
}

async function measure(commands: readonly CmdKind[] | null, jobs: number, ramMiB: number, iterations?: number): Promise<{ r: CampaignResult; f: FuzzFigures }> {
  const r = await runParallel({
    // (a fixed number of sequences: the time is only a cap)
    seed: 100, timeMs: (iterations ? 600 : SECONDS) * 1000, jobs, shard: { k: 0, n: 1 }, stopOnFailure: false, ramMiB,
    ...(commands ? { commands } : {}), ...(iterations ? { iterations } : {}),
  });
  const secs = (r.elapsedMs - r.prepareMs) / 1000;
  const f: FuzzFigures = {
    commands: commands ? commands.join(',') : 'all', jobs, ramMiB,
    stepsPerSec: r.steps / secs, hypercallsPerSec: r.hypercalls / secs, guestHypercallsPerSec: r.guestHypercalls / secs, kcoreEntriesPerSec: r.kcoreEntries / secs,
    usPerStep: (secs * jobs * 1e6) / r.steps, prepareSec: r.prepareMs / 1000,
  };
  return { r, f };
}

function describe(r: CampaignResult, f: FuzzFigures): string {
  const perCore = (x: number): string => (f.jobs > 1 ? ` (${(x / f.jobs).toFixed(0)} per core)` : '');
  const all = f.hypercallsPerSec + f.guestHypercallsPerSec;
  const what = f.commands === 'all' ? 'fuzz' : `fuzz --commands ${f.commands}`;
  return `${what} --jobs ${f.jobs}${f.ramMiB !== 64 ? ` --ram ${f.ramMiB}` : ''}: ${r.sequences} sequences, ${r.steps} steps in ` +
    `${((r.elapsedMs - r.prepareMs) / 1000).toFixed(1)} s (+ ${f.prepareSec.toFixed(1)} s preparing the world), ${r.failures.length} failures\n` +
    `  ${f.stepsPerSec.toFixed(0)} steps/s${perCore(f.stepsPerSec)}, ${f.usPerStep.toFixed(1)} us per step\n` +
    `  checked hypercalls/s: host ${f.hypercallsPerSec.toFixed(0)}${perCore(f.hypercallsPerSec)}, VMs ${f.guestHypercallsPerSec.toFixed(0)}${perCore(f.guestHypercallsPerSec)}, ` +
    `both ${all.toFixed(0)}${perCore(all)}\n` +
    `  checked KCore entries/s (host hypercalls, host stage-2 faults, VM exits): ${f.kcoreEntriesPerSec.toFixed(0)}${perCore(f.kcoreEntriesPerSec)}`;
}

export async function benchFuzz(log: (line: string) => void): Promise<FuzzFigures[]> {
  const out: FuzzFigures[] = [];
  log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores)`);
  const runs: [readonly CmdKind[] | null, number][] = [[null, 1], [null, 2], [HYPERCALLS, 1], [HYPERCALLS, 2]];
  for (const [commands, jobs] of runs) {
    const { r, f } = await measure(commands, jobs, 64);
    out.push(f);
    log(describe(r, f));
  }
  const best = new Map<number, FuzzFigures>();
  for (const ramMiB of [64, 2048, 64, 2048]) {
    const { f } = await measure(HYPERCALLS, 1, ramMiB, RAM_SEQUENCES);
    if (!best.has(ramMiB) || f.usPerStep < best.get(ramMiB)!.usPerStep) best.set(ramMiB, f);
  }
  const small = best.get(64)!, big = best.get(2048)!;
  out.push(small, big);
  log(`fuzz --commands hvc,par, the first ${RAM_SEQUENCES} sequences at 64 MiB and at 2048 MiB of RAM (32x the pages), best of two each: ` +
    `${small.usPerStep.toFixed(1)} -> ${big.usPerStep.toFixed(1)} us per step (${big.usPerStep >= small.usPerStep ? '+' : ''}${((big.usPerStep / small.usPerStep - 1) * 100).toFixed(0)} %; ` +
    `world preparation ${small.prepareSec.toFixed(1)} s -> ${big.prepareSec.toFixed(1)} s)`);
  return out;
}
