/**
 * Fuzzer throughput (issue "Live isolation checks…", item 6): steps (commands) per second and
 * checked hypercalls per second — host hypercalls into KCore, each followed by the incremental
 * invariant checks — and checked KCore entries per second (the host hypercalls, host stage-2
 * faults and VM exits KCore handled, each followed by the incremental check), with one worker
 * thread and with two, against the correct KCore. Wall clock;
 * the figures depend on what else the machine is doing (the load average is printed).
 */
import { loadavg } from 'node:os';
import { runParallel } from '../fuzz/parallel.js';

const SECONDS = 20;

export async function benchFuzz(log: (line: string) => void): Promise<{ jobs: number; stepsPerSec: number; hypercallsPerSec: number; kcoreEntriesPerSec: number }[]> {
  const out = [];
  log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores)`);
  for (const jobs of [1, 2]) {
    const r = await runParallel({ seed: 100, timeMs: SECONDS * 1000, jobs, shard: { k: 0, n: 1 }, stopOnFailure: false });
    const secs = r.elapsedMs / 1000;
    const f = { jobs, stepsPerSec: r.steps / secs, hypercallsPerSec: r.hypercalls / secs, kcoreEntriesPerSec: r.kcoreEntries / secs };
    out.push(f);
    log(`fuzz --jobs ${jobs}: ${r.sequences} sequences, ${r.steps} steps, ${r.hypercalls} checked hypercalls in ${secs.toFixed(1)} s: ` +
      `${f.stepsPerSec.toFixed(0)} steps/s, ${f.hypercallsPerSec.toFixed(0)} checked hypercalls/s` +
      `${jobs > 1 ? ` (${(f.hypercallsPerSec / jobs).toFixed(0)} per core)` : ''}, ` +
      `${f.kcoreEntriesPerSec.toFixed(0)} checked KCore entries/s (hypercalls, host faults, VM exits)` +
      `${jobs > 1 ? ` (${(f.kcoreEntriesPerSec / jobs).toFixed(0)} per core)` : ''}, ${r.failures.length} failures`);
  }
  return out;
}
