/**
 * Reads a Perfetto trace-event JSON file back and checks what any viewer relies on: it parses,
 * one process and one named thread per pCPU, and on each thread complete slices in order that
 * never overlap. Shared by the unit and end-to-end tests.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export interface TraceEventJson {
  readonly ph: string;
  readonly pid: number;
  readonly tid?: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly s?: string;
  readonly cat?: string;
  readonly name: string;
  readonly args?: Record<string, unknown>;
}

export interface ParsedTrace {
  readonly events: readonly TraceEventJson[];
  /** Complete slices by tid, in file order. */
  readonly slices: ReadonlyMap<number, readonly TraceEventJson[]>;
  readonly instants: readonly TraceEventJson[];
  /** tid of pCPU n. */
  readonly tidOf: (cpu: number) => number;
}

export function readTrace(path: string, cpus: number): ParsedTrace {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEventJson[]; displayTimeUnit: string };
  expect(json.displayTimeUnit).toBe('ns');
  const events = json.traceEvents;
  const meta = events.filter((e) => e.ph === 'M');
  expect(meta.filter((e) => e.name === 'process_name').map((e) => e.args?.['name'])).toEqual(['sekvm-sim']);
  const threads = meta.filter((e) => e.name === 'thread_name');
  expect(threads.map((e) => e.args?.['name'])).toEqual(Array.from({ length: cpus }, (_, c) => `pCPU ${c}`));
  const tids = threads.map((e) => e.tid!);
  expect(new Set(tids).size).toBe(cpus);
  // Perfetto treats pid 0 / tid 0 as the idle task.
  expect(events.every((e) => e.pid > 0 && (e.tid === undefined || e.tid > 0))).toBe(true);
  const slices = new Map<number, TraceEventJson[]>();
  for (const e of events.filter((x) => x.ph === 'X')) {
    expect(tids).toContain(e.tid);
    expect(typeof e.ts).toBe('number');
    expect(e.dur).toBeGreaterThanOrEqual(0);
    slices.set(e.tid!, [...(slices.get(e.tid!) ?? []), e]);
  }
  for (const [tid, list] of slices) {
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const cur = list[i]!;
      // Slices of one pCPU are in time order and never overlap (exact: timestamps are decimal, not floats).
      expect(cur.ts!, `tid ${tid} slice ${i} starts before the previous one`).toBeGreaterThanOrEqual(prev.ts!);
      expect(cur.ts! + 1e-9, `tid ${tid} slice ${i} overlaps the previous one`).toBeGreaterThanOrEqual(prev.ts! + prev.dur!);
    }
  }
  const instants = events.filter((e) => e.ph === 'i');
  const lastInstant = new Map<number, number>();
  for (const e of instants) {
    expect(e.s).toBe('t');
    expect(e.ts!).toBeGreaterThanOrEqual(lastInstant.get(e.tid!) ?? 0);
    lastInstant.set(e.tid!, e.ts!);
  }
  return { events, slices, instants, tidOf: (cpu) => tids[cpu]! };
}
