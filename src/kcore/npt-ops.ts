/**
 * Per-principal stage-2 tables (SeKVM `NPTOps`, `PTAlloc`): where each principal's table lives,
 * allocation from its never-reused pool, and the walk/map/unmap entry points over KCore's door.
 * Callers hold shadow_pt_lock(v) (the functions assert it, as SeKVM's specs require LockOwn).
 */
import type { Gen } from '../sim/task.js';
import type { Pa } from '../arch/addr.js';
import { poolRange } from './layout.js';
import { bug } from '../util/result.js';
import type { AbstractMachine } from './abstract-machine.js';
import { COREVISOR } from './constants.js';
import { nptLock } from './locks.js';
import { type PtMem, type PtGeometry, type Leaf, type MapResult, s2Geometry, el2Geometry, getLeaf, mapLeaf, setLeaf, tablesNeeded } from './npt.js';

/** First page and size (pages) of principal v's table pool; the first one or two pages are the root. */
export function poolOf(am: AbstractMachine, v: number): { start: Pa; pages: number } {
  const r = poolRange(am.lay, v);
  return r === null ? bug(`principal ${v} has no page-table pool`) : { start: Number(r.start) as Pa, pages: r.pages };
}

/** Each principal's table geometry, per KCore (the pools never move). */
const geometries = new WeakMap<AbstractMachine, PtGeometry[]>();

/** The table geometry of principal v (stage 2 for the host and VMs, stage 1 EL2 for KCore). */
export function geometryOf(am: AbstractMachine, v: number): PtGeometry {
  let gs = geometries.get(am);
  if (gs === undefined) geometries.set(am, (gs = []));
  const g = gs[v];
  if (g !== undefined) return g;
  const root = poolOf(am, v).start;
  return (gs[v] = v === COREVISOR ? el2Geometry(root) : s2Geometry(root));
}

/** Pages at the start of a pool taken by its root (two concatenated level-1 tables for stage 2). */
export function rootPages(v: number): number {
  return v === COREVISOR ? 1 : 2;
}

/** KCore's door as page-table memory for pCPU `cpu`. */
export function doorMem(am: AbstractMachine, cpu: number): PtMem {
  return am.ptMem(cpu);
}

function assertLocked(am: AbstractMachine, cpu: number, v: number, what: string): void {
  if (!am.isHeld(cpu, nptLock(v))) bug(`${what} on principal ${v}'s table without shadow_pt_lock(${v})`);
}

/**
 * alloc_s2pt_*: the next page of v's pool (bump pointer in vm_info[v]; pages are zero from
 * boot and never reused), or null when the pool is exhausted.
 */
export function* allocTablePage(am: AbstractMachine, cpu: number, v: number): Gen<Pa | null> {
  const next = Number(yield* am.getVmInfo(cpu, v, 'POOL_NEXT'));
  const end = Number(yield* am.getVmInfo(cpu, v, 'POOL_END'));
  if (next + 4096 > end) return null;
  yield* am.setVmInfo(cpu, v, 'POOL_NEXT', BigInt(next + 4096));
  return next as Pa;
}

/** walk_s2pt: the leaf translating `addr` in principal v's table. */
export function* walkS2pt(am: AbstractMachine, cpu: number, v: number, addr: number): Gen<Leaf> {
  assertLocked(am, cpu, v, 'walk');
  return yield* getLeaf(doorMem(am, cpu), geometryOf(am, v), addr);
}

/** mmap_s2pt: installs `pte` for `addr` at `level` in principal v's table. */
export function* mmapS2pt(am: AbstractMachine, cpu: number, v: number, addr: number, level: number, pte: bigint): Gen<MapResult> {
  assertLocked(am, cpu, v, 'map');
  return yield* mapLeaf(doorMem(am, cpu), geometryOf(am, v), addr, level, pte, () => allocTablePage(am, cpu, v));
}

/**
 * Whether principal v's pool holds the table pages that mapping leaves at `level` for all of
 * `addrs` would take (reads only; under shadow_pt_lock(v) and, for a VM, vm_lock). `missing`
 * accumulates over calls that check one batch in parts (tablesNeeded).
 */
export function* poolHolds(am: AbstractMachine, cpu: number, v: number, addrs: readonly number[], level: number, missing?: Set<number>): Gen<boolean> {
  assertLocked(am, cpu, v, 'pool check');
  const need = yield* tablesNeeded(doorMem(am, cpu), geometryOf(am, v), addrs, level, missing);
  const next = Number(yield* am.getVmInfo(cpu, v, 'POOL_NEXT'));
  const end = Number(yield* am.getVmInfo(cpu, v, 'POOL_END'));
  return next + need * 4096 <= end;
}

/** Overwrites the leaf for `addr` in principal v's table with 0 (unmap); returns the old entry. */
export function* clearS2pt(am: AbstractMachine, cpu: number, v: number, addr: number): Gen<bigint> {
  assertLocked(am, cpu, v, 'unmap');
  return yield* setLeaf(doorMem(am, cpu), geometryOf(am, v), addr, 0n);
}
