/** openTraceWriter: the `--trace` values and their errors. */
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTraceWriter, TRACE_SPECS } from '../../src/trace/index.js';
import { TextWriter } from '../../src/trace/text.js';
import { JsonlWriter } from '../../src/trace/jsonl.js';
import { PerfettoWriter } from '../../src/trace/perfetto.js';
import type { TraceContext } from '../../src/trace/record.js';

const dir = mkdtempSync(join(tmpdir(), 'sekvm-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx: TraceContext = { cpus: 1, cpuHz: 2e9, out: () => {} };

describe('openTraceWriter', () => {
  it('lists every output it accepts', () => {
    expect(TRACE_SPECS).toEqual(['text', 'jsonl', 'perfetto=FILE']);
  });

  it('opens text and jsonl on ctx.out and perfetto on its file', () => {
    expect(openTraceWriter('text', ctx)).toBeInstanceOf(TextWriter);
    expect(openTraceWriter('jsonl', ctx)).toBeInstanceOf(JsonlWriter);
    const file = join(dir, 'run.json');
    const w = openTraceWriter(`perfetto=${file}`, ctx);
    expect(w).toBeInstanceOf(PerfettoWriter);
    w.close();
    expect(existsSync(file)).toBe(true);
  });

  it('keeps everything after the first = as the file name', () => {
    const file = join(dir, 'a=b.json');
    openTraceWriter(`perfetto=${file}`, ctx).close();
    expect(existsSync(file)).toBe(true);
  });

  it('rejects perfetto without a file, with a usage error', () => {
    expect(() => openTraceWriter('perfetto', ctx)).toThrow(RangeError);
    expect(() => openTraceWriter('perfetto', ctx)).toThrow('--trace: perfetto needs a file to write, as in --trace perfetto=run.json');
    expect(() => openTraceWriter('perfetto=', ctx)).toThrow(/needs a file/);
  });

  it('rejects unknown outputs, naming the accepted ones', () => {
    expect(() => openTraceWriter('json', ctx)).toThrow("--trace: unknown output 'json' (expected one of: text, jsonl, perfetto=FILE)");
    expect(() => openTraceWriter('perfettox=a', ctx)).toThrow(RangeError);
  });

  it('reports a file it cannot create as an error naming it, not a usage error', () => {
    const bad = join(dir, 'missing', 'x.json');
    let err: unknown;
    try {
      openTraceWriter(`perfetto=${bad}`, ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(RangeError);
    expect((err as Error).message).toContain(bad);
  });
});
