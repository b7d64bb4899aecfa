/**
 * VM guests on our own CPU model, with the stand-in flat host of flat-host.ts playing EL2 (no
 * stage 2; PSCI, pvops, UART, GIC, timers and the block device as guests/vm/README.md says).
 * This runs the two guests QEMU cannot (virtio, attacker) in both modes, and every other guest
 * as a differential check against the QEMU transcripts. It is not a test of the hypervisor.
 */
import { describe, it, expect } from 'vitest';
import { buildVmGuest } from '../../src/guests/build.js';
import { runFlatVm, type FlatMode, type FlatRun } from './flat-host.js';
import { EXACT, VIRTIO_MODE_LINES, BENCHES, UNCAUGHT_FAULT, resultLine, modeIndependent, attackerViolations } from './transcripts.js';

function run(name: string, opts: { cpus?: number; mode?: FlatMode; defines?: Record<string, number> } = {}): FlatRun {
  const r = runFlatVm(buildVmGuest(name, opts.defines ? { defines: opts.defines } : {}), { cpus: opts.cpus ?? 1, mode: opts.mode ?? 'sekvm' });
  expect(r.end, `${r.why}\n${r.output}`).toBe('system-off');
  return r;
}

describe('VM guests on our CPU with the flat stand-in host', () => {
  for (const [name, cpus] of [['hello', 1], ['smp', 2], ['timer', 1], ['memtouch', 1]] as const) {
    it(`${name} prints what it prints under QEMU`, () => {
      expect(modeIndependent(run(name, { cpus }).output)).toBe(EXACT[name]);
    });
  }

  it('smp gives the same transcript with a fine-grained schedule of 1 to 97 instructions', () => {
    for (const quantum of [1, 7, 97]) {
      const r = runFlatVm(buildVmGuest('smp', { defines: { N: 300 } }), { cpus: 2, quantum });
      expect(r.end, r.why).toBe('system-off');
      expect(r.output).toContain('smp: counter = 600 (expected 600): ok');
      expect(r.output).toContain('smp: vCPU 1 is off');
    }
  });

  for (const [guest, result, smp] of BENCHES) {
    it(`${guest} prints its RESULT line`, () => {
      const lines = run(guest, { cpus: smp, defines: { ITERS: 64 } }).output.split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(resultLine(result, 64));
    });
  }

  for (const mode of ['sekvm', 'kvm'] as const) {
    it(`virtio (${mode} mode): the granted I/O loop, and the ungranted requests`, () => {
      const r = run('virtio', { mode });
      expect(modeIndependent(r.output)).toBe(EXACT.virtio);
      expect(r.output.split('\n').filter((l) => l.startsWith('[mode-dependent]'))).toEqual(VIRTIO_MODE_LINES[mode]);
      expect(r.granted).toBe(0);                        // every grant was revoked
    });

    it(`attacker (${mode} mode) survives and sees nobody's data`, () => {
      const r = run('attacker', { mode });
      expect(attackerViolations(r.output)).toEqual([]);
    });
  }

  it('attacker: only [mode-dependent] lines differ between the modes', () => {
    expect(modeIndependent(run('attacker', { mode: 'kvm' }).output)).toBe(modeIndependent(run('attacker', { mode: 'sekvm' }).output));
  });

  it('an exception nobody handles is reported and powers the VM off (attacker, CATCH_FAULTS = 0)', () => {
    const lines = run('attacker', { defines: { CATCH_FAULTS: 0 } }).output.split('\n');
    expect(lines[4]).toMatch(UNCAUGHT_FAULT);
    expect(lines.slice(5)).toEqual(['']);
  });

  it('attackerViolations catches a leak and a crash', () => {
    const good = run('attacker').output;
    expect(attackerViolations(good.replace('read   0x50000000: fault', 'read   0x50000000: 0x1234 fault'))).toHaveLength(1);
    expect(attackerViolations(good.replace(/attacker: done:.*\n/, 'unexpected exception: ESR=0x0\n'))).toHaveLength(2);
  });
});
