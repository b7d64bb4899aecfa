/**
 * What KCore's single memory door reports to observers (trace, wDRF monitors, invariant
 * checks). Observers observe: they must not change the run (DESIGN.md rule 6).
 */
import type { LockId } from './locks.js';

export type KcoreEvent =
  | { readonly kind: 'access'; readonly cpu: number; readonly pa: number; readonly size: number; readonly write: boolean; readonly value: bigint; readonly locks: readonly LockId[] }
  | { readonly kind: 'lock'; readonly cpu: number; readonly lock: LockId; readonly acquire: boolean }
  | { readonly kind: 'barrier'; readonly cpu: number; readonly barrier: 'dmb' | 'dsb' | 'isb' }
  | { readonly kind: 'tlbi'; readonly cpu: number; readonly op: string; readonly arg: bigint; readonly vmid: number };

export interface KcoreObserver {
  onEvent(e: KcoreEvent): void;
}
