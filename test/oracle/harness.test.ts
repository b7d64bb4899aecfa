/**
 * Tests of the oracle harness itself: an oracle that cannot see a difference proves nothing.
 * Injected differences (a flipped register bit, a truncated run, a changed instruction, a
 * different exit status) must each be reported, with the details a developer needs.
 */
import { describe, it, expect } from 'vitest';
import { haveTool, GNU_AS, GNU_LD, QEMU_USER } from '../support/tools.js';
import { generateSequence, type Sequence } from './gen/sequence.js';
import { programSource, RECORD_SIZE } from './gen/program.js';
import { Prng } from './gen/prng.js';
import { loadConstant } from './gen/values.js';
import { assembleAndLink, referenceRun, tempDir } from './harness/toolchain.js';
import { checkReference, compareBatch, describeMismatch } from './harness/sequences.js';
import { compareOutcomes, type Outcome } from './harness/outcome.js';
import { parseRecords } from './harness/records.js';

const SEED = 'harness-self-test';
const seqs = (n: number): Sequence[] => Array.from({ length: n }, (_, i) => generateSequence(SEED, i));

/** Builds and runs `source` under qemu. */
async function qemu(source: string): Promise<Outcome> {
  const tmp = tempDir('oracle-harness-');
  try {
    return await referenceRun(await assembleAndLink(tmp.dir, 'p', source));
  } finally {
    tmp.remove();
  }
}

describe('oracle harness', () => {
  it('reports a single flipped bit in one register of one sequence', async () => {
    if (!haveTool(GNU_AS, GNU_LD, QEMU_USER)) return;
    const batch = seqs(4);
    const ref = await qemu(programSource(batch));
    const tampered = ref.stdout.slice();
    tampered[2 * RECORD_SIZE + 8 + 8 * 7 + 3]! ^= 0x10;
    const mismatches = compareBatch(batch, checkReference(batch, ref), { ...ref, stdout: tampered });
    expect(mismatches.map((m) => m.seq.index)).toEqual([2]);
    expect(describeMismatch(SEED, mismatches[0]!)).toMatch(/x7 +0x[0-9a-f]{16} +0x[0-9a-f]{16} +<<</);
  });

  it('reports where our run stopped when its output ends early', async () => {
    if (!haveTool(GNU_AS, GNU_LD, QEMU_USER)) return;
    const batch = seqs(4);
    const ref = await qemu(programSource(batch));
    const ours: Outcome = { status: { kind: 'signal', signal: 'SIGSEGV' }, stdout: ref.stdout.slice(0, RECORD_SIZE + 100), stderr: new Uint8Array(0) };
    const mismatches = compareBatch(batch, checkReference(batch, ref), ours);
    expect([mismatches[0]!.seq.index, mismatches[0]!.reason]).toEqual([1, 'our core stopped before finishing this sequence: killed by SIGSEGV']);
  });

  it('catches a changed instruction end to end (a simulated CPU bug)', async () => {
    if (!haveTool(GNU_AS, GNU_LD, QEMU_USER)) return;
    const batch = seqs(6);
    const [d, n, m] = [0, 1, 2].map((k) => (batch[3]!.base + 1 + k) % 31);
    const withOp = (op: string): Sequence[] => batch.map((s, i) => (i !== 3 ? s : {
      ...s,
      units: [...s.units, { lines: [`mov x${n}, #0xff`, `mov x${m}, #0x0f`, `${op} x${d}, x${n}, x${m}`] }],
    }));
    const ref = await qemu(programSource(withOp('eor')));
    const ours = await qemu(programSource(withOp('orr')));
    const found = compareBatch(batch, checkReference(batch, ref), ours);
    expect(found.map((f) => f.seq.index)).toEqual([3]);
  });

  it('sees a store the registers do not show, through the buffer hash', async () => {
    if (!haveTool(GNU_AS, GNU_LD, QEMU_USER)) return;
    const base = generateSequence(SEED, 0);
    const store = (value: bigint): Sequence => ({
      ...base,
      units: [{ lines: [...loadConstant('x0', value), `add x1, ${`x${base.base}`}, #128`, 'str x0, [x1]', 'mov x0, #0', 'mov x1, #0'] }],
    });
    const [a, b] = await Promise.all([qemu(programSource([store(1n)])), qemu(programSource([store(2n)]))]);
    const [ra, rb] = [parseRecords(a.stdout)[0]!, parseRecords(b.stdout)[0]!];
    expect([ra.regs.every((v, i) => v === rb.regs[i] || i === base.base), ra.bufferHash !== rb.bufferHash]).toEqual([true, true]);
  });

  it('reports different exit statuses and output bytes of whole programs', () => {
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    const ref: Outcome = { status: { kind: 'exit', code: 3 }, stdout: text('hello world\n'), stderr: text('') };
    const ours: Outcome = { status: { kind: 'exit', code: 4 }, stdout: text('hello w0rld\n'), stderr: text('') };
    expect(compareOutcomes(ref, ours).map((d) => d.split(':')[0])).toEqual(['status', 'stdout']);
  });

  it('generates the same sequences from the same seed', () => {
    expect(programSource(seqs(20))).toBe(programSource(Array.from({ length: 20 }, (_, i) => generateSequence(SEED, i))));
  });

  it('draws from every instruction family over a default-sized run', () => {
    const text = Array.from({ length: 3000 }, (_, i) => generateSequence('coverage', i)).flatMap((s) => s.units.flatMap((u) => u.lines)).join('\n');
    const families = ['adds ', 'sbcs ', 'bics ', 'eon ', 'movk ', 'sbfm ', 'bfxil ', 'extr ', 'rorv ', 'smulh ', 'umsubl ', 'sdiv ',
      'csneg ', 'ccmn ', 'rbit ', 'cls ', 'b.', 'cbnz ', 'tbz ', 'ldrsh ', 'ldursb ', 'ldpsw ', 'ldnp ', 'stp ', ']!', '], #',
      'sxtw', 'uxtw', 'ldaxp ', 'stlxr', 'clrex', 'ldar', 'stlrh ', 'casp', 'casal', 'ldsmin', 'ldumax', 'swpal', 'stclr',
      'adr ', 'adrp ', 'ldrsw x', 'prfm ', 'prfum ', 'dmb ', 'dsb ', 'isb', 'csdb', 'tpidr_el0', '\nbl .L', 'br x', 'blr x', 'ret x'];
    expect(families.filter((f) => !text.includes(f))).toEqual([]);
  });

  it('keeps the PRNG stream stable (seeds in old reports stay reproducible)', () => {
    const r = new Prng('stable');
    expect([r.u32(), r.u32(), r.int(1000)]).toMatchInlineSnapshot(`
      [
        3056927311,
        2241039827,
        98,
      ]
    `);
  });
});
