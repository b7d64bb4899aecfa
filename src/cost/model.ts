/**
 * The cost model: cycles per primitive step, one table for every mode (DESIGN.md "Costs"). The
 * defaults live in src/cost/costs.default.json, each with its source (a published figure, or an
 * estimate or derivation with its reason); `--costs FILE` replaces any subset of them.
 *
 * What it does not do: count steps (src/cost/meter.ts), or charge them (the Meter does, onto
 * the pCPU's clock, as they execute; the core charges the hardware walker's `walk_step`).
 */
import { readFileSync } from 'node:fs';
import { PRIMITIVES, PRIMITIVE_INDEX, type Primitive } from './primitives.js';
import { ok, err, type Result } from '../util/result.js';

/** One primitive's cost and where the number comes from. */
export interface CostEntry {
  readonly cycles: number;
  readonly source: string;
}

/** A complete table: every primitive has an entry. */
export type CostTable = Readonly<Record<Primitive, CostEntry>>;

/** The default table's file, next to this module's source (also found from dist/cost/). */
export const DEFAULT_COSTS_URL = new URL('../../src/cost/costs.default.json', import.meta.url);

let defaults: CostTable | null = null;

/** The default cost table (src/cost/costs.default.json), read once. */
export function defaultCosts(): CostTable {
  if (defaults === null) {
    const r = parseCosts(readFileSync(DEFAULT_COSTS_URL, 'utf8'), 'costs.default.json', null);
    if (!r.ok) throw new Error(`the default cost table is invalid: ${r.error}`);
    defaults = r.value;
  }
  return defaults;
}

/**
 * Parses a cost file: `{"costs": {"<primitive>": {"cycles": n, "source": "…"} | n, …}}` (other
 * top-level keys are ignored). Primitives the file does not name keep their value from `base`
 * (with `base` null, every primitive must be given).
 *
 * Errors (each names `origin` and the key): not JSON; no `costs` object; an unknown primitive;
 * a value that is not a number or `{cycles}` object; a negative, non-finite or non-numeric
 * `cycles`; a non-integer `walk_step` (the core charges whole cycles per descriptor read); a
 * `source` that is not a string; a primitive missing when there is no base.
 */
export function parseCosts(text: string, origin: string, base: CostTable | null = defaultCosts()): Result<CostTable> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return err(`${origin}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return err(`${origin}: expected a JSON object with a "costs" object`);
  const costs = (doc as Record<string, unknown>)['costs'];
  if (typeof costs !== 'object' || costs === null || Array.isArray(costs)) return err(`${origin}: expected a "costs" object mapping primitives to cycles`);
  const out: Partial<Record<Primitive, CostEntry>> = base ? { ...base } : {};
  for (const [key, raw] of Object.entries(costs as Record<string, unknown>)) {
    if (!PRIMITIVE_INDEX.has(key as Primitive)) {
      return err(`${origin}: unknown primitive "${key}" (known: ${PRIMITIVES.join(', ')})`);
    }
    const e = parseEntry(raw, `${origin}: costs.${key}`, `given in ${origin}`);
    if (!e.ok) return e;
    if (key === 'walk_step' && !Number.isInteger(e.value.cycles)) return err(`${origin}: costs.walk_step must be a whole number of cycles, got ${e.value.cycles}`);
    out[key as Primitive] = e.value;
  }
  for (const p of PRIMITIVES) if (out[p] === undefined) return err(`${origin}: costs.${p} is missing`);
  return ok(out as CostTable);
}

function parseEntry(raw: unknown, where: string, defaultSource: string): Result<CostEntry> {
  let cycles: unknown = raw;
  let source: unknown = defaultSource;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    cycles = o['cycles'];
    if (o['source'] !== undefined) source = o['source'];
  }
  if (typeof cycles !== 'number') return err(`${where}: cycles must be a number, got ${JSON.stringify(cycles) ?? 'nothing'}`);
  if (!Number.isFinite(cycles) || cycles < 0) return err(`${where}: cycles must be a finite non-negative number, got ${cycles}`);
  if (typeof source !== 'string') return err(`${where}: source must be a string`);
  return ok({ cycles, source });
}

/** Reads and parses a cost file over the defaults; throws Error with the parse message. */
export function loadCosts(path: string): CostTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read cost file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = parseCosts(text, path);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** Cycles per primitive, indexed like PRIMITIVES (for the Meter's hot path). */
export function costVector(t: CostTable): Float64Array {
  return Float64Array.from(PRIMITIVES, (p) => t[p].cycles);
}

/** A table with every primitive at `cycles` (tests of structural facts). */
export function uniformCosts(cycles: number): CostTable {
  return Object.fromEntries(PRIMITIVES.map((p) => [p, { cycles, source: 'uniform' }])) as unknown as CostTable;
}
