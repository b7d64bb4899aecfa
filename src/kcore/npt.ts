/**
 * NPTWalk / NPTOps (SeKVM layers `PTWalk`, `NPTWalk`, `NPTOps`): KCore's software page-table
 * code, in the shape of Linux's kvm_pgtable (STYLE rule 1): one walker, `walk`, and small
 * visitors for each operation (get_leaf, map, unmap, for-each-leaf). Reads and writes go
 * through a `PtMem` — KCore's door for KCore itself, or a direct reader for the checks — so
 * there is exactly one traversal.
 *
 * Geometry: stage-2 tables (host and VMs) use a 40-bit IPA with two concatenated level-1 root
 * tables (VTCR_EL2.T0SZ = 24, SL0 = 1), as Linux/SeKVM; KCore's EL2 table is a 4-level 48-bit
 * stage-1 table (TTBR0_EL2). Intermediate tables come from the principal's pool, zero-filled
 * and never reused, so SeKVM only ever writes empty entries (Transactional-Page-Table).
 */
import type { Gen } from '../sim/task.js';
import type { Pa } from '../arch/addr.js';
import { D_ADDR_MASK, isTable, isValid, levelSize } from '../arch/desc.js';

/** Descriptor memory, through KCore's door or directly. */
export interface PtMem {
  read(a: Pa): Gen<bigint>;
  write(a: Pa, v: bigint): Gen;
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

export const VISIT_LEAF = 1;
export const VISIT_TABLE_PRE = 2;
export const VISIT_TABLE_POST = 4;

/** What a visitor sees (read-only): the entry's address, its old value, level and input range. */
export interface VisitCtx {
  readonly ptePa: Pa;
  readonly old: bigint;
  readonly level: number;
  /** First input address the entry covers, and one past the last. */
  readonly addr: number;
  readonly end: number;
}

export interface Walker {
  readonly flags: number;
  /** Called for entries selected by `flags`; may write through `mem` (e.g. install a table). */
  visit(ctx: VisitCtx, kind: number, mem: PtMem): Gen;
}

/** Bytes one entry of a level covers (levels 0..3). */
const SPAN = [2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12];

function indexAt(geo: PtGeometry, level: number, addr: number): number {
  const entries = level === geo.startLevel ? 2 ** geo.startIndexBits : 512;
  return Math.floor(addr / SPAN[level]!) % entries;
}

/**
 * Visits every entry on the paths covering [start, start + size). After a leaf visit the entry
 * is re-read, so a visitor that installs a table makes the walk descend into it.
 */
export function* walk(mem: PtMem, geo: PtGeometry, start: number, size: number, w: Walker): Gen {
  if (start < 0 || size <= 0 || start + size > 2 ** geo.inputBits) return;
  yield* walkTable(mem, geo, geo.root, geo.startLevel, start, start + size, w);
}

function* walkTable(mem: PtMem, geo: PtGeometry, table: Pa, level: number, start: number, end: number, w: Walker): Gen {
  const span = levelSize(level);
  let addr = start;
  while (addr < end) {
    const entryStart = addr - (addr % span);
    const entryEnd = entryStart + span;
    const ptePa = (table + indexAt(geo, level, addr) * 8) as Pa;
    let d = yield* mem.read(ptePa);
    if (isTable(d, level)) {
      if (w.flags & VISIT_TABLE_PRE) yield* w.visit({ ptePa, old: d, level, addr: entryStart, end: entryEnd }, VISIT_TABLE_PRE, mem);
    } else {
      if (w.flags & VISIT_LEAF) {
        yield* w.visit({ ptePa, old: d, level, addr: entryStart, end: entryEnd }, VISIT_LEAF, mem);
        d = yield* mem.read(ptePa);
      }
    }
    if (isTable(d, level)) {
      yield* walkTable(mem, geo, Number(d & D_ADDR_MASK) as Pa, level + 1, Math.max(addr, entryStart), Math.min(end, entryEnd), w);
      if (w.flags & VISIT_TABLE_POST) yield* w.visit({ ptePa, old: d, level, addr: entryStart, end: entryEnd }, VISIT_TABLE_POST, mem);
    }
    addr = entryEnd;
  }
}

// ---- visitors ----

/** The leaf (or invalid entry) translating one address: its value and level. */
export interface Leaf {
  readonly pte: bigint;
  readonly level: number;
  readonly ptePa: Pa;
}

/**
 * walk_s2pt / get_leaf: the entry that ends the walk for `addr` (an invalid entry, a block or a
 * page). One address needs no visitor: like SeKVM's walk_pgd/walk_pud/walk_pmd/walk_pte, it
 * reads one descriptor per level and follows table descriptors down.
 */
export function* getLeaf(mem: PtMem, geo: PtGeometry, addr: number): Gen<Leaf> {
  if (addr < 0 || addr >= 2 ** geo.inputBits) return { pte: 0n, level: geo.startLevel, ptePa: geo.root };
  let table = geo.root;
  for (let level = geo.startLevel; ; level++) {
    const ptePa = (table + indexAt(geo, level, addr) * 8) as Pa;
    const d = yield* mem.read(ptePa);
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
    const d = yield* mem.read(ptePa);
    if (l === level) {
      // A table where a block is asked for is an existing mapping too (SeKVM's set_npt panics).
      if (d !== 0n) return 'existing';
      yield* mem.write(ptePa, pte);
      return 'mapped';
    }
    if (isTable(d, l)) {
      table = Number(d & D_ADDR_MASK) as Pa;
      continue;
    }
    if (isValid(d)) return 'existing';
    const t = yield* alloc();
    if (t === null) return 'no-memory';
    yield* mem.write(ptePa, BigInt(t) | 3n);
    table = t;
  }
}

/** Writes `pte` (usually 0) over the leaf for `addr` if it is valid; returns the old value. */
export function* setLeaf(mem: PtMem, geo: PtGeometry, addr: number, pte: bigint): Gen<bigint> {
  const leaf = yield* getLeaf(mem, geo, addr);
  if (isValid(leaf.pte) && addr >= 0 && addr < 2 ** geo.inputBits) yield* mem.write(leaf.ptePa, pte);
  return leaf.pte;
}

/** Calls `f` for every valid leaf in [start, start + size) (checks, summaries, teaching views). */
export function* forEachLeaf(mem: PtMem, geo: PtGeometry, start: number, size: number,
  f: (addr: number, pte: bigint, level: number, ptePa: Pa) => void): Gen {
  yield* walk(mem, geo, start, size, {
    flags: VISIT_LEAF,
    *visit(ctx) {
      if (ctx.level > 0 && isValid(ctx.old) && !isTable(ctx.old, ctx.level)) f(ctx.addr, ctx.old, ctx.level, ctx.ptePa);
    },
  });
}

/** Every table page reachable from the root (for the "page-table pages are KCore's" check). */
export function* tablePages(mem: PtMem, geo: PtGeometry): Gen<Pa[]> {
  const out: Pa[] = [geo.root];
  if (geo.startIndexBits === 10) out.push((geo.root + 4096) as Pa);
  yield* walk(mem, geo, 0, 2 ** geo.inputBits, {
    flags: VISIT_TABLE_PRE,
    *visit(ctx) {
      out.push(Number(ctx.old & D_ADDR_MASK) as Pa);
    },
  });
  return out;
}
