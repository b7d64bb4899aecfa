/**
 * Counts primitive steps per pCPU and component, and — once a cost table is attached — charges
 * each step's cycles to that pCPU's clock as it is counted, so everything downstream of the
 * clock (CNTPCT/CNTVCT, the timers, PMCCNTR_EL0) sees the hypervisor's time as on hardware.
 * Counting is cheap (array increments). Guest instructions are counted by the core itself, and
 * the hardware walker's descriptor reads (`walk_step`) are charged by the core (Machine.walkStall).
 */
import { PRIMITIVES, COMPONENTS, type Primitive, type Component } from './primitives.js';

const NP = PRIMITIVES.length;
const NC = COMPONENTS.length;
const PIDX: Record<string, number> = Object.fromEntries(PRIMITIVES.map((p, i) => [p, i]));
const CIDX: Record<string, number> = Object.fromEntries(COMPONENTS.map((c, i) => [c, i]));

/** Where charged cycles go: whole cycles onto a pCPU's clock. */
export type ChargeSink = (cpu: number, cycles: number) => void;

export class Meter {
  /** counts[cpu][component × NP + primitive] */
  private readonly counts: Float64Array[];
  private cost: Float64Array | null = null;
  private sink: ChargeSink | null = null;
  /** Fractions of a cycle not yet charged, per pCPU (costs may be fractional). */
  private readonly frac: Float64Array;

  constructor(readonly cpus: number) {
    this.counts = Array.from({ length: cpus }, () => new Float64Array(NP * NC));
    this.frac = new Float64Array(cpus);
  }

  /**
   * Charges every later count at `cost` (cycles per primitive, indexed like PRIMITIVES) to `sink`.
   * Null detaches: counts only.
   */
  attach(cost: Float64Array | null, sink: ChargeSink | null): void {
    this.cost = cost;
    this.sink = cost === null ? null : sink;
  }

  count(cpu: number, comp: Component, prim: Primitive, n = 1): void {
    this.countSlot(cpu, CIDX[comp]! * NP + PIDX[prim]!, n);
  }

  /**
   * The counter of (comp, prim), for `countSlot`: hot callers (KCore's memory door) look it up
   * once instead of by name on every step.
   */
  static slot(comp: Component, prim: Primitive): number {
    return CIDX[comp]! * NP + PIDX[prim]!;
  }

  countSlot(cpu: number, slot: number, n = 1): void {
    this.counts[cpu]![slot]! += n;
    if (this.cost !== null) {
      const c = this.cost[slot % NP]! * n + this.frac[cpu]!;
      if (c >= 1) {
        const whole = Math.floor(c);
        this.frac[cpu] = c - whole;
        this.sink!(cpu, whole);
      } else {
        this.frac[cpu] = c;
      }
    }
  }

  get(cpu: number, comp: Component, prim: Primitive): number {
    return this.counts[cpu]![CIDX[comp]! * NP + PIDX[prim]!]!;
  }

  /** Sum over CPUs. */
  total(comp: Component, prim: Primitive): number {
    let s = 0;
    for (let c = 0; c < this.cpus; c++) s += this.get(c, comp, prim);
    return s;
  }

  /** Non-zero counts as {component: {primitive: n}}, summed over CPUs. */
  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const comp of COMPONENTS) {
      for (const prim of PRIMITIVES) {
        const n = this.total(comp, prim);
        if (n !== 0) (out[comp] ??= {})[prim] = n;
      }
    }
    return out;
  }

  reset(): void {
    for (const a of this.counts) a.fill(0);
  }
}
