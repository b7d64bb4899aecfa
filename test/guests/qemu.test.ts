/**
 * VM guests under the oracle: each guest except `virtio` and `attacker` (they need our
 * hypervisor's block device and RAM layout) boots under qemu-system-aarch64 at EL1
 * (guests/vm/README.md), prints what its header comment says, and ends QEMU through PSCI
 * SYSTEM_OFF (exit status 0, no timeout). Benchmarks run with ITERS = 64.
 * Without QEMU the tests are skipped loudly (a failure under CI=true).
 */
import { describe, it, expect } from 'vitest';
import { buildVmGuest } from '../../src/guests/build.js';
import { haveTool, QEMU_SYSTEM } from '../support/tools.js';
import { runQemuVm, type QemuVmRun } from './qemu-vm.js';

const HAVE_QEMU = haveTool(QEMU_SYSTEM);
const BENCH_ITERS = 64;

function run(name: string, smp: number, defines?: Record<string, number>): QemuVmRun {
  const r = runQemuVm(buildVmGuest(name, defines ? { defines } : {}), { smp });
  expect(r.output).not.toMatch(/unexpected (exception|interrupt)/);
  expect(r.timedOut, `QEMU did not exit; output so far:\n${r.output}`).toBe(false);
  expect(r.status, r.output).toBe(0);
  return r;
}

const RESULT = (name: string, iters: number): RegExp =>
  new RegExp(`^RESULT ${name} iters=${iters} cycles=\\d+ per_op=\\d+\\.\\d\\d cntvct=\\d+ cntvct_per_op=\\d+\\.\\d\\d ns_per_op=\\d+\\.\\d\\d$`);

describe.skipIf(!HAVE_QEMU)('VM guests under qemu-system-aarch64 -M virt,gic-version=3 (EL1, PSCI over HVC)', () => {
  it('hello: boots at EL1 with the MMU on and powers off', () => {
    expect(run('hello', 1).output).toBe([
      'hello from VM: vCPU 0 (MPIDR.Aff0 = 0)',
      'hello: EL1, MMU on, caches on',
      'hello: PSCI version >= 0.2: yes',
      'hello: RAM at 0x40000000 is writable: yes',
      'hello: goodbye',
      '',
    ].join('\n'));
  });

  it('smp: CPU_ON, a locked shared counter, SGI ping-pong, CPU_OFF + AFFINITY_INFO', () => {
    expect(run('smp', 2).output).toBe([
      'smp: vCPU 0 up, starting vCPU 1',
      'smp: vCPU 1 up',
      'smp: counter = 20000 (expected 20000): ok',
      'smp: SGI ping-pong: 8 rounds, vCPU 1 took 8 SGI 1, vCPU 0 took 8 SGI 2: ok',
      'smp: vCPU 1 powering off',
      'smp: vCPU 1 is off',
      'smp: done',
      '',
    ].join('\n'));
  });

  it('timer: five virtual-timer interrupts (PPI 27)', () => {
    expect(run('timer', 1).output).toBe([
      'timer: 5 interrupts (PPI 27): ok',
      'timer: CNTVCT advanced by >= 5 ms: ok',
      '',
    ].join('\n'));
  });

  it('memtouch: 16 MiB of fresh, zeroed pages hold their pattern', () => {
    const lines = run('memtouch', 1).output.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'memtouch: 4096 pages (16 MiB) from 0x41000000',
      'memtouch: fresh pages not zero: 0',
      'memtouch: verify errors: 0',
      'memtouch: checksum 0x3c2c50b9f5800000',
    ]);
    expect(lines[4]).toMatch(RESULT('memtouch-first-touch', 4096));
    expect(lines.slice(5)).toEqual(['']);
  });

  it('memtouch: MIB is a define', () => {
    const lines = run('memtouch', 1, { MIB: 1 }).output.split('\n');
    expect(lines[0]).toBe('memtouch: 256 pages (1 MiB) from 0x41000000');
    expect(lines[2]).toBe('memtouch: verify errors: 0');
  });

  const benches: [guest: string, result: string, smp: number][] = [
    ['bench-hvc', 'hvc', 1],
    ['bench-mmio-user', 'mmio_read_user', 1],
    ['bench-mmio-vgic', 'mmio_read_vgic', 1],
    ['bench-eoi', 'eoi', 1],
    ['bench-ipi', 'ipi', 2],
  ];
  for (const [guest, result, smp] of benches) {
    it(`${guest}: one RESULT line with a non-zero cycle count`, () => {
      const out = run(guest, smp, { ITERS: BENCH_ITERS }).output;
      const lines = out.split('\n');
      expect(lines, out).toHaveLength(2);
      expect(lines[0]).toMatch(RESULT(result, BENCH_ITERS));
      expect(Number(/cycles=(\d+)/.exec(lines[0]!)![1])).toBeGreaterThan(0);
      expect(lines[1]).toBe('');
    });
  }
});
