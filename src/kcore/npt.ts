/**
 * NPTWalk / NPTOps (SeKVM layers `PTWalk`, `NPTWalk`, `NPTOps`): KCore's software page-table
 * code for one address at a time, as SeKVM's walk_pgd / walk_pud / walk_pmd / walk_pte and
 * set_npt: get_leaf, map, unmap. Reads and writes go through a `PtMem` — KCore's door (each
 * descriptor access counted, charged, observed and an interleaving point), KVM's host tables, or
 * a plain memory in tests.
 *
 * Geometry: stage-2 tables (host and VMs) use a 40-bit IPA with two concatenated level-1 root
 * tables (VTCR_EL2.T0SZ = 24, SL0 = 1), as Linux/SeKVM; KCore's EL2 table is a 4-level 48-bit
 * stage-1 table (TTBR0_EL2). Intermediate tables come from the principal's pool, zero-filled
 * and never reused, so SeKVM only ever writes empty entries (Transactional-Page-Table).
 */
import { POINT, type Gen } from '../sim/task.js';
import type { Pa } from '../arch/addr.js';
import { D_ADDR_MASK, isTable, isValid } from '../arch/desc.js';

/**
 * Descriptor memory. Each access is announced first (`readStep`/`writeStep`: the walk step is
 * counted, and a true answer asks the caller to yield to the scheduler before the access — an
 * interleaving point), then made (`load`/`store`). Plain functions rather than generators: the
 * walks make millions of accesses.
 */
export interface PtMem {
  readStep(): boolean;
  load(a: Pa): bigint;
  writeStep(): boolean;
  store(a: Pa, v: bigint): void;
}

export interface PtGeometry {
  readonly root: Pa;
  readonly startLevel: number;
  /** Index bits at the start level (9, or 10 for two concatenated tables). */
  readonly startIndexBits: number;
  /** Input address bits (40 for stage 2, 48 for KCore's EL2 table). */
  readonly inputBits: number;
}

export function s2Geometry(root: Pa): PtGeometry {
  return { root, startLevel: 1, startIndexBits: 10, inputBits: 40 };
}

export function el2Geometry(root: Pa): PtGeometry {
  return { root, startLevel: 0, startIndexBits: 9, inputBits: 48 };
}

/** Bytes one entry of a level covers (levels 0..3). */
const SPAN = [2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12];

function indexAt(geo: PtGeometry, level: number, addr: number): number {
  const entries = level === geo.startLevel ? 2 ** geo.startIndexBits : 512;
  return Math.floor(addr / SPAN[level]!) % entries;
}

/** The leaf (or invalid entry) translating one address: its value and level. */
export interface Leaf {
  readonly pte: bigint;
  readonly level: number;
  readonly ptePa: Pa;
}

/**
 * walk_s2pt / get_leaf: the entry that ends the walk for `addr` (an invalid entry, a block or a
 * page): one descriptor read per level, following table descriptors down.
 */
export function* getLeaf(mem: PtMem, geo: PtGeometry, addr: number): Gen<Leaf> {
  if (addr < 0 || addr >= 2 ** geo.inputBits) return { pte: 0n, level: geo.startLevel, ptePa: geo.root };
  let table = geo.root;
  for (let level = geo.startLevel; ; level++) {
    const ptePa = (table + indexAt(geo, level, addr) * 8) as Pa;
    if (mem.readStep()) yield POINT;
    const d = mem.load(ptePa);
    if (!isTable(d, level)) return { pte: d, level, ptePa };
    table = Number(d & D_ADDR_MASK) as Pa;
  }
}

/** Allocates a zeroed table page for a walk, or returns null when the pool is exhausted. */
export type TableAlloc = () => Gen<Pa | null>;

export type MapResult = 'mapped' | 'existing' | 'no-memory';

/**
 * mmap_s2pt / set_npt: installs `pte` as the leaf for `addr` at `level` (2: 2 MB block, 3: 4 KB
 * page), allocating intermediate tables. SeKVM only writes empty entries: an existing valid
 * entry on the way (a block where a table is needed) or at the target is reported as
 * 'existing' and nothing is written.
 */
export function* mapLeaf(mem: PtMem, geo: PtGeometry, addr: number, level: number, pte: bigint, alloc: TableAlloc): Gen<MapResult> {
  if (addr < 0 || addr >= 2 ** geo.inputBits || level < geo.startLevel || level > 3) return 'existing';
  let table = geo.root;
  for (let l = geo.startLevel; ; l++) {
    const ptePa = (table + indexAt(geo, l, addr) * 8) as Pa;
    if (mem.readStep()) yield POINT;
    const d = mem.load(ptePa);
    if (l === level) {
      // A table where a block is asked for is an existing mapping too (SeKVM's set_npt panics).
      if (d !== 0n) return 'existing';
      if (mem.writeStep()) yield POINT;
      mem.store(ptePa, pte);
      return 'mapped';
    }
    if (isTable(d, l)) {
      table = Number(d & D_ADDR_MASK) as Pa;
      continue;
    }
    if (isValid(d)) return 'existing';
    const t = yield* alloc();
    if (t === null) return 'no-memory';
    if (mem.writeStep()) yield POINT;
    mem.store(ptePa, BigInt(t) | 3n);
    table = t;
  }
}

/**
 * How many table pages mapLeaf would allocate to put leaves at `level` for all of `addrs`
 * (reads only): a caller refuses a batch its pool cannot hold before writing any of it.
 * `missing` carries the count across calls for a batch checked in parts.
 */
export function* tablesNeeded(mem: PtMem, geo: PtGeometry, addrs: readonly number[], level: number, missing = new Set<number>()): Gen<number> {
  // Entries that will point to a new table, as (their level, the index of the span they cover).
  const key = (l: number, addr: number): number => l * 2 ** 40 + Math.floor(addr / SPAN[l]!);
  for (const addr of addrs) {
    if (addr < 0 || addr >= 2 ** geo.inputBits) continue;
    let table = geo.root;
    for (let l = geo.startLevel; l < level; l++) {
      if (missing.has(key(l, addr))) {
        // Inside a table this batch creates: every deeper table on the way is new too.
        for (let j = l + 1; j < level; j++) missing.add(key(j, addr));
        break;
      }
      if (mem.readStep()) yield POINT;
      const d = mem.load((table + indexAt(geo, l, addr) * 8) as Pa);
      if (isTable(d, l)) {
        table = Number(d & D_ADDR_MASK) as Pa;
        continue;
      }
      if (isValid(d)) break;   // a block: mapLeaf reports 'existing' and allocates nothing
      for (let j = l; j < level; j++) missing.add(key(j, addr));
      break;
    }
  }
  return missing.size;
}

/** Writes `pte` (usually 0) over the leaf for `addr` if it is valid; returns the old value. */
export function* setLeaf(mem: PtMem, geo: PtGeometry, addr: number, pte: bigint): Gen<bigint> {
  const leaf = yield* getLeaf(mem, geo, addr);
  if (isValid(leaf.pte) && addr >= 0 && addr < 2 ** geo.inputBits) {
    if (mem.writeStep()) yield POINT;
    mem.store(leaf.ptePa, pte);
  }
  return leaf.pte;
}
