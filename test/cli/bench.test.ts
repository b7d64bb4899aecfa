/** `sekvm-sim bench micro|apps`, in-process with stdout and stderr captured. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command as bench } from '../../src/cli/bench.js';
import { UsageError } from '../../src/cli/command.js';
import { captureCliIo } from '../support/cli-io.js';

const io = captureCliIo('sekvm-bench-');

describe('sekvm-sim bench: usage errors name the problem (nothing runs)', () => {
  const cases: [string[], RegExp][] = [
    [[], /name a benchmark set: micro or apps/],
    [['nano'], /unknown benchmark set 'nano'/],
    [['micro', '--mode', 'kvm,xen'], /--mode: unknown value 'xen'/],
    [['micro', '--iterations', '1'], /--iterations: 1 is out of range/],
    [['micro', '--tests', 'hvc,foo'], /--tests: unknown value 'foo'/],
    [['micro', '--vms', '8'], /--vms does not apply to 'bench micro'/],
    [['apps', '--iterations', '8'], /--iterations does not apply to 'bench apps'/],
    [['apps', '--vms', '3'], /--vms: unknown value '3'/],
    [['micro', '--costs', '/nonexistent/costs.json'], /cannot read cost file/],
    [['apps', '--workloads', 'apache', '--svg', '/nonexistent/dir/chart.svg'], /--svg .*cannot write there/],
  ];
  it.each(cases)('%j', async (argv, msg) => {
    await expect(bench.run(argv)).rejects.toThrow(UsageError);
    await expect(bench.run(argv)).rejects.toThrow(msg);
  });

  it('a cost file with a bad key is refused, naming the key', async () => {
    const f = join(io.dir, 'c.json');
    writeFileSync(f, JSON.stringify({ costs: { exc_entry: 50, tlbi_bcst: 10 } }));
    await expect(bench.run(['micro', '--costs', f])).rejects.toThrow(/unknown primitive "tlbi_bcst"/);
    writeFileSync(f, JSON.stringify({ costs: { dsb: -3 } }));
    await expect(bench.run(['micro', '--costs', f])).rejects.toThrow(/costs\.dsb: cycles must be a finite non-negative number, got -3/);
  });
});

describe('sekvm-sim bench micro', () => {
  it('prints the KVM/SeKVM table, the breakdown and host speed; --json gives the same figures', async () => {
    expect(await bench.run(['micro', '--iterations', '64', '--tests', 'hvc,mmio_read_user'])).toBe(0);
    const text = io.out;
    expect(text).toMatch(/Hypercall\s+hvc\s+[\d,]+\s+[\d,]+\s+\d+\.\d\d/);
    expect(text).toMatch(/I\/O User\s+mmio_read_user/);
    expect(text).toContain('What SeKVM adds, per operation');
    expect(text).toContain('VM exits/s');
    io.out = '';
    expect(await bench.run(['micro', '--iterations', '64', '--tests', 'hvc', '--json'])).toBe(0);
    const j = JSON.parse(io.out) as { results: { test: string; mode: string; cyclesPerOp: number }[] };
    const hvcKvm = j.results.find((r) => r.test === 'hvc' && r.mode === 'kvm')!;
    expect(text).toContain(Math.round(hvcKvm.cyclesPerOp).toLocaleString('en-US'));
  });

  it('a cost file changes the figures (doubling exit_dispatch adds its cost per hypercall)', async () => {
    expect(await bench.run(['micro', '--iterations', '64', '--tests', 'hvc', '--mode', 'kvm', '--json'])).toBe(0);
    const a = (JSON.parse(io.out) as { results: { cyclesPerOp: number }[] }).results[0]!.cyclesPerOp;
    const f = join(io.dir, 'c.json');
    writeFileSync(f, JSON.stringify({ costs: { exit_dispatch: 1600 } }));
    io.out = '';
    expect(await bench.run(['micro', '--iterations', '64', '--tests', 'hvc', '--mode', 'kvm', '--json', '--costs', f])).toBe(0);
    const b = (JSON.parse(io.out) as { results: { cyclesPerOp: number }[] }).results[0]!.cyclesPerOp;
    expect(b - a).toBeGreaterThan(900);
    expect(b - a).toBeLessThan(1100);
  });
});

describe('sekvm-sim bench apps', () => {
  it('runs a workload on bare metal, KVM and SeKVM, prints the normalized table and writes the SVG', async () => {
    const svg = join(io.dir, 'apps.svg');
    expect(await bench.run(['apps', '--workloads', 'redis', '--vms', '1,2', '--cpus', '2', '--svg', svg])).toBe(0);
    expect(io.out).toMatch(/redis\s+1\s+[\d,]+\s+1\.\d{3}\s+1\.\d{3}\s+\d\.\d{3}/);
    expect(io.out).toMatch(/redis: 1 VM: (similar|differs)/);
    expect(io.out).toContain('SeKVM − KVM per request');
    expect(io.out).toContain(`chart written to ${svg}`);
    const s = readFileSync(svg, 'utf8');
    expect(s.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(s.trimEnd().endsWith('</svg>')).toBe(true);
    expect(s.match(/<rect x="\d+" y="[\d.]+" width="14"/g)?.length).toBe(4);   // KVM and SeKVM for 1 and 2 VMs
    expect(s).toContain('Redis');
  });
});
