// Translation caches of each pCPU.
//
// 1. The architectural TLB (Arm ARM D5.10): a set-associative cache of leaf translations tagged
//    by kind (EL1&0 stage 1 combined with stage 2; stage 2 only; EL2), VMID, ASID (non-global
//    entries) and block size, with a configurable capacity, associativity and replacement policy.
//    An entry stays until it is evicted or invalidated by a TLBI, so a missing TLBI is observable
//    exactly as on hardware. Counters: hits, misses, walk steps (descriptor reads).
// 2. The uTLB: a direct-mapped cache in front of it, per EL and access kind, holding
//    {tag = VA[63:12] | ctx << 52, delta = host − VA}. It only holds translations that ended in
//    Normal RAM with the access permitted; write entries are never created for pages the
//    decoded-instruction cache holds. Every change of translation context gives the CPU a new ctx
//    id, so stale uTLB entries stop matching; an architectural entry that is evicted or
//    invalidated takes its uTLB entries with it.

import { UTLB_OFF, UTLB_ARRAY_BYTES, UTLB_ENTRIES, UTLB_MASK, CPU_BLOCK_SIZE, CpuHeader } from "../layout";
import * as S from "../cpu/state";
import { chargeWalk } from "../cpu/stall";
import { ramBase, ramHost } from "../mem/phys";

// ---- uTLB ----

const CTX_MAX: u32 = 4094;

/** Invalidates every uTLB entry of `cpu`. */
export function utlbFlushCpu(cpu: i32): void {
  memory.fill(S.cpuBlocks + <usize>cpu * CPU_BLOCK_SIZE + UTLB_OFF, 0xff, 9 * UTLB_ARRAY_BYTES);
}

export function utlbFlushAll(): void {
  for (let i = 0; i < S.numCpus; i++) utlbFlushCpu(i);
}

/** Gives the active CPU a new translation context (after a TTBR/TCR/SCTLR/HCR/VTTBR/… change). */
export function newContext(): void {
  const h = S.hdr();
  let c = h.ctx + 1;
  if (c > CTX_MAX) {
    c = 1;
    utlbFlushCpu(S.curCpu);
  }
  h.ctx = c;
  S.ctxTag = <u64>c << 52;
}

/** Installs a translation va → host (page-aligned) in the uTLB array `arr`. */
@inline export function utlbFill(arr: usize, va: u64, host: usize): void {
  const vpn = va >>> 12;
  const e = arr + (<usize>(<u32>vpn & UTLB_MASK) << 4);
  store<u64>(e, vpn | S.ctxTag);
  store<u64>(e, <u64>host - (vpn << 12), 8);
}

/** Drops the active CPU's uTLB entries for the virtual page of `va` (every EL and access kind). */
function utlbDropVa(va: u64): void {
  const vpn = (va >>> 12) & 0x000f_ffff_ffff_ffff;
  const slot = <usize>(<u32>vpn & UTLB_MASK) << 4;
  const base = S.cpuBase + UTLB_OFF;
  for (let a: usize = 0; a < 9; a++) {
    const p = base + a * UTLB_ARRAY_BYTES + slot;
    if ((load<u64>(p) & 0x000f_ffff_ffff_ffff) == vpn) store<u64>(p, u64.MAX_VALUE);
  }
}

/** Removes every write entry (all CPUs, all ELs) whose target is the physical page `pa`. */
export function utlbDropWritesTo(pa: u64): void {
  const hostPage = <u64>(ramHost + <usize>((pa - ramBase) & ~(<u64>0xfff)));
  for (let c = 0; c < S.numCpus; c++) {
    const base = S.cpuBlocks + <usize>c * CPU_BLOCK_SIZE + UTLB_OFF;
    for (let e: usize = 0; e < 3; e++) {
      const arr = base + (e * 3 + 1) * UTLB_ARRAY_BYTES;
      for (let i = 0; i < UTLB_ENTRIES; i++) {
        const p = arr + (<usize>i << 4);
        const tag = load<u64>(p);
        if (tag == u64.MAX_VALUE) continue;
        const vpage = (tag & 0x000f_ffff_ffff_ffff) << 12;
        if (vpage + load<u64>(p, 8) == hostPage) store<u64>(p, u64.MAX_VALUE);
      }
    }
  }
}

// ---- architectural TLB ----

/** Entry kinds. */
export const TLB_S1: u32 = 0;    // EL1&0: VA → PA (stage 1, combined with stage 2 when it is on)
export const TLB_S2: u32 = 1;    // stage 2 only: IPA → PA
export const TLB_EL2: u32 = 2;   // EL2 regime: VA → PA

/** Permission bits of an entry: read/write/execute at EL0 and at EL1 (EL2 for the EL2 regime). */
export const P_R0: u32 = 1, P_W0: u32 = 2, P_X0: u32 = 4, P_R1: u32 = 8, P_W1: u32 = 16, P_X1: u32 = 32;
// For TLB_S2 entries the low three bits are the stage-2 read/write/execute permissions.

/** Replacement policies. */
export const POLICY_LRU: u32 = 0;
export const POLICY_FIFO: u32 = 1;

//   entry (32 bytes)
//   ┌──────────────────────┬──────────────────────┬─────────┬──────┬──────┬─────────┬──────┐
//   │ inBase u64           │ outBase u64          │ meta u32│asid  │vmid  │stamp u32│ pad  │
//   └──────────────────────┴──────────────────────┴─────────┴──────┴──────┴─────────┴──────┘
//   meta: bit 0 valid, bits 2:1 kind, bits 7:3 shift, bit 8 global, bit 9 device, bits 21:16 perm
const E_IN: usize = 0, E_OUT: usize = 8, E_META: usize = 16, E_ASID: usize = 20, E_VMID: usize = 22, E_STAMP: usize = 24;
const ENTRY: usize = 32;
const M_VALID: u32 = 1;

export let tlbBase: usize = 0;     // first CPU's TLB
export let tlbEntries: u32 = 0;    // per CPU
export let tlbWays: u32 = 4;
export let tlbPolicy: u32 = POLICY_LRU;
let tlbSetMask: u32 = 0;
let stamp: u32 = 0;
/** The LRU clock (machine snapshots save it: replacement decisions depend on it). */
export function lruStamp(): u32 { return stamp; }
export function setLruStamp(v: u32): void { stamp = v; }

// Per-CPU counters live after the entries: hits u64, misses u64, walk steps u64, fifo cursors.
const STATS: usize = 24;

@inline function tlbBytes(): usize {
  return <usize>tlbEntries * ENTRY + STATS + <usize>(tlbEntries / tlbWays);
}

@inline function cpuTlb(cpu: i32): usize {
  return tlbBase + <usize>cpu * ((tlbBytes() + 63) & ~(<usize>63));
}

/** Bytes the TLBs of `ncpu` CPUs need with `entries` entries each. */
export function tlbRegionBytes(ncpu: i32, entries: u32, ways: u32): usize {
  const per = <usize>entries * ENTRY + STATS + <usize>(entries / ways);
  return <usize>ncpu * ((per + 63) & ~(<usize>63));
}

export function tlbInit(base: usize, entries: u32, ways: u32, policy: u32): void {
  tlbBase = base;
  tlbEntries = entries;
  tlbWays = ways;
  tlbPolicy = policy;
  tlbSetMask = entries / ways - 1;
  memory.fill(base, 0, tlbRegionBytes(S.numCpus, entries, ways));
}

// Result of the last successful lookup.
let hitOut: u64 = 0;
let hitMeta: u32 = 0;
let hitMask: u64 = 0;

@inline export function hitPa(addr: u64): u64 { return hitOut | (addr & hitMask); }
@inline export function hitPerms(): u32 { return (hitMeta >> 16) & 63; }
@inline export function hitDevice(): bool { return (hitMeta & (1 << 9)) != 0; }
@inline export function hitShift(): u32 { return (hitMeta >> 3) & 31; }

@inline function setIndex(key: u64, shift: u32): u32 {
  return (<u32>key ^ <u32>(key >> 17) ^ (shift << 4)) & tlbSetMask;
}

@inline function statAdd(off: usize): void {
  const p = cpuTlb(S.curCpu) + <usize>tlbEntries * ENTRY + off;
  store<u64>(p, load<u64>(p) + 1);
}

export function countWalk(): void { statAdd(16); chargeWalk(); }

/**
 * Looks up a translation of `addr` of kind `kind` for (vmid, asid) in the active CPU's TLB,
 * trying every block size. On a hit, hitPa/hitPerms/hitDevice/hitShift describe it.
 */
export function tlbLookup(kind: u32, vmid: u32, asid: u32, addr: u64): bool {
  const base = cpuTlb(S.curCpu);
  for (let shift: u32 = 12; shift <= 30; shift += 9) {
    const key = addr >> shift;
    const set = base + <usize>setIndex(key, shift) * tlbWays * ENTRY;
    for (let w: u32 = 0; w < tlbWays; w++) {
      const e = set + <usize>w * ENTRY;
      const meta = load<u32>(e, E_META);
      if ((meta & 0xff) != (M_VALID | (kind << 1) | (shift << 3))) continue;
      if ((load<u64>(e, E_IN) >> shift) != key) continue;
      if (kind != TLB_EL2 && <u32>load<u16>(e, E_VMID) != vmid) continue;
      if (kind == TLB_S1 && (meta & (1 << 8)) == 0 && <u32>load<u16>(e, E_ASID) != asid) continue;
      hitOut = load<u64>(e, E_OUT);
      hitMeta = meta;
      hitMask = (<u64>1 << shift) - 1;
      if (tlbPolicy == POLICY_LRU) store<u32>(e, ++stamp, E_STAMP);
      statAdd(0);
      return true;
    }
  }
  statAdd(8);
  return false;
}

/** An entry is going away: its uTLB copies must too. */
function retire(e: usize): void {
  const meta = load<u32>(e, E_META);
  if ((meta & M_VALID) == 0) return;
  const kind = (meta >> 1) & 3;
  if (kind != TLB_S2) {
    if (((meta >> 3) & 31) == 12) utlbDropVa(load<u64>(e, E_IN));
    else utlbFlushCpu(S.curCpu);
  }
}

/** Caches a leaf translation [inBase, +2^shift) → outBase in the active CPU's TLB. */
export function tlbInsert(kind: u32, vmid: u32, asid: u32, global: bool, inBase: u64, outBase: u64, shift: u32,
  perm: u32, device: bool): void {
  const base = cpuTlb(S.curCpu);
  const setNo = setIndex(inBase >> shift, shift);
  const set = base + <usize>setNo * tlbWays * ENTRY;
  let victim: usize = 0;
  for (let w: u32 = 0; w < tlbWays && victim == 0; w++) {
    const e = set + <usize>w * ENTRY;
    if ((load<u32>(e, E_META) & M_VALID) == 0) victim = e;
  }
  if (victim == 0) {
    if (tlbPolicy == POLICY_FIFO) {
      const cursor = base + <usize>tlbEntries * ENTRY + STATS + <usize>setNo;
      const w = <u32>load<u8>(cursor);
      victim = set + <usize>w * ENTRY;
      store<u8>(cursor, <u8>((w + 1) % tlbWays));
    } else {
      let best: u32 = u32.MAX_VALUE;
      for (let w: u32 = 0; w < tlbWays; w++) {
        const e = set + <usize>w * ENTRY;
        const st = load<u32>(e, E_STAMP);
        if (st < best) { best = st; victim = e; }
      }
    }
    retire(victim);
  }
  store<u64>(victim, inBase, E_IN);
  store<u64>(victim, outBase, E_OUT);
  store<u32>(victim, M_VALID | (kind << 1) | (shift << 3) | (global ? 1 << 8 : 0) | (device ? 1 << 9 : 0) | (perm << 16), E_META);
  store<u16>(victim, <u16>asid, E_ASID);
  store<u16>(victim, <u16>vmid, E_VMID);
  store<u32>(victim, ++stamp, E_STAMP);
}

// ---- invalidation (TLBI) ----

/** What a TLBI matches. */
export const INV_ALL_EL10: u32 = 0;      // ALLE1: every EL1&0 entry (stage 1 and 2), every VMID
export const INV_VMID_S12: u32 = 1;      // VMALLS12E1: stage 1 and 2 of `vmid`
export const INV_VMID_S1: u32 = 2;       // VMALLE1: stage 1 of `vmid`
export const INV_VA: u32 = 3;            // VAE1/VALE1: stage 1 of `vmid`, VA, ASID or global
export const INV_VAA: u32 = 4;           // VAAE1/VAALE1: stage 1 of `vmid`, VA, any ASID
export const INV_ASID: u32 = 5;          // ASIDE1: non-global stage 1 of `vmid` with ASID
export const INV_IPA: u32 = 6;           // IPAS2E1/IPAS2LE1: stage 2 of `vmid` for the IPA
export const INV_EL2_ALL: u32 = 7;       // ALLE2
export const INV_EL2_VA: u32 = 8;        // VAE2/VALE2

/** Applies one TLB invalidation to `cpu`'s TLB; `page` is an address >> 12 (VA or IPA). */
export function tlbInvalidate(cpu: i32, what: u32, vmid: u32, asid: u32, page: u64): void {
  const base = cpuTlb(cpu);
  for (let i: u32 = 0; i < tlbEntries; i++) {
    const e = base + <usize>i * ENTRY;
    const meta = load<u32>(e, E_META);
    if ((meta & M_VALID) == 0) continue;
    const kind = (meta >> 1) & 3;
    const shift = (meta >> 3) & 31;
    const global = (meta & (1 << 8)) != 0;
    const evmid = <u32>load<u16>(e, E_VMID);
    // Compare pages on VA[55:12] / IPA[47:12] within the entry's block.
    const inPage = (load<u64>(e, E_IN) >> 12) & 0x0000_0fff_ffff_ffff;
    const pageHit = ((page & 0x0000_0fff_ffff_ffff) >> (shift - 12)) == (inPage >> (shift - 12));
    let kill = false;
    switch (what) {
      case INV_ALL_EL10: kill = kind != TLB_EL2; break;
      case INV_VMID_S12: kill = kind != TLB_EL2 && evmid == vmid; break;
      case INV_VMID_S1: kill = kind == TLB_S1 && evmid == vmid; break;
      case INV_VA: kill = kind == TLB_S1 && evmid == vmid && pageHit && (global || <u32>load<u16>(e, E_ASID) == asid); break;
      case INV_VAA: kill = kind == TLB_S1 && evmid == vmid && pageHit; break;
      case INV_ASID: kill = kind == TLB_S1 && evmid == vmid && !global && <u32>load<u16>(e, E_ASID) == asid; break;
      case INV_IPA: kill = kind == TLB_S2 && evmid == vmid && pageHit; break;
      case INV_EL2_ALL: kill = kind == TLB_EL2; break;
      case INV_EL2_VA: kill = kind == TLB_EL2 && pageHit; break;
    }
    if (kill) store<u32>(e, 0, E_META);
  }
  utlbFlushCpu(cpu);
}

/** Drops every architectural and uTLB entry of every CPU (machine reset, host request). */
export function tlbFlushEverything(): void {
  memory.fill(tlbBase, 0, tlbRegionBytes(S.numCpus, tlbEntries, tlbWays));
  utlbFlushAll();
}

/** Counters of `cpu`: 0 hits, 1 misses, 2 walk steps. */
export function tlbStat(cpu: i32, which: i32): u64 {
  return load<u64>(cpuTlb(cpu) + <usize>tlbEntries * ENTRY + (<usize>which << 3));
}

/** Number of valid entries in `cpu`'s TLB (for tests and the teaching views). */
/** Address of `cpu`'s first TLB entry (entries are ENTRY bytes, layout above), for observers. */
export function tlbEntriesOf(cpu: i32): usize { return cpuTlb(cpu); }

export function tlbValidCount(cpu: i32): u32 {
  const base = cpuTlb(cpu);
  let n: u32 = 0;
  for (let i: u32 = 0; i < tlbEntries; i++) if ((load<u32>(base + <usize>i * ENTRY, E_META) & M_VALID) != 0) n++;
  return n;
}

export function ctxOf(cpu: i32): u32 {
  return changetype<CpuHeader>(S.cpuBlocks + <usize>cpu * CPU_BLOCK_SIZE).ctx;
}
