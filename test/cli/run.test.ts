/** `sekvm-sim run` and `sekvm-sim demo`, in-process with stdout and stderr captured. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command as run } from '../../src/cli/run.js';
import { command as demo } from '../../src/cli/demo.js';
import { UsageError } from '../../src/cli/command.js';
import { repoPath } from '../../src/util/repo.js';
import { captureCliIo } from '../support/cli-io.js';

const io = captureCliIo('sekvm-run-');

const TAMPERED = repoPath('guests/scenarios/tampered.json');
const HELLO = [
  'hello from VM: vCPU 0 (MPIDR.Aff0 = 0)',
  'hello: EL1, MMU on, caches on',
  'hello: PSCI version >= 0.2: yes',
  'hello: RAM at 0x40000000 is writable: yes',
  'hello: goodbye',
];

/** The UART lines of stdout (`[vmN:name] …`). */
const uartLines = (text: string): string[] => text.split('\n').filter((l) => /^\[vm\d+:/.test(l));
/** stdout without the wall-clock figures. */
const deterministic = (text: string): string => text.split('\n').filter((l) => !l.startsWith('wall-clock time')).join('\n');
/** The row of the VMs table for `name`. */
const vmRow = (text: string, name: string): string => text.split('\n').find((l) => l.startsWith(`  ${name} `)) ?? '';

describe('sekvm-sim run: flags', () => {
  const usage: [string[], RegExp][] = [
    [['--mode', 'xen'], /^--mode: expected sekvm or kvm, got "xen"$/],
    [['--cpus', 'two'], /^--cpus: expected an integer from 1 to 8, got "two"$/],
    [['--cpus', '9'], /^--cpus: expected an integer from 1 to 8, got "9"$/],
    [['--vcpus', '5'], /^--vcpus: expected an integer from 1 to 4, got "5"$/],
    [['--vms', '0'], /^--vms: expected an integer from 1 to 64, got "0"$/],
    [['--ram', '4096'], /^--ram: expected an integer from 32 to 3072, got "4096"$/],
    [['--seed', '-3'], /^--seed: expected an integer from 0 to 4294967295, got "-3"$/],
    [['--max-steps', '0'], /^--max-steps: expected an integer from 1 to 1000000000000, got "0"$/],
    [['--on-violation', 'panic'], /^--on-violation: expected halt or reject, got "panic"$/],
    [['--guest', 'helo'], /^--guest: expected a guest \(hello, smp, .*\) or the path of an ELF file, got "helo" \(did you mean "hello"\?\)$/],
    [['--trace', 'xml'], /^--trace: unknown output 'xml' \(expected one of: text, jsonl, perfetto=FILE\)$/],
    [['--frob'], /^unknown option --frob$/],
    [['--cpus'], /^option --cpus needs a value$/],
    [['a.json', 'b.json'], /^expected at most one scenario file, got 2 arguments$/],
  ];
  for (const [argv, re] of usage) {
    it(`${argv.join(' ')} is a usage error naming the flag`, async () => {
      await expect(run.run(argv)).rejects.toThrow(UsageError);
      await expect(run.run(argv)).rejects.toThrow(re);
    });
  }

  it('--vms needs a scenario with one VM entry', async () => {
    await expect(run.run([TAMPERED, '--vms', '3'])).rejects.toThrow(/^--vms: .*tampered\.json has 2 VM entries/);
  });

  it('a bad scenario file exits 2 with the message, no usage and no run', async () => {
    const f = join(io.dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ vms: [{ guest: 'hello', vcpus: 'two' }] }));
    expect(await run.run([f])).toBe(2);
    expect(io.err).toBe(`sekvm-sim run: ${f}: vms[0].vcpus: expected an integer from 1 to 4, got "two"\n`);
    expect(io.out).toBe('');
  });

  it('missing files exit 2 with a clear message', async () => {
    expect(await run.run([join(io.dir, 'none.json')])).toBe(2);
    expect(io.err).toMatch(/^sekvm-sim run: cannot read scenario ".*none\.json": no such file\n$/);
    io.err = '';
    expect(await run.run(['--guest', join(io.dir, 'none.elf')])).toBe(2);
    expect(io.err).toMatch(/^sekvm-sim run: --guest: cannot read ".*none\.elf": no such file\n$/);
    io.err = '';
    expect(await run.run(['--trusted-key', join(io.dir, 'k.pem')])).toBe(2);
    expect(io.err).toMatch(/^sekvm-sim run: --trusted-key: cannot read ".*k\.pem": no such file\n$/);
  });

  it('a broken ELF exits 2 with a clear message', async () => {
    writeFileSync(join(io.dir, 'broken.elf'), '\x7fELF but not really');
    expect(await run.run(['--guest', join(io.dir, 'broken.elf')])).toBe(2);
    expect(io.err).toMatch(/^sekvm-sim run: --guest: ".*broken\.elf" is not a loadable ELF: .+\n$/);
  });
});

describe('sekvm-sim run: hello', () => {
  it('runs under SeKVM: header, UART lines as produced, report, exit 0', async () => {
    expect(await run.run([])).toBe(0);
    expect(io.out).toMatch(/^SeKVM: KCore \(trusted, EL2\) \+ KServ \(untrusted host, EL1\) on an Armv8-A machine: 2 pCPUs, 256 MiB RAM, seed 1\n1 VM: guest hello \(1 vCPU\)\n\n/);
    expect(uartLines(io.out)).toEqual(HELLO.map((l) => `[vm1:hello] ${l}`));
    expect(io.out).toContain('run ended (SeKVM mode): every VM powered off normally');
    expect(vmRow(io.out, 'hello')).toMatch(/^ {2}hello +1 +1 +powered off +5$/);
    for (const heading of ['exits', 'pages of 4 KiB by owner', 'VMIDs in use', 'hypercalls', 'guest instructions', 'simulated time', 'wall-clock time']) {
      expect(io.out).toContain(`\n${heading}`);
    }
    expect(io.out).toMatch(/\n {2}KCore +[\d,]+ +[\d,]+\n/);
    expect(io.err).toBe('');
  });

  it('prints the same UART lines under KVM', async () => {
    expect(await run.run(['--mode', 'kvm'])).toBe(0);
    const kvm = uartLines(io.out);
    io.out = '';
    expect(await run.run(['--mode', 'sekvm'])).toBe(0);
    expect(uartLines(io.out)).toEqual(kvm);
    expect(kvm).toHaveLength(HELLO.length);
  });

  it('--quiet prints only the report', async () => {
    expect(await run.run(['--quiet', '--mode', 'kvm'])).toBe(0);
    expect(io.out).toMatch(/^run ended \(KVM mode\): every VM powered off normally\n/);
    expect(uartLines(io.out)).toEqual([]);
  });

  it('the same seed gives the same output, byte for byte, but for the wall clock', async () => {
    const args = [repoPath('guests/scenarios/demo.json'), '--guest', 'smp', '--seed', '5', '--cpus', '3'];
    expect(await run.run(args)).toBe(0);
    const first = io.out;
    io.out = '';
    expect(await run.run(args)).toBe(0);
    expect(deterministic(io.out)).toBe(deterministic(first));
    expect(first).toContain('[vm2:smp-2] smp: counter = 20000 (expected 20000): ok');
  });

  it('--trace jsonl writes JSON lines to stdout and the rest to stderr', async () => {
    expect(await run.run(['--trace', 'jsonl'])).toBe(0);
    const records = io.out.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; kind: string; line?: string });
    expect(records.length).toBeGreaterThan(100);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i));
    expect(records.filter((r) => r.kind === 'uart').map((r) => r.line)).toEqual(HELLO);
    expect(io.err).toContain('run ended (SeKVM mode): every VM powered off normally');
  });

  it('the step limit ends the run with status 1', async () => {
    expect(await run.run(['--max-steps', '100', '--quiet'])).toBe(1);
    expect(io.out).toMatch(/^run ended \(SeKVM mode\): hit the step limit: stopped after 100 scheduling steps/);
  });

  it('images signed with a key KCore does not trust are refused', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = join(io.dir, 'mine.pem');
    writeFileSync(pem, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    expect(await run.run(['--sign-key', pem, '--quiet'])).toBe(1);
    expect(vmRow(io.out, 'hello')).toMatch(/failed +0 +verification of the boot image failed/);
    io.out = '';
    expect(await run.run(['--sign-key', pem, '--trusted-key', pem, '--quiet'])).toBe(0);
  });
});

describe('sekvm-sim run: tampered.json', () => {
  it('SeKVM refuses the tampered image; the good VM runs', async () => {
    expect(await run.run([TAMPERED])).toBe(1);
    expect(uartLines(io.out)).toEqual(HELLO.map((l) => `[vm1:good] ${l}`));
    expect(io.out).toContain('run ended (SeKVM mode): every VM stopped, but 1 failed');
    expect(vmRow(io.out, 'good')).toMatch(/powered off +5$/);
    expect(vmRow(io.out, 'tampered')).toMatch(/^ {2}tampered +2 +1 +failed +0 +verification of the boot image failed/);
    expect(io.out).toMatch(/verify_vm_images: VM 2: .*signature does not verify/);
  });

  it('KVM does not verify: both VMs run, the tampered one with its modified string', async () => {
    expect(await run.run([TAMPERED, '--mode', 'kvm'])).toBe(0);
    const lines = uartLines(io.out);
    expect(lines.filter((l) => l.startsWith('[vm1:good] '))).toEqual(HELLO.map((l) => `[vm1:good] ${l}`));
    expect(lines.filter((l) => l.startsWith('[vm2:tampered] '))).toEqual([`[vm2:tampered] H${HELLO[0]!.slice(1)}`, ...HELLO.slice(1).map((l) => `[vm2:tampered] ${l}`)]);
    expect(vmRow(io.out, 'tampered')).toMatch(/powered off +5$/);
  });

  it('with --on-violation halt, the failed verification halts KCore', async () => {
    expect(await run.run([TAMPERED, '--on-violation', 'halt', '--quiet'])).toBe(1);
    expect(io.out).toMatch(/^run ended \(SeKVM mode\): KCore halted: verify_vm_images: /);
  });
});

describe('sekvm-sim demo', () => {
  it('runs the demo scenario to completion with exit 0', async () => {
    const t0 = Date.now();
    expect(await demo.run([])).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const lines = io.out.split('\n');
    expect(lines[0]).toMatch(/^SeKVM: KCore .* 4 pCPUs, 256 MiB RAM, seed 1$/);
    expect(lines[1]).toMatch(/^2 VMs, 2 vCPUs each/);
    const uart = uartLines(io.out);
    expect(uart).toContain('[vm1:smp] smp: counter = 20000 (expected 20000): ok');
    expect(uart).toContain('[vm1:smp] smp: done');
    expect(uart).toContain('[vm2:virtio] virtio: done');
    expect(io.out).toContain('run ended (SeKVM mode): every VM powered off normally');
    expect(vmRow(io.out, 'smp')).toMatch(/^ {2}smp +1 +2 +powered off +7$/);
    expect(vmRow(io.out, 'virtio')).toMatch(/^ {2}virtio +2 +2 +powered off +7$/);
  });

  it('takes the run flags, and no file', async () => {
    await expect(demo.run(['x.json'])).rejects.toThrow(/demo takes no file/);
    await expect(demo.run(['--cpus', '0'])).rejects.toThrow(/^--cpus: expected an integer from 1 to 8, got "0"$/);
    expect(demo.usage).toMatch(/guests\/scenarios\/demo\.json/);
    expect(demo.usage).toContain('--mode sekvm|kvm');
  });
});

describe('sekvm-sim run: 57 VMs', () => {
  it('SeKVM has 56 VMIDs: the 57th KVM_CREATE_VM fails with EINVAL, reported, not fatal', async () => {
    expect(await run.run(['--vms', '57', '--quiet'])).toBe(1);
    expect(io.out).toContain('run ended (SeKVM mode): every VM stopped, but 1 could not be created');
    expect(vmRow(io.out, 'hello-56')).toMatch(/powered off +5$/);
    expect(vmRow(io.out, 'hello-57')).toMatch(/^ {2}hello-57 +- +- +not created +- +creating it failed: EINVAL \(22\)$/);
    expect(io.out).toContain('gen_vmid: all 56 VMIDs are used');
    expect(io.out).toMatch(/\nVMIDs in use +1-56\n/);
  });
});
