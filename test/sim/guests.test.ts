/**
 * The VM guests (guests/vm) on the real hypervisor stack — KServ over KCore (sekvm) and KServ
 * over the KVM 4.18 baseline (kvm) — on the simulated machine: the same transcripts as under
 * QEMU (test/guests/transcripts.ts), the same output in both modes apart from the lines the
 * guests mark [mode-dependent], and an attacker VM that never sees anyone else's data.
 */
import { describe, it, expect } from 'vitest';
import { System, type RunSummary } from '../../src/sim/system.js';
import { flattenElf } from '../../src/kserv/image.js';
import { signImage, loadPrivateKey } from '../../src/sim/keys.js';
import { buildVmGuest } from '../../src/guests/build.js';
import type { HypMode } from '../../src/kserv/hyp.js';
import { EXACT, VIRTIO_MODE_LINES, modeIndependent, attackerViolations } from '../guests/transcripts.js';

const key = loadPrivateKey();
const MODES: readonly HypMode[] = ['sekvm', 'kvm'];

function image(guest: string, defines?: Record<string, number>) {
  const flat = flattenElf(buildVmGuest(guest, defines ? { defines } : {}));
  if (!flat.ok) throw new Error(flat.error);
  return signImage(guest, flat.value, key);
}

function runGuest(mode: HypMode, guest: string, vcpus = 1, opts: { vms?: number; cpus?: number; seed?: number; defines?: Record<string, number>; ramMiB?: number } = {}): RunSummary {
  const img = image(guest, opts.defines);
  const vms = Array.from({ length: opts.vms ?? 1 }, (_, i) => ({ name: `${guest}${i}`, image: img, vcpus }));
  const s = new System({ mode, cpus: opts.cpus ?? 2, ramMiB: opts.ramMiB ?? 256, seed: opts.seed ?? 1, vms }).run(2_000_000);
  return s;
}

function transcript(s: RunSummary, vm = 0): string {
  return s.vms[vm]!.output.join('\n') + '\n';
}

function expectAllOff(s: RunSummary): void {
  const failures = s.vms.filter((v) => v.state !== 'off').map((v) => `${v.name}: ${v.state} ${v.failure ?? ''}`);
  expect(failures, `${s.stop}: ${s.detail}`).toEqual([]);
  expect(s.stop).toBe('all-off');
}

describe.each(MODES)('VM guests on KServ over %s', (mode) => {
  for (const [guest, vcpus] of [['hello', 1], ['smp', 2], ['timer', 1], ['memtouch', 1]] as const) {
    it(`${guest} prints its QEMU transcript`, () => {
      const s = runGuest(mode, guest, vcpus);
      expectAllOff(s);
      expect(modeIndependent(transcript(s))).toBe(EXACT[guest]);
    });
  }

  it('hello on 2.5 GiB of RAM: KCore (at the top of RAM) more than 2 GiB above its base', () => {
    const s = runGuest(mode, 'hello', 1, { ramMiB: 2560 });
    expectAllOff(s);
    expect(modeIndependent(transcript(s))).toBe(EXACT['hello']);
  });

  it('virtio: the I/O loop works and the ungranted requests behave as the mode dictates', () => {
    const s = runGuest(mode, 'virtio');
    expectAllOff(s);
    const out = transcript(s);
    expect(modeIndependent(out)).toBe(EXACT['virtio']);
    for (const l of VIRTIO_MODE_LINES[mode]) expect(out.split('\n')).toContain(l);
  });

  it('attacker: survives every probe and never reads data that is not its own', () => {
    const s = runGuest(mode, 'attacker');
    expectAllOff(s);
    expect(attackerViolations(transcript(s))).toEqual([]);
  });

  it('two VMs with two vCPUs each on 4 pCPUs, interleaved finely, both finish', () => {
    const s = runGuest(mode, 'smp', 2, { vms: 2, cpus: 4, defines: { N: 500 } });
    expectAllOff(s);
    for (let i = 0; i < 2; i++) expect(transcript(s, i)).toContain('smp: counter = 1000 (expected 1000): ok');
  });
});

describe('KVM and SeKVM give the same guest output', () => {
  for (const [guest, vcpus] of [['hello', 1], ['smp', 2], ['virtio', 1], ['attacker', 1]] as const) {
    it(guest, () => {
      const a = runGuest('sekvm', guest, vcpus);
      const b = runGuest('kvm', guest, vcpus);
      expect(modeIndependent(transcript(a))).toBe(modeIndependent(transcript(b)));
    });
  }
});

describe('SeKVM-specific behaviour visible from a run', () => {
  it('a VM\'s pages go back to the host when it is torn down (KCore\'s s2page owners)', () => {
    const s = runGuest('sekvm', 'memtouch');
    expectAllOff(s);
    const owners = [...s.pagesByOwner.keys()].sort();
    expect(owners).toEqual(['KCore', 'host']);
  });

  it('exits are forwarded to KServ and KServ user space; grants are handled in KCore', () => {
    const s = runGuest('sekvm', 'virtio');
    expect(s.exitsByPath.kcore).toBeGreaterThan(0);        // KVM_SET/UNSET_DESC_PFN pvops
    expect(s.exitsByPath['kserv-user']).toBeGreaterThan(0); // the block device in QEMU
    const k = runGuest('kvm', 'virtio');
    expect(k.exitsByPath.kcore).toBe(0);                    // no KCore in KVM mode
  });

  it('a tampered image never runs under SeKVM, but does under KVM (no verified boot)', () => {
    const img = image('hello');
    const bytes = img.bytes.slice();
    bytes[0x40] = bytes[0x40]! ^ 0xff;
    const tampered = { ...img, bytes };
    for (const mode of MODES) {
      const s = new System({ mode, cpus: 2, ramMiB: 256, seed: 1, vms: [{ name: 'evil', image: tampered, vcpus: 1 }] }).run(2_000_000);
      if (mode === 'sekvm') {
        expect(s.vms[0]!.output).toEqual([]);
        expect(s.vms[0]!.state).toBe('failed');
        expect(s.vms[0]!.failure).toMatch(/verification/);
      } else {
        expect(s.vms[0]!.state).not.toBe('failed');
      }
    }
  });

  it('is deterministic: the same seed gives the same event stream', () => {
    const img = image('smp', { N: 200 });
    const trace = (seed: number): string => {
      const lines: string[] = [];
      new System({ mode: 'sekvm', cpus: 2, ramMiB: 256, seed, vms: [{ name: 'smp', image: img, vcpus: 2 }],
        trace: (r) => lines.push(`${r.seq} ${r.cycles} ${JSON.stringify(r.event, (_k, v) => typeof v === 'bigint' ? v.toString(16) : v)}`) }).run(2_000_000);
      return lines.join('\n');
    };
    const a = trace(7);
    expect(trace(7)).toBe(a);
    expect(trace(8)).not.toBe(a);
  });
});
