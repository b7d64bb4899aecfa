/**
 * Running a campaign on several threads: shard k of n becomes shards k·jobs + j of n·jobs, one
 * per worker thread; progress and results are merged (coverage is the union, failures are
 * listed by seed). With one job the campaign runs on this thread.
 */
import { Worker } from 'node:worker_threads';
import { runCampaign, type CampaignOptions, type CampaignResult, type Progress } from './campaign.js';
import type { WorkerInput } from './worker.js';

export interface ParallelOptions extends Omit<CampaignOptions, 'shard' | 'onProgress'> {
  readonly jobs: number;
  readonly shard: { readonly k: number; readonly n: number };
  readonly onProgress?: (p: Progress & { readonly jobs: number }) => void;
}

type Serialised = Omit<CampaignResult, 'coverage'> & { coverage: { pairs: string[]; checks: string[]; effects: string[] } };

export async function runParallel(opts: ParallelOptions): Promise<CampaignResult> {
  if (opts.jobs <= 1) {
    const { onProgress, jobs: _jobs, ...rest } = opts;
    return runCampaign({ ...rest, ...(onProgress ? { onProgress: (p: Progress) => onProgress({ ...p, jobs: 1 }) } : {}) });
  }
  const latest: Progress[] = [];
  const results = await Promise.all(Array.from({ length: opts.jobs }, (_, j) => new Promise<Serialised>((resolve, reject) => {
    const { onProgress: _p, jobs: _j, ...rest } = opts;
    const input: WorkerInput = { opts: { ...rest, shard: { k: opts.shard.k * opts.jobs + j, n: opts.shard.n * opts.jobs } } };
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: input });
    w.on('message', (m: { kind: 'progress'; progress: Progress } | { kind: 'done'; result: Serialised }) => {
      if (m.kind === 'progress') {
        latest[j] = m.progress;
        if (opts.onProgress) opts.onProgress({ ...sum(latest), jobs: opts.jobs });
      } else {
        resolve(m.result);
      }
    });
    w.on('error', reject);
    w.on('exit', (code) => { if (code !== 0) reject(new Error(`fuzz worker ${j} exited with status ${code}`)); });
  })));
  const pairs = new Set<string>();
  const checks = new Set<string>();
  const effects = new Set<string>();
  for (const r of results) {
    r.coverage.pairs.forEach((x) => pairs.add(x));
    r.coverage.checks.forEach((x) => checks.add(x));
    r.coverage.effects.forEach((x) => effects.add(x));
  }
  const total = sum(results);
  return {
    ...total,
    elapsedMs: Math.max(...results.map((r) => r.elapsedMs)),
    failures: results.flatMap((r) => r.failures).sort((a, b) => a.reproducer.seed - b.reproducer.seed),
    coverage: { pairs, checks, effects },
  };
}

function sum(ps: readonly (Pick<Progress, 'elapsedMs' | 'prepareMs' | 'sequences' | 'steps' | 'hypercalls' | 'guestHypercalls' | 'kcoreEntries' | 'pairs' | 'checks' | 'effects'> & { failures: number | readonly unknown[] })[]): Progress {
  const live = ps.filter((p) => p !== undefined);
  return {
    elapsedMs: Math.max(0, ...live.map((p) => p.elapsedMs)),
    prepareMs: Math.max(0, ...live.map((p) => p.prepareMs)),
    sequences: live.reduce((a, p) => a + p.sequences, 0),
    steps: live.reduce((a, p) => a + p.steps, 0),
    hypercalls: live.reduce((a, p) => a + p.hypercalls, 0),
    guestHypercalls: live.reduce((a, p) => a + p.guestHypercalls, 0),
    kcoreEntries: live.reduce((a, p) => a + p.kcoreEntries, 0),
    failures: live.reduce((a, p) => a + (typeof p.failures === 'number' ? p.failures : p.failures.length), 0),
    pairs: Math.max(0, ...live.map((p) => p.pairs)),
    checks: Math.max(0, ...live.map((p) => p.checks)),
    effects: Math.max(0, ...live.map((p) => p.effects)),
  };
}
