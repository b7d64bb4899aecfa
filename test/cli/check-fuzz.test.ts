/**
 * `run --check [--bug NAME]`, `fuzz` and `replay` in-process with stdout and stderr captured:
 * the live checks report a clean run, stop a bugged one with a readable report, and the fuzzer's
 * reproducer replays through the CLI.
 */
import { writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command as run } from '../../src/cli/run.js';
import { command as fuzz } from '../../src/cli/fuzz.js';
import { command as replay } from '../../src/cli/replay.js';
import { UsageError } from '../../src/cli/command.js';
import { captureCliIo } from '../support/cli-io.js';

const io = captureCliIo('sekvm-check-', { settle: true });

describe('sekvm-sim run --check', () => {
  it('reports a clean run', async () => {
    expect(await run.run(['--guest', 'virtio', '--check', '--quiet'])).toBe(0);
    expect(io.out).toMatch(/live checks: [\d,]+ incremental, [\d,]+ full: no invariant violated/);
  });

  it('ends a checked run with a full check, even on a machine too big for a short run to reach a periodic one', async () => {
    expect(await run.run(['--guest', 'hello', '--check', '--ram', '3072', '--quiet'])).toBe(0);
    expect(io.out).toMatch(/live checks: [\d,]+ incremental, 1 full: no invariant violated/);
  });

  it('stops a run whose KCore has a bug, naming the invariant, the witness, the events and the seed', async () => {
    expect(await run.run(['--guest', 'virtio', '--check', '--bug', 'clear-vm-page-no-scrub', '--quiet', '--seed', '3'])).toBe(1);
    expect(io.out).toContain('INVARIANT VIOLATED (seed 3');
    expect(io.out).toMatch(/ {2}scrubbed: pfn 0x[0-9a-f]+ went from VM 1 back to the host/);
    expect(io.out).toMatch(/witness: pfn 0x[0-9a-f]+, VM 1/);
    expect(io.out).toContain('the events just before:');
  });

  it('refuses --check and --bug without KCore', async () => {
    await expect(run.run(['--mode', 'kvm', '--check'])).rejects.toThrow(UsageError);
    await expect(run.run(['--bug', 'revoke-no-unmap', '--mode', 'kvm'])).rejects.toThrow(UsageError);
    await expect(run.run(['--bug', 'no-such-bug'])).rejects.toThrow(/unknown bug 'no-such-bug'/);
  });
});

describe('sekvm-sim fuzz and replay', () => {
  it('finds an injected bug, writes a reproducer, and replay reproduces it with a trace', async () => {
    expect(await fuzz.run(['--bug', 'exit-exposes-all-gprs', '--out', io.dir, '--time', '60s', '--quiet'])).toBe(1);
    expect(io.out).toContain('FAILURE (seed 1');
    expect(io.out).toContain('exit_exposure');
    const files = readdirSync(io.dir);
    expect(files).toEqual([expect.stringMatching(/^repro-exit-exposes-all-gprs-\d+\.json$/)]);
    io.out = '';
    expect(await replay.run([join(io.dir, files[0]!)])).toBe(0);
    expect(io.out).toContain('FAILURE after step');
    expect(io.out).toMatch(/VM \d vCPU \d exit: ESR_EL2=0x[0-9a-f]+ EC=0x/);   // the text trace
  });

  it('reports nothing for the correct KCore within a small budget', async () => {
    expect(await fuzz.run(['--iterations', '30', '--out', io.dir, '--quiet'])).toBe(0);
    expect(io.out).toMatch(/^30 sequences, \d+ steps in [0-9.]+ s \(\d+ steps\/s, 1 job\); checked hypercalls: \d+ from the host \(\d+\/s\), \d+ from VMs/m);
    expect(io.out).toContain('no failure found');
  });

  it('--commands hvc,par fuzzes the hypercall interface alone; --ram sizes the machine and goes into the reproducer', async () => {
    expect(await fuzz.run(['--commands', 'hvc,par', '--iterations', '30', '--out', io.dir, '--quiet'])).toBe(0);
    expect(io.out).toMatch(/^30 sequences, \d+ steps .*checked hypercalls: \d+ from the host/m);
    expect(io.err).toContain('commands: hvc,par');
    io.out = '';
    expect(await fuzz.run(['--bug', 'clear-pfn-host-no-tlbi', '--ram', '128', '--out', io.dir, '--quiet'])).toBe(1);
    expect(io.out).toContain('stale_tlb');
    const file = readdirSync(io.dir).find((f) => f.startsWith('repro-clear-pfn-host-no-tlbi-'))!;
    expect(JSON.parse(readFileSync(join(io.dir, file), 'utf8')).ramMiB).toBe(128);
    io.out = '';
    expect(await replay.run([join(io.dir, file)])).toBe(0);
    expect(io.out).toContain('FAILURE after step');
  });

  it('rejects bad options and bad reproducer files with clear messages', async () => {
    await expect(fuzz.run(['--commands', 'hvc,dance'])).rejects.toThrow(/--commands: unknown command kind 'dance'/);
    await expect(fuzz.run(['--commands', 'par'])).rejects.toThrow(/--commands: 'par' pairs other kinds/);
    await expect(fuzz.run(['--ram', '32'])).rejects.toThrow(/--ram: expected an integer from 64 to 3072/);
    await expect(fuzz.run(['--time', 'soon'])).rejects.toThrow(/--time: expected a duration/);
    await expect(fuzz.run(['--shard', '3/2'])).rejects.toThrow(/--shard: expected k\/n/);
    await expect(fuzz.run(['--jobs', '0'])).rejects.toThrow(/--jobs: expected an integer from 1/);
    const bad = join(io.dir, 'bad.json');
    writeFileSync(bad, '{"format": "something else"}');
    await expect(replay.run([bad])).rejects.toThrow(/not a sekvm-sim fuzz reproducer/);
    writeFileSync(bad, '{not json');
    await expect(replay.run([bad])).rejects.toThrow(/not JSON/);
    await expect(replay.run([join(io.dir, 'missing.json')])).rejects.toThrow(/cannot read/);
  });
});
