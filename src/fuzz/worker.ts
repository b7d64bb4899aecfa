/**
 * A fuzzing worker thread (`sekvm-sim fuzz --jobs N`): runs one shard of the campaign and posts
 * progress and the result to the main thread. Each worker has its own world; shards never share
 * seeds, so the merged results are the same whatever the thread timing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runCampaign, type CampaignOptions } from './campaign.js';

export interface WorkerInput {
  readonly opts: Omit<CampaignOptions, 'onProgress'>;
}

if (parentPort) {
  const port = parentPort;
  const { opts } = workerData as WorkerInput;
  const r = runCampaign({ ...opts, onProgress: (p) => port.postMessage({ kind: 'progress', progress: p }) });
  port.postMessage({
    kind: 'done',
    result: { ...r, coverage: { pairs: [...r.coverage.pairs], checks: [...r.coverage.checks], effects: [...r.coverage.effects] } },
  });
}
