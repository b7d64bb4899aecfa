/**
 * `sekvm-sim bench micro|apps`: the papers' evaluation in simulated cycles, KVM against SeKVM,
 * with the cost model (src/cost) charging every primitive step. `micro` runs the kvm-unit-tests
 * micro-benchmarks (src/bench/micro.ts); `apps` the application-like workloads on 1 and 8 VMs
 * and on bare metal (src/bench/apps.ts). Logic lives in src/bench; this file parses flags and
 * prints.
 *
 * Exit status: 0 on success; 1 when a benchmark did not complete; 2 for bad flags or a bad cost
 * file (nothing ran).
 */
import { writeFileSync, accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { parseArgs, intOption, type OptionSpec, type ParsedArgs } from './args.js';
import { defaultCosts, loadCosts, type CostTable } from '../cost/model.js';
import { MICRO_TESTS, runMicro, type MicroName } from '../bench/micro.js';
import { formatMicro } from '../bench/micro-report.js';
import { APP_WORKLOADS, runApps, type AppName } from '../bench/apps.js';
import { formatApps, appsSvg } from '../bench/apps-report.js';
import type { HypMode } from '../kserv/hyp.js';

const USAGE = `usage: sekvm-sim bench micro [options]
       sekvm-sim bench apps [options]

micro: the kvm-unit-tests micro-benchmarks (hvc, mmio_read_vgic, mmio_read_user, ipi, eoi) on
KVM and SeKVM: cycles per operation as the guest measures them, the SeKVM/KVM ratio, and where
the cycles go (guest, EL2, KServ kernel, KServ user; by primitive).
  --mode kvm,sekvm        modes to run (default both)
  --iterations N          iterations per test (default 65536 = 2^16, as kvm-unit-tests)
  --tests a,b             only these tests (${MICRO_TESTS.map((t) => t.name).join(', ')})

apps: application-like workloads (${APP_WORKLOADS.map((w) => w.name).join(', ')}) on bare metal, KVM
and SeKVM, on 1 VM and on 8 VMs, each normalized to bare metal.
  --vms 1,8               VM counts to run (default 1,8)
  --cpus N                pCPUs of the machine (default 8, as the m400)
  --workloads a,b         only these workloads
  --scale N               work per workload, in units (default 1; 2 = twice the work)
  --svg FILE              also write the paper-style bar chart (SVG) to FILE

both:
  --costs FILE            cost table (JSON, {"costs": {"<primitive>": {"cycles": n}}}); names it
                          does not give keep their default (src/cost/costs.default.json)
  --seed S                scheduler seed (default 1): same seed, same figures
  --json                  print the results as JSON instead of text`;

const OPTIONS: readonly OptionSpec[] = [
  ...['mode', 'iterations', 'tests', 'vms', 'cpus', 'workloads', 'scale', 'svg', 'costs', 'seed'].map((name): OptionSpec => ({ name, kind: 'string' })),
  { name: 'json', kind: 'flag' },
];

function listOption<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], dflt: readonly T[]): T[] {
  const v = args.options.get(name);
  if (v === undefined) return [...dflt];
  if (v === true) throw new UsageError(`option --${name} needs a value`);
  const items = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`option --${name} needs at least one value`);
  for (const i of items) {
    if (!allowed.includes(i as T)) throw new UsageError(`option --${name}: unknown value '${i}' (one of ${allowed.join(', ')})`);
  }
  return [...new Set(items)] as T[];
}

function costsOf(args: ParsedArgs): { costs: CostTable; origin: string } {
  const f = args.options.get('costs');
  if (f === undefined) return { costs: defaultCosts(), origin: 'default (src/cost/costs.default.json)' };
  if (f === true) throw new UsageError('option --costs needs a file');
  try {
    return { costs: loadCosts(f), origin: f };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

function onlyFor(args: ParsedArgs, sub: string, names: readonly string[]): void {
  for (const n of names) if (args.options.has(n)) throw new UsageError(`option --${n} does not apply to 'bench ${sub}'`);
}

async function micro(args: ParsedArgs): Promise<number> {
  onlyFor(args, 'micro', ['vms', 'cpus', 'workloads', 'scale', 'svg']);
  const modes = listOption<HypMode>(args, 'mode', ['kvm', 'sekvm'], ['kvm', 'sekvm']);
  const iterations = Number(intOption(args, 'iterations', 65536n, 2n, 1n << 24n));
  const tests = listOption<MicroName>(args, 'tests', MICRO_TESTS.map((t) => t.name), MICRO_TESTS.map((t) => t.name));
  const seed = Number(intOption(args, 'seed', 1n, 0n, 0xffff_ffffn));
  const { costs, origin } = costsOf(args);
  const json = args.options.has('json');
  const tty = process.stderr.isTTY && !json;
  const results = runMicro({
    modes, iterations, tests, costs, seed,
    ...(tty ? { progress: (w: string) => process.stderr.write(`  ran ${w}\n`) } : {}),
  }, costs);
  if (json) process.stdout.write(JSON.stringify({ iterations, costs: origin, seed, results }, null, 2) + '\n');
  else process.stdout.write(formatMicro(results, origin).join('\n') + '\n');
  return 0;
}

async function apps(args: ParsedArgs): Promise<number> {
  onlyFor(args, 'apps', ['mode', 'iterations', 'tests']);
  const vmCounts = listOption(args, 'vms', ['1', '2', '4', '8', '16'], ['1', '8']).map(Number);
  const cpus = Number(intOption(args, 'cpus', 8n, 1n, 64n));
  const workloads = listOption<AppName>(args, 'workloads', APP_WORKLOADS.map((w) => w.name), APP_WORKLOADS.map((w) => w.name));
  const scale = Number(intOption(args, 'scale', 1n, 1n, 64n));
  const seed = Number(intOption(args, 'seed', 1n, 0n, 0xffff_ffffn));
  const svg = args.options.get('svg');
  if (svg === true) throw new UsageError('option --svg needs a file');
  // Its directory must exist and be writable before the workloads run, not after.
  if (svg !== undefined) {
    try {
      accessSync(dirname(resolve(svg)), constants.W_OK);
    } catch {
      throw new UsageError(`--svg ${svg}: cannot write there (does the directory ${dirname(svg)} exist?)`);
    }
  }
  const { costs, origin } = costsOf(args);
  const json = args.options.has('json');
  const tty = process.stderr.isTTY && !json;
  const r = runApps({
    vmCounts, cpus, workloads, scale, seed, costs,
    ...(tty ? { progress: (w: string) => process.stderr.write(`  ran ${w}\n`) } : {}),
  });
  if (svg !== undefined) writeFileSync(svg, appsSvg(r));
  if (json) process.stdout.write(JSON.stringify({ costs: origin, ...r }, null, 2) + '\n');
  else process.stdout.write(formatApps(r, origin).join('\n') + (svg !== undefined ? `\nchart written to ${svg}\n` : '\n'));
  return 0;
}

export const command: Command = {
  name: 'bench',
  summary: 'micro-benchmarks and application workloads in simulated cycles: KVM vs SeKVM, explained',
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== 'micro' && sub !== 'apps') throw new UsageError(sub === undefined ? 'name a benchmark set: micro or apps' : `unknown benchmark set '${sub}' (micro or apps)`);
    const args = parseArgs(rest, OPTIONS);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    try {
      return sub === 'micro' ? await micro(args) : await apps(args);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      process.stderr.write(`sekvm-sim bench ${sub}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
  },
};
