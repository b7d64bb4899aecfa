/**
 * Hypervisor benchmarks (issue "SeKVM on the machine", item 10), in both modes, wall clock:
 *  - host hypercalls per second: KServ on pCPU 0 issues the cheapest real hypercall in a loop
 *    (HVC_TIMER_SET_CNTVOFF in SeKVM; the same `__kvm_timer_set_cntvoff` hyp call in KVM) —
 *    HVC taken to EL2, the hypervisor's handler, ERET;
 *  - VM exits per second: the `bench-hvc` guest (a NOOP-hypercall loop: every iteration is an
 *    exit to KServ and an entry back) run twice with different iteration counts; the rate is the
 *    difference in exits over the difference in time, so boot, verification and teardown cancel.
 */
import { System } from '../sim/system.js';
import { flattenElf } from '../kserv/image.js';
import { signImage, loadPrivateKey } from '../sim/keys.js';
import { buildVmGuest } from '../guests/build.js';
import type { HypMode } from '../kserv/hyp.js';

export interface HypFigures {
  readonly mode: HypMode;
  readonly hypercallsPerSec: number;
  readonly exitsPerSec: number;
}

const HYPERCALLS = 200_000;
const ITERS_SHORT = 4_096;
const ITERS_LONG = 36_864;

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function hypercallRate(mode: HypMode): { n: number; secs: number } {
  const sys = new System({ mode, cpus: 2, ramMiB: 256, seed: 1, vms: [] });
  return sys.runHost(0, function* (hyp) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < HYPERCALLS; i++) yield* hyp.setCntvoff(0, BigInt(i));
    return { n: HYPERCALLS, secs: seconds(t0) };
  });
}

function exitRun(mode: HypMode, iters: number): { exits: number; secs: number } {
  const flat = flattenElf(buildVmGuest('bench-hvc', { defines: { ITERS: iters } }));
  if (!flat.ok) throw new Error(flat.error);
  const img = signImage('bench-hvc', flat.value, loadPrivateKey());
  const sys = new System({ mode, cpus: 2, ramMiB: 256, seed: 1, vms: [{ name: 'bench-hvc', image: img, vcpus: 1 }] });
  const t0 = process.hrtime.bigint();
  const s = sys.run();
  const secs = seconds(t0);
  if (s.stop !== 'all-off' || s.vms[0]!.state !== 'off') throw new Error(`hyp bench: bench-hvc did not finish in ${mode} mode: ${s.detail}`);
  const p = s.exitsByPath;
  return { exits: p.kcore + p.kserv + p['kserv-user'], secs };
}

export async function benchHyp(log: (line: string) => void): Promise<HypFigures[]> {
  const out: HypFigures[] = [];
  for (const mode of ['kvm', 'sekvm'] as const) {
    const h = hypercallRate(mode);
    const a = exitRun(mode, ITERS_SHORT);
    const b = exitRun(mode, ITERS_LONG);
    const f: HypFigures = { mode, hypercallsPerSec: h.n / h.secs, exitsPerSec: (b.exits - a.exits) / (b.secs - a.secs) };
    out.push(f);
    log(`${mode.padEnd(5)} host hypercalls  ${h.n.toLocaleString('en-US').padStart(9)} calls  ${h.secs.toFixed(3)} s  ` +
      `${Math.round(f.hypercallsPerSec).toLocaleString('en-US').padStart(9)} hypercalls/s`);
    log(`${mode.padEnd(5)} VM exits         ${(b.exits - a.exits).toLocaleString('en-US').padStart(9)} exits  ${(b.secs - a.secs).toFixed(3)} s  ` +
      `${Math.round(f.exitsPerSec).toLocaleString('en-US').padStart(9)} exits/s   (bench-hvc ${ITERS_LONG} − ${ITERS_SHORT} iterations)`);
  }
  return out;
}
