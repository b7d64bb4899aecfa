/**
 * VMSAv8-64 descriptor fields, 4 KB granule (../shared/spec/arm.md §1.5 stage 2, §2 stage 1),
 * as KCore writes them and checks read them. Same bit positions as the core's hardware walker
 * (assembly/mmu/desc.ts). Values are bigint (64-bit descriptors).
 */
export const D_VALID = 1n;
export const D_TABLE = 2n;             // with VALID: table (levels 0–2) or page (level 3)
export const D_ADDR_MASK = 0x0000_ffff_ffff_f000n;
export const D_AF = 1n << 10n;
export const D_SH_INNER = 3n << 8n;
// Stage 2 leaf
export const S2_MEMATTR_SHIFT = 2n;
export const S2_MEMATTR_NORMAL_WB = 0xfn << 2n;     // Normal, outer and inner write-back (Linux MT_S2_NORMAL)
export const S2_MEMATTR_DEVICE_nGnRE = 0x1n << 2n;  // Device-nGnRE (Linux MT_S2_DEVICE_nGnRE)
export const S2AP_R = 1n << 6n;
export const S2AP_W = 1n << 7n;
export const S2_XN = 1n << 54n;
// Stage 1 leaf
export const S1_ATTRINDX_SHIFT = 2n;
export const S1_AP_EL0 = 1n << 6n;
export const S1_AP_RO = 1n << 7n;
export const S1_NG = 1n << 11n;
export const S1_PXN = 1n << 53n;
export const S1_UXN = 1n << 54n;
// SeKVM's software markers (pgtable-hwdef.h): 2 MB blocks and 4 KB entries it installed.
export const PMD_MARK = 1n << 55n;
export const PTE_MARK = 1n << 56n;

/** SeKVM's stage-2 leaf attributes (sekvm.md §3.5): PAGE_S2_KERNEL (RAM, RWX) and PAGE_S2_DEVICE | S2_RDWR. */
export const PAGE_S2_KERNEL = S2_MEMATTR_NORMAL_WB | S2AP_R | S2AP_W | D_AF | D_SH_INNER;
export const PAGE_S2_DEVICE_RW = S2_MEMATTR_DEVICE_nGnRE | S2AP_R | S2AP_W | D_AF | S2_XN;
/** PAGE_HYP for KCore's own EL2 table: normal memory (AttrIndx 0), EL2 RW, no execute. */
export const PAGE_HYP = D_AF | D_SH_INNER | S1_UXN;

/** Size in bytes covered by one entry at `level` (4 KB granule). */
export function levelSize(level: number): number {
  return 2 ** (12 + 9 * (3 - level));
}

export function isValid(d: bigint): boolean {
  return (d & D_VALID) !== 0n;
}

/** A table descriptor (valid, bits[1:0] = 11, level < 3). */
export function isTable(d: bigint, level: number): boolean {
  return level < 3 && (d & 3n) === 3n;
}

/** A leaf: block at level 1–2 (bits 01) or page at level 3 (bits 11). */
export function isLeaf(d: bigint, level: number): boolean {
  if (!isValid(d)) return false;
  return level === 3 ? (d & 3n) === 3n : (d & 3n) === 1n && level > 0;
}

export function descAddr(d: bigint): number {
  return Number(d & D_ADDR_MASK);
}
