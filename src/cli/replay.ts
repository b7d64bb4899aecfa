/**
 * `sekvm-sim replay FILE`: re-runs a fuzz reproducer (src/fuzz/campaign.ts Reproducer) step by
 * step, each step in words followed by its trace in plain text, then what the checks found.
 *
 * Exit status: 0 when the recorded failure reproduces, 1 when it does not (the bug is fixed, or
 * the file was made with another version), 2 for a missing or malformed file.
 */
import { readFileSync } from 'node:fs';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { parseArgs } from './args.js';
import { replay, type Reproducer } from '../fuzz/campaign.js';
import { TextWriter } from '../trace/text.js';
import { KCORE_BUGS } from '../kcore/kcore.js';
import { cmdProblem } from '../fuzz/commands.js';
import { MIN_RAM_MIB, MAX_RAM_MIB, isRamMiB } from '../fuzz/world.js';

const USAGE = `usage: sekvm-sim replay FILE [--quiet]

Re-runs a reproducer written by \`sekvm-sim fuzz\`: the same world, bugs, interleaving seed and
commands. Prints each command in words and its events as a text trace (hypercalls, world
switches, ownership and stage-2 changes, KCore refusals), then the failure the checks report.

  --quiet   print only the steps and the outcome, not the trace

Exit status: 0 when the recorded failure reproduces, 1 when it does not, 2 for a bad file.`;

/** Parses and validates a reproducer file's JSON; throws UsageError naming the problem. */
export function parseReproducer(text: string, file: string): Reproducer {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const o = j as Partial<Reproducer>;
  if (typeof o !== 'object' || o === null || o.format !== 'sekvm-sim fuzz reproducer') throw new UsageError(`${file}: not a sekvm-sim fuzz reproducer (no "format": "sekvm-sim fuzz reproducer")`);
  if (o.version !== 1) throw new UsageError(`${file}: reproducer version ${String(o.version)} is not supported (expected 1)`);
  if (!Array.isArray(o.commands) || o.commands.length === 0) throw new UsageError(`${file}: "commands" must be a non-empty array`);
  if (typeof o.interleaveSeed !== 'number' || !Number.isInteger(o.interleaveSeed)) throw new UsageError(`${file}: "interleaveSeed" must be an integer`);
  if (!Array.isArray(o.bugs) || o.bugs.some((b) => !(KCORE_BUGS as readonly string[]).includes(b))) throw new UsageError(`${file}: "bugs" must list known bugs (${KCORE_BUGS.join(', ')})`);
  if (typeof o.switchProbability !== 'number' || !(o.switchProbability >= 0 && o.switchProbability <= 1)) throw new UsageError(`${file}: "switchProbability" must be a number from 0 to 1`);
  if (o.ramMiB !== undefined && !isRamMiB(o.ramMiB)) throw new UsageError(`${file}: "ramMiB" must be an integer from ${MIN_RAM_MIB} to ${MAX_RAM_MIB}`);
  for (const [i, c] of (o.commands as unknown[]).entries()) {
    const problem = cmdProblem(c);
    if (problem !== null) throw new UsageError(`${file}: commands[${i}] is not a fuzz command: ${problem}`);
  }
  const f = o.finding as Partial<Reproducer['finding']> | undefined;
  if (typeof f !== 'object' || f === null || typeof f.name !== 'string' || typeof f.message !== 'string') {
    throw new UsageError(`${file}: "finding" must have a "name" and a "message"`);
  }
  return o as Reproducer;
}

export const command: Command = {
  name: 'replay',
  summary: 'replay a fuzz reproducer with a text trace',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, [{ name: 'quiet', kind: 'flag' }]);
    const file = args.positionals[0];
    if (file === undefined) throw new UsageError('a reproducer file is needed');
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const rep = parseReproducer(text, file);
    const quiet = args.options.has('quiet');
    const out = (s: string): void => { process.stdout.write(s); };
    out(`replaying ${file}: ${rep.commands.length} steps, ${rep.bugs.length ? `injected bug${rep.bugs.length > 1 ? 's' : ''} ${rep.bugs.join(', ')}` : 'correct KCore'}, interleaving seed ${rep.interleaveSeed}${rep.ramMiB !== undefined ? `, ${rep.ramMiB} MiB RAM` : ''}\n`);
    out(`recorded failure: ${rep.finding.name}: ${rep.finding.message}\n`);
    let started = false;
    const writer = new TextWriter({ cpus: 2, cpuHz: 2_400_000_000, out: (s) => { if (started && !quiet) out(`      ${s}`); } });
    const r = replay(rep, (i, _c, words) => { started = true; out(`\nstep ${i + 1}: ${words}\n`); }, (rec) => writer.write(rec));
    writer.close();
    if (r.finding === null) {
      out('\nthe failure did not reproduce: every check passed\n');
      return 1;
    }
    out(`\nFAILURE after step ${r.finding.step + 1}: ${r.finding.name}\n  ${r.finding.message}\n`);
    return r.finding.name === rep.finding.name ? 0 : 1;
  },
};
