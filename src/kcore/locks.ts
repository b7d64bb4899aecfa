/**
 * KCore's locks (sekvm.md §3.7) and their order. The order is declared once, here, as ranks;
 * acquiring a lock whose rank is not above every lock held is a KCore bug (it could deadlock),
 * reported by `bug()` (STYLE rule 6, after pKVM's pkvm_component_id "page-table locking order").
 *
 *   smmu_lock → vm_lock(v) → abs_lock (core) → s2pages_lock → shadow_pt_lock(v) → spt_lock
 *
 * matches every nesting SeKVM's C code performs: vm_lock → s2pages_lock → shadow_pt_lock(host)
 * (decrypt_buf, verify → assign_pfn_to_vm → clear_pfn_host), vm_lock → shadow_pt_lock(vm)
 * (map_pfn_vm), vm_lock → abs_lock (set_boot_info), smmu_lock → vm_lock → s2pages_lock →
 * spt_lock (the SMMU hypercalls). gen_vmid takes abs_lock alone.
 */
import { EL2_VM_INFO_SIZE } from './constants.js';

export type LockKind = 'smmu' | 'vm' | 'core' | 's2page' | 'npt' | 'spt';

/** A lock: its kind and, for per-principal locks, the principal. */
export interface LockId {
  readonly kind: LockKind;
  readonly v: number;
  /** Index of the lock word in KCore's lock page. */
  readonly word: number;
  readonly rank: number;
  readonly name: string;
}

const RANK: Record<LockKind, number> = { smmu: 10, vm: 20, core: 30, s2page: 40, npt: 50, spt: 60 };

function mk(kind: LockKind, v: number, word: number, name: string): LockId {
  return Object.freeze({ kind, v, word, rank: RANK[kind], name });
}

export const CORE_LOCK = mk('core', 0, 1, 'abs_lock');
export const S2PAGE_LOCK = mk('s2page', 0, 2, 's2pages_lock');
export const SPT_LOCK = mk('spt', 0, 3, 'spt_lock');
export const SMMU_LOCK = mk('smmu', 0, 4, 'smmu_lock');
const NPT = Array.from({ length: EL2_VM_INFO_SIZE }, (_, v) => mk('npt', v, 8 + v, `shadow_pt_lock(${v})`));
const VM = Array.from({ length: EL2_VM_INFO_SIZE }, (_, v) => mk('vm', v, 8 + EL2_VM_INFO_SIZE + v, `vm_lock(${v})`));

/** shadow_pt_lock of principal v (0 = host, COREVISOR = KCore's EL2 table). */
export function nptLock(v: number): LockId {
  return NPT[v]!;
}
/** vm_lock of principal v. */
export function vmLock(v: number): LockId {
  return VM[v]!;
}

/** Words needed in the lock page. */
export const LOCK_WORDS = 8 + 2 * EL2_VM_INFO_SIZE;

/** Type of a token proving a lock of kind K is held (STYLE rule 6: lock-held state is a type). */
export interface Locked<K extends LockKind> {
  readonly lock: LockId & { readonly kind: K };
}
