// Translation-table descriptor fields, VMSAv8-64 4 KB granule (Arm ARM D5.3; ../shared/spec/arm.md
// §1.5 for stage 2 and §2 for stage 1). One codec for the hardware walker; KCore's software walker
// reads the same field names from src/arch/desc-fields.ts.

/** bits[1:0]: 0b11 = table (levels 0–2) or page (level 3); 0b01 = block (levels 1–2); x0 = invalid. */
@inline export function descValid(d: u64): bool { return (d & 1) != 0; }
@inline export function descIsTableOrPage(d: u64): bool { return (d & 2) != 0; }

/** Output/next-table address bits[47:12]. */
export const DESC_ADDR_MASK: u64 = 0x0000_ffff_ffff_f000;

// Leaf (block/page) attributes, lower.
export const D_ATTRINDX_SHIFT: u64 = 2;       // stage 1 AttrIndx[2:0] bits 4:2
export const D_S2_MEMATTR_SHIFT: u64 = 2;     // stage 2 MemAttr[3:0] bits 5:2
export const D_AP1: u64 = 1 << 6;             // stage 1 AP[1]: EL0 access   | stage 2 S2AP[0]: read
export const D_AP2: u64 = 1 << 7;             // stage 1 AP[2]: read-only    | stage 2 S2AP[1]: write
export const D_AF: u64 = 1 << 10;             // access flag
export const D_NG: u64 = 1 << 11;             // stage 1 not-global
// Leaf attributes, upper.
export const D_PXN: u64 = 1 << 53;            // stage 1 privileged execute-never
export const D_UXN: u64 = 1 << 54;            // stage 1 unprivileged XN (EL2 regime: XN) | stage 2 XN
// Stage-1 table attributes (ignored by stage 2, ../shared/spec/arm.md §1.5).
export const T_PXNTABLE: u64 = 1 << 59;
export const T_UXNTABLE: u64 = 1 << 60;
export const T_APTABLE0: u64 = 1 << 61;       // no EL0 access below
export const T_APTABLE1: u64 = 1 << 62;       // read-only below

/** Bits of the input address resolved below `level` (4 KB granule): 12 + 9 × (3 − level). */
@inline export function levelShift(level: i32): u64 {
  return <u64>(12 + 9 * (3 - level));
}

/** PA size in bits for a PS/IPS/PARange encoding (../shared/spec/arm.md §1.1). */
export function paBits(ps: u32): u32 {
  switch (ps) {
    case 0: return 32;
    case 1: return 36;
    case 2: return 40;
    case 3: return 42;
    case 4: return 44;
    case 5: return 48;
    default: return 48;
  }
}
