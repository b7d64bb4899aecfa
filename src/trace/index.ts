/**
 * Trace outputs, chosen by the `--trace` flag: `text` (plain words, architectural values
 * decoded), `jsonl` (JSON lines), `perfetto=FILE` (Chrome/Perfetto trace-event JSON).
 */
import type { TraceContext, TraceWriter } from './record.js';
import { JsonlWriter } from './jsonl.js';
import { TextWriter } from './text.js';
import { PerfettoWriter } from './perfetto.js';

export type { TraceContext, TraceRecord, TraceWriter } from './record.js';
export { describeEvent } from './text.js';

/** The `--trace` values, for help text and error messages. */
export const TRACE_SPECS = ['text', 'jsonl', 'perfetto=FILE'] as const;

const PERFETTO = 'perfetto';

/**
 * Opens the writer for a `--trace` value. text and jsonl write to ctx.out; perfetto=FILE
 * creates FILE. Throws a RangeError (message starting `--trace:`) when `spec` is not one of
 * TRACE_SPECS or names no file, and an Error naming the file when FILE cannot be created.
 */
export function openTraceWriter(spec: string, ctx: TraceContext): TraceWriter {
  if (spec === 'text') return new TextWriter(ctx);
  if (spec === 'jsonl') return new JsonlWriter(ctx);
  if (spec === PERFETTO || spec.startsWith(`${PERFETTO}=`)) {
    const file = spec.slice(PERFETTO.length + 1);
    if (file === '') throw new RangeError(`--trace: ${PERFETTO} needs a file to write, as in --trace ${PERFETTO}=run.json`);
    return new PerfettoWriter(file, ctx);
  }
  throw new RangeError(`--trace: unknown output '${spec}' (expected one of: ${TRACE_SPECS.join(', ')})`);
}
