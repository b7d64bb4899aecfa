/**
 * The micro-benchmarks of sekvm.md §7.2 (kvm-unit-tests arm/micro-bench: hvc, mmio_read_user,
 * mmio_read_vgic, eoi, ipi) on the full stack — KServ over KCore (sekvm) and over the KVM 4.18
 * baseline (kvm) — with the cost model charging every primitive step to the pCPU clocks.
 *
 * Each test runs twice per mode, with N and min(N/2, 1024) iterations, on a discrete-event schedule
 * (Scheduler timing 'ordered'). The guest's own RESULT line gives cycles per operation as the
 * guest measures them (PMCCNTR_EL0 around the timed loop, as kvm-unit-tests does); the
 * difference of the two runs' meters, divided by the difference in iterations, gives the steps and cycles per operation
 * by component and primitive with boot, warm-up and teardown cancelled out. For `ipi` the
 * breakdown adds the work of both pCPUs (sender and receiver), so it can exceed the latency.
 */
import { System, type RunSummary } from '../sim/system.js';
import { flattenElf } from '../kserv/image.js';
import { signImage, loadPrivateKey } from '../sim/keys.js';
import { buildVmGuest } from '../guests/build.js';
import type { HypMode } from '../kserv/hyp.js';
import type { SignedImage } from '../kserv/image.js';
import { COMPONENTS, PRIMITIVES, type Component, type Primitive } from '../cost/primitives.js';
import type { CostTable } from '../cost/model.js';

/** The tests, in the papers' order: kvm-unit-tests name, guest, vCPUs. */
export const MICRO_TESTS = [
  { name: 'hvc', guest: 'bench-hvc', vcpus: 1, paper: 'Hypercall' },
  { name: 'mmio_read_vgic', guest: 'bench-mmio-vgic', vcpus: 1, paper: 'I/O Kernel' },
  { name: 'mmio_read_user', guest: 'bench-mmio-user', vcpus: 1, paper: 'I/O User' },
  { name: 'ipi', guest: 'bench-ipi', vcpus: 2, paper: 'Virtual IPI' },
  { name: 'eoi', guest: 'bench-eoi', vcpus: 1, paper: '(EOI)' },
] as const;

export type MicroName = (typeof MICRO_TESTS)[number]['name'];

/** Where a cycle is spent: the four components of the issue, plus the guest's own instructions. */
export const PARTS = ['guest', 'el2', 'kserv', 'kserv-user'] as const satisfies readonly Component[];
export const PART_LABEL: Record<Component, string> = {
  guest: 'guest', el2: 'EL2 (KCore / KVM lowvisor)', kserv: 'KServ kernel', 'kserv-user': 'KServ user (QEMU)',
};

/** Steps and cycles per operation of one component. */
export interface PartBreakdown {
  readonly cycles: number;
  /** Per primitive: steps per op and cycles per op (non-zero only). 'insn' = guest instructions. */
  readonly steps: Readonly<Record<string, { readonly n: number; readonly cycles: number }>>;
}

export interface MicroResult {
  readonly test: MicroName;
  readonly mode: HypMode;
  readonly iterations: number;
  /** Cycles per operation as the guest measured them (PMCCNTR_EL0 over the timed loop). */
  readonly cyclesPerOp: number;
  /** The same from CNTVCT_EL0, converted to cycles. */
  readonly cntvctCyclesPerOp: number;
  /** Work per operation (all pCPUs) by component. */
  readonly parts: Readonly<Record<Component, PartBreakdown>>;
  /** VM exits per operation seen by KServ, and handled inside KCore. */
  readonly exitsPerOp: number;
  readonly kcoreExitsPerOp: number;
  /** Host speed of the long run. */
  readonly simCyclesPerSec: number;
  readonly exitsPerSec: number;
}

export interface MicroOptions {
  readonly modes?: readonly HypMode[];
  readonly iterations?: number;
  readonly costs?: CostTable;
  readonly tests?: readonly MicroName[];
  readonly seed?: number;
  /** Called after each run (progress). */
  readonly progress?: (what: string) => void;
}

const CPU_HZ = 2_400_000_000;
const CNTFRQ = 62_500_000;

const images = new Map<string, SignedImage>();
function image(guest: string, iters: number): SignedImage {
  const key = `${guest}:${iters}`;
  let img = images.get(key);
  if (!img) {
    const flat = flattenElf(buildVmGuest(guest, { defines: { ITERS: iters } }));
    if (!flat.ok) throw new Error(flat.error);
    img = signImage(guest, flat.value, loadPrivateKey());
    images.set(key, img);
  }
  return img;
}

/** One run's raw totals. */
interface Totals {
  readonly summary: RunSummary;
  readonly result: { cycles: number; cntvct: number };
  readonly counts: Record<string, Record<string, number>>;
  readonly insns: number;
  readonly stallRun: number;
  readonly stallHost: number;
  readonly exits: number;
  readonly kcoreExits: number;
}

const RESULT_RE = /^RESULT (\S+) iters=(\d+) cycles=(\d+) per_op=\S+ cntvct=(\d+)/;

function runOnce(test: (typeof MICRO_TESTS)[number], mode: HypMode, iters: number, costs: CostTable | undefined, seed: number): Totals {
  const sys = new System({
    mode, cpus: 2, ramMiB: 256, seed, cpuHz: CPU_HZ, timing: 'ordered', switchProbability: 0,
    vms: [{ name: test.name, image: image(test.guest, iters), vcpus: test.vcpus }],
    ...(costs ? { costs } : {}),
  });
  const summary = sys.run(200_000_000);
  const out = summary.vms[0]?.output ?? [];
  const line = out.map((l) => RESULT_RE.exec(l)).find((m) => m !== null && m[1] === test.name);
  if (summary.stop !== 'all-off' || !line) {
    throw new Error(`micro-benchmark ${test.name} (${mode}) did not complete: ${summary.stop}: ${summary.detail}; ` +
      `${summary.vms[0]?.failure ?? ''} output: ${out.slice(-3).join(' | ')}`);
  }
  let stallRun = 0, stallHost = 0;
  for (let c = 0; c < sys.m.cpus; c++) {
    const s = sys.m.walkStall(c);
    stallRun += Number(s.run);
    stallHost += Number(s.host);
  }
  return {
    summary,
    result: { cycles: Number(line[3]), cntvct: Number(line[4]) },
    counts: sys.meter.snapshot(),
    insns: Number(summary.guestInsns),
    stallRun, stallHost,
    exits: summary.exitsByPath.kserv + summary.exitsByPath['kserv-user'],
    kcoreExits: summary.exitsByPath.kcore,
  };
}

/** Per-op breakdown from the difference of two runs (long − short) over `ops` operations. */
function breakdown(long: Totals, short: Totals, ops: number, costs: CostTable): Record<Component, PartBreakdown> {
  const out = {} as Record<Component, PartBreakdown>;
  const walk = costs.walk_step.cycles;
  for (const comp of COMPONENTS) {
    const steps: Record<string, { n: number; cycles: number }> = {};
    let total = 0;
    const add = (name: string, n: number, cyc: number): void => {
      if (n === 0 && cyc === 0) return;
      steps[name] = { n: n / ops, cycles: cyc / ops };
      total += cyc / ops;
    };
    if (comp === 'guest') {
      const insns = long.insns - short.insns;
      add('insn', insns, insns);
      const st = long.stallRun - short.stallRun;
      add('walk_step', walk > 0 ? st / walk : 0, st);
    }
    for (const p of PRIMITIVES) {
      const n = (long.counts[comp]?.[p] ?? 0) - (short.counts[comp]?.[p] ?? 0);
      if (n !== 0) add(p, n, n * costs[p as Primitive].cycles);
    }
    if (comp === 'kserv') {
      const st = long.stallHost - short.stallHost;
      add('walk_step', walk > 0 ? st / walk : 0, st);
    }
    out[comp] = { cycles: total, steps };
  }
  return out;
}

/**
 * Runs the micro-benchmarks. Throws if a guest does not finish or prints no RESULT line.
 */
export function runMicro(opts: MicroOptions, costs: CostTable): MicroResult[] {
  const iters = opts.iterations ?? 65536;
  if (!Number.isInteger(iters) || iters < 2) throw new RangeError(`iterations must be an integer ≥ 2, got ${iters}`);
  // The short run only has to cancel boot, warm-up, printing and teardown: at most 1024 iterations.
  const half = Math.min(Math.floor(iters / 2), 1024);
  const modes = opts.modes ?? ['kvm', 'sekvm'];
  const tests = MICRO_TESTS.filter((t) => !opts.tests || opts.tests.includes(t.name));
  const results: MicroResult[] = [];
  for (const t of tests) {
    for (const mode of modes) {
      const t0 = process.hrtime.bigint();
      const long = runOnce(t, mode, iters, opts.costs, opts.seed ?? 1);
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      const short = runOnce(t, mode, half, opts.costs, opts.seed ?? 1);
      const ops = iters - half;
      results.push({
        test: t.name, mode, iterations: iters,
        cyclesPerOp: long.result.cycles / iters,
        cntvctCyclesPerOp: (long.result.cntvct * CPU_HZ) / CNTFRQ / iters,
        parts: breakdown(long, short, ops, costs),
        exitsPerOp: (long.exits - short.exits) / ops,
        kcoreExitsPerOp: (long.kcoreExits - short.kcoreExits) / ops,
        simCyclesPerSec: Number(long.summary.cycles) / secs,
        exitsPerSec: (long.exits + long.kcoreExits) / secs,
      });
      opts.progress?.(`${t.name} ${mode}`);
    }
  }
  return results;
}

/** Total work per op (all components). */
export function workPerOp(r: MicroResult): number {
  let s = 0;
  for (const c of COMPONENTS) s += r.parts[c].cycles;
  return s;
}
