/**
 * `run --check [--bug NAME]`, `fuzz` and `replay` in-process with stdout and stderr captured:
 * the live checks report a clean run, stop a bugged one with a readable report, and the fuzzer's
 * reproducer replays through the CLI.
 */
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { command as run } from '../../src/cli/run.js';
import { command as fuzz } from '../../src/cli/fuzz.js';
import { command as replay } from '../../src/cli/replay.js';
import { UsageError } from '../../src/cli/command.js';

let dir: string;
let out: string;
let err: string;

beforeEach(async () => {
  await new Promise<void>((r) => setImmediate(r));
  dir = mkdtempSync(join(tmpdir(), 'sekvm-check-'));
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('sekvm-sim run --check', () => {
  it('reports a clean run', async () => {
    expect(await run.run(['--guest', 'virtio', '--check', '--quiet'])).toBe(0);
    expect(out).toMatch(/live checks: [\d,]+ incremental, [\d,]+ full: no invariant violated/);
  });

  it('stops a run whose KCore has a bug, naming the invariant, the witness, the events and the seed', async () => {
    expect(await run.run(['--guest', 'virtio', '--check', '--bug', 'clear-vm-page-no-scrub', '--quiet', '--seed', '3'])).toBe(1);
    expect(out).toContain('INVARIANT VIOLATED (seed 3');
    expect(out).toMatch(/ {2}scrubbed: pfn 0x[0-9a-f]+ went from VM 1 back to the host/);
    expect(out).toMatch(/witness: pfn 0x[0-9a-f]+, VM 1/);
    expect(out).toContain('the events just before:');
  });

  it('refuses --check and --bug without KCore', async () => {
    await expect(run.run(['--mode', 'kvm', '--check'])).rejects.toThrow(UsageError);
    await expect(run.run(['--bug', 'revoke-no-unmap', '--mode', 'kvm'])).rejects.toThrow(UsageError);
    await expect(run.run(['--bug', 'no-such-bug'])).rejects.toThrow(/unknown bug 'no-such-bug'/);
  });
});

describe('sekvm-sim fuzz and replay', () => {
  it('finds an injected bug, writes a reproducer, and replay reproduces it with a trace', async () => {
    expect(await fuzz.run(['--bug', 'exit-exposes-all-gprs', '--out', dir, '--time', '60s', '--quiet'])).toBe(1);
    expect(out).toContain('FAILURE (seed 1');
    expect(out).toContain('exit_exposure');
    const files = readdirSync(dir);
    expect(files).toEqual([expect.stringMatching(/^repro-exit-exposes-all-gprs-\d+\.json$/)]);
    out = '';
    expect(await replay.run([join(dir, files[0]!)])).toBe(0);
    expect(out).toContain('FAILURE after step');
    expect(out).toMatch(/VM \d vCPU \d exit: ESR_EL2=0x[0-9a-f]+ EC=0x/);   // the text trace
  });

  it('reports nothing for the correct KCore within a small budget', async () => {
    expect(await fuzz.run(['--iterations', '30', '--out', dir, '--quiet'])).toBe(0);
    expect(out).toMatch(/^30 sequences, \d+ steps in [0-9.]+ s \(\d+ steps\/s, 1 job\); checked hypercalls: \d+ from the host \(\d+\/s\), \d+ from VMs/m);
    expect(out).toContain('no failure found');
  });

  it('rejects bad options and bad reproducer files with clear messages', async () => {
    await expect(fuzz.run(['--time', 'soon'])).rejects.toThrow(/--time: expected a duration/);
    await expect(fuzz.run(['--shard', '3/2'])).rejects.toThrow(/--shard: expected k\/n/);
    await expect(fuzz.run(['--jobs', '0'])).rejects.toThrow(/--jobs: expected an integer from 1/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format": "something else"}');
    await expect(replay.run([bad])).rejects.toThrow(/not a sekvm-sim fuzz reproducer/);
    writeFileSync(bad, '{not json');
    await expect(replay.run([bad])).rejects.toThrow(/not JSON/);
    await expect(replay.run([join(dir, 'missing.json')])).rejects.toThrow(/cannot read/);
  });
});
