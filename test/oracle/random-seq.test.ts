/**
 * Differential test: random integer instruction sequences on our core vs qemu-aarch64.
 *
 * Sequences are generated from a seed (gen/sequence.ts), grouped ORACLE_BATCH per program
 * (process start-up dominates, so few processes with many cases each), assembled and linked
 * with GNU as/ld, and run under qemu and `runUserProgram`. After each sequence the program
 * writes x0–x30, NZCV and a hash of the scratch buffer (gen/program.ts); the records must be
 * identical. On a mismatch the report shows the sequence, both register dumps with differing
 * rows marked, and (by rerunning that sequence with the whole buffer dumped) the bytes that
 * differ.
 *
 * Environment: ORACLE_SEQS (default 20000), ORACLE_SEED (default "oracle-1"), ORACLE_BATCH
 * (default 200), ORACLE_ONLY (comma-separated sequence indices: run just those).
 */
import { describe, it, expect } from 'vitest';
import { haveTool, GNU_AS, GNU_LD, QEMU_USER } from '../support/tools.js';
import { loadCore } from './harness/core.js';
import { mapPool, tempDir } from './harness/toolchain.js';
import { runBatch, sequencesFor, describeMismatch, bufferDiff, type SeqMismatch } from './harness/sequences.js';

const SEED = process.env.ORACLE_SEED ?? 'oracle-1';
const COUNT = Number(process.env.ORACLE_SEQS ?? 20_000);
const BATCH = Number(process.env.ORACLE_BATCH ?? 200);
const ONLY = process.env.ORACLE_ONLY?.split(',').map(Number);
/** Mismatches reported in full (the rest are counted). */
const REPORTED = 5;

/** The sequence indices of each batch. */
function batches(): number[][] {
  const indices = ONLY ?? Array.from({ length: COUNT }, (_, i) => i);
  const out: number[][] = [];
  for (let i = 0; i < indices.length; i += BATCH) out.push(indices.slice(i, i + BATCH));
  return out;
}

describe('random instruction sequences: our core vs qemu-aarch64', () => {
  it(`agree on every sequence (seed ${SEED})`, async () => {
    if (!haveTool(GNU_AS, GNU_LD, QEMU_USER)) return;
    const started = performance.now();
    const core = await loadCore();
    const tmp = tempDir('oracle-seq-');
    try {
      const plan = batches();
      const results = await mapPool(plan, (indices, b) => runBatch(tmp.dir, `batch${b}`, sequencesFor(SEED, indices), core));
      const mismatches: SeqMismatch[] = results.flatMap((r) => r.mismatches);
      const reports: string[] = [];
      for (const m of mismatches.slice(0, REPORTED)) {
        const buffer = core && m.ours && m.ours.bufferHash !== m.ref.bufferHash ? `\n${await bufferDiff(tmp.dir, m.seq, core)}` : '';
        reports.push(describeMismatch(SEED, m) + buffer);
      }
      const sequences = results.reduce((n, r) => n + r.sequences, 0);
      const body = results.reduce((n, r) => n + r.bodyInstructions, 0);
      const coreInsns = results.reduce((n, r) => n + (r.coreInsns ?? 0n), 0n);
      console.log(`random sequences (seed ${SEED}): ${sequences} sequences, ${body} generated instructions, ` +
        `${plan.length} programs, ${core ? `compared with our core (${coreInsns} instructions executed)` : 'qemu only (NO CORE)'}, ` +
        `${mismatches.length} mismatches, ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(reports.join('\n\n') + (mismatches.length > REPORTED ? `\n\n... and ${mismatches.length - REPORTED} more mismatches` : '')).toBe('');
    } finally {
      tmp.remove();
    }
  }, 600_000);
});
