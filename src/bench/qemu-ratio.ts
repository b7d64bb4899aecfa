/**
 * The QEMU speed comparison (issue "The machine, part 2", item 9: "Where qemu-system-aarch64 is
 * installed, the same conformance-style image is timed under it and the ratio printed").
 *
 * src/bench/mmu.ts measures the MMU with TypeScript acting as EL2, which QEMU cannot run; this
 * group times guests/bench/mmu-bare.s instead, a bare-metal image that does the same two loops
 * (TLB hits; one load per 4 KB page over 64 MiB) with its own EL2, stage 2 and stage 1. It runs
 * under our board (`runBare`, as `sekvm-sim bare` with its defaults) and under
 * `qemu-system-aarch64 -M virt,virtualization=on …`, timing the wall clock of each run.
 *
 * Three variants of the image cancel the start-up cost (board creation, wasm instantiation and
 * ELF loading for us; process start, machine set-up and tear-down for QEMU) and the set-up work
 * inside the image (page tables, filling the buffer): phase 1 alone = (N1, 1) − (1, 1), phase 2
 * alone = (1, N2) − (1, 1). The instruction counts are ours (QEMU does not count); QEMU
 * executes the same instructions, so "QEMU MIPS" is our count over QEMU's time.
 *
 * Not measured here: anything with KCore or KServ (see hyp.ts), and CPU time: on a loaded
 * machine the wall clock includes time waiting for a CPU, so the load average is printed too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, toElf } from '../asm/index.js';
import { runBare } from '../bare/run.js';
import { repoPath } from '../util/repo.js';

/** The command; the tests' copy of its arguments is test/support/qemu-system.ts QEMU_VIRT_ARGS. */
export const QEMU_SYSTEM = 'qemu-system-aarch64';
const QEMU_VIRT_ARGS = ['-M', 'virt,virtualization=on,gic-version=3', '-cpu', 'cortex-a57', '-m', '512M',
  '-nographic', '-semihosting', '-monitor', 'none', '-serial', 'stdio'];
/** Where the image is linked (QEMU's ELF loader honours it; so does ours): as the conformance programs. */
const LINK_BASE = 0x4008_0000n;
const SOURCE = 'bench/mmu-bare.s';

/** The full run: sized so each phase takes about 3 s on our board and the group stays under ~30 s. */
export const FULL = { n1: 50_000_000, n2: 512 } as const;
/** Runs of the (1, 1) variant per emulator; the fastest is the start-up time. */
const STARTUP_RUNS = 3;
const QEMU_TIMEOUT_MS = 60_000;
const MAX_INSNS = 5_000_000_000n;

/**
 * Assembles guests/bench/mmu-bare.s with `.equ N1, n1` and `.equ N2, n2` (the value of each
 * line is replaced, so messages keep the file's line numbers), linked at 0x4008_0000.
 * Throws if n1 or n2 is not an integer in [1, 2^32), or with every assembler message.
 */
export function buildMmuBare(n1: number, n2: number): Uint8Array {
  let text = readFileSync(repoPath('guests', SOURCE), 'utf8');
  for (const [name, v] of [['N1', n1], ['N2', n2]] as const) {
    if (!Number.isSafeInteger(v) || v < 1 || v >= 2 ** 32) throw new Error(`buildMmuBare: ${name} must be an integer in [1, 2^32), got ${v}`);
    const re = new RegExp(`^(\\.equ\\s+${name}\\s*,)[^\\n]*$`, 'm');
    if (!re.test(text)) throw new Error(`buildMmuBare: guests/${SOURCE} has no '.equ ${name}, …' line`);
    text = text.replace(re, `$1 ${v}`);
  }
  const r = assemble(text, { file: `guests/${SOURCE}`, base: LINK_BASE });
  if (!r.ok) throw new Error(r.error.map((e) => e.format()).join('\n'));
  return toElf(r.value);
}

/** One run of an image: its UART transcript, wall-clock seconds, and (ours only) instructions. */
interface Run {
  readonly transcript: string;
  readonly secs: number;
  readonly insns: bigint | null;
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Runs the image on our board; throws unless it exits with status 0. */
function runOurs(elf: Uint8Array): Run {
  const t0 = process.hrtime.bigint();
  const r = runBare(elf, { maxInsns: MAX_INSNS });
  const secs = seconds(t0);
  if (r.kind === 'load-error') throw new Error(`mmu-bare: our loader refused the image: ${r.message}`);
  const transcript = Buffer.from(r.output).toString('latin1');
  if (r.kind !== 'exit' || r.status !== 0) throw new Error(`mmu-bare on our board: ${r.kind} (${r.why}), status ${r.status}\n${transcript}`);
  return { transcript, secs, insns: r.insns };
}

/** Runs the image file under QEMU; throws unless QEMU exits with status 0. */
function runQemu(file: string): Run {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(QEMU_SYSTEM, [...QEMU_VIRT_ARGS, '-kernel', file], { timeout: QEMU_TIMEOUT_MS, encoding: 'latin1' });
  const secs = seconds(t0);
  const transcript = (r.stdout ?? '').replace(/\r/g, '');
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(`mmu-bare under ${QEMU_SYSTEM}: ${r.error?.message ?? `status ${r.status}`}\n${transcript}${r.stderr ?? ''}`);
  }
  return { transcript, secs, insns: null };
}

/** The first line of `qemu-system-aarch64 --version`, or null if it cannot be run. */
function qemuVersion(): string | null {
  const r = spawnSync(QEMU_SYSTEM, ['--version'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return null;
  return (r.stdout.split('\n')[0] ?? '').trim();
}

/** Both emulators' runs of one variant, after checking that their transcripts agree. */
interface Pair {
  readonly ours: Run;
  readonly qemu: Run;
}

/** Line-by-line difference of two transcripts (empty if they are equal). */
function transcriptDiff(ours: string, qemu: string): string[] {
  const a = ours.split('\n'), b = qemu.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    out.push(`  line ${i + 1}: ours ${JSON.stringify(a[i] ?? '<none>')}`, `  line ${i + 1}: QEMU ${JSON.stringify(b[i] ?? '<none>')}`);
  }
  return out;
}

/**
 * Runs variant (n1, n2) `times` times under each emulator and keeps each one's fastest run.
 * Throws, after logging the difference, if a transcript differs from QEMU's.
 */
function runVariant(dir: string, n1: number, n2: number, times: number, log: (l: string) => void): Pair {
  const elf = buildMmuBare(n1, n2);
  const file = join(dir, `mmu-bare-${n1}-${n2}.elf`);
  writeFileSync(file, elf);
  let best: Pair | null = null;
  for (let i = 0; i < times; i++) {
    const ours = runOurs(elf);
    const qemu = runQemu(file);
    const diff = transcriptDiff(ours.transcript, qemu.transcript);
    if (diff.length > 0) {
      log(`mmu-bare N1=${n1} N2=${n2}: our transcript differs from QEMU's:`);
      for (const l of diff) log(l);
      throw new Error(`mmu-bare N1=${n1} N2=${n2}: transcripts differ (see above)`);
    }
    best = {
      ours: best === null || ours.secs < best.ours.secs ? ours : best.ours,
      qemu: best === null || qemu.secs < best.qemu.secs ? qemu : best.qemu,
    };
  }
  if (best === null) throw new Error('runVariant: times must be at least 1');
  return best;
}

/** One phase's figures: the variant minus the start-up variant. */
export interface PhaseFigures {
  readonly insns: number;
  readonly oursSecs: number;
  readonly qemuSecs: number;
  /** QEMU time / our time: above 1, ours is faster. */
  readonly ratio: number;
}

function phase(run: Pair, startup: Pair): PhaseFigures {
  const insns = Number((run.ours.insns ?? 0n) - (startup.ours.insns ?? 0n));
  const oursSecs = run.ours.secs - startup.ours.secs;
  const qemuSecs = run.qemu.secs - startup.qemu.secs;
  return { insns, oursSecs, qemuSecs, ratio: qemuSecs / oursSecs };
}

function sum(a: PhaseFigures, b: PhaseFigures): PhaseFigures {
  const oursSecs = a.oursSecs + b.oursSecs, qemuSecs = a.qemuSecs + b.qemuSecs;
  return { insns: a.insns + b.insns, oursSecs, qemuSecs, ratio: qemuSecs / oursSecs };
}

/** "QEMU is 5.1x faster" / "ours is 1.2x faster" / a note when a time is too short to subtract. */
function verdict(f: PhaseFigures): string {
  if (!(f.oursSecs > 0 && f.qemuSecs > 0)) return 'not measurable: a time is within start-up noise';
  return f.ratio < 1 ? `QEMU is ${(1 / f.ratio).toFixed(1)}x faster` : `ours is ${f.ratio.toFixed(1)}x faster`;
}

function line(label: string, f: PhaseFigures): string {
  const mips = (s: number): string => (s > 0 ? (f.insns / s / 1e6).toFixed(1) : 'n/a').padStart(7);
  return `${label.padEnd(22)} ${f.insns.toLocaleString('en-US').padStart(13)} insns  ` +
    `ours ${f.oursSecs.toFixed(3)} s ${mips(f.oursSecs)} MIPS  QEMU ${f.qemuSecs.toFixed(3)} s ${mips(f.qemuSecs)} MIPS  ` +
    `QEMU/ours ${f.ratio.toFixed(3)}: ${verdict(f)}`;
}

/**
 * The `qemu` group: times guests/bench/mmu-bare.s under our board and under QEMU and prints
 * instructions, seconds, MIPS and the ratio (QEMU time / our time) per phase and in total.
 * Returns null, after one "skipped" line, when qemu-system-aarch64 is not installed.
 * Throws if either emulator fails the image or their transcripts differ.
 */
export async function benchQemu(log: (line: string) => void): Promise<{ tlbHits: PhaseFigures; stride: PhaseFigures } | null> {
  const version = qemuVersion();
  if (version === null) {
    log(`skipped: ${QEMU_SYSTEM} not installed`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sekvm-qemu-ratio-'));
  try {
    const startup = runVariant(dir, 1, 1, STARTUP_RUNS, log);
    const tlbHits = phase(runVariant(dir, FULL.n1, 1, 1, log), startup);
    const stride = phase(runVariant(dir, 1, FULL.n2, 1, log), startup);
    log(`guests/${SOURCE} (N1 = ${FULL.n1.toLocaleString('en-US')} iterations, N2 = ${FULL.n2} passes over 64 MiB) ` +
      `on our board (runBare, as \`sekvm-sim bare\`) and under ${version}, wall clock`);
    log(`start-up (N1 = N2 = 1, fastest of ${STARTUP_RUNS}, subtracted below): ours ${startup.ours.secs.toFixed(3)} s, ` +
      `QEMU ${startup.qemu.secs.toFixed(3)} s; transcripts identical; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`);
    log(line('phase 1, TLB hits', tlbHits));
    log(line('phase 2, page stride', stride));
    log(line('both phases', sum(tlbHits, stride)));
    return { tlbHits, stride };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
