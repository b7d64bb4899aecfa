/**
 * Running a VM guest (guests/vm) under qemu-system-aarch64 as the oracle: QEMU's virt board
 * WITHOUT virtualization=on, so the guest boots at EL1 and PSCI's conduit is HVC, as it is
 * inside one of our VMs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QEMU_SYSTEM } from '../support/tools.js';

/** The command line of guests/vm/README.md (plus -smp, -kernel and a monitor-less console). */
export const QEMU_VM_ARGS = ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a57', '-m', '64M', '-nographic',
  '-monitor', 'none', '-serial', 'stdio'] as const;

export interface QemuVmRun {
  /** UART output, CR removed. */
  readonly output: string;
  readonly status: number | null;
  readonly timedOut: boolean;
}

export function runQemuVm(elf: Uint8Array, opts: { smp?: number; timeoutMs?: number } = {}): QemuVmRun {
  const dir = mkdtempSync(join(tmpdir(), 'sekvm-vmguest-'));
  try {
    const f = join(dir, 'guest.elf');
    writeFileSync(f, elf);
    const r = spawnSync(QEMU_SYSTEM, [...QEMU_VM_ARGS, '-smp', String(opts.smp ?? 1), '-kernel', f], {
      timeout: opts.timeoutMs ?? 20_000,
      encoding: 'latin1',
    });
    const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    return { output: (r.stdout ?? '').replace(/\r/g, ''), status: r.status, timedOut };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
