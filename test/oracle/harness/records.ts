/**
 * Dump records of random sequences (layout in gen/program.ts): parsing, comparing, and the
 * side-by-side register report printed on a mismatch.
 */
import { RECORD_MAGIC, RECORD_SIZE } from '../gen/program.js';
import type { Sequence } from '../gen/sequence.js';
import { BUFFER_SIZE } from '../gen/mem.js';

export interface SeqRecord {
  readonly index: number;
  /** x0..x30. */
  readonly regs: readonly bigint[];
  /** NZCV as read by MRS (bits 31:28). */
  readonly nzcv: bigint;
  readonly bufferHash: bigint;
  /** The buffer's bytes, when the program was built with fullBuffer. */
  readonly buffer?: Uint8Array;
}

/** Splits stdout into records; stops at the first malformed or incomplete one. */
export function parseRecords(out: Uint8Array, fullBuffer = false): SeqRecord[] {
  const step = RECORD_SIZE + (fullBuffer ? BUFFER_SIZE : 0);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const records: SeqRecord[] = [];
  for (let at = 0; at + step <= out.length; at += step) {
    if (view.getUint32(at, true) !== RECORD_MAGIC) break;
    const regs = Array.from({ length: 31 }, (_, r) => view.getBigUint64(at + 8 + 8 * r, true));
    records.push({
      index: view.getUint32(at + 4, true),
      regs,
      nzcv: view.getBigUint64(at + 256, true),
      bufferHash: view.getBigUint64(at + 264, true),
      buffer: fullBuffer ? out.slice(at + RECORD_SIZE, at + step) : undefined,
    });
  }
  return records;
}

export function sameRecord(a: SeqRecord, b: SeqRecord): boolean {
  return a.index === b.index && a.nzcv === b.nzcv && a.bufferHash === b.bufferHash && a.regs.every((v, i) => v === b.regs[i]);
}

const hex64 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;
const flags = (nzcv: bigint): string => ['N', 'Z', 'C', 'V'].map((f, i) => ((nzcv >> BigInt(31 - i)) & 1n ? f : '-')).join('');

/** The sequence's initial state and body, as shown in a report. */
export function describeSequence(seq: Sequence): string {
  const init = seq.init.map((v, r) => (r === seq.base ? `x${r}=&buffer` : `x${r}=${hex64(v)}`));
  const rows: string[] = [];
  for (let i = 0; i < init.length; i += 4) rows.push(`    ${init.slice(i, i + 4).join('  ')}`);
  const nzcv = flags(BigInt(seq.nzcv) << 28n);
  return [`  initial flags ${nzcv}, buffer seed ${hex64(seq.bufferSeed)}, registers:`, ...rows,
    '  body:', ...seq.units.flatMap((u) => u.lines).map((l) => (l.endsWith(':') ? `  ${l}` : `      ${l}`))].join('\n');
}

/** Registers, flags and hash side by side; differing rows are marked with `<<<`. */
export function describeRecordDiff(ref: SeqRecord, ours: SeqRecord | undefined): string {
  const rows = ['  reg      qemu                ours'];
  const row = (name: string, a: string, b: string): void => {
    rows.push(`  ${name.padEnd(6)}   ${a.padEnd(18)}  ${b.padEnd(18)}${a === b ? '' : '  <<<'}`);
  };
  ref.regs.forEach((v, r) => row(`x${r}`, hex64(v), ours ? hex64(ours.regs[r]!) : '(missing)'));
  row('nzcv', flags(ref.nzcv), ours ? flags(ours.nzcv) : '(missing)');
  row('buffer', hex64(ref.bufferHash), ours ? hex64(ours.bufferHash) : '(missing)');
  return rows.join('\n');
}

/** Byte-level buffer differences, for records built with fullBuffer. */
export function describeBufferDiff(ref: Uint8Array, ours: Uint8Array, limit = 24): string {
  const lines: string[] = [];
  for (let i = 0; i < ref.length && lines.length < limit; i++) {
    if (ref[i] !== ours[i]) lines.push(`    buffer+0x${i.toString(16).padStart(3, '0')}: qemu 0x${ref[i]!.toString(16).padStart(2, '0')}, ours 0x${(ours[i] ?? 0).toString(16).padStart(2, '0')}`);
  }
  return lines.length ? ['  buffer bytes that differ:', ...lines].join('\n') : '  buffer bytes are identical';
}
