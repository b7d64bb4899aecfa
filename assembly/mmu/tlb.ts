// The per-CPU uTLB: a direct-mapped cache of recent translations per EL and access kind, holding
// {tag, delta} where tag = VA[63:12] | ctx << 52 and host pointer = VA + delta. It only ever holds
// translations that ended in Normal RAM with the access permitted, and write entries are never
// created for pages the decoded-instruction cache holds (so stores to code always take the slow
// path that keeps the cache coherent). Every change of translation context gives the CPU a new ctx
// id, so stale entries simply stop matching; TLB maintenance flushes.

import { UTLB_OFF, UTLB_ARRAY_BYTES, UTLB_ENTRIES, UTLB_MASK, CPU_BLOCK_SIZE, CpuHeader } from "../layout";
import * as S from "../cpu/state";
import { ramBase, ramHost } from "../mem/phys";

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

export function ctxOf(cpu: i32): u32 {
  return changetype<CpuHeader>(S.cpuBlocks + <usize>cpu * CPU_BLOCK_SIZE).ctx;
}
