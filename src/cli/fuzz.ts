/**
 * `sekvm-sim fuzz`: a malicious KServ against KCore, with every isolation check after every step
 * (src/fuzz). Prints a progress line, and for a failure the shrunk reproducer (written as JSON)
 * and the command that replays it.
 *
 * Exit status: 0 when nothing was found, 1 when a failure was found, 2 for bad options.
 */
import { resolve } from 'node:path';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { parseArgs } from './args.js';
import { runParallel } from '../fuzz/parallel.js';
import type { Progress, CampaignResult } from '../fuzz/campaign.js';
import { KCORE_BUGS } from '../kcore/kcore.js';
import { bugFlags } from './bugs.js';
import { cmdKindsProblem, type CmdKind } from '../fuzz/commands.js';
import { DEFAULT_RAM_MIB, MIN_RAM_MIB, MAX_RAM_MIB } from '../fuzz/world.js';

const USAGE = `usage: sekvm-sim fuzz [options]

Plays a malicious KServ against SeKVM's KCore: random sequences of host hypercalls with hostile
arguments, host memory reads and writes, SMMU programming and device DMA, VM runs of a puppet
guest with hostile stage-2 proposals and pvops, on two pCPUs interleaved by the seeded
scheduler. After every step the live isolation invariants (src/check) and the spec's transition
table are checked. A failure is shrunk (fast-check) to a minimal sequence, written as a JSON
reproducer; \`sekvm-sim replay FILE\` re-runs it with a text trace.

options:
  --seed S          first fast-check seed (default 1); same seed, same sequences
  --time T          stop after T (e.g. 60s, 5m; default 60s)
  --iterations N    stop after N sequences (k/M suffixes)
  --steps N         stop after N steps, i.e. commands (k/M suffixes)
  --jobs N          worker threads (default 1); each runs its own shard of seeds
  --shard k/n       run only shard k of n (0-based): disjoint seed ranges for many machines
  --bug NAME        inject a KCore bug (repeat or comma-separate); one of:
${KCORE_BUGS.map((b) => `                      ${b}`).join('\n')}
  --out DIR         where reproducers are written (default fuzz-out)
  --max-length N    longest generated sequence (default 24)
  --switch P        probability that KCore handlers switch pCPU at an interleaving point (default 0.5)
  --commands LIST   the kinds of command to draw, comma-separated (default all): hvc (host
                    hypercalls), mem (host loads/stores), vm (puppet commands on a VM), smmu
                    (SMMU programming, DMA), boot (VM boots), par (concurrent pairs of the
                    other kinds chosen). E.g. --commands hvc,par fuzzes the hypercall interface
  --ram MIB         the simulated machine's RAM (default ${DEFAULT_RAM_MIB}, ${MIN_RAM_MIB} to ${MAX_RAM_MIB}); recorded in reproducers
  --keep-going      do not stop at the first failure
  --quiet           no progress line

Exit status: 0 when no failure was found, 1 when one was, 2 for bad options.`;

function parseDuration(v: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new UsageError(`--time: expected a duration like 60s, 5m or 1500ms, got '${v}'`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000));
}

function parseCount(flag: string, v: string, min: number, max: number): number {
  const m = /^([0-9]+)([kM]?)$/.exec(v.trim());
  const n = m ? Number(m[1]) * (m[2] === 'k' ? 1000 : m[2] === 'M' ? 1_000_000 : 1) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${flag}: expected an integer from ${min} to ${max}, got '${v}'`);
  return n;
}


function progressLine(p: Progress & { jobs: number }): string {
  const secs = Math.max(0.001, p.elapsedMs / 1000);
  return `fuzz: ${secs.toFixed(0)}s  ${p.sequences} sequences  ${p.steps} steps (${(p.steps / secs).toFixed(0)}/s)  ` +
    `checked hypercalls: ${p.hypercalls} host (${(p.hypercalls / secs).toFixed(0)}/s) + ${p.guestHypercalls} VM (${(p.guestHypercalls / secs).toFixed(0)}/s)  failures ${p.failures}  ` +
    `coverage: ${p.pairs} (hypercall × state) pairs, KCore branches: ${p.checks} refusals, ${p.effects} effects` + (p.jobs > 1 ? `  [${p.jobs} jobs]` : '');
}

/** The report of a campaign, for people. */
export function formatCampaign(r: CampaignResult, jobs: number): string {
  const secs = Math.max(0.001, r.elapsedMs / 1000);
  const lines = [
    `${r.sequences} sequences, ${r.steps} steps in ${secs.toFixed(1)} s (${(r.steps / secs).toFixed(0)} steps/s, ${jobs} job${jobs > 1 ? 's' : ''}); ` +
      `checked hypercalls: ${r.hypercalls} from the host (${(r.hypercalls / secs).toFixed(0)}/s), ${r.guestHypercalls} from VMs (${(r.guestHypercalls / secs).toFixed(0)}/s)`,
    `coverage: ${r.coverage.pairs.size} (hypercall × state) pairs; KCore branches reached: ${r.coverage.checks.size} distinct refusals (check × reason), ${r.coverage.effects.size} distinct effects`,
  ];
  if (r.failures.length === 0) {
    lines.push('no failure found');
  } else {
    for (const f of r.failures) {
      const rep = f.reproducer;
      lines.push('', `FAILURE (seed ${rep.seed}, found after ${(f.foundAfterMs / 1000).toFixed(1)} s): ${rep.finding.name}`, `  ${rep.finding.message}`,
        `  shrunk to ${rep.commands.length} step${rep.commands.length === 1 ? '' : 's'}:`, ...rep.steps.map((s, i) => `    ${i + 1}. ${s}`));
      if (f.path) lines.push(`  reproducer: ${f.path}`, `  replay it:  sekvm-sim replay ${f.path}`);
    }
  }
  return lines.join('\n');
}

export const command: Command = {
  name: 'fuzz',
  summary: 'fuzz KCore as a malicious KServ, with live isolation checks; shrunk JSON reproducers',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, [
      { name: 'seed', kind: 'string' }, { name: 'time', kind: 'string' }, { name: 'iterations', kind: 'string' }, { name: 'steps', kind: 'string' },
      { name: 'jobs', kind: 'string' }, { name: 'shard', kind: 'string' }, { name: 'bug', kind: 'string' },
      { name: 'out', kind: 'string' }, { name: 'max-length', kind: 'string' }, { name: 'switch', kind: 'string' },
      { name: 'commands', kind: 'string' }, { name: 'ram', kind: 'string' },
      { name: 'keep-going', kind: 'flag' }, { name: 'quiet', kind: 'flag' },
    ]);
    if (args.positionals.length) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const str = (n: string): string | undefined => { const v = args.options.get(n); return typeof v === 'string' ? v : undefined; };
    const seed = str('seed') !== undefined ? parseCount('seed', str('seed')!, 0, 2 ** 31 - 1) : 1;
    const timeMs = str('time') !== undefined ? parseDuration(str('time')!) : 60_000;
    const iterations = str('iterations') !== undefined ? parseCount('iterations', str('iterations')!, 1, 1e12) : undefined;
    const maxSteps = str('steps') !== undefined ? parseCount('steps', str('steps')!, 1, 1e12) : undefined;
    const jobs = str('jobs') !== undefined ? parseCount('jobs', str('jobs')!, 1, 64) : 1;
    let shard = { k: 0, n: 1 };
    if (str('shard') !== undefined) {
      const m = /^([0-9]+)\/([0-9]+)$/.exec(str('shard')!);
      if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard: expected k/n with 0 <= k < n (e.g. 0/4), got '${str('shard')}'`);
      shard = { k: Number(m[1]), n: Number(m[2]) };
    }
    const bugs = bugFlags(argv);
    const maxLength = str('max-length') !== undefined ? parseCount('max-length', str('max-length')!, 1, 200) : 24;
    let switchProbability = 0.5;
    if (str('switch') !== undefined) {
      switchProbability = Number(str('switch'));
      if (!(switchProbability >= 0 && switchProbability <= 1)) throw new UsageError(`--switch: expected a probability from 0 to 1, got '${str('switch')}'`);
    }
    let commands: CmdKind[] | undefined;
    if (str('commands') !== undefined) {
      const kinds = str('commands')!.split(',').map((k) => k.trim()).filter((k) => k !== '');
      const problem = cmdKindsProblem(kinds);
      if (problem !== null) throw new UsageError(`--commands: ${problem}`);
      commands = kinds as CmdKind[];
    }
    const ramMiB = str('ram') !== undefined ? parseCount('ram', str('ram')!, MIN_RAM_MIB, MAX_RAM_MIB) : undefined;
    const outDir = resolve(str('out') ?? 'fuzz-out');
    const quiet = args.options.has('quiet');
    const tty = process.stderr.isTTY === true;
    process.stderr.write(`sekvm-sim fuzz: seed ${seed}, ${timeMs / 1000} s${iterations ? ` or ${iterations} sequences` : ''}, ${jobs} job${jobs > 1 ? 's' : ''}` +
      `${shard.n > 1 ? `, shard ${shard.k}/${shard.n}` : ''}${commands ? `, commands: ${commands.join(',')}` : ''}${ramMiB !== undefined ? `, ${ramMiB} MiB RAM` : ''}${bugs.length ? `, injected bug${bugs.length > 1 ? 's' : ''}: ${bugs.join(', ')}` : ', correct KCore'}\n`);
    const r = await runParallel({
      seed, timeMs, ...(iterations !== undefined ? { iterations } : {}), ...(maxSteps !== undefined ? { maxSteps: Math.ceil(maxSteps / jobs / shard.n) } : {}), jobs, shard, bugs, outDir, maxLength, switchProbability,
      ...(commands ? { commands } : {}), ...(ramMiB !== undefined ? { ramMiB } : {}),
      stopOnFailure: !args.options.has('keep-going'),
      ...(quiet ? {} : { onProgress: (p) => process.stderr.write(tty ? `\r${progressLine(p)}\x1b[K` : `${progressLine(p)}\n`) }),
    });
    if (!quiet && tty) process.stderr.write('\n');
    process.stdout.write(formatCampaign(r, jobs) + '\n');
    return r.failures.length > 0 ? 1 : 0;
  },
};
