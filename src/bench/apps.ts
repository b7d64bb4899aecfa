/**
 * Application-like workloads (sekvm.md §7.3: Apache, Hackbench, Kernbench, MongoDB, Redis) as
 * VM guests, on bare metal (src/bench/native.ts), KVM and SeKVM, on 1 VM and on 8 VMs, each
 * VM's runtime normalized to the same workload on bare metal. The guests are
 * guests/vm/app.s (a request loop: compute, first-touch page faults, copies, block I/O through
 * granted buffers, a 250 Hz tick) with per-workload defines, and guests/vm/hackbench.s (message
 * passing between two vCPUs with SGIs and WFI wake-ups). See guests/vm/README.md.
 *
 * Runtime = the guest's own CNTVCT_EL0 delta around its timed loop, in cycles (the PMU is not
 * context-switched between VMs sharing a pCPU; the virtual counter is global time). With 8 VMs
 * the figure is the mean over the VMs. Normalized = VM runtime / bare-metal runtime (1.00 =
 * native speed; higher is slower), the papers' "normalized to native" overhead.
 */
import { System } from '../sim/system.js';
import { flattenElf, type SignedImage } from '../kserv/image.js';
import { signImage, loadPrivateKey } from '../sim/keys.js';
import { buildVmGuest } from '../guests/build.js';
import type { HypMode } from '../kserv/hyp.js';
import type { CostTable } from '../cost/model.js';
import { COMPONENTS, PRIMITIVES, type Component } from '../cost/primitives.js';
import { runNative } from './native.js';

export interface AppWorkload {
  readonly name: string;
  /** The paper's name for it. */
  readonly paper: string;
  readonly guest: 'app' | 'hackbench';
  readonly vcpus: number;
  /** Defines for one unit of work (scaled by `scale` on the iteration count). */
  readonly defines: Readonly<Record<string, number>>;
  /** The define that counts iterations. */
  readonly iterDefine: string;
  readonly what: string;
}

/** The workloads, in the papers' order. */
export const APP_WORKLOADS = [
  { name: 'apache', paper: 'Apache', guest: 'app', vcpus: 1, iterDefine: 'REQUESTS',
    defines: { REQUESTS: 96, COMPUTE: 6000, TOUCH: 0, COPY: 2, IO_LEN: 4096, IO_WRITE: 1 },
    what: 'serve a page: 48k instructions of work, two 4 KB copies and one 4 KB block write per request' },
  { name: 'hackbench', paper: 'Hackbench', guest: 'hackbench', vcpus: 2, iterDefine: 'ROUNDS',
    defines: { ROUNDS: 400, WORK: 1500 },
    what: 'message ping-pong between two vCPUs: SGI, WFI sleep and wake-up on both sides, 6k instructions of work per message' },
  { name: 'kernbench', paper: 'Kernbench', guest: 'app', vcpus: 1, iterDefine: 'REQUESTS',
    defines: { REQUESTS: 96, COMPUTE: 8000, TOUCH: 4, COPY: 0, IO_LEN: 0, IO_WRITE: 0 },
    what: 'compile-like: 64k instructions of work and 4 first-touch page faults per unit, no I/O' },
  { name: 'mongo', paper: 'MongoDB', guest: 'app', vcpus: 1, iterDefine: 'REQUESTS',
    defines: { REQUESTS: 96, COMPUTE: 3000, TOUCH: 2, COPY: 4, IO_LEN: 4096, IO_WRITE: 0 },
    what: 'memory-heavy: 24k instructions, 2 fresh pages, four 4 KB copies and one 4 KB block read per operation' },
  { name: 'redis', paper: 'Redis', guest: 'app', vcpus: 1, iterDefine: 'REQUESTS',
    defines: { REQUESTS: 192, COMPUTE: 2500, TOUCH: 0, COPY: 0, IO_LEN: 512, IO_WRITE: 0 },
    what: 'key-value: 20k instructions of work and one 512-byte block read per request' },
] as const satisfies readonly AppWorkload[];

export type AppName = (typeof APP_WORKLOADS)[number]['name'];

export interface AppsOptions {
  readonly vmCounts?: readonly number[];
  readonly cpus?: number;
  readonly workloads?: readonly AppName[];
  readonly scale?: number;
  readonly seed?: number;
  readonly costs: CostTable;
  readonly progress?: (what: string) => void;
}

/** One configuration's outcome. */
export interface AppRun {
  readonly workload: AppName;
  readonly mode: HypMode | 'native';
  readonly vms: number;
  /** Mean runtime of the timed loop over the VMs, in cycles. */
  readonly runtime: number;
  /** runtime / bare-metal runtime. */
  readonly normalized: number;
  /** Whole-run cycles by component (all pCPUs, boot included), for where the difference comes from. */
  readonly parts: Readonly<Record<Component, number>>;
  /** Primitives' cycles summed over components (all pCPUs). */
  readonly primitives: Readonly<Record<string, number>>;
  readonly exits: number;
  readonly simCycles: number;
  readonly seconds: number;
  readonly simCyclesPerSec: number;
  readonly exitsPerSec: number;
}

/**
 * Where SeKVM's extra time goes for one workload on 1 VM: the runs at 2 × scale minus the runs
 * at scale (boot, verification, teardown cancel), per unit of work, by component:primitive.
 */
export interface AppAttribution {
  readonly workload: AppName;
  /** Units of work the difference covers (requests, rounds). */
  readonly units: number;
  /** Cycles per unit by "component:primitive" in each mode (all pCPUs). */
  readonly kvm: Readonly<Record<string, number>>;
  readonly sekvm: Readonly<Record<string, number>>;
  /** SeKVM − KVM per unit, largest first. */
  readonly drivers: readonly { readonly key: string; readonly cycles: number }[];
}

export interface AppsResult {
  readonly cpus: number;
  readonly scale: number;
  readonly vmCounts: readonly number[];
  readonly runs: readonly AppRun[];
  readonly attribution: readonly AppAttribution[];
}

const CPU_HZ = 2_400_000_000;
/**
 * Ordered-timing window: a pCPU sees another's event at most this many cycles late. The
 * workloads' events are tens of thousands of cycles apart, so 1000 costs little accuracy and
 * keeps 8 busy pCPUs from crawling in tiny slices.
 */
const WINDOW = 1000;
const CNTFRQ = 62_500_000;
const RESULT_RE = /^RESULT (\S+) iters=(\d+) cycles=(\d+) per_op=\S+ cntvct=(\d+)/;

const images = new Map<string, SignedImage>();
function image(w: AppWorkload, scale: number): SignedImage {
  const defines = { ...w.defines, [w.iterDefine]: (w.defines[w.iterDefine] ?? 1) * scale };
  const key = `${w.guest}:${JSON.stringify(defines)}`;
  let img = images.get(key);
  if (!img) {
    const flat = flattenElf(buildVmGuest(w.guest, { defines }));
    if (!flat.ok) throw new Error(flat.error);
    img = signImage(w.name, flat.value, loadPrivateKey());
    images.set(key, img);
  }
  return img;
}

/** The timed loop's runtime in cycles from a VM's output (CNTVCT delta × cpuHz / CNTFRQ). */
function runtimeOf(lines: readonly string[], what: string): number {
  const m = lines.map((l) => RESULT_RE.exec(l)).find((x) => x !== null);
  if (!m) throw new Error(`${what}: no RESULT line (output: ${lines.slice(-3).join(' | ')})`);
  return (Number(m[4]) * CPU_HZ) / CNTFRQ;
}

function native(w: AppWorkload, scale: number, costs: CostTable): AppRun {
  const r = runNative(image(w, scale), w.vcpus, costs);
  if (r.end !== 'system-off') throw new Error(`${w.name} on bare metal did not finish: ${r.end}: ${r.why}`);
  const runtime = runtimeOf(r.lines, `${w.name} on bare metal`);
  const parts = Object.fromEntries(COMPONENTS.map((c) => [c, 0])) as Record<Component, number>;
  parts.guest = Number(r.cycles);
  return {
    workload: w.name as AppName, mode: 'native', vms: 1, runtime, normalized: 1, parts, primitives: {},
    exits: 0, simCycles: Number(r.cycles), seconds: r.seconds,
    simCyclesPerSec: Number(r.cycles) / r.seconds, exitsPerSec: 0,
  };
}

function virtualizedRun(w: AppWorkload, mode: HypMode, vms: number, cpus: number, scale: number, seed: number, costs: CostTable, base: number): { run: AppRun; keyed: Record<string, number> } {
  const img = image(w, scale);
  const sys = new System({
    mode, cpus, ramMiB: Math.max(512, 128 + vms * 80), seed, cpuHz: CPU_HZ, timing: 'ordered', window: WINDOW, switchProbability: 0, costs,
    vms: Array.from({ length: vms }, (_, i) => ({ name: `${w.name}${i}`, image: img, vcpus: w.vcpus })),
  });
  const s = sys.run(2_000_000_000);
  const bad = s.vms.filter((v) => v.state !== 'off');
  if (s.stop !== 'all-off' || bad.length > 0) {
    throw new Error(`${w.name} on ${mode} with ${vms} VM(s) did not finish: ${s.stop}: ${s.detail}; ${bad.map((v) => `${v.name}: ${v.failure ?? v.state}`).join('; ')}`);
  }
  const runtimes = s.vms.map((v) => runtimeOf(v.output, `${w.name} on ${mode}`));
  const runtime = runtimes.reduce((a, b) => a + b, 0) / runtimes.length;
  const snap = sys.meter.snapshot();
  const parts = Object.fromEntries(COMPONENTS.map((c) => [c, 0])) as Record<Component, number>;
  const primitives: Record<string, number> = {};
  const keyed: Record<string, number> = {};
  for (const comp of COMPONENTS) {
    for (const p of PRIMITIVES) {
      const cyc = (snap[comp]?.[p] ?? 0) * costs[p].cycles;
      if (cyc === 0) continue;
      parts[comp] += cyc;
      primitives[p] = (primitives[p] ?? 0) + cyc;
      keyed[`${comp}:${p}`] = cyc;
    }
  }
  let stallRun = 0, stallHost = 0;
  for (let c = 0; c < cpus; c++) {
    const st = sys.m.walkStall(c);
    stallRun += Number(st.run);
    stallHost += Number(st.host);
  }
  parts.guest += Number(s.guestInsns) + stallRun;
  parts.kserv += stallHost;
  keyed['guest:insn'] = Number(s.guestInsns);
  if (stallRun > 0) keyed['guest:walk_step'] = stallRun;
  if (stallHost > 0) keyed['kserv:walk_step'] = stallHost;
  if (stallRun + stallHost > 0) primitives['walk_step'] = stallRun + stallHost;
  const exits = s.exitsByPath.kserv + s.exitsByPath['kserv-user'] + s.exitsByPath.kcore;
  return {
    run: {
      workload: w.name as AppName, mode, vms, runtime, normalized: runtime / base, parts, primitives,
      exits, simCycles: Number(s.cycles), seconds: s.seconds,
      simCyclesPerSec: Number(s.cycles) / s.seconds, exitsPerSec: exits / s.seconds,
    },
    keyed,
  };
}

/** Per-unit cycles by key: (at 2 × scale) − (at scale), divided by the extra units. */
function perUnit(long: Record<string, number>, short: Record<string, number>, units: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(long), ...Object.keys(short)])) {
    const d = ((long[k] ?? 0) - (short[k] ?? 0)) / units;
    if (Math.abs(d) >= 0.05) out[k] = d;
  }
  return out;
}

function attribute(w: AppWorkload, cpus: number, scale: number, seed: number, costs: CostTable,
  short: { kvm: Record<string, number>; sekvm: Record<string, number> }): AppAttribution {
  const units = (w.defines[w.iterDefine] ?? 1) * scale;
  const kvm = perUnit(virtualizedRun(w, 'kvm', 1, cpus, scale * 2, seed, costs, 1).keyed, short.kvm, units);
  const sekvm = perUnit(virtualizedRun(w, 'sekvm', 1, cpus, scale * 2, seed, costs, 1).keyed, short.sekvm, units);
  const drivers = [...new Set([...Object.keys(kvm), ...Object.keys(sekvm)])]
    .map((key) => ({ key, cycles: (sekvm[key] ?? 0) - (kvm[key] ?? 0) }))
    .filter((d) => Math.abs(d.cycles) >= 0.5)
    .sort((a, b) => Math.abs(b.cycles) - Math.abs(a.cycles));
  return { workload: w.name as AppName, units, kvm, sekvm, drivers };
}

/** Runs every workload on bare metal, then KVM and SeKVM for each VM count. Throws if a run fails. */
export function runApps(opts: AppsOptions): AppsResult {
  const vmCounts = opts.vmCounts ?? [1, 8];
  const cpus = opts.cpus ?? 8;
  const scale = opts.scale ?? 1;
  const seed = opts.seed ?? 1;
  const runs: AppRun[] = [];
  const attribution: AppAttribution[] = [];
  for (const w of APP_WORKLOADS) {
    if (opts.workloads && !opts.workloads.includes(w.name)) continue;
    if (cpus < w.vcpus) throw new RangeError(`${w.name} needs ${w.vcpus} pCPUs, the machine has ${cpus}`);
    const nat = native(w, scale, opts.costs);
    runs.push(nat);
    opts.progress?.(`${w.name} bare metal`);
    const short: { kvm: Record<string, number>; sekvm: Record<string, number> } = { kvm: {}, sekvm: {} };
    for (const vms of vmCounts) {
      for (const mode of ['kvm', 'sekvm'] as const) {
        const r = virtualizedRun(w, mode, vms, cpus, scale, seed, opts.costs, nat.runtime);
        runs.push(r.run);
        if (vms === 1) short[mode] = r.keyed;
        opts.progress?.(`${w.name} ${mode} ${vms} VM(s)`);
      }
    }
    if (!vmCounts.includes(1)) {
      for (const mode of ['kvm', 'sekvm'] as const) short[mode] = virtualizedRun(w, mode, 1, cpus, scale, seed, opts.costs, 1).keyed;
    }
    attribution.push(attribute(w, cpus, scale, seed, opts.costs, short));
    opts.progress?.(`${w.name} attribution (1 VM at twice the work)`);
  }
  return { cpus, scale, vmCounts, runs, attribution };
}
