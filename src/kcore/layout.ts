/**
 * Where KCore's state lives: a region of simulated physical RAM owned by COREVISOR, laid out
 * like SeKVM's el2_data and page-table pools (sekvm.md §3.1, §3.5), scaled to the simulated
 * machine. Only src/kcore/abstract-machine.ts reads these offsets.
 *
 *   kcoreBase ──────────────────────────────────────────────────────────────────────────────
 *   +0x0000   core data     next_vmid, next_remap_ptr, installed, host_vttbr, phys_mem_*, …
 *   +0x1000   lock words    one u64 per lock id (locks.ts), ticket lock: next (hi) / owner (lo)
 *   +0x2000   per-CPU data  MAX_CPUS × 512 B: {vmid, vcpuid, s2_host_regs x0..x30}
 *   vmInfo    vm_info       EL2_VM_INFO_SIZE × VM_INFO_BYTES
 *   shadow    shadow_ctxt   EL2_MAX_VMID × HYPSEC_MAX_VCPUS × SHADOW_BYTES
 *   smmuCfg   smmu_cfg      EL2_SMMU_CFG_SIZE × 16 B {vmid, hw_ttbr}
 *   s2pages   s2_page       ramPages × 16 B {count u32, vmid u32, gfn u64}
 *   tmpPage   crypto temp   4 KB
 *   pools     stage-2 tables: host pool, one pool per VM id 1..MAX_VM_NUM, KCore's EL2 pool
 *   smmuPool  SMMU tables:  2 pages per context bank root + a shared pte pool
 *   kcoreEnd ───────────────────────────────────────────────────────────────────────────────
 */
import { EL2_VM_INFO_SIZE, EL2_MAX_VMID, HYPSEC_MAX_VCPUS, MAX_VM_NUM, EL2_SMMU_CFG_SIZE, MAX_LOAD_INFO_NUM } from './constants.js';

export const PAGE = 4096;
export const MAX_CPUS = 64;

// core data (offsets from kcoreBase)
export const CORE = {
  NEXT_VMID: 0x00,
  NEXT_REMAP_PTR: 0x08,
  INSTALLED: 0x10,
  HOST_VTTBR: 0x18,
  PHYS_MEM_START: 0x20,
  PHYS_MEM_SIZE: 0x28,
  CORE_START: 0x30,
  CORE_END: 0x38,
  SHARED_DATA: 0x40,
  SMMU_POOL_NEXT: 0x48,
} as const;

export const LOCKS_OFF = 0x1000;
export const PERCPU_OFF = 0x2000;
export const PERCPU_BYTES = 512;
export const PERCPU = {
  VMID: 0, VCPUID: 8, HOST_REGS: 16,            // x0..x30 (s2_host_regs)
  HOST_ELR: 264, HOST_SPSR: 272,                // where the host trapped from
  LAST_VMID: 280, LAST_VCPU: 288,               // last vCPU that ran here (migration flush)
  HOST_SYSREGS: 296,                            // the host's EL1 system registers (CTXT_SYSREGS order)
} as const;

// vm_info (per principal)
export const VM_INFO_BYTES = 1024;
export const LOAD_INFO_BYTES = 32;   // {load_addr, size, el2_remap_addr, el2_mapped_pages}; signatures kept in shared data
export const VMI = {
  STATE: 0x00,
  VTTBR: 0x08,
  INC_EXE: 0x10,
  LOAD_INFO_CNT: 0x18,
  POOL_NEXT: 0x20,         // next free page of this principal's stage-2 pool (bump allocator)
  POOL_START: 0x28,
  POOL_END: 0x30,
  VCPU_STATE: 0x40,        // HYPSEC_MAX_VCPUS × u64
  VCPU_FIRST_RUN: 0x60,    // HYPSEC_MAX_VCPUS × u64
  LOAD_INFO: 0x80,         // MAX_LOAD_INFO_NUM × LOAD_INFO_BYTES
  PUBLIC_KEY: 0x120,       // 32 bytes (Ed25519)
  SIGNATURE: 0x140,        // MAX_LOAD_INFO_NUM × 64 bytes
} as const;

// shadow vCPU context: u64 slots indexed like SeKVM's get/set_shadow_ctxt (constants.ts V.*)
export const SHADOW_SLOTS = 47 + 64;      // GPRs .. FLAGS, then up to 64 system registers
export const SHADOW_BYTES = 1024;

export const SMMU_CFG_BYTES = 16;
export const S2PAGE_BYTES = 16;

export interface KcoreLayout {
  readonly base: bigint;
  readonly end: bigint;
  readonly vmInfo: bigint;
  readonly shadow: bigint;
  readonly smmuCfg: bigint;
  readonly s2pages: bigint;
  readonly tmpPage: bigint;
  /** Stage-2 pool of principal v: [poolStart(v), poolStart(v) + poolPages(v) × 4 KB). */
  readonly hostPool: bigint;
  readonly hostPoolPages: number;
  readonly vmPools: bigint;
  readonly vmPoolPages: number;
  readonly corePool: bigint;
  readonly corePoolPages: number;
  readonly smmuPool: bigint;
  readonly smmuPoolPages: number;
  /** RAM covered by s2pages. */
  readonly ramBase: bigint;
  readonly ramPages: number;
}

const align = (x: bigint, a: bigint): bigint => (x + a - 1n) & ~(a - 1n);

/**
 * Lays KCore out at the top of RAM. Host stage-2 pool: 2 root pages (40-bit IPA, two
 * concatenated level-1 tables), 4 level-2 tables (the 4 GB below RAM's end), one level-3 table
 * per 2 MB of RAM plus 64 for devices. VM pools: `vmPoolPages` each (root 2 + level-2 + level-3).
 */
export function kcoreLayout(ramBase: bigint, ramBytes: number, opts: { vmPoolPages?: number } = {}): KcoreLayout {
  const ramPages = Math.floor(ramBytes / PAGE);
  const vmPoolPages = opts.vmPoolPages ?? 64;
  const hostPoolPages = 2 + 8 + Math.ceil(ramBytes / (2 << 20)) + 64;
  const corePoolPages = 64;
  const smmuPoolPages = EL2_SMMU_CFG_SIZE * 2 + 256;
  const fixed = BigInt(PERCPU_OFF + MAX_CPUS * PERCPU_BYTES);
  const vmInfoBytes = BigInt(EL2_VM_INFO_SIZE * VM_INFO_BYTES);
  const shadowBytes = BigInt(EL2_MAX_VMID * HYPSEC_MAX_VCPUS * SHADOW_BYTES);
  const smmuBytes = BigInt(EL2_SMMU_CFG_SIZE * SMMU_CFG_BYTES);
  const s2Bytes = BigInt(ramPages * S2PAGE_BYTES);
  const poolBytes = BigInt((hostPoolPages + MAX_VM_NUM * vmPoolPages + corePoolPages + smmuPoolPages) * PAGE);
  const total = align(fixed + vmInfoBytes + shadowBytes + smmuBytes + s2Bytes + BigInt(PAGE), 4096n) + poolBytes + 0x2000n;
  const size = align(total, 2n << 20n);
  const base = ramBase + BigInt(ramBytes) - size;
  let p = base + fixed;
  const vmInfo = p; p += vmInfoBytes;
  const shadow = p; p += shadowBytes;
  const smmuCfg = p; p += smmuBytes;
  const s2pages = p; p += s2Bytes;
  p = align(p, 4096n);
  const tmpPage = p; p += 4096n;
  p = align(p, 8192n);   // concatenated stage-2 roots are 8 KB aligned
  const hostPool = p; p += BigInt(hostPoolPages * PAGE);
  p = align(p, 8192n);
  const vmPools = p; p += BigInt(MAX_VM_NUM * vmPoolPages * PAGE);
  const corePool = p; p += BigInt(corePoolPages * PAGE);
  const smmuPool = p; p += BigInt(smmuPoolPages * PAGE);
  if (p > base + size) throw new Error('simulator bug: KCore layout overflows its region');
  return {
    base, end: base + size, vmInfo, shadow, smmuCfg, s2pages, tmpPage, hostPool, hostPoolPages, vmPools,
    vmPoolPages, corePool, corePoolPages, smmuPool, smmuPoolPages, ramBase, ramPages,
  };
}

export const LOAD_INFO_MAX = MAX_LOAD_INFO_NUM;

/**
 * The stage-2 table pool of principal v (host, VM 1..MAX_VM_NUM, or KCore's EL2 table), or null
 * for an id that has none. Its first page(s) are the root (two concatenated level-1 tables for
 * stage 2, one level-0 table for KCore's EL2 table).
 */
export function poolRange(lay: KcoreLayout, v: number): { start: bigint; pages: number } | null {
  if (v === 0) return { start: lay.hostPool, pages: lay.hostPoolPages };
  if (v === EL2_MAX_VMID) return { start: lay.corePool, pages: lay.corePoolPages };
  if (v >= 1 && v <= MAX_VM_NUM) return { start: lay.vmPools + BigInt((v - 1) * lay.vmPoolPages * PAGE), pages: lay.vmPoolPages };
  return null;
}
