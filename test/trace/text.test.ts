/** The text writer (src/trace/text.ts) on hand-built records of every event kind. */
import { describe, it, expect } from 'vitest';
import { TextWriter, describeEvent, hvcArgs, ownerName } from '../../src/trace/text.js';
import type { TraceEvent } from '../../src/trace/events.js';
import type { TraceContext } from '../../src/trace/record.js';
import { SAMPLES, SCRIPT, records } from './events.js';

function render(events: readonly (readonly [bigint, TraceEvent])[], cpus = 2): string[] {
  const chunks: string[] = [];
  const ctx: TraceContext = { cpus, cpuHz: 2e9, out: (c) => chunks.push(c) };
  const w = new TextWriter(ctx);
  for (const r of records(events)) w.write(r);
  w.close();
  return chunks.join('').split('\n').slice(0, -1);
}

describe('describeEvent', () => {
  it('covers every event kind', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([
      'enter-guest', 'enter-host', 'grant', 'guest-exit', 'host-map', 'host-unmap', 'hvc', 'hvc-ret', 'kcore-halt',
      'kserv', 'kserv-user', 'note', 'owner', 'revoke', 's2-map', 'uart', 'vcpu-state', 'vm-state',
    ]);
  });

  for (const [kind, { event, text }] of Object.entries(SAMPLES)) {
    it(`${kind}: ${text}`, () => {
      expect(describeEvent(event)).toBe(text);
    });
  }

  it('a rejected hypercall shows the signed error', () => {
    expect(describeEvent({ kind: 'hvc-ret', cpu: 0, nr: 8, name: 'VCPU_RUN', ret: 0xffff_ffff_ffff_ffean, rejected: true }))
      .toBe('hvc 8 HVC_VCPU_RUN REJECTED = -22');
  });

  it('prints only the arguments the call takes, by their spec names (sekvm.md §2.2)', () => {
    const hvc = (nr: number, name: string, args: bigint[]): string => describeEvent({ kind: 'hvc', cpu: 0, nr, name, args });
    expect(hvc(6, 'ENABLE_S2_TRANS', [7n, 7n, 7n, 7n, 7n])).toBe('hvc 6 HVC_ENABLE_S2_TRANS()');
    expect(hvc(10, 'SET_BOOT_INFO', [1n, 0x40080000n, 0x25040n, 9n, 9n])).toBe('hvc 10 HVC_SET_BOOT_INFO(vmid=1, load_addr=0x40080000, size=0x25040)');
    expect(hvc(11, 'REMAP_VM_IMAGE', [1n, 0x4ec80n, 0n, 0n, 0n])).toBe('hvc 11 HVC_REMAP_VM_IMAGE(vmid=1, pfn=0x4ec80, load_idx=0)');
    expect(hvc(25, 'SMMU_LPAE_MAP', [0x1000n, 0x4f000n, 3n, 2n, 1n])).toBe('hvc 25 HVC_SMMU_LPAE_MAP(iova=0x1000, paddr=0x4f000, prot=0x3, cbndx=2, index=1)');
    expect(hvc(28, 'PHYS_ADDR_IOREMAP', [1n, 0x8010000n, 0x8040000n, 0x2000n, 0n]))
      .toBe('hvc 28 HVC_PHYS_ADDR_IOREMAP(vmid=1, gpa=0x8010000, pa=0x8040000, size=0x2000)');
  });

  it('an unknown call shows x1..x5; a huge identifier stays hex; a number too big for a call id is not printed', () => {
    expect(describeEvent({ kind: 'hvc', cpu: 0, nr: 42, name: 'HVC_42', args: [1n, 2n, 0n, 0n, 0x10n] }))
      .toBe('hvc 42 HVC_42(x1=0x1, x2=0x2, x3=0, x4=0, x5=0x10)');
    expect(hvcArgs(8, [0xffff_ffff_ffff_ffffn, 0n])).toEqual([['vmid', 0xffff_ffff_ffff_ffffn], ['vcpuid', 0]]);
    expect(describeEvent({ kind: 'hvc', cpu: 0, nr: -1, name: 'HVC_1311768467294899695', args: [0n, 0n, 0n, 0n, 0n] }))
      .toBe('hvc HVC_1311768467294899695(x1=0, x2=0, x3=0, x4=0, x5=0)');
  });

  it('owners: 0 is the host, 65 is KCore (COREVISOR), anything else a VM; gfn only when a VM gets the page', () => {
    expect([0, 65, 3].map(ownerName)).toEqual(['host', 'KCore', 'VM 3']);
    expect(describeEvent({ kind: 'owner', cpu: 0, pfn: 0x40000, from: 0, to: 65, gfn: 0n })).toBe('page 0x40000 owner host → KCore');
    expect(describeEvent({ kind: 'owner', cpu: 0, pfn: 0x4f028, from: 1, to: 0, gfn: 0n })).toBe('page 0x4f028 owner VM 1 → host');
    expect(describeEvent({ kind: 'owner', cpu: 0, pfn: 0x4f028, from: 0, to: 2, gfn: 0xffff_ffff_ffff_ffffn }))
      .toBe('page 0x4f028 owner host → VM 2 (no gfn)');
  });

  it('stage-2 levels: 3 is a page, 1 and 2 are blocks', () => {
    expect(describeEvent({ kind: 's2-map', cpu: 0, vmid: 2, ipa: 0x8010000, pfn: 0x8040, level: 3 })).toBe('VM 2 stage 2: IPA 0x8010000 → pfn 0x8040 (level 3 page)');
  });

  it('exits: aborts add FAR, HPFAR and the IPA page; IRQs have no syndrome; every path', () => {
    const exit = (e: Partial<Extract<TraceEvent, { kind: 'guest-exit' }>>): string =>
      describeEvent({ kind: 'guest-exit', cpu: 0, vmid: 2, vcpu: 1, esr: 0, far: 0n, hpfar: 0n, irq: false, path: 'kserv', ...e });
    expect(exit({ esr: 0x92000007, far: 0x400a4010n, hpfar: 0x400a40n })).toBe(
      'VM 2 vCPU 1 exit: ESR_EL2=0x92000007 EC=0x24 DABT_LOW ISV=0 WnR=0 S1PTW=0 DFSC=0x07 (read, translation fault, level 3) ' +
      'FAR_EL2=0x400a4010 HPFAR_EL2=0x400a40 (IPA page 0x400a4000) → KServ');
    expect(exit({ irq: true })).toBe('VM 2 vCPU 1 exit: IRQ → KServ');
    expect(exit({ esr: 0x5a000000, path: 'kcore' })).toBe('VM 2 vCPU 1 exit: ESR_EL2=0x5a000000 EC=0x16 HVC64 imm=0 → KCore');
    expect(exit({ esr: 0x06000001, path: 'kserv-user' })).toBe('VM 2 vCPU 1 exit: ESR_EL2=0x06000001 EC=0x01 WFx WFE → KServ user');
  });

  it('a KCore halt and a guest string with control characters stay on one line', () => {
    expect(describeEvent({ kind: 'kcore-halt', cpu: 0, code: 'bad-state', where: 'vcpu_run', detail: 'VM 1 is not VERIFIED', mode: 'halt' }))
      .toBe('KCore halts: bad-state in vcpu_run: VM 1 is not VERIFIED');
    expect(describeEvent({ kind: 'uart', cpu: 0, vmid: 1, line: 'a\x1b[1mb\r' })).toBe('VM 1 UART: a\\x1b[1mb\\x0d');
  });
});

describe('TextWriter', () => {
  it('prefixes each line with the pCPU and its cycle count, right-aligned', () => {
    const lines = render([
      [123456n, SAMPLES['guest-exit'].event],
      [120000n, SAMPLES.hvc.event],
      [0n, SAMPLES.owner.event],
    ]);
    expect(lines).toEqual([
      '[cpu1      123456] VM 1 vCPU 0 exit: ESR_EL2=0x5a000000 EC=0x16 HVC64 imm=0 → KServ',
      '[cpu0      120000] hvc 8 HVC_VCPU_RUN(vmid=1, vcpuid=0)',
      '[cpu0           0] page 0x4f028 owner host → VM 1 (gfn 0x40080)',
    ]);
  });

  it('writes one line per record, all with the same prefix width', () => {
    const lines = render(SCRIPT);
    expect(lines).toHaveLength(SCRIPT.length);
    const close = lines.map((l) => l.indexOf('] '));
    expect(new Set(close).size).toBe(1);
  });

  it('widens the pCPU column when there are more than ten pCPUs', () => {
    const lines = render([[5n, { kind: 'enter-host', cpu: 3 }], [7n, { kind: 'enter-host', cpu: 12 }]], 16);
    expect(lines).toEqual(['[cpu3            5] enter host (KServ)', '[cpu12           7] enter host (KServ)']);
  });

  it('is a function of its input', () => {
    expect(render(SCRIPT).join('\n')).toBe(render(SCRIPT).join('\n'));
  });
});
