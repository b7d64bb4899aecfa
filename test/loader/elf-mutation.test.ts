/**
 * Mutation test for the ELF loader: thousands of corrupted variants of valid files (bit flips,
 * boundary bytes, truncations, huge header fields, duplicated and overlapping program headers)
 * must each either parse and place, with the result's invariants intact, or be rejected with a
 * message. None may throw or hang.
 *
 * The loader runs in a worker thread so a hang can be stopped: the worker records the index of
 * the case it is on in shared memory, and the main thread terminates it after a timeout and
 * names that case. Deterministic: ELF_MUTATION_SEED and ELF_MUTATIONS choose the stream.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';
import { Prng } from '../oracle/gen/prng.js';
import { haveTool, GNU_AS, GNU_LD } from '../support/tools.js';
import {
  buildElf, simpleExec, dynFile, dynamicTable, words, A64, PT_LOAD, PF_R, PF_W, PF_X, TEXT_BASE,
} from './build-elf.js';

const SEED = process.env.ELF_MUTATION_SEED ?? 'elf-mutation-1';
const RANDOM_CASES = Number(process.env.ELF_MUTATIONS ?? 8000);
const TIMEOUT_MS = 20_000;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

interface Case {
  readonly desc: string;
  readonly bytes: Uint8Array;
}

/** Valid files the mutations start from. */
function seedFiles(): Case[] {
  const code = words(...A64.exit(3));
  const seeds: Case[] = [
    { desc: 'simple ET_EXEC', bytes: simpleExec(code) },
    { desc: 'ET_DYN with DT_RELA/DT_RELASZ=0', bytes: dynFile(dynamicTable([7n, 0x100n], [8n, 0n], [0n, 0n])) },
    { desc: 'four PT_LOADs plus notes', bytes: multiSegment() },
  ];
  if (haveTool(GNU_AS, GNU_LD)) seeds.push(...linkedFiles());
  return seeds;
}

function multiSegment(): Uint8Array {
  const seg = (i: number, flags: number, filesz: bigint, memsz: bigint) =>
    ({ type: PT_LOAD, flags, offset: BigInt(0x200 + i * 0x100), vaddr: TEXT_BASE + BigInt(i * 0x10000 + 0x200 + i * 0x100), filesz, memsz });
  return buildElf({
    entry: TEXT_BASE + 0x200n,
    phdrs: [
      { type: 4, flags: PF_R, offset: 0x1c0n, vaddr: 0n, filesz: 0x20n, memsz: 0x20n },
      seg(0, PF_R | PF_X, 0x100n, 0x100n), seg(1, PF_R, 0x80n, 0x100n), seg(2, PF_R | PF_W, 0x100n, 0x3000n),
      seg(3, PF_R | PF_W, 0n, 0x1000n),
      { type: 0x6474e551, flags: PF_R | PF_W, offset: 0n, vaddr: 0n, filesz: 0n, memsz: 0n },
    ],
    chunks: [{ offset: 0x200, bytes: words(...A64.exit(1)) }],
    size: 0x600,
  });
}

/** A static executable and a static PIE linked by GNU ld (same bytes on every run). */
function linkedFiles(): Case[] {
  const dir = mkdtempSync(join(tmpdir(), 'elf-mut-'));
  try {
    const src = '.text\n.global _start\n_start: adr x1, m\n mov x0, #0\n mov x8, #93\n svc #0\n.data\nm: .ascii "x"\n.bss\n.space 256\n';
    writeFileSync(join(dir, 'a.s'), src);
    spawnSync(GNU_AS, ['-o', join(dir, 'a.o'), join(dir, 'a.s')]);
    spawnSync(GNU_LD, ['-static', '-o', join(dir, 'exec'), join(dir, 'a.o')]);
    spawnSync(GNU_LD, ['-static', '-pie', '--no-dynamic-linker', '-o', join(dir, 'pie'), join(dir, 'a.o')]);
    return [
      { desc: 'GNU ld static ET_EXEC', bytes: new Uint8Array(readFileSync(join(dir, 'exec'))) },
      { desc: 'GNU ld static PIE', bytes: new Uint8Array(readFileSync(join(dir, 'pie'))) },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BOUNDARY_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe] as const;
const BOUNDARY_U64 = [
  0n, 1n, 0x38n, 0x40n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x100000001n,
  0x7fffffffffffffffn, 0x8000000000000000n, 0xfffffffffffff000n, 0xffffffffffffffffn,
] as const;
/** Header fields as [offset, width in bytes]. */
const HEADER_FIELDS: readonly [number, 2 | 4 | 8][] = [[16, 2], [18, 2], [20, 4], [24, 8], [32, 8], [54, 2], [56, 2]];
/** Program header fields: type, flags, offset, vaddr, filesz, memsz, align. */
const PHDR_FIELDS: readonly [number, 4 | 8][] = [[0, 4], [4, 4], [8, 8], [16, 8], [32, 8], [40, 8], [48, 8]];

function setField(bytes: Uint8Array, at: number, width: number, v: bigint): void {
  if (at + width > bytes.length) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (width === 8) view.setBigUint64(at, v & 0xffffffffffffffffn, true);
  else if (width === 4) view.setUint32(at, Number(v & 0xffffffffn), true);
  else view.setUint16(at, Number(v & 0xffffn), true);
}

/** The original file's program headers: [offset of the table, count]. */
function phTable(bytes: Uint8Array): [number, number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [Number(view.getBigUint64(32, true)), view.getUint16(56, true)];
}

/** One random mutation applied in place; returns its description. */
function mutateOnce(rng: Prng, bytes: Uint8Array): string {
  const [phoff, phnum] = phTable(bytes);
  const headerEnd = Math.min(bytes.length, phoff + phnum * 56);
  const at = rng.chance(0.8) ? rng.int(headerEnd) : rng.int(bytes.length);
  const kind = rng.int(7);
  if (kind === 0) {
    const bit = rng.int(8);
    bytes[at] = bytes[at]! ^ (1 << bit);
    return `flip bit ${bit} of byte ${at}`;
  }
  if (kind === 1) {
    const b = rng.pick(BOUNDARY_BYTES);
    bytes[at] = b;
    return `byte ${at} = 0x${b.toString(16)}`;
  }
  if (kind === 2) {
    const [off, width] = rng.pick(HEADER_FIELDS);
    const v = rng.chance(0.8) ? rng.pick(BOUNDARY_U64) : rng.u64();
    setField(bytes, off, width, v);
    return `header field @${off} = 0x${v.toString(16)}`;
  }
  const i = rng.int(Math.max(phnum, 1));
  const base = phoff + i * 56;
  if (kind === 3 || kind === 4) {
    const [off, width] = rng.pick(PHDR_FIELDS);
    const near = [BigInt(bytes.length), BigInt(bytes.length + 1), BigInt(bytes.length - 1)];
    const v = kind === 3 ? rng.pick([...BOUNDARY_U64, ...near]) : rng.u64();
    setField(bytes, base + off, width, v);
    return `phdr ${i} field @${off} = 0x${v.toString(16)}`;
  }
  const j = rng.int(Math.max(phnum, 1));
  if (kind === 5 && base + 56 <= bytes.length && phoff + j * 56 + 56 <= bytes.length) {
    bytes.copyWithin(phoff + j * 56, base, base + 56);
    return `phdr ${j} = copy of phdr ${i}`;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (base + 56 > bytes.length || phoff + j * 56 + 56 > bytes.length) return 'no-op (table outside file)';
  const delta = BigInt(rng.range(-0x100, 0x100));
  setField(bytes, phoff + j * 56 + 16, 8, view.getBigUint64(base + 16, true) + delta);
  return `phdr ${j} vaddr = phdr ${i} vaddr ${delta >= 0n ? '+' : '-'} 0x${(delta < 0n ? -delta : delta).toString(16)}`;
}

/** Every truncation inside the headers, plus each segment's file boundaries ±1. */
function truncations(seed: Case): Case[] {
  const [phoff, phnum] = phTable(seed.bytes);
  const view = new DataView(seed.bytes.buffer, seed.bytes.byteOffset, seed.bytes.byteLength);
  const cuts = new Set<number>();
  for (let n = 0; n <= Math.min(seed.bytes.length, phoff + phnum * 56 + 8); n++) cuts.add(n);
  for (let i = 0; i < phnum; i++) {
    const end = Number(view.getBigUint64(phoff + i * 56 + 8, true) + view.getBigUint64(phoff + i * 56 + 32, true));
    for (const n of [end - 1, end, end + 1]) if (n >= 0 && n < seed.bytes.length) cuts.add(n);
  }
  return [...cuts].map((n) => ({ desc: `${seed.desc}: truncated to ${n} bytes`, bytes: seed.bytes.slice(0, n) }));
}

function buildCases(): Case[] {
  const rng = new Prng(SEED);
  const seeds = seedFiles();
  const cases: Case[] = seeds.flatMap(truncations);
  for (let k = 0; k < RANDOM_CASES; k++) {
    const seed = seeds[k % seeds.length]!;
    const bytes = seed.bytes.slice();
    const steps = rng.weighted([[6, 1], [2, 2], [1, 4]] as const);
    const descs = Array.from({ length: steps }, () => mutateOnce(rng, bytes));
    const cut = rng.chance(0.1) ? rng.int(bytes.length) : bytes.length;
    cases.push({ desc: `${seed.desc}: ${descs.join('; ')}${cut < bytes.length ? `; truncated to ${cut}` : ''}`, bytes: bytes.slice(0, cut) });
  }
  return cases;
}

/** Transpiles the loader and its imports to plain JS in `dir`, returning the loader's URL. */
function transpileLoader(dir: string): string {
  for (const rel of ['loader/elf.ts', 'loader/elf-format.ts', 'util/result.ts']) {
    const js = ts.transpileModule(readFileSync(join(ROOT, 'src', rel), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    mkdirSync(join(dir, dirname(rel)), { recursive: true });
    writeFileSync(join(dir, rel.replace(/\.ts$/, '.js')), js);
  }
  return pathToFileURL(join(dir, 'loader/elf.js')).href;
}

/**
 * The worker: runs parseElf (and placeElf when parsing succeeds) on every case, checking the
 * invariants a caller relies on. Reports only anomalies, plus counts of each outcome.
 */
const WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
const { parseElf, placeElf } = await import(workerData.loader);
const progress = new Int32Array(workerData.progress);
const RAM = [{ base: 0x400000n, size: 0x400000n }];
const anomalies = [];
const outcomes = {};
const count = (k) => { outcomes[k] = (outcomes[k] ?? 0) + 1; };
const kind = (e) => e.replace(/0x[0-9a-f]+|\\d+/g, 'N').replace(/\\[N, N\\)/g, '[..)').replace(/bad magic .*/, 'bad magic').slice(0, 70);
const badText = (e) => typeof e !== 'string' || e.length === 0 || /undefined|NaN|\\[object/.test(e);
function checkImage(img) {
  for (const s of img.segments) {
    if (s.data.length !== Number(s.filesz)) return 'data.length !== filesz';
    if (s.filesz > s.memsz) return 'filesz > memsz';
    if (s.memsz > 1n << 32n) return 'memsz > 4 GiB';
    if (s.vaddr + s.memsz > 1n << 64n) return 'segment end past 2^64';
  }
  const inX = img.segments.some((s) => (s.flags & 1) && img.entry >= s.vaddr && img.entry < s.vaddr + s.memsz);
  return inX ? null : 'entry outside executable segments';
}
for (let i = 0; i < workerData.cases.length; i++) {
  Atomics.store(progress, 0, i);
  try {
    const r = parseElf(workerData.cases[i]);
    if (!r.ok) { if (badText(r.error)) anomalies.push([i, 'bad message: ' + r.error]); count('parse: ' + kind(r.error)); continue; }
    const bad = checkImage(r.value);
    if (bad) { anomalies.push([i, 'parsed image: ' + bad]); continue; }
    const p = placeElf(r.value, RAM, r.value.type === 'dyn' ? 0x400000n : 0n);
    if (!p.ok) { if (badText(p.error)) anomalies.push([i, 'bad message: ' + p.error]); count('place: ' + kind(p.error)); continue; }
    const placedBad = checkImage(p.value);
    if (placedBad) anomalies.push([i, 'placed image: ' + placedBad]);
    count('accepted');
  } catch (e) {
    anomalies.push([i, 'threw: ' + (e && e.stack || e)]);
  }
}
parentPort.postMessage({ anomalies, outcomes });
`;

interface WorkerReport {
  anomalies: [number, string][];
  outcomes: Record<string, number>;
}

/** Runs the worker over `cases`; rejects naming the current case if it takes too long. */
function runInWorker(cases: Case[], dir: string): Promise<WorkerReport> {
  const progress = new SharedArrayBuffer(4);
  writeFileSync(join(dir, 'worker.mjs'), WORKER);
  const worker = new Worker(join(dir, 'worker.mjs'), {
    workerData: { loader: transpileLoader(dir), progress, cases: cases.map((c) => c.bytes) },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const i = Atomics.load(new Int32Array(progress), 0);
      void worker.terminate();
      reject(new Error(`loader hung (> ${TIMEOUT_MS} ms) on case ${i}: ${cases[i]?.desc}`));
    }, TIMEOUT_MS);
    worker.once('message', (m: WorkerReport) => { clearTimeout(timer); void worker.terminate(); resolve(m); });
    worker.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

describe('ELF loader under mutation', () => {
  it(`never throws or hangs on corrupted files (seed ${SEED})`, async () => {
    const started = performance.now();
    const cases = buildCases();
    const dir = mkdtempSync(join(tmpdir(), 'elf-mut-worker-'));
    try {
      const report = await runInWorker(cases, dir);
      const lines = report.anomalies.slice(0, 20).map(([i, what]) => `  case ${i} (${cases[i]!.desc}): ${what}`);
      expect(lines.join('\n')).toBe('');
      const outcomes = Object.entries(report.outcomes).sort((a, b) => b[1] - a[1]);
      console.log(`ELF mutation: ${cases.length} cases in ${(performance.now() - started).toFixed(0)} ms; outcomes:\n` +
        outcomes.map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`).join('\n'));
      expect(cases.length).toBeGreaterThanOrEqual(5000);
      expect(report.outcomes.accepted ?? 0).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
