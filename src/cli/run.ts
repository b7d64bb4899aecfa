/**
 * `sekvm-sim run`: runs a scenario (src/sim/scenario.ts) — KCore or the KVM baseline, KServ and
 * the VMs — printing each VM's UART lines as they are produced, then the report
 * (src/sim/report.ts). Flags override the scenario's fields; without a scenario they build one.
 * `sekvm-sim demo` is this command with guests/scenarios/demo.json (src/cli/demo.ts).
 *
 * Exit status: 0 when every VM was created and powered off; 1 when a VM failed or could not be
 * created, KCore halted, the run hit the step limit or got stuck; 2 for bad flags or a bad
 * scenario (nothing ran).
 */
import { resolve } from 'node:path';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { parseArgs, type OptionSpec, type ParsedArgs } from './args.js';
import {
  applyOverrides, closest, defaultScenario, expectedInt, expandVms, LIMITS, loadScenario, MODES, ON_VIOLATION,
  prepareScenario, ScenarioError, shown, type FileRef, type ImageSource, type PreparedScenario, type Scenario, type ScenarioOverrides,
} from '../sim/scenario.js';
import { System, type RunSummary } from '../sim/system.js';
import { formatSummary, grouped, runSucceeded } from '../sim/report.js';
import { openTraceWriter, type TraceRecord, type TraceWriter } from '../trace/index.js';
import { VM_GUESTS } from '../guests/build.js';
import { bugFlags } from './bugs.js';
import type { KcoreBug } from '../kcore/kcore.js';

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line !== '' && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else {
      line = line === '' ? w : `${line} ${w}`;
    }
  }
  return [...lines, line].map((l) => indent + l).join('\n');
}

/** The options `run` and `demo` share (the text of {@link OPTIONS_HELP}). */
export const RUN_OPTIONS: readonly OptionSpec[] = [
  'mode', 'vms', 'vcpus', 'cpus', 'ram', 'guest', 'seed', 'on-violation', 'trace', 'sign-key', 'trusted-key', 'max-steps', 'bug',
].map((name): OptionSpec => ({ name, kind: 'string' })).concat([{ name: 'quiet', kind: 'flag' }, { name: 'check', kind: 'flag' }]);

export const OPTIONS_HELP = `options (each overrides the scenario's field):
  --mode sekvm|kvm        SeKVM (KCore + untrusted KServ) or the KVM baseline (trusted host)
  --vms N                 run N copies of the VM (a scenario with one VM entry only; 1-${LIMITS.count[1]})
  --vcpus N               vCPUs of every VM (1-${LIMITS.vcpus[1]}, SeKVM's HYPSEC_MAX_VCPUS)
  --cpus N                pCPUs of the machine (1-${LIMITS.cpus[1]}); vCPUs are multiplexed on them
  --ram MiB               machine RAM (${LIMITS.ramMiB[0]}-${LIMITS.ramMiB[1]})
  --guest NAME|FILE.elf   every VM's image: an ELF linked at 0x40080000, or a guest of guests/vm:
${wrap(VM_GUESTS.join(', '), 70, ' '.repeat(26))}
  --seed S                scheduler seed (0-${LIMITS.seed[1]}): same seed, same run
  --on-violation halt|reject
                          when a KCore check fails: halt KCore, or refuse the hypercall
  --trace SPEC            text | jsonl (to stdout; the report goes to stderr) | perfetto=FILE
  --sign-key PEM          Ed25519 private key the images are signed with (default: the demo key)
  --trusted-key PEM       Ed25519 public key KCore trusts (default: the demo key)
  --max-steps N           stop after N scheduling steps (k/M/G suffixes; default 50M)
  --check                 live isolation checks (SeKVM): every invariant of src/check after every KCore
                          handler, all of them periodically; a violation stops the run with a report
  --bug NAME              inject a KCore bug (see \`sekvm-sim fuzz --help\`); with --check, watch it caught
  --quiet                 print only the report`;

const USAGE = `usage: sekvm-sim run [scenario.json] [options]

Runs SeKVM (or the KVM baseline) with VMs on the simulated Armv8-A machine: KCore at EL2,
KServ (the host) at EL1, each VM's guest at EL1 under stage-2 translation. Prints every UART
line of every VM as it is produced, prefixed by the VM ([vm1:hello] ...), then a report: how
the run ended, each VM's state, exits by reason and path, pages by owner, hypercalls, time.

Without a scenario: one VM of 'hello' with 1 vCPU on 2 pCPUs, 256 MiB RAM, SeKVM, seed 1.
Scenario files are JSON; see guests/scenarios/README.md and guests/scenarios/*.json.

${OPTIONS_HELP}

Exit status: 0 when every VM powered off normally; 1 when a VM failed or could not be created,
KCore halted, or the run hit the step limit or got stuck; 2 for bad options or scenarios.`;

// ---- flags ----

function intFlag(args: ParsedArgs, name: string, range: readonly [number, number]): number | undefined {
  const v = args.options.get(name);
  if (v === undefined) return undefined;
  const m = typeof v === 'string' ? /^([0-9]+)([kMG]?)$/.exec(v.trim()) : null;
  const n = m ? Number(m[1]) * ({ '': 1, k: 1e3, M: 1e6, G: 1e9 } as Record<string, number>)[m[2]!]! : NaN;
  if (!Number.isSafeInteger(n) || n < range[0] || n > range[1]) {
    throw new UsageError(`--${name}: expected ${expectedInt(range[0], range[1])}, got ${shown(v)}`);
  }
  return n;
}

function oneOfFlag<T extends string>(args: ParsedArgs, name: string, values: readonly T[]): T | undefined {
  const v = args.options.get(name);
  if (v === undefined) return undefined;
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`--${name}: expected ${values.join(' or ')}, got ${shown(v)}`);
}

function fileFlag(args: ParsedArgs, name: string): FileRef | undefined {
  const v = args.options.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name}: expected a file name`);
  return { path: resolve(v), given: v, flag: `--${name}` };
}

function guestFlag(args: ParsedArgs): ImageSource | undefined {
  const v = args.options.get('guest');
  if (v === undefined || v === true) return undefined;
  if (VM_GUESTS.includes(v)) return { kind: 'guest', guest: v };
  if (/\.elf$/i.test(v) || v.includes('/')) return { kind: 'elf', file: { path: resolve(v), given: v, flag: '--guest' } };
  const near = closest(v, VM_GUESTS);
  throw new UsageError(`--guest: expected a guest (${VM_GUESTS.join(', ')}) or the path of an ELF file, ` +
    `got ${shown(v)}${near !== null ? ` (did you mean "${near}"?)` : ''}`);
}

/** What the flags ask for. */
export interface RunFlags {
  readonly overrides: ScenarioOverrides;
  readonly trace: string | null;
  readonly quiet: boolean;
  readonly check: boolean;
  readonly bugs: readonly KcoreBug[];
}

/** Reads the shared flags. Throws: UsageError naming the flag and the accepted values. */
export function parseRunFlags(args: ParsedArgs): RunFlags {
  const o: Record<string, unknown> = {
    mode: oneOfFlag(args, 'mode', MODES),
    vms: intFlag(args, 'vms', LIMITS.count),
    vcpus: intFlag(args, 'vcpus', LIMITS.vcpus),
    cpus: intFlag(args, 'cpus', LIMITS.cpus),
    ramMiB: intFlag(args, 'ram', LIMITS.ramMiB),
    image: guestFlag(args),
    seed: intFlag(args, 'seed', LIMITS.seed),
    onViolation: oneOfFlag(args, 'on-violation', ON_VIOLATION),
    signKey: fileFlag(args, 'sign-key'),
    trustedKey: fileFlag(args, 'trusted-key'),
    maxSteps: intFlag(args, 'max-steps', LIMITS.maxSteps),
  };
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  const trace = args.options.get('trace');
  if (trace === true || trace === '') throw new UsageError('--trace: expected text, jsonl or perfetto=FILE');
  return { overrides: o as ScenarioOverrides, trace: trace ?? null, quiet: args.options.has('quiet'), check: args.options.has('check'),
    bugs: bugFlags([...args.options].flatMap(([k, v]) => (k === 'bug' && typeof v === 'string' ? ['--bug', v] : []))) };
}

// ---- the run ----

/** The two header lines: the system, then the VMs (the scenario's description if it has one). */
export function header(s: Scenario): [string, string] {
  const machine = `an Armv8-A machine: ${s.cpus} pCPU${s.cpus === 1 ? '' : 's'}, ${s.ramMiB} MiB RAM, seed ${s.seed}`;
  const first = s.mode === 'sekvm'
    ? `SeKVM: KCore (trusted, EL2) + KServ (untrusted host, EL1) on ${machine}`
    : `KVM baseline: host kernel with KVM (trusted, no KCore) on ${machine}`;
  const n = expandVms(s).length;
  const entries = s.vms.map((e) => {
    const what = e.image.kind === 'guest' ? `guest ${e.image.guest}` : e.image.file.given;
    const name = e.name !== null ? `"${e.name}" ` : '';
    return `${e.count > 1 ? `${e.count} × ` : ''}${name}${what} (${e.vcpus} vCPU${e.vcpus === 1 ? '' : 's'}${e.tamper ? ', image tampered with after signing' : ''})`;
  });
  return [first, s.description ?? `${n} VM${n === 1 ? '' : 's'}: ${entries.join('; ')}`];
}

interface Out {
  /** Header, UART lines and report go here (stderr when a trace takes stdout). */
  readonly main: (text: string) => void;
}

/** Progress on stderr every ~2 s of wall time, only when stderr is a terminal. */
function progressReporter(getSys: () => System | null): () => void {
  if (!process.stderr.isTTY) return () => {};
  const t0 = process.hrtime.bigint();
  let next = t0 + 2_000_000_000n;
  let calls = 0;
  return () => {
    if ((++calls & 0x3ff) !== 0) return;
    const now = process.hrtime.bigint();
    const sys = getSys();
    if (now < next || sys === null) return;
    next = now + 2_000_000_000n;
    let insns = 0n;
    for (let c = 0; c < sys.m.cpus; c++) insns += sys.m.insns(c);
    const running = sys.kserv.vms.filter((v) => v.state === 'running').length;
    process.stderr.write(`[${(Number(now - t0) / 1e9).toFixed(0)} s] ${grouped(sys.sched.steps)} scheduling steps, ` +
      `${grouped(insns)} guest instructions, ${running} of ${sys.kserv.vms.length} VMs running\n`);
  };
}

function openTrace(spec: string, cpus: number, cpuHz: number): TraceWriter {
  try {
    return openTraceWriter(spec, { cpus, cpuHz, out: (chunk) => process.stdout.write(chunk) });
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw new ScenarioError([`--trace: ${(e as Error).message}`]);
  }
}

interface Executed {
  readonly summary: RunSummary;
  /** The trace writer failed to finish its output (e.g. the Perfetto file could not be written). */
  readonly traceFailed: boolean;
}

/** Runs a prepared scenario, streaming UART lines; returns the summary (or 2: the system could not be built). */
function execute(prep: PreparedScenario, writer: TraceWriter | null, flags: RunFlags, out: Out, name: string): Executed | number {
  let sys: System | null = null;
  const names = new Map<number, string>();
  const poll = flags.quiet ? () => {} : progressReporter(() => sys);
  const uart = !flags.quiet && (writer === null || flags.trace!.startsWith('perfetto='));
  const trace = (r: TraceRecord): void => {
    writer?.write(r);
    poll();
    const e = r.event;
    if (e.kind !== 'uart' || !uart) return;
    if (!names.has(e.vmid)) names.set(e.vmid, sys?.kserv.vms.find((v) => v.vmid === e.vmid)?.name ?? '?');
    out.main(`[vm${e.vmid}:${names.get(e.vmid)}] ${e.line}\n`);
  };
  try {
    sys = new System({ ...prep.config, trace, ...(flags.check ? { check: true } : {}), ...(flags.bugs.length ? { bugs: flags.bugs } : {}) });
  } catch (e) {
    writer?.close();
    process.stderr.write(`sekvm-sim ${name}: cannot build the system: ${(e as Error).message}\n`);
    return 2;
  }
  const summary = sys.run(prep.maxSteps);
  try {
    writer?.close();
  } catch (e) {
    process.stderr.write(`sekvm-sim ${name}: --trace: cannot finish the trace: ${(e as Error).message}\n`);
    return { summary, traceFailed: true };
  }
  return { summary, traceFailed: false };
}

/**
 * What `run` and `demo` do after parsing: apply the flags to `base`, print the header, run,
 * print the report. Returns the exit status; bad scenarios and files are reported here (2).
 */
export function runScenario(base: () => Scenario, flags: RunFlags, name: string): number {
  const toStderr = flags.trace !== null && !flags.trace.startsWith('perfetto=');
  const out: Out = { main: (t) => (toStderr ? process.stderr : process.stdout).write(t) };
  try {
    const s0 = base();
    if (flags.overrides.vms !== undefined && s0.vms.length !== 1) {
      throw new UsageError(`--vms: ${s0.source} has ${s0.vms.length} VM entries; --vms sets the count of a scenario with one ` +
        '(change "count" in the file instead)');
    }
    const s = applyOverrides(s0, flags.overrides);
    if (flags.check && s.mode !== 'sekvm') throw new UsageError('--check: the live isolation checks watch KCore; they need --mode sekvm');
    if (flags.bugs.length && s.mode !== 'sekvm') throw new UsageError('--bug: the bugs are KCore\'s; they need --mode sekvm');
    const prep = prepareScenario(s);
    const writer = flags.trace !== null ? openTrace(flags.trace, s.cpus, prep.config.cpuHz!) : null;
    if (!flags.quiet) out.main(`${header(s).join('\n')}\n\n`);
    const r = execute(prep, writer, flags, out, name);
    if (typeof r === 'number') return r;
    out.main(`${flags.quiet ? '' : '\n'}${formatSummary(r.summary)}`);
    return runSucceeded(r.summary) && !r.traceFailed ? 0 : 1;
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    process.stderr.write(e.problems.map((p) => `sekvm-sim ${name}: ${p}\n`).join(''));
    return 2;
  }
}

export const command: Command = {
  name: 'run',
  summary: 'run KCore, KServ and VMs from a scenario file or flags, then report',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, RUN_OPTIONS);
    if (args.positionals.length > 1) throw new UsageError(`expected at most one scenario file, got ${args.positionals.length} arguments`);
    const file = args.positionals[0];
    const flags = parseRunFlags(args);
    return runScenario(() => (file !== undefined ? loadScenario(file) : defaultScenario()), flags, 'run');
  },
};
