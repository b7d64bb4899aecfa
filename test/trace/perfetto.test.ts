/** The Perfetto writer (src/trace/perfetto.ts) on hand-built records. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerfettoWriter } from '../../src/trace/perfetto.js';
import { describeEvent } from '../../src/trace/text.js';
import type { TraceEvent } from '../../src/trace/events.js';
import type { TraceContext } from '../../src/trace/record.js';
import { SAMPLES, SCRIPT, records } from './events.js';
import { readTrace } from './perfetto-check.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sekvm-perfetto-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const CTX: TraceContext = { cpus: 2, cpuHz: 2e9, out: () => { throw new Error('perfetto must not use ctx.out'); } };

function writeTrace(name: string, events: readonly (readonly [bigint, TraceEvent])[], ctx = CTX): string {
  const path = join(dir, name);
  const w = new PerfettoWriter(path, ctx);
  for (const r of records(events)) w.write(r);
  w.close();
  return path;
}

/** [cat, name, ts, dur] of each slice of one pCPU. */
function sliceRows(path: string, cpu: number, cpus = 2): [string, string, number, number][] {
  const t = readTrace(path, cpus);
  return (t.slices.get(t.tidOf(cpu)) ?? []).map((s) => [s.cat!, s.name, s.ts!, s.dur!]);
}

describe('PerfettoWriter', () => {
  it('writes trace-event JSON with one named thread per pCPU under one process', () => {
    const t = readTrace(writeTrace('script.json', SCRIPT), 2);
    expect(t.tidOf(0)).not.toBe(t.tidOf(1));
    const sorts = t.events.filter((e) => e.name === 'thread_sort_index').map((e) => [e.tid, e.args?.['sort_index']]);
    expect(sorts).toEqual([[t.tidOf(0), 0], [t.tidOf(1), 1]]);
  });

  it('cuts a SeKVM pCPU into hypercall, guest, KCore-exit, KServ and KServ-user slices', () => {
    // 2 GHz: 1000 cycles = 0.5 µs; hypervisor work costs no cycles yet, so its slices are 0 long.
    expect(sliceRows(writeTrace('sekvm.json', SCRIPT), 0)).toEqual([
      ['kcore', 'HVC_REGISTER_KVM', 0, 0],
      ['kserv', 'KServ', 0, 0.5],
      ['kcore', 'HVC_VCPU_RUN', 0.5, 0],
      ['guest', 'VM 1 vCPU 0', 0.5, 1],
      ['kcore', 'exit HVC64', 1.5, 0],
      ['guest', 'VM 1 vCPU 0', 1.5, 0.5005],
      ['kcore', 'exit DABT_LOW', 2.0005, 0],
      ['kserv', 'KServ', 2.0005, 0],
      ['kserv-user', 'KServ user: VM 1 write 0x9000000', 2.0005, 0.4995],
      ['kcore', 'HVC_TIMER_SET_CNTVOFF', 2.5, 0],
      ['kserv', 'KServ', 2.5, 0],
    ]);
  });

  it('handles the KVM order (exit, then enter-host) and closes a slice left open at the last time seen', () => {
    expect(sliceRows(writeTrace('kvm.json', SCRIPT), 1)).toEqual([
      ['guest', 'VM 1 vCPU 1', 0.25, 1],
      ['kcore', 'exit DABT_LOW', 1.25, 0],
      ['kserv', 'KServ', 1.25, 0],
      ['kserv-user', 'KServ user: VM 1 write 0x9000000', 1.25, 0],
      ['guest', 'VM 1 vCPU 1', 1.25, 1.75],
    ]);
  });

  it('gives slices their decoded arguments', () => {
    const t = readTrace(writeTrace('args.json', SCRIPT), 2);
    const all = [...t.slices.values()].flat();
    expect(all.find((s) => s.name === 'HVC_REGISTER_KVM')?.args).toEqual({ nr: 13, ret: '0x1', rejected: false });
    expect(all.find((s) => s.name === 'HVC_VCPU_RUN')?.args).toEqual({ nr: 8, vmid: 1, vcpuid: 0 });
    expect(all.find((s) => s.name === 'VM 1 vCPU 0')?.args).toEqual({ vmid: 1, vcpu: 0, pc: '0x40080000' });
    const exit = all.find((s) => s.name === 'exit DABT_LOW' && s.tid === t.tidOf(0));
    expect(exit?.args).toEqual({
      vmid: 1, vcpu: 0, path: 'kserv', hvc: 'HVC_VCPU_RUN', ret: '0x2', rejected: false,
      syndrome: 'ESR_EL2=0x93820045 EC=0x24 DABT_LOW ISV=1 SAS=2 SSE=0 SRT=2 SF=0 AR=0 WnR=1 S1PTW=0 DFSC=0x05 ' +
        '(32-bit write from W2, translation fault, level 1) FAR_EL2=0x9000000 HPFAR_EL2=0x90000 (IPA page 0x9000000)',
    });
  });

  it('marks everything else as thread-scoped instants carrying the text decoding', () => {
    const t = readTrace(writeTrace('instants.json', SCRIPT), 2);
    expect(t.instants.map((e) => [e.tid, e.ts, e.cat, e.name])).toEqual([
      [t.tidOf(0), 0, 'vm-state', 'VM 1 READY'],
      [t.tidOf(0), 0.5, 'vcpu-state', 'VM 1 vCPU 0 ACTIVE'],
      [t.tidOf(0), 1.5, 'grant', 'VM 1 grant'],
      [t.tidOf(0), 2.0005, 'vcpu-state', 'VM 1 vCPU 0 READY'],
      [t.tidOf(0), 2.0005, 'uart', 'VM 1 UART: hello'],
      [t.tidOf(1), 3, 'note', 'note: still running'],
    ]);
    expect(t.instants[2]!.args).toEqual({ description: 'VM 1 grants page 0x4eca6 to the host (share count 1)', vmid: 1, pfn: 0x4eca6, count: 1 });
  });

  it('turns every instant kind into an instant event', () => {
    const instantKinds = Object.values(SAMPLES).map((s) => s.event)
      .filter((e) => !['hvc', 'hvc-ret', 'enter-guest', 'guest-exit', 'enter-host', 'kserv-user'].includes(e.kind));
    const t = readTrace(writeTrace('kinds.json', instantKinds.map((e) => [0n, e] as const)), 2);
    expect(t.instants.map((e) => e.cat)).toEqual(instantKinds.map((e) => e.kind));
    expect(t.instants.map((e) => e.args?.['description'])).toEqual(instantKinds.map(describeEvent));
  });

  it('a violation inside VCPU_RUN (back to the host with no exit reported) ends at hvc-ret', () => {
    const rows = sliceRows(writeTrace('violation.json', [
      [0n, { kind: 'hvc', cpu: 0, nr: 8, name: 'VCPU_RUN', args: [1n, 0n, 0n, 0n, 0n] }],
      [0n, { kind: 'enter-guest', cpu: 0, vmid: 1, vcpu: 0, pc: 0x40080000n }],
      [200n, { kind: 'kcore-halt', cpu: 0, code: 'ownership', where: 'grant_vm_page', detail: 'x', mode: 'reject' }],
      [200n, { kind: 'enter-host', cpu: 0 }],
      [200n, { kind: 'hvc-ret', cpu: 0, nr: 8, name: 'VCPU_RUN', ret: 0xffff_ffff_ffff_ffffn, rejected: true }],
    ]), 0);
    expect(rows).toEqual([
      ['kcore', 'HVC_VCPU_RUN', 0, 0],
      ['guest', 'VM 1 vCPU 0', 0, 0.1],
      ['kcore', 'return to host', 0.1, 0],
      ['kserv', 'KServ', 0.1, 0],
    ]);
  });

  it('converts cycles to microseconds exactly, at any frequency', () => {
    const at = (cycles: bigint, cpuHz: number): number => {
      const p = writeTrace(`hz-${cpuHz}-${cycles}.json`, [[cycles, { kind: 'note', cpu: 0, text: '' }]], { ...CTX, cpuHz });
      return readTrace(p, 2).instants[0]!.ts!;
    };
    expect(at(3n, 2e9)).toBe(0.0015);
    expect(at(7_000_000_000n, 1e9)).toBe(7_000_000);
    expect(at(1n, 3e9)).toBe(0.000333);
    expect(readFileSync(join(dir, 'hz-3000000000-1.json'), 'utf8')).toContain('"ts":0.000333,');
  });

  it('gives a pCPU beyond ctx.cpus its own track rather than dropping it', () => {
    const p = writeTrace('extra.json', [[0n, { kind: 'note', cpu: 3, text: 'late' }]], { ...CTX, cpus: 1 });
    const json = JSON.parse(readFileSync(p, 'utf8')) as { traceEvents: { name: string; tid?: number; args?: { name?: string } }[] };
    expect(json.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.args?.name)).toEqual(['pCPU 0', 'pCPU 3']);
  });

  it('is byte-identical for identical input', () => {
    const a = readFileSync(writeTrace('a.json', SCRIPT), 'utf8');
    const b = readFileSync(writeTrace('b.json', SCRIPT), 'utf8');
    expect(a).toBe(b);
  });

  it('streams: what is known is on disk before close(), the closing bracket only after', () => {
    const path = join(dir, 'stream.json');
    const w = new PerfettoWriter(path, CTX);
    expect(readFileSync(path, 'utf8')).toMatch(/^\{"traceEvents":\[\n\{"ph":"M".*"pCPU 1"/s);
    for (const r of records(SCRIPT.slice(0, 6))) w.write(r);
    const mid = readFileSync(path, 'utf8');
    expect(mid).toContain('"name":"HVC_VCPU_RUN"');
    expect(mid).not.toContain('"name":"VM 1 vCPU 0"');
    expect(mid).not.toContain('displayTimeUnit');
    w.close();
    w.close();
    expect(readFileSync(path, 'utf8')).toMatch(/"name":"VM 1 vCPU 0".*\n\],"displayTimeUnit":"ns"\}\n$/s);
    expect(() => w.write(records(SCRIPT)[0]!)).toThrow(/write after close/);
  });

  it('names the file it cannot create', () => {
    const bad = join(dir, 'no-such-dir', 'trace.json');
    expect(() => new PerfettoWriter(bad, CTX)).toThrow(`cannot write the Perfetto trace to '${bad}': ENOENT`);
    expect(() => new PerfettoWriter(dir, CTX)).toThrow(`'${dir}': EISDIR`);
  });

  it('refuses a frequency that cannot convert cycles to time', () => {
    expect(() => new PerfettoWriter(join(dir, 'hz.json'), { ...CTX, cpuHz: 0 })).toThrow(RangeError);
  });
});
