/**
 * What trace consumers receive: each event of a run (src/trace/events.ts) with its place in the
 * run. The system stamps events as they happen; renderers (text, JSON lines, Perfetto) turn the
 * stream into a file or a terminal log. Same seed and configuration → the same records, byte for
 * byte, so a trace is reproducible.
 */
import type { TraceEvent } from './events.js';

export interface TraceRecord {
  /** 0, 1, 2, … in emission order (the order the scheduler interleaved the pCPUs). */
  readonly seq: number;
  /** Simulated cycle count of the event's pCPU (event.cpu) when it was emitted. */
  readonly cycles: bigint;
  readonly event: TraceEvent;
}

/** Consumes trace records; close() flushes and finishes the output (e.g. the Perfetto JSON array). */
export interface TraceWriter {
  write(r: TraceRecord): void;
  close(): void;
}

/** What a writer needs to know about the run it traces. */
export interface TraceContext {
  /** Number of pCPUs (Perfetto: one track each). */
  readonly cpus: number;
  /** Simulated CPU frequency in Hz: cycles → time. */
  readonly cpuHz: number;
  /** Where text and JSON-lines output goes (the terminal by default). */
  readonly out: (chunk: string) => void;
}
