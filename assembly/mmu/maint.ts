// TLB maintenance instructions (Arm ARM D5.10, C5.5; ../shared/spec/arm.md §5) and the data
// abort of a cache-maintenance instruction. A TLBI uses the VMID in VTTBR_EL2 at the time it is
// executed; the IS forms (and EL1 TLBIs with HCR_EL2.FB = 1) reach every pCPU.

import * as S from "../cpu/state";
import * as G from "../cpu/sysregs.gen";
import { invalidateFetch, takeException, esrOf } from "../cpu/exception";
import { Ec, ExcKind } from "../enums";
import { fltFsc, fltStage2, fltS1ptw, fltIpa, HCR_TGE, currentVmid } from "./translate";
import { HCR_FB } from "../cpu/hcr";
import {
  tlbInvalidate, INV_ALL_EL10, INV_VMID_S12, INV_VMID_S1, INV_VA, INV_VAA, INV_ASID, INV_IPA, INV_EL2_ALL, INV_EL2_VA,
} from "./tlb";

export let tlbiCount: u64 = 0;
export function setTlbiCount(v: u64): void { tlbiCount = v; }


/** Whether system-instruction id `sid` is an inner-shareable (broadcast) TLBI. */
function isBroadcast(sid: i32): bool {
  return sid == G.SI_TLBI_VMALLE1IS || sid == G.SI_TLBI_VAE1IS || sid == G.SI_TLBI_ASIDE1IS
    || sid == G.SI_TLBI_VAAE1IS || sid == G.SI_TLBI_VALE1IS || sid == G.SI_TLBI_VAALE1IS
    || sid == G.SI_TLBI_IPAS2E1IS || sid == G.SI_TLBI_IPAS2LE1IS || sid == G.SI_TLBI_ALLE2IS
    || sid == G.SI_TLBI_VAE2IS || sid == G.SI_TLBI_ALLE1IS || sid == G.SI_TLBI_VALE2IS
    || sid == G.SI_TLBI_VMALLS12E1IS;
}

/** Executes TLBI `sid` with operand `xt` on the active CPU (and, for broadcasts, every CPU). */
export function tlbi(sid: i32, xt: u64): void {
  tlbiCount++;
  let what: u32;
  const vmid = currentVmid();
  const asidBits = ((S.sysGet(G.SR_TCR_EL1) >> 36) & 1) != 0 ? 16 : 8;
  const asid = <u32>(xt >> 48) & ((1 << asidBits) - 1);
  let page: u64 = xt & 0x0000_0fff_ffff_ffff;    // VA[55:12] in Xt[43:0]
  switch (sid) {
    case G.SI_TLBI_VMALLE1IS: case G.SI_TLBI_VMALLE1: what = INV_VMID_S1; break;
    case G.SI_TLBI_VAE1IS: case G.SI_TLBI_VAE1: case G.SI_TLBI_VALE1IS: case G.SI_TLBI_VALE1: what = INV_VA; break;
    case G.SI_TLBI_VAAE1IS: case G.SI_TLBI_VAAE1: case G.SI_TLBI_VAALE1IS: case G.SI_TLBI_VAALE1: what = INV_VAA; break;
    case G.SI_TLBI_ASIDE1IS: case G.SI_TLBI_ASIDE1: what = INV_ASID; break;
    case G.SI_TLBI_IPAS2E1IS: case G.SI_TLBI_IPAS2E1: case G.SI_TLBI_IPAS2LE1IS: case G.SI_TLBI_IPAS2LE1:
      what = INV_IPA;
      page = xt & 0x0000_000f_ffff_ffff;    // IPA[47:12] in Xt[35:0]
      break;
    case G.SI_TLBI_ALLE1IS: case G.SI_TLBI_ALLE1: what = INV_ALL_EL10; break;
    case G.SI_TLBI_VMALLS12E1IS: case G.SI_TLBI_VMALLS12E1: what = INV_VMID_S12; break;
    case G.SI_TLBI_ALLE2IS: case G.SI_TLBI_ALLE2: what = INV_EL2_ALL; break;
    default: what = INV_EL2_VA; break;    // VAE2, VALE2 (and IS)
  }
  const broadcast = isBroadcast(sid) || (S.el == 1 && (S.sysGet(G.SR_HCR_EL2) & HCR_FB) != 0);
  if (broadcast) {
    for (let c = 0; c < S.numCpus; c++) tlbInvalidate(c, what, vmid, asid, page);
  } else {
    tlbInvalidate(S.curCpu, what, vmid, asid, page);
  }
  invalidateFetch();
}

/** Data abort for a cache-maintenance instruction by VA (ESR.CM = 1, WnR = 1 for DC IVAC). */
export function dataAbortCm(va: u64, wnr: bool): void {
  const target: u32 = fltStage2 ? 2 : (S.el == 2 ? 2 : ((S.sysGet(G.SR_HCR_EL2) & HCR_TGE) != 0 && S.el == 0 ? 2 : 1));
  const ec: u32 = target == S.el ? Ec.DabtCur : Ec.DabtLow;
  const iss: u32 = fltFsc | (1 << 8) | (wnr ? 1 << 6 : 0) | (fltS1ptw ? 1 << 7 : 0);
  if (fltStage2) S.sysSet(G.SR_HPFAR_EL2, (fltIpa >> 12) << 4);
  takeException(target, ExcKind.Sync, esrOf(ec, iss), va, true, S.pc);
}
