/**
 * For tests that run CLI commands in-process: each test gets its stdout and stderr captured
 * (`out`, `err`) and a fresh temporary directory (`dir`, removed afterwards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, vi } from 'vitest';

export interface CliIo {
  dir: string;
  out: string;
  err: string;
}

/**
 * Registers the capture around every test of the file. `settle`: first let pending I/O of the
 * previous test (worker threads' last messages) drain.
 */
export function captureCliIo(prefix: string, opts: { settle?: boolean } = {}): CliIo {
  const io: CliIo = { dir: '', out: '', err: '' };
  beforeEach(async () => {
    if (opts.settle) await new Promise<void>((r) => setImmediate(r));
    io.dir = mkdtempSync(join(tmpdir(), prefix));
    io.out = '';
    io.err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((io.out += text(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((io.err += text(s)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(io.dir, { recursive: true, force: true });
  });
  return io;
}

/** What a write() call was given, as text (commands write strings or raw bytes). */
function text(s: unknown): string {
  return s instanceof Uint8Array ? Buffer.from(s.buffer, s.byteOffset, s.byteLength).toString('utf8') : String(s);
}
