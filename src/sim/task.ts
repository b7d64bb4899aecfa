/**
 * Tasks: what runs on a pCPU in TypeScript (KServ's per-pCPU loop, KCore's handlers, the KVM
 * hypervisor) is a generator, so handlers on different pCPUs can interleave at every shared
 * access, lock acquisition and barrier, driven by the seeded scheduler (src/sim/sched.ts).
 *
 * A task yields:
 *  - `point`: a possible interleaving point (the scheduler may switch to another pCPU);
 *  - `guest`: run guest code on this pCPU; the scheduler runs the core and resumes the task
 *    with the `Exit`;
 *  - `idle`: nothing to do until `wake`; the scheduler skips this pCPU.
 */
import type { Exit } from '../machine/exit.js';

export type Yield =
  | { readonly kind: 'point' }
  | { readonly kind: 'guest'; readonly budget: number }
  | { readonly kind: 'idle' };

/** A step of work on a pCPU returning R. Resumed with the guest exit after a `guest` yield. */
export type Gen<R = void> = Generator<Yield, R, Exit | undefined>;

export const POINT: Yield = Object.freeze({ kind: 'point' });
export const IDLE: Yield = Object.freeze({ kind: 'idle' });

/** Runs a generator that must not need the scheduler (no `guest`/`idle` yields) to completion. */
export function runToEnd<R>(g: Gen<R>): R {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
    if (r.value.kind !== 'point') throw new Error(`simulator bug: ${r.value.kind} yield outside the scheduler`);
  }
}
