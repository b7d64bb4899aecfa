/** Running a bare-metal ELF under qemu-system-aarch64 on the virt board (the conformance oracle). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The QEMU command line our board mirrors (README "The board"). */
export const QEMU_VIRT_ARGS = ['-M', 'virt,virtualization=on,gic-version=3', '-cpu', 'cortex-a57', '-m', '512M',
  '-nographic', '-semihosting', '-monitor', 'none', '-serial', 'stdio'];

export interface QemuResult {
  readonly output: string;
  readonly status: number | null;
  readonly timedOut: boolean;
}

export function runQemuVirt(elf: Uint8Array, opts: { smp?: number; timeoutMs?: number } = {}): QemuResult {
  const dir = mkdtempSync(join(tmpdir(), 'sekvm-qemu-'));
  try {
    const f = join(dir, 'image.elf');
    writeFileSync(f, elf);
    const args = [...QEMU_VIRT_ARGS, '-smp', String(opts.smp ?? 1), '-kernel', f];
    const r = spawnSync('qemu-system-aarch64', args, { timeout: opts.timeoutMs ?? 20_000, encoding: 'latin1' });
    const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    return { output: (r.stdout ?? '').replace(/\r/g, ''), status: r.status, timedOut };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
