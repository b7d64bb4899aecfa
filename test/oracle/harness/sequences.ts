/**
 * Running batches of random sequences on qemu-aarch64 and our core, and comparing the dump
 * records sequence by sequence.
 */
import { readFileSync } from 'node:fs';
import { generateSequence, countInstructions, type Sequence } from '../gen/sequence.js';
import { programSource } from '../gen/program.js';
import { assembleAndLink, referenceRun } from './toolchain.js';
import type { CoreRunner } from './core.js';
import { type Outcome, describeStatus } from './outcome.js';
import {
  type SeqRecord, parseRecords, sameRecord, describeSequence, describeRecordDiff, describeBufferDiff,
} from './records.js';

export interface SeqMismatch {
  readonly seq: Sequence;
  readonly reason: string;
  readonly ref: SeqRecord;
  readonly ours?: SeqRecord;
}

export interface BatchResult {
  readonly sequences: number;
  readonly bodyInstructions: number;
  /** Instructions our core executed (setup, dumps and bodies), if it ran. */
  readonly coreInsns?: bigint;
  readonly mismatches: readonly SeqMismatch[];
}

/** The sequences with the given indices. */
export function sequencesFor(seed: string, indices: readonly number[]): Sequence[] {
  return indices.map((i) => generateSequence(seed, i));
}

/** Checks qemu ran the whole batch; anything else is a bug in the generator, not in a CPU. */
export function checkReference(seqs: readonly Sequence[], ref: Outcome, fullBuffer = false): SeqRecord[] {
  const records = parseRecords(ref.stdout, fullBuffer);
  if (ref.status.kind !== 'exit' || ref.status.code !== 0 || records.length !== seqs.length) {
    const stuck = seqs[records.length];
    throw new Error(`generator bug: qemu ran ${records.length}/${seqs.length} sequences and ended with ` +
      `${describeStatus(ref.status)} (stderr: ${Buffer.from(ref.stderr).toString()})` +
      (stuck ? `\nfirst sequence not completed:\n${describeSequence(stuck)}` : ''));
  }
  return records;
}

/** Sequence-by-sequence comparison of our run against qemu's records. */
export function compareBatch(seqs: readonly Sequence[], refRecords: readonly SeqRecord[], ours: Outcome & { message?: string }): SeqMismatch[] {
  const oursRecords = parseRecords(ours.stdout);
  const mismatches: SeqMismatch[] = [];
  for (const [i, seq] of seqs.entries()) {
    const ref = refRecords[i]!;
    const mine = oursRecords[i];
    if (!mine) {
      const why = `${describeStatus(ours.status)}${ours.message ? ` (${ours.message})` : ''}`;
      mismatches.push({ seq, ref, reason: `our core stopped before finishing this sequence: ${why}` });
      return mismatches;
    }
    if (!sameRecord(ref, mine)) mismatches.push({ seq, ref, ours: mine, reason: 'registers, flags or buffer differ' });
  }
  if (ours.status.kind !== 'exit' || ours.status.code !== 0) {
    const last = seqs[seqs.length - 1]!;
    mismatches.push({ seq: last, ref: refRecords[seqs.length - 1]!, reason: `our core ended with ${describeStatus(ours.status)} after the last sequence` });
  }
  return mismatches;
}

/** Builds and runs one batch on qemu and (if present) our core. */
export async function runBatch(dir: string, name: string, seqs: readonly Sequence[], core: CoreRunner | null): Promise<BatchResult> {
  const elfPath = await assembleAndLink(dir, name, programSource(seqs));
  const refRecords = checkReference(seqs, await referenceRun(elfPath));
  const bodyInstructions = seqs.reduce((n, s) => n + s.units.reduce((m, u) => m + countInstructions(u.lines), 0), 0);
  if (!core) return { sequences: seqs.length, bodyInstructions, mismatches: [] };
  const ours = await core(new Uint8Array(readFileSync(elfPath)));
  return { sequences: seqs.length, bodyInstructions, coreInsns: ours.insns, mismatches: compareBatch(seqs, refRecords, ours) };
}

/** Reruns one sequence with the whole buffer dumped, to show which bytes differ. */
export async function bufferDiff(dir: string, seq: Sequence, core: CoreRunner): Promise<string> {
  const elfPath = await assembleAndLink(dir, `diag${seq.index}`, programSource([seq], { fullBuffer: true }));
  const ref = parseRecords((await referenceRun(elfPath)).stdout, true)[0];
  const ours = parseRecords((await core(new Uint8Array(readFileSync(elfPath)))).stdout, true)[0];
  if (!ref?.buffer || !ours?.buffer) return '  (buffer rerun produced no record)';
  return describeBufferDiff(ref.buffer, ours.buffer);
}

/** The full report for one mismatch. */
export function describeMismatch(seed: string, m: SeqMismatch): string {
  return [
    `MISMATCH in sequence ${m.seq.index} (seed ${JSON.stringify(seed)}): ${m.reason}`,
    `  reproduce: ORACLE_SEED=${seed} ORACLE_ONLY=${m.seq.index} npx vitest run test/oracle/random-seq.test.ts`,
    describeSequence(m.seq),
    describeRecordDiff(m.ref, m.ours),
  ].join('\n');
}
