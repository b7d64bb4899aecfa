/**
 * VM guests under the oracle: each guest except `virtio` and `attacker` (they need our
 * hypervisor's block device and RAM layout) boots under qemu-system-aarch64 at EL1
 * (guests/vm/README.md), prints what its header comment says, and ends QEMU through PSCI
 * SYSTEM_OFF (exit status 0, no timeout). Benchmarks run with ITERS = 64. The attacker runs
 * only with CATCH_FAULTS = 0, to check the library's report of an unhandled exception.
 * Without QEMU the tests are skipped loudly (a failure under CI=true).
 */
import { describe, it, expect } from 'vitest';
import { buildVmGuest } from '../../src/guests/build.js';
import { haveTool, QEMU_SYSTEM } from '../support/tools.js';
import { runQemuVm, type QemuVmRun } from './qemu-vm.js';
import { EXACT, BENCHES, UNCAUGHT_FAULT, resultLine, modeIndependent } from './transcripts.js';

const HAVE_QEMU = haveTool(QEMU_SYSTEM);
const BENCH_ITERS = 64;

function run(name: string, smp: number, defines?: Record<string, number>): QemuVmRun {
  const r = runQemuVm(buildVmGuest(name, defines ? { defines } : {}), { smp });
  expect(r.output).not.toMatch(/unexpected (exception|interrupt)/);
  expect(r.timedOut, `QEMU did not exit; output so far:\n${r.output}`).toBe(false);
  expect(r.status, r.output).toBe(0);
  return r;
}

describe.skipIf(!HAVE_QEMU)('VM guests under qemu-system-aarch64 -M virt,gic-version=3 (EL1, PSCI over HVC)', () => {
  it('hello: boots at EL1 with the MMU on and powers off', () => {
    expect(run('hello', 1).output).toBe(EXACT.hello);
  });

  it('smp: CPU_ON, a locked shared counter, SGI ping-pong, CPU_OFF + AFFINITY_INFO', () => {
    expect(run('smp', 2).output).toBe(EXACT.smp);
  });

  it('timer: five virtual-timer interrupts (PPI 27)', () => {
    expect(run('timer', 1).output).toBe(EXACT.timer);
  });

  it('memtouch: 16 MiB of fresh, zeroed pages hold their pattern', () => {
    const out = run('memtouch', 1).output;
    expect(modeIndependent(out)).toBe(EXACT.memtouch);
    expect(out.split('\n')[4]).toMatch(resultLine('memtouch-first-touch', 4096));
  });

  it('memtouch: MIB is a define', () => {
    const lines = run('memtouch', 1, { MIB: 1 }).output.split('\n');
    expect(lines[0]).toBe('memtouch: 256 pages (1 MiB) from 0x41000000');
    expect(lines[2]).toBe('memtouch: verify errors: 0');
  });

  it('an exception nobody handles is reported and powers the VM off (attacker, CATCH_FAULTS = 0)', () => {
    const r = runQemuVm(buildVmGuest('attacker', { defines: { CATCH_FAULTS: 0 } }));
    expect(r.timedOut).toBe(false);
    expect(r.status).toBe(0);
    const lines = r.output.split('\n');
    expect(lines[4]).toMatch(UNCAUGHT_FAULT);
    expect(lines.slice(5)).toEqual(['']);
  });

  for (const [guest, result, smp] of BENCHES) {
    it(`${guest}: one RESULT line with a non-zero cycle count`, () => {
      const out = run(guest, smp, { ITERS: BENCH_ITERS }).output;
      const lines = out.split('\n');
      expect(lines, out).toHaveLength(2);
      expect(lines[0]).toMatch(resultLine(result, BENCH_ITERS));
      expect(Number(/cycles=(\d+)/.exec(lines[0]!)![1])).toBeGreaterThan(0);
      expect(lines[1]).toBe('');
    });
  }
});
