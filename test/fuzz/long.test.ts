/**
 * The long fuzz run: the correct KCore survives 10^6 fuzzed steps with zero violations and zero
 * simulator crashes. It runs the built CLI with two worker threads (one per core of the CI
 * machine). The full 10^6 steps run under CI=true or FUZZ_LONG=1 (~2.5 minutes on 2 cores);
 * otherwise the same campaign runs 20,000 steps, so a developer's `npm test` still fuzzes the
 * correct KCore through the CLI. FUZZ_STEPS sets the number of steps. The CLI runs as a child process
 * awaited asynchronously (a synchronous wait of many minutes blocks the test worker, and vitest
 * then reports its own RPC timeout as an error); a failure's reproducers are printed in full.
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../src/util/repo.js';

const FULL = process.env.CI === 'true' || process.env.FUZZ_LONG === '1';
const STEPS = Number(process.env.FUZZ_STEPS ?? (FULL ? 1_000_000 : 20_000));

describe('the correct KCore under a long fuzz campaign', () => {
  if (!FULL) console.warn(`\nthe fuzz campaign runs ${STEPS} steps here; set FUZZ_LONG=1 (CI=true does) for the full 10^6\n`);
  it(`survives ${STEPS} steps with no violation and no crash`, async () => {
    const cli = repoPath('dist', 'cli.js');
    expect(existsSync(cli), 'dist/cli.js missing: npm test builds it first').toBe(true);
    const out = mkdtempSync(join(tmpdir(), 'sekvm-fuzz-long-'));
    try {
      const r = await run(process.execPath, [cli, 'fuzz', '--jobs', '2', '--steps', String(STEPS), '--time', '18m', '--seed', '1000', '--quiet', '--out', out]);
      const repros = readdirSync(out).map((f) => `${f}:\n${readFileSync(join(out, f), 'utf8')}`).join('\n');
      const text = `${r.stdout}\n${r.stderr}\n${repros}`;
      expect(r.status, text).toBe(0);
      expect(text).toContain('no failure found');
      const m = /(\d+) sequences, (\d+) steps in [0-9.]+ s .*checked hypercalls: (\d+) from the host/.exec(r.stdout);
      expect(m, text).not.toBeNull();
      expect(Number(m![2]), `only ${m![2]} steps ran before the time limit:\n${text}`).toBeGreaterThanOrEqual(STEPS);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 20 * 60_000);
});

function run(cmd: string, args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
