/** The end-of-run report (src/sim/report.ts): a pure function of RunSummary. */
import { describe, expect, it } from 'vitest';
import { columns, duration, errnoName, formatSummary, grouped, ranges, runSucceeded } from '../../src/sim/report.js';
import type { RunSummary } from '../../src/sim/system.js';

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    mode: 'sekvm',
    stop: 'all-off',
    detail: 'every VM is off',
    vms: [
      { vmid: 1, name: 'smp', state: 'off', failure: null, output: ['a', 'b'], vcpus: 2 },
      { vmid: 2, name: 'bad', state: 'failed', failure: 'verification of the boot image failed (hypervisor returned -1)', output: [], vcpus: 1 },
    ],
    createErrors: [{ name: 'late', errno: -22n }],
    exitsByEc: new Map([['HVC64', 3], ['DABT_LOW(user)', 1200]]),
    exitsByPath: { kcore: 5, kserv: 3, 'kserv-user': 1200 },
    kcoreExitsByEc: new Map([['HVC64', 5]]),
    pagesByOwner: new Map([['host', 60928], ['KCore', 4608]]),
    pagesAtStop: new Map([['host', 59904], ['KCore', 4608], ['VM 1', 512], ['VM 2', 512]]),
    vmidsInUse: [1, 2],
    violations: [{ code: 'verification-failed', where: 'verify_vm_images', detail: 'VM 2: signature does not verify', mode: 'reject' }],
    hypercalls: 1997,
    rejected: 1,
    guestInsns: 2_662_872n,
    cycles: 2_400_000n,
    cpuHz: 2_400_000_000,
    seconds: 0.62,
    steps: 34_439,
    checks: null,
    ...over,
  };
}

describe('the report', () => {
  it('lays out VMs, exits, pages and figures in aligned columns', () => {
    expect(formatSummary(summary())).toBe(`run ended (SeKVM mode): every VM stopped, but 1 failed and 1 could not be created

VMs
  VM    VMID  vCPUs  state        UART lines  failure
  smp      1      2  powered off           2
  bad      2      1  failed                0  verification of the boot image failed (hypervisor returned -1)
  late     -      -  not created           -  creating it failed: EINVAL (22)

exits
  exit reason (EC)  in KCore  to KServ  KServ user space  total
  DABT_LOW(user)           -         -             1,200  1,200
  HVC64                    5         3                 -      8
  all exits                5         3             1,200  1,208

pages of 4 KiB by owner (from KCore's s2page array)
  owner  when the VMs stopped  after teardown
  host                 59,904          60,928
  KCore                 4,608           4,608
  VM 1                    512               -
  VM 2                    512               -

KCore refused (a check failed)
  verify_vm_images: VM 2: signature does not verify [verification-failed]

VMIDs in use        1-2
hypercalls          1,997 issued to KCore, 1 rejected
guest instructions  2,662,872
simulated time      1.000 ms (the furthest pCPU clock: 2,400,000 cycles at 2.4 GHz)
wall-clock time     0.62 s (34,439 scheduling steps)
`);
  });

  it('says how a run that did not finish ended, with one page column', () => {
    const halted = formatSummary(summary({ stop: 'halted', detail: 'KCore halted: verify_vm_images: bad image' }));
    expect(halted).toMatch(/^run ended \(SeKVM mode\): KCore halted: verify_vm_images: bad image\n/);
    expect(halted).toContain('  owner  when the run stopped\n');
    expect(formatSummary(summary({ stop: 'stuck', detail: 'no pCPU can make progress' }))).toMatch(/^run ended \(SeKVM mode\): stuck: no pCPU/);
    expect(formatSummary(summary({ stop: 'limit', detail: 'stopped after 9 scheduling steps' })))
      .toMatch(/^run ended \(SeKVM mode\): hit the step limit: stopped after 9 scheduling steps, with VMs still running/);
  });

  it('in KVM mode there is no KCore column content and no hypercall count', () => {
    const text = formatSummary(summary({ mode: 'kvm', kcoreExitsByEc: new Map(), exitsByPath: { kcore: 0, kserv: 3, 'kserv-user': 1200 }, violations: [] }));
    expect(text).toContain('(KVM mode: no KCore; every exit goes to the host kernel or its user space)');
    expect(text).toContain('hypercalls          none (KVM mode has no KCore)');
    expect(text).toContain("(from KServ's bookkeeping)");
    expect(text).not.toContain('KCore refused');
  });

  it('sums many VMs into one page row', () => {
    const pages = new Map<string, number>([['host', 100]]);
    for (let v = 1; v <= 20; v++) pages.set(`VM ${v}`, 512);
    const text = formatSummary(summary({ pagesAtStop: pages, vmidsInUse: Array.from({ length: 20 }, (_, i) => i + 1) }));
    expect(text).toMatch(/\n {2}20 VMs \(1-20\) +10,240 +-\n/);
    expect(text).toContain('VMIDs in use        1-20\n');
  });

  it('success means every VM created and powered off', () => {
    expect(runSucceeded(summary())).toBe(false);
    expect(runSucceeded(summary({ createErrors: [], vms: [summary().vms[0]!] }))).toBe(true);
    expect(runSucceeded(summary({ createErrors: [], vms: [summary().vms[0]!], stop: 'limit' }))).toBe(false);
  });

  it('helpers: grouping, ranges, errno names, durations, columns', () => {
    expect(grouped(1234567n)).toBe('1,234,567');
    expect(grouped(999)).toBe('999');
    expect(ranges([5, 1, 2, 3, 9, 10])).toBe('1-3, 5, 9-10');
    expect(errnoName(-12n)).toBe('ENOMEM (12)');
    expect(errnoName(-99n)).toBe('errno (99)');
    expect(duration(2.5)).toBe('2.500 s');
    expect(duration(0.0125)).toBe('12.500 ms');
    expect(duration(1.18e-6)).toBe('1.180 µs');
    expect(columns([['a', '1'], ['bbb', '22']], ['l', 'r'])).toEqual(['  a     1', '  bbb  22']);
  });
});
