/**
 * Scenario files: one run of the simulator described as JSON — the hypervisor mode, the machine,
 * the scheduler and the VMs with their guests (guests/scenarios/README.md shows the format).
 *
 * - `parseScenario` validates every field and names the bad ones (`demo.json: vms[1].vcpus:
 *   expected an integer from 1 to 4, got "two"`), rejects unknown fields, fills in
 *   {@link DEFAULTS}, then checks the limits that involve several fields (VM count, RAM).
 * - `applyOverrides` lets command-line flags replace fields; `checkScenario` re-checks the result.
 * - `prepareScenario` turns a valid scenario into a SystemConfig: it assembles or reads the
 *   guest images, signs them, optionally tampers with them, and reads the keys.
 *
 * It does not run anything (src/cli/run.ts does) and never throws anything but ScenarioError
 * on bad input.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { HypMode } from '../kserv/hyp.js';
import type { OnViolation } from '../kcore/kcore.js';
import type { VmSpec } from '../kserv/kserv.js';
import { GUEST_RAM_BASE } from '../kserv/kserv.js';
import { flattenElf, type BootImage, type SignedImage } from '../kserv/image.js';
import { HYPSEC_MAX_VCPUS, MAX_VM_NUM } from '../kcore/constants.js';
import { kcoreLayout } from '../kcore/layout.js';
import { MAX_RAM_BYTES } from '../machine/machine.js';
import { SHARED_BYTES } from '../kcore/shared-abi.js';
import { VIRT } from '../board/virt.js';
import { buildVmGuest, VM_GUESTS } from '../guests/build.js';
import { loadPrivateKey, rawPublicKey, signImage } from './keys.js';
import type { SystemConfig } from './system.js';

/** A file named in a scenario or on the command line: the resolved path and the text as given. */
export interface FileRef {
  readonly path: string;
  readonly given: string;
  /** The command-line flag that named it (messages name the flag instead of the field). */
  readonly flag?: string;
}

/** Where a VM's boot image comes from. */
export type ImageSource =
  | { readonly kind: 'guest'; readonly guest: string }
  | { readonly kind: 'elf'; readonly file: FileRef };

/** One entry of `vms`: `count` identical VMs. */
export interface VmEntry {
  /** The name given, or null: the guest's name (or the ELF file's name without `.elf`). */
  readonly name: string | null;
  readonly image: ImageSource;
  readonly vcpus: number;
  readonly count: number;
  /** `.equ` values for buildVmGuest (guests only). */
  readonly defines: Readonly<Record<string, number | bigint>>;
  /** Ed25519 private key the image is signed with; null: the demo key (guests/keys). */
  readonly signKey: FileRef | null;
  /** Flip one bit of the image after signing (verified boot must refuse it under SeKVM). */
  readonly tamper: boolean;
  readonly ramMiB: number;
}

export interface Scenario {
  /** Where the scenario came from, for messages: the file as given, or `command line`. */
  readonly source: string;
  readonly description: string | null;
  readonly mode: HypMode;
  readonly cpus: number;
  readonly ramMiB: number;
  readonly seed: number;
  readonly onViolation: OnViolation;
  readonly quantum: number;
  readonly switchProbability: number;
  /** KCore's trusted Ed25519 public key; null: the demo key. */
  readonly trustedKey: FileRef | null;
  readonly maxSteps: number;
  readonly vms: readonly VmEntry[];
}

/**
 * Every default, in one place: a scenario file may omit any field, and `sekvm-sim run` without
 * a file runs exactly this. quantum and switchProbability are the scheduler's own defaults
 * (src/sim/sched.ts), maxSteps System.run's; they are always passed explicitly.
 */
export const DEFAULTS = {
  mode: 'sekvm',
  cpus: 2,
  ramMiB: 256,
  seed: 1,
  onViolation: 'reject',
  quantum: 10_000,
  switchProbability: 0.5,
  maxSteps: 50_000_000,
  vm: { guest: 'hello', vcpus: 1, count: 1, ramMiB: 64, tamper: false },
} as const;

/** Most VMs in one scenario: enough to see SeKVM refuse the 57th (it has 56 VMIDs). */
export const MAX_VMS = 64;

/** Inclusive ranges of the integer fields (shared with the command-line flags). */
export const LIMITS = {
  cpus: [1, 8],
  // Up to the machine's limit (RAM from 0x4000_0000 must end by 4 GiB).
  ramMiB: [32, MAX_RAM_BYTES / 1048576],
  seed: [0, 0xffff_ffff],
  quantum: [1, 100_000_000],
  maxSteps: [1, 1_000_000_000_000],
  vcpus: [1, HYPSEC_MAX_VCPUS],
  count: [1, MAX_VMS],
  // A VM's RAM is IPA 0x4000_0000 up; the guests' stage 1 maps 1 GiB of Normal memory there.
  vmRamMiB: [2, 1024],
} as const satisfies Record<string, readonly [number, number]>;

/** Values of `mode` (and --mode). */
export const MODES: readonly HypMode[] = ['sekvm', 'kvm'];
/** Values of `onViolation` (and --on-violation). */
export const ON_VIOLATION: readonly OnViolation[] = ['halt', 'reject'];

/** Bad input: one message per problem, each naming its source and field. */
export class ScenarioError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ScenarioError';
  }
}

// ---- values and messages ----

/** `an integer from 1 to 8` — the words both the file and the flag messages use. */
export function expectedInt(min: number, max: number): string {
  return `an integer from ${min} to ${max}`;
}

/** A value as it appears in a message: strings quoted, containers by kind. */
export function shown(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = d[j]!;
      d[j] = Math.min(up + 1, d[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return d[b.length]!;
}

/** The candidate closest to `word` (at most 2 edits away), for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

/** Why a file could not be read, in words. */
export function fileProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return e instanceof Error ? e.message : String(e);
}

// ---- field readers ----

interface Ctx {
  readonly source: string;
  /** Directory relative paths are resolved against (the scenario file's). */
  readonly dir: string;
  readonly problems: string[];
}

type Obj = Readonly<Record<string, unknown>>;

function problem(ctx: Ctx, path: string, msg: string): void {
  ctx.problems.push(path === '' ? `${ctx.source}: ${msg}` : `${ctx.source}: ${path}: ${msg}`);
}

function field(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** Reports every key of `obj` that is not in `allowed`, with a suggestion when one is close. */
function checkKeys(ctx: Ctx, obj: Obj, allowed: readonly string[], prefix: string): void {
  for (const k of Object.keys(obj)) {
    if (allowed.includes(k)) continue;
    const near = closest(k, allowed);
    problem(ctx, field(prefix, k), near !== null
      ? `unknown field (did you mean "${near}"?)`
      : `unknown field (expected one of: ${allowed.join(', ')})`);
  }
}

function intField(ctx: Ctx, obj: Obj, key: string, prefix: string, range: readonly [number, number], dflt: number): number {
  const v = obj[key];
  if (v === undefined) return dflt;
  if (isInt(v, range[0], range[1])) return v;
  problem(ctx, field(prefix, key), `expected ${expectedInt(range[0], range[1])}, got ${shown(v)}`);
  return dflt;
}

function oneOfField<T extends string>(ctx: Ctx, obj: Obj, key: string, prefix: string, values: readonly T[], dflt: T): T {
  const v = obj[key];
  if (v === undefined) return dflt;
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  const near = typeof v === 'string' ? closest(v, values) : null;
  problem(ctx, field(prefix, key), `expected one of ${values.map((x) => `"${x}"`).join(', ')}, got ${shown(v)}` +
    (near !== null ? ` (did you mean "${near}"?)` : ''));
  return dflt;
}

function fileField(ctx: Ctx, obj: Obj, key: string, prefix: string, what: string): FileRef | null {
  const v = obj[key];
  if (v === undefined) return null;
  if (typeof v === 'string' && v !== '') return { path: resolve(ctx.dir, v), given: v };
  problem(ctx, field(prefix, key), `expected the path of ${what}, got ${shown(v)}`);
  return null;
}

function boolField(ctx: Ctx, obj: Obj, key: string, prefix: string, dflt: boolean): boolean {
  const v = obj[key];
  if (v === undefined) return dflt;
  if (typeof v === 'boolean') return v;
  problem(ctx, field(prefix, key), `expected true or false, got ${shown(v)}`);
  return dflt;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- the VM entries ----

const VM_KEYS = ['name', 'guest', 'elf', 'vcpus', 'count', 'defines', 'signKey', 'tamper', 'ramMiB'] as const;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const DEFINE_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function nameField(ctx: Ctx, obj: Obj, prefix: string): string | null {
  const v = obj.name;
  if (v === undefined) return null;
  if (typeof v === 'string' && NAME_RE.test(v)) return v;
  problem(ctx, field(prefix, 'name'), `expected 1 to 32 letters, digits, '-', '_' or '.' (starting with a letter or digit), got ${shown(v)}`);
  return null;
}

function imageField(ctx: Ctx, obj: Obj, prefix: string): ImageSource {
  const g = obj.guest;
  if (g !== undefined && obj.elf !== undefined) {
    problem(ctx, prefix, 'give either "guest" or "elf", not both');
  } else if (obj.elf !== undefined) {
    const f = fileField(ctx, obj, 'elf', prefix, 'an ELF file');
    if (f !== null) return { kind: 'elf', file: f };
  } else if (g !== undefined) {
    if (typeof g === 'string' && VM_GUESTS.includes(g)) return { kind: 'guest', guest: g };
    const near = typeof g === 'string' ? closest(g, VM_GUESTS) : null;
    problem(ctx, field(prefix, 'guest'), near !== null
      ? `unknown guest ${shown(g)} (did you mean "${near}"?)`
      : `expected one of the guests in guests/vm (${VM_GUESTS.join(', ')}), got ${shown(g)}`);
  }
  return { kind: 'guest', guest: DEFAULTS.vm.guest };
}

function definesField(ctx: Ctx, obj: Obj, prefix: string): Record<string, number | bigint> {
  const v = obj.defines;
  const out: Record<string, number | bigint> = {};
  if (v === undefined) return out;
  const at = field(prefix, 'defines');
  if (!isObj(v)) {
    problem(ctx, at, `expected an object of NAME: value (the guest's .equ constants), got ${shown(v)}`);
    return out;
  }
  for (const [k, x] of Object.entries(v)) {
    if (!DEFINE_RE.test(k)) problem(ctx, `${at}.${k}`, 'expected a symbol name (letters, digits, _)');
    else if (typeof x === 'number' && Number.isSafeInteger(x)) out[k] = x;
    else if (typeof x === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(x)) out[k] = BigInt(x);
    else problem(ctx, `${at}.${k}`, `expected an integer (a number, or a string like "0x1000"), got ${shown(x)}`);
  }
  return out;
}

function vmEntry(ctx: Ctx, v: unknown, prefix: string): VmEntry | null {
  if (!isObj(v)) {
    problem(ctx, prefix, `expected an object describing a VM, got ${shown(v)}`);
    return null;
  }
  checkKeys(ctx, v, VM_KEYS, prefix);
  return {
    name: nameField(ctx, v, prefix),
    image: imageField(ctx, v, prefix),
    vcpus: intField(ctx, v, 'vcpus', prefix, LIMITS.vcpus, DEFAULTS.vm.vcpus),
    count: intField(ctx, v, 'count', prefix, LIMITS.count, DEFAULTS.vm.count),
    defines: definesField(ctx, v, prefix),
    signKey: fileField(ctx, v, 'signKey', prefix, 'a PEM Ed25519 private key'),
    tamper: boolField(ctx, v, 'tamper', prefix, DEFAULTS.vm.tamper),
    ramMiB: intField(ctx, v, 'ramMiB', prefix, LIMITS.vmRamMiB, DEFAULTS.vm.ramMiB),
  };
}

function vmsField(ctx: Ctx, obj: Obj): VmEntry[] {
  const v = obj.vms;
  if (v === undefined) return [defaultVm()];
  if (!Array.isArray(v) || v.length === 0) {
    problem(ctx, 'vms', `expected a non-empty array of VMs, got ${Array.isArray(v) ? 'an empty array' : shown(v)}`);
    return [defaultVm()];
  }
  const out: VmEntry[] = [];
  v.forEach((x, i) => {
    const e = vmEntry(ctx, x, `vms[${i}]`);
    if (e !== null) out.push(e);
  });
  return out;
}

function defaultVm(): VmEntry {
  return {
    name: null, image: { kind: 'guest', guest: DEFAULTS.vm.guest }, vcpus: DEFAULTS.vm.vcpus, count: DEFAULTS.vm.count,
    defines: {}, signKey: null, tamper: DEFAULTS.vm.tamper, ramMiB: DEFAULTS.vm.ramMiB,
  };
}

// ---- the scenario ----

const TOP_KEYS = [
  'description', 'mode', 'cpus', 'ramMiB', 'seed', 'onViolation', 'quantum', 'switchProbability',
  'trustedKey', 'maxSteps', 'vms',
] as const;

function switchProbabilityField(ctx: Ctx, obj: Obj): number {
  const v = obj.switchProbability;
  if (v === undefined) return DEFAULTS.switchProbability;
  if (typeof v === 'number' && v >= 0 && v <= 1) return v;
  problem(ctx, 'switchProbability', `expected a number from 0 to 1, got ${shown(v)}`);
  return DEFAULTS.switchProbability;
}

function descriptionField(ctx: Ctx, obj: Obj): string | null {
  const v = obj.description;
  if (v === undefined) return null;
  if (typeof v === 'string') return v;
  problem(ctx, 'description', `expected a string, got ${shown(v)}`);
  return null;
}

/**
 * Validates a parsed JSON value as a scenario and fills in {@link DEFAULTS}. Relative paths
 * (elf, signKey, trustedKey) are resolved against `dir` (default: the directory of `source`).
 *
 * Throws: ScenarioError listing every problem — a field of the wrong type or out of range,
 * an unknown field, then (only if every field is valid) the limits {@link checkScenario} checks.
 */
export function parseScenario(json: unknown, source: string, dir = dirname(resolve(source))): Scenario {
  const ctx: Ctx = { source, dir, problems: [] };
  if (!isObj(json)) throw new ScenarioError([`${source}: expected a JSON object at the top level, got ${shown(json)}`]);
  checkKeys(ctx, json, TOP_KEYS, '');
  const s: Scenario = {
    source,
    description: descriptionField(ctx, json),
    mode: oneOfField(ctx, json, 'mode', '', MODES, DEFAULTS.mode),
    cpus: intField(ctx, json, 'cpus', '', LIMITS.cpus, DEFAULTS.cpus),
    ramMiB: intField(ctx, json, 'ramMiB', '', LIMITS.ramMiB, DEFAULTS.ramMiB),
    seed: intField(ctx, json, 'seed', '', LIMITS.seed, DEFAULTS.seed),
    onViolation: oneOfField(ctx, json, 'onViolation', '', ON_VIOLATION, DEFAULTS.onViolation),
    quantum: intField(ctx, json, 'quantum', '', LIMITS.quantum, DEFAULTS.quantum),
    switchProbability: switchProbabilityField(ctx, json),
    trustedKey: fileField(ctx, json, 'trustedKey', '', 'a PEM Ed25519 public key'),
    maxSteps: intField(ctx, json, 'maxSteps', '', LIMITS.maxSteps, DEFAULTS.maxSteps),
    vms: vmsField(ctx, json),
  };
  if (ctx.problems.length > 0) throw new ScenarioError(ctx.problems);
  checkScenario(s);
  return s;
}

/**
 * Parses scenario text (JSON). Throws: ScenarioError — `source:line:col: invalid JSON: …` for
 * a syntax error, or whatever {@link parseScenario} reports.
 */
export function parseScenarioText(text: string, source: string, dir?: string): Scenario {
  const body = text.replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /at position (\d+)/.exec(msg);
    const at = pos ? Number(pos[1]) : body.length;
    const before = body.slice(0, at).split('\n');
    const why = msg.replace(/\s*(in JSON )?at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, '');
    throw new ScenarioError([`${source}:${before.length}:${before[before.length - 1]!.length + 1}: invalid JSON: ${why}`]);
  }
  return parseScenario(json, source, dir);
}

/** Reads and validates a scenario file. Throws: ScenarioError (unreadable file, bad JSON, bad fields). */
export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError([`cannot read scenario "${path}": ${fileProblem(e)}`]);
  }
  return parseScenarioText(text, path);
}

/** The scenario `sekvm-sim run` uses without a file: {@link DEFAULTS}. */
export function defaultScenario(): Scenario {
  return parseScenario({}, 'command line', process.cwd());
}

// ---- cross-field limits ----

/** One VM of a scenario, after `count` replication. */
export interface ExpandedVm {
  readonly name: string;
  /** Index of its entry in `vms`. */
  readonly entry: number;
}

function entryBaseName(e: VmEntry): string {
  if (e.name !== null) return e.name;
  if (e.image.kind === 'guest') return e.image.guest;
  return basename(e.image.file.path).replace(/\.elf$/i, '').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 32) || 'vm';
}

/**
 * The VMs in creation order, named. A named entry with count n > 1 gives NAME-1 … NAME-n. VMs
 * without a name take their guest's; when several do, they are numbered across entries
 * (hello-1, hello-2, …).
 */
export function expandVms(s: Scenario): ExpandedVm[] {
  const bases = s.vms.map(entryBaseName);
  const unnamed = new Map<string, number>();
  s.vms.forEach((e, i) => {
    if (e.name === null) unnamed.set(bases[i]!, (unnamed.get(bases[i]!) ?? 0) + e.count);
  });
  const next = new Map<string, number>();
  const out: ExpandedVm[] = [];
  s.vms.forEach((e, entry) => {
    const base = bases[entry]!;
    const numbered = e.name === null ? unnamed.get(base)! > 1 : e.count > 1;
    for (let k = 1; k <= e.count; k++) {
      const n = e.name === null ? (next.get(base) ?? 0) + 1 : k;
      if (e.name === null) next.set(base, n);
      out.push({ name: numbered ? `${base}-${n}` : base, entry });
    }
  });
  return out;
}

const MiB = 1 << 20;

/** RAM the hypervisor keeps for itself at the top of RAM, in bytes (KCore's data and pools, or KVM's stage-2 pool). */
export function hypervisorReserveBytes(mode: HypMode, ramMiB: number): number {
  if (mode === 'kvm') return KVM_POOL_BYTES;
  const lay = kcoreLayout(VIRT.RAM, ramMiB * MiB);
  return Number(lay.end - lay.base);
}

/** src/kvm/kvm-hyp.ts POOL_BYTES (not exported there): the KVM baseline's stage-2 table pool. */
const KVM_POOL_BYTES = 8 * MiB;
/** src/sim/system.ts puts KServ's shared_data 1 MiB into RAM; VM memory comes after it. */
const SHARED_OFFSET = MiB;
/** KServ loads each boot image into 2 MiB blocks (QEMU's ROM load, as SeKVM moves images). */
const IMAGE_BLOCK = 2 * MiB;

/**
 * The RAM check: every VM needs at least its boot image's 2 MiB blocks, between KServ's shared
 * area at the bottom and the hypervisor's reserve at the top (guest RAM beyond that is
 * allocated on first touch, so VMs may together declare more RAM than the machine has).
 * `blocks[i]` is the number of 2 MiB blocks of VM i's image (1 for every guest in guests/vm).
 * Returns a message, or null when the VMs fit.
 */
export function ramProblem(mode: HypMode, ramMiB: number, blocks: readonly number[]): string | null {
  const reserve = hypervisorReserveBytes(mode, ramMiB);
  const bottom = Math.ceil((SHARED_OFFSET + SHARED_BYTES) / IMAGE_BLOCK) * IMAGE_BLOCK;
  const avail = Math.floor((ramMiB * MiB - reserve) / IMAGE_BLOCK) * IMAGE_BLOCK - bottom;
  const need = blocks.reduce((a, b) => a + b, 0) * IMAGE_BLOCK;
  if (need <= avail) return null;
  const hyp = mode === 'kvm' ? "KVM's stage-2 table pool" : 'KCore';
  const atLeast = Math.ceil((need + bottom + reserve) / MiB);
  return `${ramMiB} MiB of RAM cannot hold ${blocks.length} VM${blocks.length === 1 ? '' : 's'}: ${hyp} takes ` +
    `${Math.ceil(reserve / MiB)} MiB at the top, KServ's shared area the first ${bottom / MiB} MiB, and the boot images ` +
    `need ${need / MiB} MiB in 2 MiB blocks; use at least ${atLeast} MiB (guest RAM beyond the image is allocated on first touch)`;
}

/**
 * Checks the limits that involve several fields: at most {@link MAX_VMS} VMs in total, distinct
 * VM names, and the RAM check of {@link ramProblem}. More vCPUs than pCPUs is fine (KServ
 * multiplexes them), so is more than 56 VMs (SeKVM refuses the 57th KVM_CREATE_VM with EINVAL,
 * which the run reports), and so are VMs declaring more RAM than the machine has (KVM
 * overcommits: guest pages are allocated on first touch, and a host out of memory shows).
 *
 * Throws: ScenarioError listing the problems.
 */
export function checkScenario(s: Scenario): void {
  const problems: string[] = [];
  const vms = expandVms(s);
  if (vms.length > MAX_VMS) {
    problems.push(`${s.source}: vms: ${vms.length} VMs in total (counting "count"); at most ${MAX_VMS} ` +
      `(SeKVM has ${MAX_VM_NUM} VMIDs, so a few more are enough to see the next KVM_CREATE_VM fail)`);
  }
  const seen = new Map<string, number>();
  for (const v of vms) {
    const first = seen.get(v.name);
    if (first !== undefined && first !== v.entry) {
      problems.push(`${s.source}: vms[${v.entry}].name: "${v.name}" is also the name of a VM of vms[${first}]; give each VM its own "name"`);
    } else if (first === undefined) {
      seen.set(v.name, v.entry);
    }
  }
  const ram = ramProblem(s.mode, s.ramMiB, vms.map(() => 1));
  if (ram !== null && vms.length <= MAX_VMS) problems.push(`${s.source}: ramMiB: ${ram}`);
  if (problems.length > 0) throw new ScenarioError(problems);
}

// ---- command-line overrides ----

/** Fields the `run` flags can replace. `vms` sets the count of a scenario's only VM entry. */
export interface ScenarioOverrides {
  readonly mode?: HypMode;
  readonly cpus?: number;
  readonly ramMiB?: number;
  readonly seed?: number;
  readonly onViolation?: OnViolation;
  readonly trustedKey?: FileRef;
  readonly maxSteps?: number;
  readonly vms?: number;
  /** Every VM entry: its vCPUs. */
  readonly vcpus?: number;
  /** Every VM entry: its image (its defines are dropped: they belong to the old guest). */
  readonly image?: ImageSource;
  /** Every VM entry: its signing key. */
  readonly signKey?: FileRef;
}

/**
 * The scenario with the overrides applied, re-checked. `o.vms` requires a scenario with one
 * VM entry (the caller reports otherwise).
 *
 * Throws: ScenarioError when the result breaks a limit of {@link checkScenario}.
 */
export function applyOverrides(s: Scenario, o: ScenarioOverrides): Scenario {
  if (Object.keys(o).length === 0) return s;
  const vms = s.vms.map((e): VmEntry => ({
    ...e,
    ...(o.vcpus !== undefined ? { vcpus: o.vcpus } : {}),
    ...(o.image !== undefined ? { image: o.image, defines: {} } : {}),
    ...(o.signKey !== undefined ? { signKey: o.signKey } : {}),
    ...(o.vms !== undefined ? { count: o.vms } : {}),
  }));
  const out: Scenario = {
    ...s,
    source: s.source === 'command line' ? s.source : `${s.source} with the command-line options`,
    // The description tells what the VMs do; it no longer holds once the flags change them.
    description: o.vms ?? o.vcpus ?? o.image ?? o.signKey ? null : s.description,
    mode: o.mode ?? s.mode,
    cpus: o.cpus ?? s.cpus,
    ramMiB: o.ramMiB ?? s.ramMiB,
    seed: o.seed ?? s.seed,
    onViolation: o.onViolation ?? s.onViolation,
    trustedKey: o.trustedKey ?? s.trustedKey,
    maxSteps: o.maxSteps ?? s.maxSteps,
    vms,
  };
  checkScenario(out);
  return out;
}

// ---- from scenario to system ----

/** A scenario made ready to run: the System configuration (without a trace sink) and the step limit. */
export interface PreparedScenario {
  readonly config: SystemConfig;
  readonly maxSteps: number;
}

function readPrivateKey(ref: FileRef | null, where: string): KeyObject {
  if (ref === null) return loadPrivateKey();
  const at = ref.flag ?? where;
  let pem: Buffer;
  try {
    pem = readFileSync(ref.path);
  } catch (e) {
    throw new ScenarioError([`${at}: cannot read "${ref.given}": ${fileProblem(e)}`]);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ScenarioError([`${at}: "${ref.given}" is not a PEM private key`]);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ScenarioError([`${at}: "${ref.given}" is ${key.asymmetricKeyType ?? 'an unknown'} key; images are signed with Ed25519`]);
  }
  return key;
}

function readTrustedKey(s: Scenario): Uint8Array {
  const ref = s.trustedKey;
  if (ref === null) return rawPublicKey();
  const at = ref.flag ?? `${s.source}: trustedKey`;
  try {
    readFileSync(ref.path);
  } catch (e) {
    throw new ScenarioError([`${at}: cannot read "${ref.given}": ${fileProblem(e)}`]);
  }
  try {
    return rawPublicKey(ref.path);
  } catch {
    throw new ScenarioError([`${at}: "${ref.given}" is not a PEM Ed25519 key (public, or a private key to take it from)`]);
  }
}

function guestImage(e: VmEntry & { image: { kind: 'guest' } }, at: string): BootImage {
  let elf: Uint8Array;
  try {
    elf = buildVmGuest(e.image.guest, { defines: e.defines });
  } catch (x) {
    const msg = (x as Error).message.replace(/^buildVmGuest: /, '');
    const def = /^define (\w+) .*\(found (\d+)\)/.exec(msg);
    throw new ScenarioError([def !== null
      ? `${at}.defines.${def[1]}: guest "${e.image.guest}" has ${def[2] === '0' ? 'no' : def[2]} ".equ ${def[1]}, …" line` +
        `${def[2] === '0' ? '' : 's'} (in guests/vm/${e.image.guest}.s and guests/vm/lib); a define must replace exactly one`
      : `${at}: guest "${e.image.guest}" does not assemble with these defines:\n  ${msg.split('\n').join('\n  ')}`]);
  }
  const img = flattenElf(elf);
  if (!img.ok) throw new ScenarioError([`${at}: guest "${e.image.guest}": ${img.error}`]);
  return img.value;
}

function elfImage(e: VmEntry & { image: { kind: 'elf' } }, where: string): BootImage {
  const f = e.image.file;
  const at = f.flag ?? `${where}.elf`;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(f.path);
  } catch (x) {
    throw new ScenarioError([`${at}: cannot read "${f.given}": ${fileProblem(x)}`]);
  }
  const img = flattenElf(bytes);
  if (!img.ok) throw new ScenarioError([`${at}: "${f.given}" is not a loadable ELF: ${img.error}`]);
  const { ipa, bytes: b, entry } = img.value;
  const top = GUEST_RAM_BASE + e.ramMiB * MiB;
  if (ipa < GUEST_RAM_BASE || ipa + b.length > top) {
    throw new ScenarioError([`${at}: "${f.given}" is linked at 0x${ipa.toString(16)}–0x${(ipa + b.length).toString(16)}, ` +
      `outside the VM's RAM (0x${GUEST_RAM_BASE.toString(16)}–0x${top.toString(16)}); link it at 0x40080000 like guests/vm`]);
  }
  if (entry < BigInt(ipa) || entry >= BigInt(ipa + b.length)) {
    throw new ScenarioError([`${at}: "${f.given}": the entry point 0x${entry.toString(16)} is outside the image`]);
  }
  return img.value;
}

/**
 * The bit a `tamper` flips: the case of the first letter of the guest's name where the image
 * holds it (the guests' first line starts with it, so under KVM — which does not verify — the
 * modified image visibly runs), else of the first letter of a 16-character string, else bit 0
 * of the last byte.
 */
export function tamperOffset(bytes: Uint8Array, guest: string | null): { offset: number; mask: number } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const named = guest === null ? -1 : text.indexOf(guest);
  if (named >= 0 && /[A-Za-z]/.test(text[named]!)) return { offset: named, mask: 0x20 };
  const run = /[\x20-\x7e]{16,}/.exec(text);
  const letter = run ? run.index + run[0].search(/[A-Za-z]/) : -1;
  if (run && letter >= run.index) return { offset: letter, mask: 0x20 };
  return { offset: bytes.length - 1, mask: 1 };
}

function tampered(bytes: Uint8Array, guest: string | null): Uint8Array {
  const out = bytes.slice();
  const t = tamperOffset(out, guest);
  out[t.offset] = out[t.offset]! ^ t.mask;
  return out;
}

/**
 * Builds each VM's signed boot image and reads the keys. Guest images are assembled once per
 * (guest, defines) and shared by their replicas.
 *
 * Throws: ScenarioError — an unreadable or non-Ed25519 key, an unreadable, non-ELF or
 * misplaced ELF, defines the guest does not have, or images too big for the RAM.
 */
export function prepareScenario(s: Scenario): PreparedScenario {
  const trustedKey = readTrustedKey(s);
  const built = new Map<string, BootImage>();
  const images = s.vms.map((e, i) => entryImage(e, `${s.source}: vms[${i}]`, built));
  const vms: VmSpec[] = [];
  const blocks: number[] = [];
  for (const v of expandVms(s)) {
    const e = s.vms[v.entry]!;
    vms.push({ name: v.name, image: images[v.entry]!.image, vcpus: e.vcpus, ramMiB: e.ramMiB });
    blocks.push(images[v.entry]!.blocks);
  }
  const ram = ramProblem(s.mode, s.ramMiB, blocks);
  if (ram !== null) throw new ScenarioError([`${s.source}: ramMiB: ${ram}`]);
  return {
    config: {
      mode: s.mode, cpus: s.cpus, ramMiB: s.ramMiB, seed: s.seed, vms, quantum: s.quantum,
      switchProbability: s.switchProbability, onViolation: s.onViolation, trustedKey, cpuHz: CPU_HZ,
    },
    maxSteps: s.maxSteps,
  };
}

/** One entry's signed (maybe tampered) image and its number of 2 MiB blocks; builds are shared through `built`. */
function entryImage(e: VmEntry, at: string, built: Map<string, BootImage>): { image: SignedImage; blocks: number } {
  const key = JSON.stringify([e.image, Object.entries(e.defines).map(([k, v]) => [k, String(v)])]);
  const img = built.get(key) ?? (e.image.kind === 'guest'
    ? guestImage(e as VmEntry & { image: { kind: 'guest' } }, at)
    : elfImage(e as VmEntry & { image: { kind: 'elf' } }, at));
  built.set(key, img);
  const first = Math.floor(img.ipa / IMAGE_BLOCK) * IMAGE_BLOCK;
  const blocks = Math.ceil((img.ipa + img.bytes.length - first) / IMAGE_BLOCK);
  const signed = signImage(entryBaseName(e), img, readPrivateKey(e.signKey, `${at}.signKey`));
  if (!e.tamper) return { image: signed, blocks };
  return { image: { ...signed, bytes: tampered(signed.bytes, e.image.kind === 'guest' ? e.image.guest : null) }, blocks };
}

/**
 * The simulated clock, passed explicitly so the trace writers and the summary use the same
 * value as the machine (it is Machine.create's default, 2.4 GHz).
 */
export const CPU_HZ = 2_400_000_000;
