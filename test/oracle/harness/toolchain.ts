/**
 * Running external tools for the oracle tests: GNU as/ld/gcc to build test programs and
 * qemu-aarch64 as the reference CPU. Everything happens in a temporary directory; nothing is
 * cached in the repository.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GNU_AS, GNU_LD, GNU_GCC, QEMU_USER } from '../../support/tools.js';
import type { Outcome } from './outcome.js';

export interface ProcessResult {
  readonly status: number | null;
  readonly signal: string | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly timedOut: boolean;
}

/** Runs a command to completion, collecting its output as bytes. */
export function runProcess(cmd: string, args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => errs.push(b));
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(errs), timedOut });
    });
  });
}

/** Throws with the tool's messages if it failed. */
async function mustRun(cmd: string, args: readonly string[], cwd: string): Promise<void> {
  const r = await runProcess(cmd, args, { cwd });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr.toString()}`);
}

/** Assembles `source` with GNU as and links it statically at the default address; returns the ELF path. */
export async function assembleAndLink(dir: string, name: string, source: string): Promise<string> {
  writeFileSync(join(dir, `${name}.s`), source);
  await mustRun(GNU_AS, ['-o', `${name}.o`, `${name}.s`], dir);
  await mustRun(GNU_LD, ['-static', '--build-id=none', '-o', name, `${name}.o`], dir);
  return join(dir, name);
}

/** Compiles and links freestanding C/assembly sources with aarch64-linux-gnu-gcc; returns the ELF path. */
export async function compileC(dir: string, name: string, sources: readonly string[], flags: readonly string[]): Promise<string> {
  const args = [...flags, '-o', name, ...sources, '-lgcc'];
  await mustRun(GNU_GCC, args, dir);
  return join(dir, name);
}

const QEMU_SIGNAL_LINE = /^qemu: uncaught target signal .*\n?/gm;

/**
 * Runs a static AArch64 Linux program under qemu-aarch64 (`-cpu max`) with core dumps off.
 * qemu's own "uncaught target signal" line is removed from stderr, so only the guest's output
 * remains.
 */
export async function referenceRun(elfPath: string, timeoutMs = 60_000): Promise<Outcome> {
  const script = 'ulimit -c 0; exec "$0" -cpu max "$1"';
  const r = await runProcess('sh', ['-c', script, QEMU_USER, elfPath], { timeoutMs });
  const stderr = new Uint8Array(Buffer.from(r.stderr.toString('latin1').replace(QEMU_SIGNAL_LINE, ''), 'latin1'));
  const stdout = new Uint8Array(r.stdout);
  if (r.timedOut) return { status: { kind: 'error', message: `qemu timed out after ${timeoutMs} ms` }, stdout, stderr };
  if (r.signal !== null) return { status: { kind: 'signal', signal: r.signal }, stdout, stderr };
  return { status: { kind: 'exit', code: r.status ?? -1 }, stdout, stderr };
}

/** A temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Maps `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapPool<T, R>(items: readonly T[], fn: (item: T, i: number) => Promise<R>, limit = availableParallelism()): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
