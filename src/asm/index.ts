/**
 * The A64 assembler (GNU as syntax, Armv8.0-A integer instructions plus v8.1 LSE atomics and
 * the system instructions a hypervisor needs).
 *
 *   const r = assemble(src, { file: 'boot.s' });
 *   if (!r.ok) for (const e of r.error) console.error(e.format());
 *   else writeFileSync('boot.elf', toElf(r.value));
 *
 * The assembler never throws on bad input: every problem is an AsmError with file:line:column.
 */
import { ok, err, type Result } from '../util/result.js';
import { assembleSource, DEFAULT_BASE, type AssembleOptions } from './assembler.js';
import type { AsmError } from './errors.js';
import type { AsmObject } from './object.js';

export { AsmError } from './errors.js';
export type { AsmObject, AsmSection, AsmSymbol } from './object.js';
export type { AssembleOptions } from './assembler.js';
export { toElf, toFlat, type OutputOptions } from './output.js';
export { DEFAULT_BASE };

/**
 * Assembles `source`. Returns the laid-out object, or every error found (each with
 * `file:line:col`). Warnings (such as truncated values) are in `value.warnings`.
 */
export function assemble(source: string, opts: AssembleOptions = {}): Result<AsmObject, AsmError[]> {
  const r = assembleSource(source, opts);
  return r.obj === null ? err(r.diag.errors) : ok(r.obj);
}
