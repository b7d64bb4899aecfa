/**
 * Identity page tables for benchmarks and tests that act as their own EL2 (host mode): 4 KB
 * pages for a RAM range, as a stage-1 (EL1&0) or stage-2 table, written straight into the
 * machine's RAM. (KCore's real stage-2 code is src/kcore; this builder only serves setups that
 * need a plain map quickly.) Descriptor bits: ../shared/spec/arm.md §1.5 (stage 2), §2 (stage 1).
 */
import type { Machine } from '../machine/machine.js';

const VALID_TABLE = 3n, PAGE = 3n, AF = 1n << 10n, SH_INNER = 3n << 8n;
/** Stage 2: MemAttr Normal WB (0xF), S2AP RW. Stage 1: AttrIndx 0 (MAIR byte 0xFF), AP EL1 RW. */
const S2_NORMAL_RW = (0xfn << 2n) | (3n << 6n);
const S1_NORMAL = 0n;

export interface IdentityMap {
  /** Root table address (for TTBR0_EL1 or VTTBR_EL2). */
  readonly root: bigint;
  /** First free byte after the tables. */
  readonly end: bigint;
}

/**
 * Maps [base, base+size) to itself with 4 KB pages, 39-bit input (3 levels from level 1; for
 * stage 2 use VTCR_EL2.T0SZ = 25, SL0 = 1). Tables are allocated from `pool` upwards.
 */
export function identityMap(m: Machine, stage: 1 | 2, base: bigint, size: bigint, pool: bigint): IdentityMap {
  let next = pool;
  const alloc = (): bigint => {
    const p = next;
    next += 4096n;
    m.zeroPhys(p, 4096);
    return p;
  };
  const root = alloc();
  const leafAttrs = (stage === 2 ? S2_NORMAL_RW : S1_NORMAL) | AF | SH_INNER | PAGE;
  const l2For = new Map<bigint, bigint>();
  const l3For = new Map<bigint, bigint>();
  for (let pa = base; pa < base + size; pa += 4096n) {
    const i1 = (pa >> 30n) & 511n, i2 = (pa >> 21n) & 511n, i3 = (pa >> 12n) & 511n;
    let l2 = l2For.get(i1);
    if (l2 === undefined) {
      l2 = alloc();
      l2For.set(i1, l2);
      m.write64(root + i1 * 8n, l2 | VALID_TABLE);
    }
    const k = (i1 << 9n) | i2;
    let l3 = l3For.get(k);
    if (l3 === undefined) {
      l3 = alloc();
      l3For.set(k, l3);
      m.write64(l2 + i2 * 8n, l3 | VALID_TABLE);
    }
    m.write64(l3 + i3 * 8n, pa | leafAttrs);
  }
  return { root, end: next };
}
