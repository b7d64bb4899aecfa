/**
 * CPU benchmarks (issue: guest MIPS): (a) integer ALU loop, (b) load/store loop over a 64 MiB
 * buffer, (c) call/return loop — each run under `sekvm-sim user` in this process, timed with
 * tinybench, and under qemu-aarch64 when it is installed (wall clock of the process, which
 * includes its start-up, a few ms).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { runUserProgram } from '../user/run.js';
import { buildGuestElf } from './guests.js';

export interface CpuFigure {
  readonly name: string;
  readonly insns: number;
  readonly seconds: number;
  readonly mips: number;
  readonly qemuSeconds: number | null;
  readonly qemuMips: number | null;
}

const CASES = [
  ['alu', 'bench/alu.s', '(a) integer ALU loop'],
  ['ldst', 'bench/ldst.s', '(b) load/store loop, 64 MiB buffer'],
  ['call', 'bench/call.s', '(c) call/return loop'],
] as const;

function haveQemu(): boolean {
  return spawnSync('qemu-aarch64', ['--version'], { stdio: 'ignore' }).status === 0;
}

function timeQemu(elf: Uint8Array): number {
  const dir = mkdtempSync(join(tmpdir(), 'sekvm-bench-'));
  try {
    const f = join(dir, 'prog');
    writeFileSync(f, elf, { mode: 0o755 });
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync('qemu-aarch64', [f], { stdio: 'ignore' });
      const t = Number(process.hrtime.bigint() - t0) / 1e9;
      if (r.status !== 0) throw new Error(`qemu-aarch64 failed on the benchmark (status ${r.status})`);
      best = Math.min(best, t);
    }
    return best;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchCpu(log: (line: string) => void): Promise<CpuFigure[]> {
  const qemu = haveQemu();
  if (!qemu) log('qemu-aarch64 not installed: qemu ratios skipped');
  const out: CpuFigure[] = [];
  for (const [name, src, label] of CASES) {
    const elf = buildGuestElf(src);
    let insns = 0;
    const bench = new Bench({ iterations: 3, warmupIterations: 1, time: 0 });
    bench.add(name, () => {
      const r = runUserProgram(elf, { argv: [name] });
      if (r.kind !== 'exit' || r.exitCode !== 0) throw new Error(`benchmark ${name} failed: ${JSON.stringify(r.kind)}`);
      insns = Number(r.insns);
    });
    await bench.run();
    const task = bench.tasks[0]!;
    const res = task.result as { latency?: { min: number }; period?: number } | undefined;
    const ms = res?.latency?.min ?? res?.period ?? NaN;
    const seconds = ms / 1000;
    const mips = insns / seconds / 1e6;
    const qemuSeconds = qemu ? timeQemu(elf) : null;
    const qemuMips = qemuSeconds === null ? null : insns / qemuSeconds / 1e6;
    out.push({ name, insns, seconds, mips, qemuSeconds, qemuMips });
    log(`${label.padEnd(40)} ${insns.toLocaleString('en-US').padStart(14)} insns  ${seconds.toFixed(3)} s  ` +
      `${mips.toFixed(1).padStart(7)} MIPS` +
      (qemuMips === null ? '' : `   qemu-aarch64 ${qemuMips.toFixed(0)} MIPS, ratio sim/qemu ${(mips / qemuMips).toFixed(3)}`));
  }
  return out;
}
