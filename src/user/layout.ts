/**
 * The address space `sekvm-sim user` gives a program, built as real stage-1 page tables so the
 * program runs at EL0 with the MMU on, exactly as under a kernel:
 *
 *   0x0000_0000 ─ 64 KiB  unmapped (null-pointer guard, like Linux mmap_min_addr)
 *   0x0001_0000 ─ …       program segments, then the brk heap (identity mapped, EL0 RW+X)
 *   …           ─ …       anonymous mmap area, growing down
 *   stackTop − 8 MiB      stack, growing down
 *   ramTop − 64 KiB       page tables (EL1 only: EL0 accesses fault)
 *
 * VA = PA (RAM starts at physical 0). Translation: 39-bit VA, 4 KB granule, start level 1;
 * 2 MB blocks, with 4 KB pages in the first and last 2 MB (guard page, page-table page).
 */
import type { Machine } from '../machine/machine.js';

export const GUARD_BYTES = 0x10000n;
export const PT_BYTES = 0x10000n;
export const STACK_BYTES = 8n << 20n;

// Descriptor bits (../shared/spec/arm.md §2): AF, SH inner, AP[1] (EL0 access), PXN.
const AF = 1n << 10n;
const SH_INNER = 3n << 8n;
const AP_EL0 = 1n << 6n;
const PXN = 1n << 53n;
const TABLE = 3n;
const BLOCK = 1n;
const PAGE = 3n;

export interface UserLayout {
  readonly ramBytes: bigint;
  readonly ptBase: bigint;
  readonly stackTop: bigint;
  readonly stackBottom: bigint;
}

export function userLayout(ramBytes: number): UserLayout {
  const top = BigInt(ramBytes);
  const ptBase = top - PT_BYTES;
  return { ramBytes: top, ptBase, stackTop: ptBase, stackBottom: ptBase - STACK_BYTES };
}

/**
 * Writes the page tables into RAM and programs TCR/TTBR0/MAIR/SCTLR_EL1 of CPU 0 for an EL0
 * program: identity map of all RAM, Normal write-back memory, EL0 read/write/execute, EL1 no
 * execute; the guard and the page-table pages are not accessible from EL0.
 */
export function buildUserPageTables(m: Machine, lay: UserLayout): void {
  const ram = lay.ramBytes;
  m.zeroPhys(lay.ptBase, Number(PT_BYTES));
  let next = lay.ptBase;
  const alloc = (): bigint => {
    const p = next;
    next += 4096n;
    return p;
  };
  const l1 = alloc();
  const gb = 1n << 30n, mb2 = 2n << 20n;
  for (let g = 0n; g * gb < ram; g++) {
    const l2 = alloc();
    m.write64(l1 + g * 8n, l2 | TABLE);
    for (let i = 0n; i < 512n; i++) {
      const base = g * gb + i * mb2;
      if (base >= ram) break;
      const needsPages = base < GUARD_BYTES || base + mb2 > lay.ptBase;
      if (!needsPages) {
        m.write64(l2 + i * 8n, base | AF | SH_INNER | AP_EL0 | PXN | BLOCK);
        continue;
      }
      const l3 = alloc();
      m.write64(l2 + i * 8n, l3 | TABLE);
      for (let j = 0n; j < 512n; j++) {
        const pa = base + j * 4096n;
        if (pa < GUARD_BYTES || pa >= ram) continue;
        const el0 = pa >= lay.ptBase ? 0n : AP_EL0;
        m.write64(l3 + j * 8n, pa | AF | SH_INNER | el0 | PXN | PAGE);
      }
    }
  }
  // TCR_EL1: T0SZ = 25 (39-bit VA), IRGN0/ORGN0 write-back, SH0 inner, TG0 4 KB, EPD1 (no TTBR1
  // walks), TG1 4 KB, IPS 44 bits.
  const tcr = 25n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (25n << 16n) | (1n << 23n) | (2n << 30n) | (4n << 32n);
  m.setSysRaw(0, 'TCR_EL1', tcr);
  m.setSysRaw(0, 'TTBR0_EL1', l1);
  m.setSysRaw(0, 'MAIR_EL1', 0xffn);
  // SCTLR_EL1 as Linux runs user space: M, C, SA, SA0, I, DZE, UCT, nTWI, nTWE, UCI (+ RES1).
  const sctlr = 0x30d00800n | 1n | (1n << 2n) | (1n << 3n) | (1n << 4n) | (1n << 12n) | (1n << 14n) |
    (1n << 15n) | (1n << 16n) | (1n << 18n) | (1n << 26n);
  m.setSysRaw(0, 'SCTLR_EL1', sctlr);
  // CNTKCTL_EL1.EL0VCTEN: EL0 may read CNTVCT_EL0 and CNTFRQ_EL0, as on Linux.
  m.setSysRaw(0, 'CNTKCTL_EL1', 2n);
}
