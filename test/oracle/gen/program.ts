/**
 * Emits one GNU assembler program that runs a batch of sequences and, after each, writes a
 * dump record to stdout with the write syscall. No libc: `_start`, a buffer-filling routine and
 * a dump routine are written here.
 *
 * Per sequence: fill the 4 KiB buffer from the sequence's seed (an LCG; also CLREX), set NZCV,
 * set x0–x30 with MOVZ/MOVN/MOVK, point the base register at the buffer, run the body, then
 * store x0–x30 and NZCV on the stack and call `dump`, which hashes the buffer and writes:
 *
 * ```
 *  offset  0: u32 magic 0x51455344 ("DSEQ")   4: u32 sequence index
 *          8: x0 … x30 (31 × u64)           256: NZCV (u64, bits 31:28)
 *        264: buffer hash (u64)             272: [the 4096 buffer bytes, with fullBuffer]
 * ```
 * The stack pointer is never an operand of the body, and the record holds no address that
 * depends on where the stack is, so runs under different loaders compare byte for byte.
 */
import { type Sequence } from './sequence.js';
import { loadConstant } from './values.js';
import { x } from './context.js';
import { BUFFER_SIZE } from './mem.js';

export const RECORD_MAGIC = 0x51455344;
export const RECORD_SIZE = 272;

export interface ProgramOptions {
  /** Also write the whole buffer after each record (for diagnosing a hash mismatch). */
  readonly fullBuffer?: boolean;
}

/** Bytes one sequence writes to stdout. */
export function recordBytes(opts: ProgramOptions = {}): number {
  return RECORD_SIZE + (opts.fullBuffer ? BUFFER_SIZE : 0);
}

/** The setup and body of one sequence, as assembly lines. */
export function sequenceLines(seq: Sequence): string[] {
  const lines: string[] = [`// sequence ${seq.index}, base ${x(seq.base)}`];
  lines.push(...loadConstant('x0', seq.bufferSeed), 'bl fill_buffer');
  lines.push(`movz x0, #0x${(seq.nzcv << 12).toString(16)}, lsl #16`, 'msr nzcv, x0');
  seq.init.forEach((v, r) => { if (r !== seq.base) lines.push(...loadConstant(x(r), v)); });
  lines.push(`adrp ${x(seq.base)}, buffer`, `add ${x(seq.base)}, ${x(seq.base)}, :lo12:buffer`);
  lines.push(`// body`, ...seq.units.flatMap((u) => u.lines), '// dump');
  lines.push(...dumpCall(seq.index));
  return lines;
}

function dumpCall(index: number): string[] {
  const lines = [`sub sp, sp, #${RECORD_SIZE}`];
  for (let r = 0; r < 30; r += 2) lines.push(`stp x${r}, x${r + 1}, [sp, #${8 + 8 * r}]`);
  lines.push('str x30, [sp, #248]', 'mrs x0, nzcv', 'str x0, [sp, #256]');
  lines.push(`movz w0, #${index & 0xffff}`, `movk w0, #${index >>> 16}, lsl #16`, 'bl dump');
  lines.push(`add sp, sp, #${RECORD_SIZE}`);
  return lines;
}

/** The whole program for `seqs`. */
export function programSource(seqs: readonly Sequence[], opts: ProgramOptions = {}): string {
  const body = seqs.flatMap(sequenceLines);
  return [
    '.arch armv8.1-a',
    '.text',
    '.global _start',
    '_start:',
    ...body,
    'mov x0, #0', 'mov x8, #93', 'svc #0',
    ...FILL_BUFFER,
    ...dumpRoutine(opts),
    '.bss', '.balign 4096', `buffer: .space ${BUFFER_SIZE}`, '',
  ].map((l) => (l.endsWith(':') || l.startsWith('.') ? l : `  ${l}`)).join('\n');
}

/** x0 = seed. Fills the buffer with x ^ (x >> 29) of successive LCG states; clobbers x0–x6. */
const FILL_BUFFER = [
  'fill_buffer:',
  'adrp x1, buffer', 'add x1, x1, :lo12:buffer', `mov x2, #${BUFFER_SIZE / 16}`,
  ...loadConstant('x3', 0x5851f42d4c957f2dn), ...loadConstant('x4', 0x14057b7ef767814fn),
  '1:', 'madd x0, x0, x3, x4', 'eor x5, x0, x0, lsr #29', 'madd x0, x0, x3, x4', 'eor x6, x0, x0, lsr #29',
  'stp x5, x6, [x1], #16', 'subs x2, x2, #1', 'b.ne 1b',
  'clrex', 'ret',
];

/** w0 = sequence index, record at [sp] with registers filled in. */
function dumpRoutine(opts: ProgramOptions): string[] {
  const lines = [
    'dump:',
    'lsl x0, x0, #32', `movz w1, #0x${(RECORD_MAGIC & 0xffff).toString(16)}`, `movk w1, #0x${(RECORD_MAGIC >>> 16).toString(16)}, lsl #16`,
    'orr x0, x0, x1', 'str x0, [sp]',
    'adrp x1, buffer', 'add x1, x1, :lo12:buffer', `mov x2, #${BUFFER_SIZE / 16}`, 'mov x3, #0',
    ...loadConstant('x4', 0x9e3779b97f4a7c15n),
    '1:', 'ldp x5, x6, [x1], #16', 'eor x3, x3, x5', 'mul x3, x3, x4', 'eor x3, x3, x6', 'mul x3, x3, x4',
    'eor x3, x3, x3, lsr #31', 'subs x2, x2, #1', 'b.ne 1b',
    'str x3, [sp, #264]',
    'mov x0, #1', 'mov x1, sp', `mov x2, #${RECORD_SIZE}`, 'mov x8, #64', 'svc #0',
  ];
  if (opts.fullBuffer) {
    lines.push('mov x0, #1', 'adrp x1, buffer', 'add x1, x1, :lo12:buffer', `mov x2, #${BUFFER_SIZE}`, 'mov x8, #64', 'svc #0');
  }
  lines.push('ret');
  return lines;
}
