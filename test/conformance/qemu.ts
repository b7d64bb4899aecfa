/**
 * Runs conformance images under qemu-system-aarch64 (the oracle) asynchronously, a few at a
 * time, with the command line of test/support/qemu-system.ts (`-M virt,virtualization=on,
 * gic-version=3 -cpu cortex-a57 -m 512M -semihosting`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QEMU_VIRT_ARGS } from '../support/qemu-system.js';

export interface QemuRun {
  readonly output: string;
  readonly status: number | null;
  readonly timedOut: boolean;
  readonly ms: number;
}

/** One run of `elf` with `smp` CPUs; killed after `timeoutMs`. Never rejects. */
export function runQemuAsync(elf: Uint8Array, smp: number, timeoutMs: number): Promise<QemuRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sekvm-conf-'));
  const file = join(dir, 'image.elf');
  writeFileSync(file, elf);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn('qemu-system-aarch64', [...QEMU_VIRT_ARGS, '-smp', String(smp), '-kernel', file],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', () => {});
    const finish = (status: number | null): void => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ output: Buffer.concat(out).toString('latin1').replace(/\r/g, ''), status, timedOut, ms: Date.now() - t0 });
    };
    child.on('error', () => finish(null));
    child.on('close', (code) => finish(code));
  });
}

/** A limit on how many jobs run at once; `run` queues the rest. */
export function limiter(max: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = (): void => {
    if (active >= max) return;
    const start = queue.shift();
    if (start) {
      active++;
      start();
    }
  };
  return <T>(job: () => Promise<T>): Promise<T> => new Promise<T>((resolve, reject) => {
    queue.push(() => {
      job().then(resolve, reject).finally(() => {
        active--;
        next();
      });
    });
    next();
  });
}
