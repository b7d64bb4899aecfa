// TLB maintenance (TLBI) and cache-maintenance faults. Until the architectural TLB model exists,
// the only translation cache is the per-CPU uTLB, so every TLBI flushes the uTLB of the CPUs it
// reaches: the local CPU, or every CPU for the inner-shareable (IS) forms.

import * as S from "../cpu/state";
import { utlbFlushCpu, utlbFlushAll } from "./tlb";
import { invalidateFetch, takeException, esrOf } from "../cpu/exception";
import { Ec, ExcKind } from "../enums";
import { fltFsc, fltStage2, fltS1ptw, fltIpa, HCR_TGE } from "./translate";
import { SR_HCR_EL2, SR_HPFAR_EL2 } from "../cpu/sysregs.gen";

export let tlbiCount: u64 = 0;

export function tlbiLocal(sid: i32, xt: u64): void {
  tlbiCount++;
  utlbFlushCpu(S.curCpu);
  invalidateFetch();
}

export function tlbiBroadcast(sid: i32, xt: u64): void {
  tlbiCount++;
  utlbFlushAll();
  invalidateFetch();
}

/** Data abort for a cache-maintenance instruction by VA (ESR.CM = 1, WnR = 1 for DC IVAC). */
export function dataAbortCm(va: u64, wnr: bool): void {
  const target: u32 = fltStage2 ? 2 : (S.el == 2 ? 2 : ((S.sysGet(SR_HCR_EL2) & HCR_TGE) != 0 && S.el == 0 ? 2 : 1));
  const ec: u32 = target == S.el ? Ec.DabtCur : Ec.DabtLow;
  const iss: u32 = fltFsc | (1 << 8) | (wnr ? 1 << 6 : 0) | (fltS1ptw ? 1 << 7 : 0);
  if (fltStage2) S.sysSet(SR_HPFAR_EL2, (fltIpa >> 12) << 4);
  takeException(target, ExcKind.Sync, esrOf(ec, iss), va, true, S.pc);
}
