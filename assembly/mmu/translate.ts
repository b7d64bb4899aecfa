// Address translation for the active CPU: stage 1 (EL1&0 with TTBR0/TTBR1, and EL2 with TTBR0_EL2)
// and stage 2 (VTCR_EL2/VTTBR_EL2), 4 KB granule, as the Arm ARM D5 VMSAv8-64 pseudocode
// (AArch64.TranslationTableWalk, AArch64.FullTranslate) and QEMU target/arm/ptw.c describe
// (../shared/spec/arm.md §1–2).
//
// translate() first looks in the architectural TLB (mmu/tlb.ts); on a miss, or when the cached
// entry does not permit the access, it walks the tables in simulated physical memory and caches
// the leaf with its full permission set. Stage-1 table reads are themselves stage-2 translated
// (through stage-2-only TLB entries), so IPAS2E1 invalidates exactly what hardware would.
// Results go to tr* globals; faults to flt* globals (the caller raises the abort).
// Not implemented: 16 KB and 64 KB granules (TG values other than 4 KB are treated as 4 KB),
// FEAT_LPA/LPA2, FEAT_HAFDBS (no hardware Access-flag/dirty update: AF = 0 always faults),
// FEAT_TTST, FEAT_XNX, VHE (HCR_EL2.E2H has no effect), and walk caches (intermediate table
// entries are not cached; only leaves are).

import { Access, Fsc } from "../enums";
import * as S from "../cpu/state";
import { sysGet } from "../cpu/state";
import {
  SR_SCTLR_EL1, SR_TCR_EL1, SR_TTBR0_EL1, SR_TTBR1_EL1, SR_MAIR_EL1, SR_HCR_EL2, SR_VTCR_EL2,
  SR_VTTBR_EL2, SR_SCTLR_EL2, SR_TCR_EL2, SR_TTBR0_EL2, SR_MAIR_EL2,
} from "../cpu/sysregs.gen";
import { paToHost } from "../mem/phys";
import { HCR_DC, HCR_PTW, HCR_TGE, HCR_VM } from "../cpu/hcr";
export { HCR_DC, HCR_PTW, HCR_TGE, HCR_VM } from "../cpu/hcr";
import {
  DESC_ADDR_MASK, D_AF, D_AP1, D_AP2, D_PXN, D_UXN, D_NG, T_APTABLE0, T_APTABLE1, T_PXNTABLE, T_UXNTABLE,
  levelShift, paBits,
} from "./desc";
import {
  tlbLookup, tlbInsert, TLB_S1, TLB_S2, TLB_EL2, hitPa, hitPerms, hitDevice, hitShift, countWalk,
  P_R0, P_W0, P_X0, P_R1, P_W1, P_X1,
} from "./tlb";

/** The PA size this CPU implements: ID_AA64MMFR0_EL1.PARange = 0b0100 (44 bits), as QEMU's cortex-a57. */
export const PARANGE: u32 = 4;
export const PA_BITS: u32 = 44;

// HCR_EL2 bits used here (../shared/spec/arm.md §4).

// ---- results ----

/** Physical address of a successful translation. */
export let trPa: u64 = 0;
/** The final memory type is Device (any of nGnRnE … GRE). */
export let trDevice: bool = false;
/** The translation came from (and is cached in) an architectural TLB entry; the uTLB may cache it. */
export let trCacheable: bool = false;

// ---- faults ----

/** Fault status code including the level (Fsc.* | level). */
export let fltFsc: u32 = 0;
/** The fault came from stage 2 (taken to EL2, HPFAR valid). */
export let fltStage2: bool = false;
/** A stage-2 fault on a stage-1 table walk (ESR.S1PTW). */
export let fltS1ptw: bool = false;
/** The IPA for HPFAR_EL2 (stage-2 faults). */
export let fltIpa: u64 = 0;
/** The fault is a synchronous external abort (ESR.EA). */
export let fltEa: bool = false;

function fault(fsc: u32, level: i32, stage2: bool): bool {
  fltFsc = fsc | (<u32>level & 3);
  fltStage2 = stage2;
  fltS1ptw = false;
  fltEa = fsc == Fsc.SyncExternalWalk;
  return false;
}

/** Reads a descriptor from physical memory; false (with an external-abort fault) if not RAM. */
let descVal: u64 = 0;
function readDesc(pa: u64, level: i32, stage2: bool): bool {
  countWalk();
  const host = paToHost(pa);
  if (host == 0) return fault(Fsc.SyncExternalWalk, level, stage2);
  descVal = load<u64>(host);
  return true;
}

/** Current VMID (VTTBR_EL2.VMID: 8 bits, or 16 with VTCR_EL2.VS). */
@inline export function currentVmid(): u32 {
  const vttbr = sysGet(SR_VTTBR_EL2);
  const vs = (sysGet(SR_VTCR_EL2) >> 19) & 1;
  return vs != 0 ? <u32>(vttbr >> 48) : <u32>(vttbr >> 48) & 0xff;
}

/** Current ASID for EL1&0 (TTBR0 or TTBR1 per TCR_EL1.A1; 8 or 16 bits per TCR_EL1.AS). */
@inline export function currentAsid(): u32 {
  const tcr = sysGet(SR_TCR_EL1);
  const ttbr = ((tcr >> 22) & 1) != 0 ? sysGet(SR_TTBR1_EL1) : sysGet(SR_TTBR0_EL1);
  return ((tcr >> 36) & 1) != 0 ? <u32>(ttbr >> 48) : <u32>(ttbr >> 48) & 0xff;
}

// ---- stage 2 ----

/** Output of the last stage-2 translation. */
let s2Pa: u64 = 0;
let s2Device: bool = false;
let s2Shift: u32 = 12;
/** Stage-2 permissions: bit 0 read, bit 1 write, bit 2 execute. */
let s2Perm: u32 = 0;
let s2Level: i32 = 3;

const S2P_R: u32 = 1, S2P_W: u32 = 2, S2P_X: u32 = 4;

/**
 * Stage-2 translation of `ipa` (Arm ARM D5.2, AArch64.S2Translate), through the stage-2 entries
 * of the TLB. Leaves s2Pa/s2Device/s2Perm/s2Level; faults (translation, address size, access
 * flag) set flt* with fltStage2 = true and fltIpa = ipa. Permissions are checked by the caller.
 */
function stage2Walk(ipa: u64): bool {
  fltIpa = ipa;
  const vmid = currentVmid();
  if (tlbLookup(TLB_S2, vmid, 0, ipa)) {
    s2Pa = hitPa(ipa);
    s2Device = hitDevice();
    s2Perm = hitPerms();
    s2Shift = hitShift();
    s2Level = s2Shift == 12 ? 3 : s2Shift == 21 ? 2 : 1;
    return true;
  }
  const vtcr = sysGet(SR_VTCR_EL2);
  let t0sz = <u32>(vtcr & 63);
  if (t0sz < 16) t0sz = 16;
  if (t0sz > 39) t0sz = 39;
  const inBits: u32 = 64 - t0sz;
  const sl0 = <u32>(vtcr >> 6) & 3;
  const psBits = min(paBits(<u32>(vtcr >> 16) & 7), PA_BITS);
  // Start level from SL0 (4 KB): 0 → 2, 1 → 1, 2 → 0; 3 is reserved without FEAT_TTST.
  const start: i32 = sl0 == 0 ? 2 : sl0 == 1 ? 1 : sl0 == 2 ? 0 : -1;
  // S2InconsistentSL: the start level must resolve between 0 and 4 extra bits (concatenation).
  if (start < 0) return fault(Fsc.Translation, 0, true);
  const levels = 3 - start;
  if (<i32>inBits < levels * 9 + 13 || <i32>inBits > levels * 9 + 13 + 8 + 4) return fault(Fsc.Translation, 0, true);
  if (start == 0 && PA_BITS < 44) return fault(Fsc.Translation, 0, true);
  if (inBits > PA_BITS) return fault(Fsc.Translation, 0, true);
  if ((ipa >> inBits) != 0) return fault(Fsc.Translation, start, true);
  let level = start;
  // Index bits at the start level: 9, plus up to 4 for concatenated tables (arm.md §1.2).
  let indexBits: u64 = <u64>inBits - levelShift(level);
  // BADDR (bits 47:1) aligned to the total size of the start-level table(s); lower bits are RES0.
  const vttbr = sysGet(SR_VTTBR_EL2) & 0x0000_ffff_ffff_fffe;
  if ((vttbr >> psBits) != 0) return fault(Fsc.AddressSize, start, true);
  let table = vttbr & ~((<u64>1 << (indexBits + 3)) - 1);
  while (true) {
    const shift = levelShift(level);
    const idx = (ipa >> shift) & ((<u64>1 << indexBits) - 1);
    if (!readDesc(table + (idx << 3), level, true)) return false;
    const d = descVal;
    if ((d & 1) == 0) return fault(Fsc.Translation, level, true);
    const isTable = (d & 2) != 0;
    if (level == 3 ? !isTable : (!isTable && level == 0)) return fault(Fsc.Translation, level, true);
    const oa = d & DESC_ADDR_MASK;
    if ((oa >> psBits) != 0) return fault(Fsc.AddressSize, level, true);
    if (isTable && level < 3) {
      table = oa;
      level++;
      indexBits = 9;
      continue;
    }
    // Leaf: block (levels 1–2) or page (level 3).
    if ((d & D_AF) == 0) return fault(Fsc.AccessFlag, level, true);
    let perm: u32 = 0;
    if ((d & D_AP1) != 0) perm |= S2P_R;
    if ((d & D_AP2) != 0) perm |= S2P_W;
    if ((d & D_UXN) == 0) perm |= S2P_X;
    const mask = (<u64>1 << shift) - 1;
    s2Pa = (oa & ~mask) | (ipa & mask);
    s2Device = ((d >> 4) & 3) == 0;    // MemAttr[3:2] = 00 → Device (HCR_EL2.FWB = 0)
    s2Shift = <u32>shift;
    s2Perm = perm;
    s2Level = level;
    tlbInsert(TLB_S2, vmid, 0, true, ipa & ~mask, oa & ~mask, <u32>shift, perm, s2Device);
    return true;
  }
  return false;
}

/** Stage-2 permission check for the final access; sets a stage-2 permission fault if denied. */
function s2Permits(acc: Access): bool {
  const need: u32 = acc == Access.Read ? S2P_R : acc == Access.Write ? S2P_W : S2P_X;
  if ((s2Perm & need) != 0) return true;
  return fault(Fsc.Permission, s2Level, true);
}

/** Whether the EL1&0 regime has stage 2 enabled for the active CPU. */
@inline export function stage2Enabled(): bool {
  const hcr = sysGet(SR_HCR_EL2);
  return (hcr & (HCR_VM | HCR_DC)) != 0 && (hcr & HCR_TGE) == 0;
}

/**
 * Translates a stage-1 table address (an IPA when stage 2 is on) to a PA for the walk.
 * A stage-2 fault here is reported with S1PTW = 1 and HPFAR = the table's IPA (arm.md §1.7).
 */
function walkAddr(ipa: u64, s2on: bool): u64 {
  if (!s2on) return ipa;
  if (!stage2Walk(ipa) || !s2Permits(Access.Read)) {
    fltS1ptw = true;
    fltIpa = ipa;
    return u64.MAX_VALUE;
  }
  // HCR_EL2.PTW: a stage-1 walk that lands on stage-2 Device memory is a stage-2 permission fault.
  if (s2Device && (sysGet(SR_HCR_EL2) & HCR_PTW) != 0) {
    fault(Fsc.Permission, s2Level, true);
    fltS1ptw = true;
    fltIpa = ipa;
    return u64.MAX_VALUE;
  }
  return s2Pa;
}

// ---- stage 1 ----

/** Result of a stage-1 walk: output address, memory type, permissions, leaf level and size, nG. */
let s1Oa: u64 = 0;
let s1Device: bool = false;
let s1Perm: u32 = 0;
let s1Level: i32 = 3;
let s1Shift: u32 = 12;
let s1Ng: bool = false;

/** MAIR attribute byte → Device? (0b0000dd00 encodings, Arm ARM D17.2.97). */
@inline function mairIsDevice(mair: u64, idx: u32): bool {
  const attr = <u32>(mair >> (<u64>idx << 3)) & 0xff;
  return (attr & 0xf0) == 0;
}

/**
 * The stage-1 walk proper (shared by EL1&0 and EL2). Hierarchical permissions (APTable, XNTable)
 * apply; `twoRanges` is true for the EL1&0 regime (AP[1] is EL0 access; EL2 has no EL0). Leaves
 * the full permission set (P_* bits for EL0 and EL1/EL2) in s1Perm.
 */
function walkS1(va: u64, s2on: bool, inBits: u32, ttbr: u64, ips: u32, mair: u64, wxn: u64, twoRanges: bool): bool {
  let level: i32 = 4 - <i32>((inBits - 12 + 8) / 9);
  let indexBits: u64 = <u64>inBits - levelShift(level);
  // BADDR is bits 47:1, aligned to the start table's size; bits above the output size → Address
  // size fault at level 0 (AArch64.TranslationTableWalk).
  const baddr = ttbr & 0x0000_ffff_ffff_fffe;
  if ((baddr >> ips) != 0) return fault(Fsc.AddressSize, 0, false);
  let table = baddr & ~((<u64>1 << (indexBits + 3)) - 1);
  let apTable: u64 = 0, pxnTable: bool = false, uxnTable: bool = false;
  while (true) {
    const shift = levelShift(level);
    const idx = (va >> shift) & ((<u64>1 << indexBits) - 1);
    const pa = walkAddr(table + (idx << 3), s2on);
    if (pa == u64.MAX_VALUE) return false;
    if (!readDesc(pa, level, false)) return false;
    const d = descVal;
    if ((d & 1) == 0) return fault(Fsc.Translation, level, false);
    const isTable = (d & 2) != 0;
    if (level == 3 ? !isTable : (!isTable && level == 0)) return fault(Fsc.Translation, level, false);
    const oa = d & DESC_ADDR_MASK;
    if ((oa >> ips) != 0) return fault(Fsc.AddressSize, level, false);
    if (isTable && level < 3) {
      apTable |= d & (T_APTABLE0 | T_APTABLE1);
      if ((d & T_PXNTABLE) != 0) pxnTable = true;
      if ((d & T_UXNTABLE) != 0) uxnTable = true;
      table = oa;
      level++;
      indexBits = 9;
      continue;
    }
    if ((d & D_AF) == 0) return fault(Fsc.AccessFlag, level, false);
    // Permissions (Arm ARM D5.4): AP[2] read-only, AP[1] EL0 access (EL1&0 only), APTable limits.
    const readOnly = (d & D_AP2) != 0 || (apTable & T_APTABLE1) != 0;
    let perm: u32 = P_R1;
    if (!readOnly) perm |= P_W1;
    if (twoRanges) {
      const el0 = (d & D_AP1) != 0 && (apTable & T_APTABLE0) == 0;
      if (el0) {
        perm |= P_R0;
        if (!readOnly) perm |= P_W0;
      }
      if ((d & D_UXN) == 0 && !uxnTable) perm |= P_X0;
      // EL1 cannot execute from memory writable at EL0 (Arm ARM D5.4.5).
      const el0Writable = (d & D_AP1) != 0 && (d & D_AP2) == 0;
      if ((d & D_PXN) == 0 && !pxnTable && !el0Writable) perm |= P_X1;
    } else {
      if ((d & D_UXN) == 0 && !uxnTable) perm |= P_X1;
    }
    // SCTLR.WXN: writable memory is never executable.
    if (wxn != 0) {
      if ((perm & P_W0) != 0) perm &= ~P_X0;
      if ((perm & P_W1) != 0) perm &= ~P_X1;
    }
    const mask = (<u64>1 << shift) - 1;
    s1Oa = (oa & ~mask) | (va & mask);
    s1Device = mairIsDevice(mair, <u32>(d >> 2) & 7);
    s1Perm = perm;
    s1Level = level;
    s1Shift = <u32>shift;
    s1Ng = (d & D_NG) != 0;
    return true;
  }
  return false;
}

/** Permission bit a stage-1 access needs. */
@inline function s1Need(acc: Access, el0: bool): u32 {
  if (el0) return acc == Access.Read ? P_R0 : acc == Access.Write ? P_W0 : P_X0;
  return acc == Access.Read ? P_R1 : acc == Access.Write ? P_W1 : P_X1;
}

/** Stage-1 walk of the EL1&0 regime: TTBR selection, TBI, T0SZ/T1SZ, EPD (Arm ARM D5.2.6). */
function walkS1El10(va: u64, acc: Access, s2on: bool, sctlr: u64): bool {
  const tcr = sysGet(SR_TCR_EL1);
  // Top byte ignore (TBI0/TBI1) for data accesses only.
  const top = (va >> 55) & 1;
  const tbi = top == 0 ? (tcr >> 37) & 1 : (tcr >> 38) & 1;
  let vaEff = va;
  if (tbi != 0 && acc != Access.Exec) vaEff = top == 0 ? va & 0x00ff_ffff_ffff_ffff : va | 0xff00_0000_0000_0000;
  let tsz: u32, ttbr: u64, epd: u64;
  if ((vaEff >> 63) == 0) {
    tsz = <u32>(tcr & 63);
    ttbr = sysGet(SR_TTBR0_EL1);
    epd = (tcr >> 7) & 1;
  } else {
    tsz = <u32>(tcr >> 16) & 63;
    ttbr = sysGet(SR_TTBR1_EL1);
    epd = (tcr >> 23) & 1;
  }
  if (tsz < 16) tsz = 16;
  if (tsz > 39) tsz = 39;
  const inBits: u32 = 64 - tsz;
  // The VA must be all zeros (TTBR0) or all ones (TTBR1) above the input size.
  const hi = vaEff >> inBits;
  const inRange = (vaEff >> 63) == 0 ? hi == 0 : hi == (u64.MAX_VALUE >> inBits);
  if (!inRange || epd != 0) return fault(Fsc.Translation, 0, false);
  const ips = min(paBits(<u32>(tcr >> 32) & 7), PA_BITS);
  return walkS1(vaEff, s2on, inBits, ttbr, ips, sysGet(SR_MAIR_EL1), (sctlr >> 19) & 1, true);
}

/**
 * Full translation of `va` for an access of kind `acc` by the active CPU at its current EL;
 * `asEl0` checks permissions as EL0 (LDTR/STTR, and EL0 itself).
 * Returns true with trPa/trDevice set, or false with flt* set.
 */
export function translate(va: u64, acc: Access, asEl0: bool): bool {
  const e = S.el;
  if (e == 2) return translateEl2(va, acc);
  const el0 = asEl0 || e == 0;
  const hcr = sysGet(SR_HCR_EL2);
  const s2on = stage2Enabled();
  const sctlr = sysGet(SR_SCTLR_EL1);
  // Stage 1 is off when SCTLR_EL1.M = 0, or forced off by HCR_EL2.DC / TGE (Arm ARM D5.2.9).
  const s1on = (sctlr & 1) != 0 && (hcr & (HCR_DC | HCR_TGE)) == 0;
  if (!s1on && !s2on) {
    // Flat map: output = input; data is Device-nGnRnE (no TLB entry: nothing to cache).
    if ((va >> PA_BITS) != 0) return fault(Fsc.AddressSize, 0, false);
    trPa = va;
    trDevice = acc != Access.Exec;
    trCacheable = false;
    return true;
  }
  const vmid = currentVmid();
  const asid = s1on ? currentAsid() : 0;
  const need = s1Need(acc, el0);
  if (tlbLookup(TLB_S1, vmid, asid, va) && (hitPerms() & need) != 0) {
    trPa = hitPa(va);
    trDevice = hitDevice();
    trCacheable = true;
    return true;
  }
  let ipa: u64, device: bool, perm: u32, shift: u32, ng: bool;
  if (!s1on) {
    if ((va >> PA_BITS) != 0) return fault(Fsc.AddressSize, 0, false);
    ipa = va;
    device = acc != Access.Exec && (hcr & HCR_DC) == 0;
    perm = P_R0 | P_W0 | P_X0 | P_R1 | P_W1 | P_X1;
    shift = 30;
    ng = false;
  } else {
    if (!walkS1El10(va, acc, s2on, sctlr)) return false;
    if ((s1Perm & need) == 0) return fault(Fsc.Permission, s1Level, false);
    ipa = s1Oa;
    device = s1Device;
    perm = s1Perm;
    shift = s1Shift;
    ng = s1Ng;
  }
  let pa = ipa;
  if (s2on) {
    if (!stage2Walk(ipa)) return false;
    if (!s2Permits(acc)) return false;
    pa = s2Pa;
    device = device || s2Device;
    if (s2Shift < shift) shift = s2Shift;
    // Combine: stage 2 removes what it does not permit, for every EL.
    if ((s2Perm & S2P_R) == 0) perm &= ~(P_R0 | P_R1);
    if ((s2Perm & S2P_W) == 0) perm &= ~(P_W0 | P_W1);
    if ((s2Perm & S2P_X) == 0) perm &= ~(P_X0 | P_X1);
  }
  const mask = (<u64>1 << shift) - 1;
  tlbInsert(TLB_S1, vmid, asid, !ng, va & ~mask, pa & ~mask, shift, perm, device);
  trPa = pa;
  trDevice = device;
  trCacheable = true;
  return true;
}

/** The EL2 regime (E2H = 0): one range, TTBR0_EL2, no stage 2, no ASID. */
function translateEl2(va: u64, acc: Access): bool {
  const sctlr = sysGet(SR_SCTLR_EL2);
  if ((sctlr & 1) == 0) {
    if ((va >> PA_BITS) != 0) return fault(Fsc.AddressSize, 0, false);
    trPa = va;
    trDevice = acc != Access.Exec;
    trCacheable = false;
    return true;
  }
  const need = s1Need(acc, false);
  const tcr = sysGet(SR_TCR_EL2);
  let vaEff = va;
  if (((tcr >> 20) & 1) != 0 && acc != Access.Exec) vaEff = va & 0x00ff_ffff_ffff_ffff;
  if (tlbLookup(TLB_EL2, 0, 0, vaEff) && (hitPerms() & need) != 0) {
    trPa = hitPa(vaEff);
    trDevice = hitDevice();
    trCacheable = true;
    return true;
  }
  let tsz = <u32>(tcr & 63);
  if (tsz < 16) tsz = 16;
  if (tsz > 39) tsz = 39;
  const inBits: u32 = 64 - tsz;
  if ((vaEff >> inBits) != 0) return fault(Fsc.Translation, 0, false);
  const ps = min(paBits(<u32>(tcr >> 16) & 7), PA_BITS);
  if (!walkS1(vaEff, false, inBits, sysGet(SR_TTBR0_EL2), ps, sysGet(SR_MAIR_EL2), (sctlr >> 19) & 1, false)) return false;
  if ((s1Perm & need) == 0) return fault(Fsc.Permission, s1Level, false);
  const mask = (<u64>1 << s1Shift) - 1;
  tlbInsert(TLB_EL2, 0, 0, true, vaEff & ~mask, s1Oa & ~mask, s1Shift, s1Perm, s1Device);
  trPa = s1Oa;
  trDevice = s1Device;
  trCacheable = true;
  return true;
}
