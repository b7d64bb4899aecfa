/**
 * The system scheduler: one task per pCPU (src/sim/task.ts), interleaved by a seeded PRNG, so a
 * run is a function of (configuration, guests, seed) and a race between two KCore handlers on
 * two pCPUs replays from its seed (DESIGN.md rule 5).
 *
 * At each step the scheduler picks one ready pCPU and advances it by one yield:
 *  - a pCPU whose task asked to run its guest runs the core for one quantum; when the core
 *    exits for a reason other than the budget, the task resumes with that exit;
 *  - any other pCPU resumes its task until its next yield.
 * Idle pCPUs (a task waiting for work) are skipped until woken; their clocks follow the
 * furthest-advanced pCPU, and when every pCPU is idle, time jumps to the earliest timer.
 *
 * With `timing: 'ordered'` (for measurements: the cost model charges hypervisor work to the
 * pCPU clocks, and cross-pCPU latencies must be real) the scheduler is a discrete-event one
 * instead: it always advances the ready pCPU with the smallest clock, a guest runs only until
 * it passes the next pCPU's clock by `minSlice` instructions, idle clocks follow the
 * earliest ready pCPU, and a pCPU woken by another starts at the waker's time. Still seeded
 * and deterministic.
 */
import type { Machine } from '../machine/machine.js';
import type { Exit } from '../machine/exit.js';
import { Prng } from '../util/prng.js';
import type { Gen, Yield } from './task.js';

export interface SchedulerOptions {
  readonly seed?: number;
  /** Guest instructions per scheduling step (default 10,000). */
  readonly quantum?: number;
  /**
   * Probability that a handler yields at an interleaving point when another pCPU is running
   * hypervisor code too (default 0.5). 0 makes handlers atomic; 1 switches at every point.
   */
  readonly switchProbability?: number;
  /** 'interleaved' (default): a seeded random ready pCPU each step; 'ordered': smallest clock first. */
  readonly timing?: 'interleaved' | 'ordered';
  /** Ordered timing: how far (instructions) a guest may run past the next pCPU's clock (default 64). */
  readonly minSlice?: number;
}

interface Slot {
  task: Gen | null;
  /** The task's last yield (null: not started or just resumed). */
  pending: Yield | null;
  idle: boolean;
}

export class Scheduler {
  private readonly slots: Slot[];
  private readonly prng: Prng;
  readonly quantum: number;
  private readonly switchP: number;
  readonly ordered: boolean;
  private readonly minSlice: number;
  /** The pCPU whose task is executing right now (-1 outside a step). */
  current = -1;
  /** Scheduling steps taken. */
  steps = 0;
  /** Called after every guest quantum and every idle time jump (timers, virtual devices). */
  onTimePassed: (() => void) | null = null;

  constructor(private readonly m: Machine, opts: SchedulerOptions = {}) {
    this.slots = Array.from({ length: m.cpus }, () => ({ task: null, pending: null, idle: false }));
    this.prng = new Prng(opts.seed ?? 1);
    this.quantum = Math.max(1, opts.quantum ?? 10_000);
    this.switchP = opts.switchProbability ?? 0.5;
    this.ordered = opts.timing === 'ordered';
    this.minSlice = Math.max(1, opts.minSlice ?? 64);
  }

  setTask(cpu: number, task: Gen | null): void {
    const s = this.slots[cpu]!;
    s.task = task;
    s.pending = null;
    s.idle = false;
  }

  hasTask(cpu: number): boolean {
    return this.slots[cpu]!.task !== null;
  }

  /** Makes an idle pCPU runnable again (its task resumes after its `idle` yield). */
  wake(cpu: number): void {
    const s = this.slots[cpu]!;
    if (s.idle) {
      s.idle = false;
      // Ordered timing: the woken pCPU cannot start before the event that woke it.
      if (this.ordered && this.current >= 0 && this.current !== cpu) this.m.advanceCycles(cpu, this.m.cycles(this.current));
    }
  }

  isIdle(cpu: number): boolean {
    return this.slots[cpu]!.idle;
  }

  /** Whether the pCPU is running guest code (its task is parked on a `guest` yield). */
  inGuest(cpu: number): boolean {
    return this.slots[cpu]!.pending?.kind === 'guest';
  }

  /**
   * Asked by the hypervisor at an interleaving point: yield now? Only when another pCPU is
   * running hypervisor code as well (guests on other pCPUs get their turn when this handler
   * blocks or finishes), and then with the configured probability.
   */
  wantYield(cpu: number): boolean {
    if (this.switchP <= 0) return false;
    for (let c = 0; c < this.slots.length; c++) {
      if (c === cpu) continue;
      const s = this.slots[c]!;
      if (s.task !== null && !s.idle && s.pending?.kind !== 'guest') return this.switchP >= 1 || this.prng.chance(this.switchP);
    }
    return false;
  }

  private ready(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.slots.length; c++) {
      const s = this.slots[c]!;
      if (s.task !== null && !s.idle) out.push(c);
    }
    return out;
  }

  /** Clock of the furthest-advanced pCPU that has work. */
  private now(): bigint {
    let t = 0n;
    for (let c = 0; c < this.slots.length; c++) {
      if (this.slots[c]!.task === null) continue;
      const cy = this.m.cycles(c);
      if (cy > t) t = cy;
    }
    return t;
  }

  /** Clock of the least-advanced ready pCPU (ordered timing's "now"). */
  private earliestReady(): bigint {
    let t: bigint | null = null;
    for (let c = 0; c < this.slots.length; c++) {
      const s = this.slots[c]!;
      if (s.task === null || s.idle) continue;
      const cy = this.m.cycles(c);
      if (t === null || cy < t) t = cy;
    }
    return t ?? this.now();
  }

  /** Idle pCPUs keep up with the others; if all are idle, jump to the next timer (false: none). */
  private passIdleTime(allIdle: boolean): boolean {
    if (!allIdle && !this.slots.some((s) => s.task !== null && s.idle)) {
      this.onTimePassed?.();   // (no idle pCPU to bring forward: no clock to read)
      return true;
    }
    let now = this.ordered && !allIdle ? this.earliestReady() : this.now();
    if (allIdle) {
      let next: bigint | null = null;
      for (let c = 0; c < this.slots.length; c++) {
        if (this.slots[c]!.task === null) continue;
        const d = this.m.nextTimerCycles(c);
        if (d !== null && (next === null || d < next)) next = d;
      }
      const ext = this.externalDeadline?.() ?? null;
      if (ext !== null && (next === null || ext < next)) next = ext;
      if (next === null) return false;
      if (next > now) now = next;
    }
    for (let c = 0; c < this.slots.length; c++) {
      const s = this.slots[c]!;
      if (s.task !== null && s.idle) this.m.advanceCycles(c, now);
    }
    this.onTimePassed?.();
    return true;
  }

  /** A deadline (in cycles) of software timers outside the core, e.g. a blocked vCPU's virtual timer. */
  externalDeadline: (() => bigint | null) | null = null;

  /** Advances one pCPU by one step. Returns false when nothing can run any more. */
  step(): boolean {
    let ready = this.ready();
    if (ready.length === 0) {
      const before = this.now();
      if (!this.passIdleTime(true)) return false;
      ready = this.ready();
      // Nobody woke and time did not move: every deadline has passed without waking anyone.
      if (ready.length === 0) return this.now() > before;
    } else if (ready.length < this.slots.length) {
      this.passIdleTime(false);
    }
    const cpu = ready.length === 1 ? ready[0]! : this.ordered ? this.earliest(ready) : ready[this.prng.below(ready.length)]!;
    this.steps++;
    const s = this.slots[cpu]!;
    let resume: Exit | undefined;
    if (s.pending?.kind === 'guest') {
      const e = this.m.run(cpu, Math.min(s.pending.budget, this.slice(cpu, ready)));
      this.onTimePassed?.();
      if (e.kind === 'budget') return true;
      resume = e;
    }
    this.current = cpu;
    try {
      const r = s.task!.next(resume);
      if (r.done) {
        s.task = null;
        s.pending = null;
      } else {
        s.pending = r.value;
        if (r.value.kind === 'idle') s.idle = true;
      }
    } finally {
      this.current = -1;
    }
    return true;
  }

  /** The ready pCPU with the smallest clock (the lowest index among equals). */
  private earliest(ready: readonly number[]): number {
    let best = ready[0]!;
    let bt = this.m.cycles(best);
    for (let i = 1; i < ready.length; i++) {
      const t = this.m.cycles(ready[i]!);
      if (t < bt) { best = ready[i]!; bt = t; }
    }
    return best;
  }

  /** Guest instructions for this step: the quantum, or (ordered) up to the next pCPU's clock. */
  private slice(cpu: number, ready: readonly number[]): number {
    if (!this.ordered || ready.length === 1) return this.quantum;
    const mine = this.m.cycles(cpu);
    let next: bigint | null = null;
    for (const c of ready) {
      if (c === cpu) continue;
      const t = this.m.cycles(c);
      if (next === null || t < next) next = t;
    }
    // Up to the next pCPU's clock plus a window: an event another pCPU causes is seen at most
    // `minSlice` cycles late, and a busy machine does not crawl in tiny slices.
    const gap = next === null || next < mine ? 0 : Number(next - mine);
    return Math.min(this.quantum, gap + this.minSlice);
  }

  /** Steps until `done()` or no pCPU can run; returns the number of steps taken. */
  runUntil(done: () => boolean, maxSteps = Number.MAX_SAFE_INTEGER): number {
    let n = 0;
    while (!done() && n < maxSteps) {
      if (!this.step()) break;
      n++;
    }
    return n;
  }
}
