/**
 * `sekvm-sim nonint`: noninterference by two runs (src/check/nonint.ts). Runs the integrity
 * check (the victim VM in a baseline and in other environments), the confidentiality check (two
 * secrets, KServ's view) or both, prints what was compared and PASS, or the first difference with
 * the events that led to it in each run.
 *
 * Exit status: 0 when every check passes; 1 when one found a difference; 2 for bad options.
 */
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { parseArgs, intOption } from './args.js';
import type { KcoreBug } from '../kcore/kcore.js';
import { describeEvent } from '../trace/text.js';
import {
  checkConfidentiality, checkIntegrity, formatResult, integritySetups, type NonintOptions, type NonintResult,
} from '../check/nonint.js';

/** Every injectable KCore bug (`satisfies` keeps this in step with the KcoreBug type). */
const BUG_SET = {
  'assign-no-owner-check': true,
  'clear-vm-page-no-scrub': true,
  'clear-pfn-host-no-tlbi': true,
  'revoke-no-unmap': true,
  'grant-no-share-bound': true,
  'register-vcpu-weak-check': true,
  'decrypt-buf-no-owner-check': true,
  'remap-after-verified': true,
  'map-page-host-nolock': true,
  'clear-vm-s2-range-off-by-one': true,
  'exit-exposes-all-gprs': true,
  'smmu-map-vm-page-for-host': true,
} as const satisfies Record<KcoreBug, true>;
const BUGS = Object.keys(BUG_SET) as KcoreBug[];

const KINDS = ['integrity', 'confidentiality', 'both'] as const;

/** Words joined by ", ", wrapped at `width` columns, every line indented by `indent`. */
function wrap(words: readonly string[], indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const next = line === '' ? w : `${line}, ${w}`;
    if (line !== '' && indent + next.length + 1 > width) {
      lines.push(`${line},`);
      line = w;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}

const USAGE = `usage: sekvm-sim nonint [--kind integrity|confidentiality|both] [--seed S] [--bug NAME] [--trace]

Noninterference by two runs (SeKVM's §4.2 statement, tested on whole runs of SeKVM with
2 pCPUs and 64 MiB of RAM). The victim is guests/vm/nonint-victim.s: it keeps a secret in
private memory and in registers, takes every kind of exit, and shares only secret-independent
pages for I/O.

  integrity        the victim runs beside hello (run A), then beside attacker; beside memtouch
                   while KServ places pages elsewhere; and while KServ proposes one of the
                   victim's pages for the attacker's stage-2 fault (runs B). The victim's
                   registers at each synchronous exit, its private memory (by gfn) and its UART
                   output must be identical in A and each B.
  confidentiality  two runs that differ only in the secret the checker puts into the victim's
                   private memory. Everything KServ observes must be identical: exit information
                   and the registers in its vCPU structs, hypercall results, page owners and gfns,
                   its stage 2, granted pages' contents, UART output, and the contents of every
                   host page before and after teardown.

Timing (cycles, counters, interleaving) is not compared. On a difference the first differing
observation is printed with the events that led to it in each run.

options:
  --kind K      integrity, confidentiality or both (default both)
  --seed S      scheduler seed of every run (default 1)
  --bug NAME    inject a KCore bug (comma-separated for several):
${wrap(BUGS, 16, 96)}
  --trace       also print every run's events, as text, each line prefixed by the run

Exit status: 0 when the checks pass; 1 when one finds a difference; 2 for bad options.`;

function parseBugs(v: string | true | undefined): KcoreBug[] {
  if (v === undefined) return [];
  if (v === true || v === '') throw new UsageError('--bug: expected a bug name');
  return v.split(',').map((name) => {
    const n = name.trim();
    if (!(BUGS as string[]).includes(n)) throw new UsageError(`--bug: unknown bug "${n}" (expected one of: ${BUGS.join(', ')})`);
    return n as KcoreBug;
  });
}

export const command: Command = {
  name: 'nonint',
  summary: 'noninterference by two runs: integrity of a victim VM, confidentiality against KServ',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, [
      { name: 'kind', kind: 'string' }, { name: 'seed', kind: 'string' }, { name: 'bug', kind: 'string' }, { name: 'trace', kind: 'flag' },
    ]);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const kind = args.options.get('kind') ?? 'both';
    if (kind === true || !(KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind: expected ${KINDS.join(', ')}, got "${String(kind)}"`);
    const seed = Number(intOption(args, 'seed', 1n, 0n, 0xffff_ffffn));
    const bugs = parseBugs(args.options.get('bug'));
    const out = (s: string): void => {
      process.stdout.write(s + '\n');
    };
    const opts: NonintOptions = {
      seed,
      bugs,
      ...(args.options.has('trace')
        ? { trace: (run: string, r) => out(`[${run}] [${r.seq} cpu${r.event.cpu} ${r.cycles}] ${describeEvent(r.event)}`) }
        : {}),
    };
    out(`sekvm-sim nonint: SeKVM, 2 pCPUs, 64 MiB RAM, seed ${seed}, KCore bugs: ${bugs.length === 0 ? 'none' : bugs.join(', ')}`);
    const results: NonintResult[] = [];
    if (kind === 'integrity' || kind === 'both') {
      out(`integrity: ${1 + integritySetups().variants.length} runs…`);
      const r = checkIntegrity(opts);
      results.push(r);
      for (const l of formatResult(r)) out(l);
    }
    if (kind === 'confidentiality' || kind === 'both') {
      out('confidentiality: 2 runs…');
      const r = checkConfidentiality(opts);
      results.push(r);
      for (const l of formatResult(r)) out(l);
    }
    const failed = results.filter((r) => !r.pass).map((r) => r.kind);
    out(failed.length === 0 ? 'nonint: PASS' : `nonint: FAIL (${failed.join(', ')})`);
    return failed.length === 0 ? 0 : 1;
  },
};
