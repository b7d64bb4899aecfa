/**
 * Literal pools for `ldr xN, =expr` (GNU as, AArch64 "Literal pools"): each section collects
 * pending literals until `.ltorg`/`.pool` or its end, then places them. Like GNU as, 4-byte
 * literals come first, then 8-byte literals aligned to 8; within one pool, entries with the
 * same value (or the same `symbol + constant`) share a slot.
 */
import type { SrcPos } from './errors.js';
import type { Expr } from './expr.js';

export interface PoolEntry {
  readonly expr: Expr;
  readonly size: 4 | 8;
  readonly pos: SrcPos;
  /** Section offset of the slot; set when the pool is placed. */
  offset: number;
}

export class LiteralPool {
  private pending: PoolEntry[] = [];
  private readonly byKey = new Map<string, PoolEntry>();

  /**
   * Adds a literal (or finds an equal one). `key` identifies equal literals (null: never shared).
   */
  add(expr: Expr, size: 4 | 8, key: string | null, pos: SrcPos): PoolEntry {
    const k = key === null ? null : `${size}:${key}`;
    const found = k === null ? undefined : this.byKey.get(k);
    if (found) return found;
    const entry: PoolEntry = { expr, size, pos, offset: -1 };
    this.pending.push(entry);
    if (k !== null) this.byKey.set(k, entry);
    return entry;
  }

  get empty(): boolean {
    return this.pending.length === 0;
  }

  /** Places the pending literals from section offset `offset`; returns them and the offset after. */
  flush(offset: number): { entries: PoolEntry[]; end: number } {
    let at = offset;
    const entries: PoolEntry[] = [];
    for (const size of [4, 8] as const) {
      const group = this.pending.filter((e) => e.size === size);
      if (group.length === 0) continue;
      at = Math.ceil(at / size) * size;
      for (const e of group) {
        e.offset = at;
        at += size;
        entries.push(e);
      }
    }
    this.pending = [];
    this.byKey.clear();
    return { entries, end: at };
  }
}
