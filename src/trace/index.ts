/**
 * Trace outputs, chosen by the `--trace` flag: `text` (plain words, architectural values
 * decoded), `jsonl` (JSON lines), `perfetto=FILE` (Chrome/Perfetto trace-event JSON).
 */
import type { TraceContext, TraceWriter } from './record.js';
import { JsonlWriter } from './jsonl.js';

export type { TraceContext, TraceRecord, TraceWriter } from './record.js';

/** The `--trace` values, for help text and error messages. */
export const TRACE_SPECS = ['text', 'jsonl', 'perfetto=FILE'] as const;

/**
 * Opens the writer for a `--trace` value. Throws a RangeError naming the accepted values when
 * `spec` is not one of them.
 */
export function openTraceWriter(spec: string, ctx: TraceContext): TraceWriter {
  if (spec === 'jsonl') return new JsonlWriter(ctx);
  throw new RangeError(`--trace: unknown output '${spec}' (expected one of: ${TRACE_SPECS.join(', ')})`);
}
