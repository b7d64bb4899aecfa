/**
 * Counts primitive steps per pCPU and component. Counting is cheap (array increments); the
 * cost model turns counts into cycles. Guest instructions are counted by the core itself.
 */
import { PRIMITIVES, COMPONENTS, type Primitive, type Component } from './primitives.js';

const NP = PRIMITIVES.length;
const NC = COMPONENTS.length;
const PIDX: Record<string, number> = Object.fromEntries(PRIMITIVES.map((p, i) => [p, i]));
const CIDX: Record<string, number> = Object.fromEntries(COMPONENTS.map((c, i) => [c, i]));

export class Meter {
  /** counts[cpu][component × NP + primitive] */
  private readonly counts: Float64Array[];

  constructor(readonly cpus: number) {
    this.counts = Array.from({ length: cpus }, () => new Float64Array(NP * NC));
  }

  count(cpu: number, comp: Component, prim: Primitive, n = 1): void {
    this.counts[cpu]![CIDX[comp]! * NP + PIDX[prim]!]! += n;
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
