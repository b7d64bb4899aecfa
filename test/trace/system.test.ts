/**
 * End to end: a real System (KServ over KCore, and the KVM baseline) runs VM guests and each
 * writer renders its event stream.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { System, type RunSummary } from '../../src/sim/system.js';
import { flattenElf } from '../../src/kserv/image.js';
import { signImage, loadPrivateKey } from '../../src/sim/keys.js';
import { buildVmGuest } from '../../src/guests/build.js';
import type { HypMode } from '../../src/kserv/hyp.js';
import { openTraceWriter } from '../../src/trace/index.js';
import type { TraceRecord } from '../../src/trace/record.js';
import { readTrace } from './perfetto-check.js';

const CPUS = 2;
const HZ = 2e9;
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sekvm-trace-e2e-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const images = new Map<string, ReturnType<typeof signImage>>();
function image(guest: string): ReturnType<typeof signImage> {
  if (!images.has(guest)) {
    const flat = flattenElf(buildVmGuest(guest));
    if (!flat.ok) throw new Error(flat.error);
    images.set(guest, signImage(guest, flat.value, loadPrivateKey()));
  }
  return images.get(guest)!;
}

/** Runs `guest` with the trace going to the writer for `spec`; returns what ctx.out received. */
function traced(mode: HypMode, guest: string, spec: string): { summary: RunSummary; out: string; records: number } {
  const chunks: string[] = [];
  const writer = openTraceWriter(spec, { cpus: CPUS, cpuHz: HZ, out: (c) => chunks.push(c) });
  let records = 0;
  const trace = (r: TraceRecord): void => {
    records++;
    writer.write(r);
  };
  const sys = new System({ mode, cpus: CPUS, ramMiB: 256, seed: 1, cpuHz: HZ, vms: [{ name: guest, image: image(guest), vcpus: 1 }], trace });
  const summary = sys.run(2_000_000);
  writer.close();
  expect(summary.stop, summary.detail).toBe('all-off');
  return { summary, out: chunks.join(''), records };
}

describe.each(['sekvm', 'kvm'] as const)('tracing a real run over %s', (mode) => {
  it('text: one aligned line per event, the exits and the UART decoded', () => {
    const { out, records } = traced(mode, 'hello', 'text');
    const lines = out.split('\n').slice(0, -1);
    expect(lines).toHaveLength(records);
    for (const l of lines) expect(l).toMatch(/^\[cpu[01] {0,12}\d{1,12}\] \S/);
    expect(new Set(lines.map((l) => l.indexOf('] '))).size).toBe(1);
    expect(lines.some((l) => l.includes('VM 1 vCPU 0 exit: ESR_EL2=0x93820045 EC=0x24 DABT_LOW ISV=1') && l.endsWith('→ KServ'))).toBe(true);
    expect(lines.some((l) => l.endsWith('VM 1 UART: hello: goodbye'))).toBe(true);
    if (mode === 'sekvm') {
      // Hypervisor steps take simulated time (src/cost), so the stamp is not 0 any more.
      expect(lines.some((l) => /^\[cpu0 +[1-9]\d*\] hvc 14 HVC_REGISTER_VCPU\(vmid=1, vcpuid=0\)$/.test(l))).toBe(true);
      expect(lines.some((l) => l.endsWith('VM 1 stage 2: IPA 0x40000000 → pfn 0x4ec00 (level 2 block)'))).toBe(true);
      expect(lines.some((l) => /page 0x[0-9a-f]+ owner host → VM 1 \(gfn 0x40000\)$/.test(l))).toBe(true);
    }
  });

  it('jsonl: one JSON object per event', () => {
    const { out, records } = traced(mode, 'hello', 'jsonl');
    const objs = out.split('\n').slice(0, -1).map((l) => JSON.parse(l) as { seq: number; kind: string });
    expect(objs).toHaveLength(records);
    expect(objs.map((o) => o.seq)).toEqual(objs.map((_, i) => i));
  });

  it('perfetto: valid, ordered per pCPU, every component present, the same bytes on a second run', () => {
    const file = join(dir, `${mode}-virtio.json`);
    const { out } = traced(mode, 'virtio', `perfetto=${file}`);
    expect(out).toBe('');
    const t = readTrace(file, CPUS);
    const cats = new Set([...t.slices.values()].flat().map((s) => s.cat));
    expect([...cats].sort()).toEqual(['guest', 'kcore', 'kserv', 'kserv-user']);
    expect(t.instants.some((e) => e.cat === 'uart')).toBe(true);
    if (mode === 'sekvm') {
      // virtio grants its buffers with a pvop HVC that KCore handles without leaving the guest's world.
      const slices = [...t.slices.values()].flat();
      expect(slices.some((s) => s.name === 'exit HVC64' && s.args?.['path'] === 'kcore')).toBe(true);
      expect(t.instants.some((e) => e.cat === 'grant')).toBe(true);
      expect(t.instants.some((e) => e.cat === 'owner')).toBe(true);
    }
    const again = join(dir, `${mode}-virtio-again.json`);
    traced(mode, 'virtio', `perfetto=${again}`);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(file, 'utf8'));
  });
});
