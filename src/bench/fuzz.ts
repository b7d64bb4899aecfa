/**
 * Fuzzer throughput (issue "Live isolation checks…", item 6): steps (commands) per second;
 * checked hypercalls per second — host hypercalls into KCore and VM hypercalls (the HVC exits
 * KCore takes: pvops, PSCI), each followed by the incremental invariant checks, shown apart and
 * summed — and checked KCore entries per second (host hypercalls, host stage-2 faults and every
 * VM exit), with one worker thread and with two, against the correct KCore. Wall clock;
 * the figures depend on what else the machine is doing (the load average is printed).
 */
import { loadavg } from 'node:os';
import { runParallel } from '../fuzz/parallel.js';

const SECONDS = 20;

export interface FuzzFigures {
  readonly jobs: number;
  readonly stepsPerSec: number;
  /** Host hypercalls (KServ → KCore), each followed by the incremental check. */
  readonly hypercallsPerSec: number;
  /** VM hypercalls (HVC exits KCore took: pvops, PSCI), each followed by the incremental check. */
  readonly guestHypercallsPerSec: number;
  readonly kcoreEntriesPerSec: number;
}

export async function benchFuzz(log: (line: string) => void): Promise<FuzzFigures[]> {
  const out: FuzzFigures[] = [];
  log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores)`);
  for (const jobs of [1, 2]) {
    const r = await runParallel({ seed: 100, timeMs: SECONDS * 1000, jobs, shard: { k: 0, n: 1 }, stopOnFailure: false });
    const secs = r.elapsedMs / 1000;
    const f: FuzzFigures = {
      jobs, stepsPerSec: r.steps / secs, hypercallsPerSec: r.hypercalls / secs, guestHypercallsPerSec: r.guestHypercalls / secs, kcoreEntriesPerSec: r.kcoreEntries / secs,
    };
    out.push(f);
    const perCore = (x: number): string => (jobs > 1 ? ` (${(x / jobs).toFixed(0)} per core)` : '');
    const all = f.hypercallsPerSec + f.guestHypercallsPerSec;
    log(`fuzz --jobs ${jobs}: ${r.sequences} sequences, ${r.steps} steps in ${secs.toFixed(1)} s, ${r.failures.length} failures\n` +
      `  ${f.stepsPerSec.toFixed(0)} steps/s${perCore(f.stepsPerSec)}\n` +
      `  checked hypercalls/s: host ${f.hypercallsPerSec.toFixed(0)}${perCore(f.hypercallsPerSec)}, VMs ${f.guestHypercallsPerSec.toFixed(0)}${perCore(f.guestHypercallsPerSec)}, ` +
      `both ${all.toFixed(0)}${perCore(all)}\n` +
      `  checked KCore entries/s (host hypercalls, host stage-2 faults, VM exits): ${f.kcoreEntriesPerSec.toFixed(0)}${perCore(f.kcoreEntriesPerSec)}`);
  }
  return out;
}
