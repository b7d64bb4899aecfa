/**
 * A synchronous reader of VMSAv8-64 translation tables (4 KB granule), for everything that reads
 * tables as the hardware would without being KCore: the SMMU's table walk, the isolation checks,
 * trace and teaching views. It never writes. KCore's own walker (src/kcore/npt.ts) is a
 * generator because each of its descriptor accesses is an interleaving point; this one is not.
 *
 * Geometry follows VTCR_EL2/TCR_ELx: the start level, how many index bits the (possibly
 * concatenated) start-level table has, and the input-address size.
 */
import { D_ADDR_MASK, isTable, isValid, levelSize } from './desc.js';

export interface TableGeometry {
  /** Physical address of the start-level table (concatenated tables are contiguous). */
  readonly root: bigint;
  readonly startLevel: number;
  /** Index bits at the start level: 9, or 10 for two concatenated level-1 tables (40-bit stage 2). */
  readonly startIndexBits: number;
  /** Input address bits (40 for SeKVM's stage 2, 48 for a 4-level stage 1). */
  readonly inputBits: number;
}

/** SeKVM's stage 2 (and the SMMU's): 40-bit IPA, two concatenated level-1 tables (T0SZ 24, SL0 1). */
export function stage2Geometry(root: bigint): TableGeometry {
  return { root, startLevel: 1, startIndexBits: 10, inputBits: 40 };
}

/** A 4-level stage-1 table with 48-bit input (KCore's EL2 table). */
export function stage1Geometry48(root: bigint): TableGeometry {
  return { root, startLevel: 0, startIndexBits: 9, inputBits: 48 };
}

/**
 * Reads the u64 at a physical address (0 for addresses that are not RAM). A reader may also
 * offer `words32`: the n·2 32-bit words of n descriptors at pa (null if they are not all RAM),
 * so a walk skips empty entries without making a BigInt for each.
 */
export type PhysRead = ((pa: bigint) => bigint) & { readonly words32?: (pa: number, n: number) => Uint32Array | null };

export interface Leaf {
  /** The leaf descriptor (block or page). */
  readonly desc: bigint;
  readonly level: number;
  /** Where the descriptor lives. */
  readonly descPa: bigint;
  /** First input address the leaf covers, and its size in bytes. */
  readonly inBase: bigint;
  readonly size: bigint;
  /** Output address of inBase. */
  readonly outBase: bigint;
}

/** Bytes one entry of a level covers (levels 0..3). */
const SPAN = [2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12];

/**
 * The leaf translating `addr`, or null (invalid entry on the way, or out of range). The walk
 * computes addresses as numbers (below 2^53 for every geometry here); the checks make many.
 */
export function lookupLeaf(read: PhysRead, g: TableGeometry, addr: bigint): Leaf | null {
  if (addr < 0n || addr >= 1n << BigInt(g.inputBits)) return null;
  const a = Number(addr);
  let table = Number(g.root);
  for (let level = g.startLevel; level <= 3; level++) {
    const entries = level === g.startLevel ? 2 ** g.startIndexBits : 512;
    const descPa = BigInt(table + (Math.floor(a / SPAN[level]!) % entries) * 8);
    const d = read(descPa);
    const type = Number(d & 3n);
    if ((type & 1) === 0) return null;
    if (type === 3 && level < 3) {
      table = Number(d & D_ADDR_MASK);
      continue;
    }
    if (level === 0 || (level === 3 && type !== 3)) return null;   // reserved encodings
    const size = BigInt(SPAN[level]!);
    const inBase = addr & ~(size - 1n);
    return { desc: d, level, descPa, inBase, size, outBase: d & D_ADDR_MASK & ~(size - 1n) };
  }
  return null;
}

export interface TableVisitor {
  /** A valid leaf. */
  leaf?(l: Leaf): void;
  /** A table page reached from the root (the root pages included), with its level. */
  table?(pa: bigint, level: number): void;
}

/**
 * Visits every valid leaf and table page of the tree — or, with `range`, only the leaves and
 * tables that translate some address in [range.start, range.end).
 */
export function walkTables(read: PhysRead, g: TableGeometry, v: TableVisitor, range?: { readonly start: bigint; readonly end: bigint }): void {
  const rootEntries = 1 << g.startIndexBits;
  for (let p = 0; p < Math.ceil(rootEntries / 512); p++) v.table?.(g.root + BigInt(p * 4096), g.startLevel);
  walkLevel(read, g, v, g.root, g.startLevel, 0n, rootEntries, range ?? null);
}

function walkLevel(read: PhysRead, g: TableGeometry, v: TableVisitor, table: bigint, level: number, base: bigint, entries: number,
  range: { readonly start: bigint; readonly end: bigint } | null): void {
  const size = BigInt(levelSize(level));
  let first = 0;
  let last = entries - 1;
  if (range !== null) {
    // Only the entries whose input range meets [start, end).
    if (range.start > base) first = Number((range.start - base) / size);
    if (range.end <= base) return;
    last = Math.min(last, Number((range.end - 1n - base) / size));
  }
  const w32 = read.words32?.(Number(table), entries) ?? null;
  for (let i = first; i <= last; i++) {
    if (w32 !== null && (w32[2 * i]! & 1) === 0) continue;   // invalid (bit 0 of the low word)
    const descPa = table + BigInt(i * 8);
    const d = read(descPa);
    if (!isValid(d)) continue;
    const inBase = base + BigInt(i) * size;
    if (isTable(d, level)) {
      const next = d & D_ADDR_MASK;
      v.table?.(next, level + 1);
      walkLevel(read, g, v, next, level + 1, inBase, 512, range);
    } else if (level > 0 && !(level === 3 && (d & 3n) !== 3n)) {
      v.leaf?.({ desc: d, level, descPa, inBase, size, outBase: d & D_ADDR_MASK & ~(size - 1n) });
    }
  }
}
