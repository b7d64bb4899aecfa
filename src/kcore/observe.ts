/**
 * What KCore's single memory door reports to observers (trace, wDRF monitors, invariant
 * checks). Observers observe: they must not change the run (DESIGN.md rule 6).
 */
import type { LockId } from './locks.js';

export type KcoreEvent =
  /**
   * KCore starts (`enter`) or stops (`exit`) running on a pCPU: a host hypercall, a host stage-2
   * fault, or the EL2 part of VCPU_RUN (which exits to the guest and enters again on each VM
   * exit). Between an exit and the next enter the pCPU runs the host or a guest.
   */
  | { readonly kind: 'handler'; readonly cpu: number; readonly phase: 'enter' | 'exit'; readonly what: 'hvc' | 'host-fault' | 'vcpu-run' }
  | { readonly kind: 'lock'; readonly cpu: number; readonly lock: LockId; readonly acquire: boolean }
  | { readonly kind: 'barrier'; readonly cpu: number; readonly barrier: 'dmb' | 'dsb' | 'isb' }
  | { readonly kind: 'tlbi'; readonly cpu: number; readonly op: string; readonly arg: bigint; readonly vmid: number };

export interface KcoreObserver {
  onEvent(e: KcoreEvent): void;
  /**
   * A load or store by KCore (size 8), a whole-page read/write/zero (size 4096; value and old
   * are 0), or a run of n words moved in one piece (size 8·n, n > 1, never 4096/8; value and old
   * are 0): a register context in KCore's per-CPU or shadow-context areas, KCore's own data that
   * no lock guards (the door refuses runs anywhere else). `locks` is KCore's live list of the
   * pCPU's held locks: read it during the call, do not keep it. Accesses are KCore's most
   * frequent event, so they come as arguments, not as an event object.
   */
  access(cpu: number, pa: number, size: number, write: boolean, value: bigint, old: bigint, locks: readonly LockId[]): void;
}
