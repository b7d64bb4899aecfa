// Exception entry and return (Arm ARM D1.10–D1.11; ../shared/spec/arm.md §3). One entry path for
// every exception: it writes ESR/ELR/SPSR/FAR of the target EL and vectors through VBAR. If the
// target EL is implemented by the host (e.g. EL2 = KCore in TypeScript, or EL1 = the `user`
// runner's kernel), run() stops and returns an Exception exit; the host resumes with eret().

import { ExitReason, ExcKind, Ec } from "../enums";
import {
  pc, el, spsel, daif, nzcv, hdr, curExit, sysGet, sysSet, setElSp, pstateToSpsr,
} from "./state";
import * as S from "./state";
import {
  SR_ELR_EL1, SR_SPSR_EL1, SR_ESR_EL1, SR_FAR_EL1, SR_VBAR_EL1,
  SR_ELR_EL2, SR_SPSR_EL2, SR_ESR_EL2, SR_FAR_EL2, SR_VBAR_EL2, SR_HPFAR_EL2, SR_HCR_EL2,
} from "./sysregs.gen";
import { HCR_TGE } from "../mmu/translate";

/** Bitmask of ELs implemented by the host: bit n set = exceptions to ELn exit run(). */
export let hostEls: u32 = 0;
export function setHostEls(mask: u32): void { hostEls = mask; }

/**
 * Set when the run loop must stop or look at something before the next instruction
 * (a host exit, a pending interrupt, PSTATE.IL, a changed translation context).
 */
export let attention: bool = false;
export let stopRun: bool = false;
/** The current fetch page is no longer valid (EL, translation or code changed). */
export let fetchInvalid: bool = true;

export function requestStop(): void { stopRun = true; attention = true; }
/** The fetch page must be looked up again before the next instruction (EL, MMU or code change). */
export function invalidateFetch(): void { fetchInvalid = true; attention = true; }
export function validateFetch(): void { fetchInvalid = false; }
export function clearStop(): void { stopRun = false; }
export function setAttention(): void { attention = true; }
export function clearAttention(): void { attention = false; }

export const DAIF_ALL: u32 = 0x3c0;
export const IL_BIT: u32 = 1 << 25;

/** ESR value for class `ec` with IL = 1 (32-bit instruction) and syndrome `iss`. */
@inline export function esrOf(ec: u32, iss: u32): u64 {
  return <u64>((ec << 26) | IL_BIT | (iss & 0x1ffffff));
}

/**
 * Takes an exception to EL `target`.
 * @param kind  Sync / Irq / Fiq / SError (vector slot)
 * @param esr   syndrome (written for Sync and SError)
 * @param far   fault address, written when `farValid`
 * @param ret   preferred return address (ELR)
 */
export function takeException(target: u32, kind: ExcKind, esr: u64, far: u64, farValid: bool, ret: u64): void {
  const spsr = pstateToSpsr();
  // Vector offset: current EL with SP_EL0 / SP_ELx, or lower EL (AArch64; no AArch32 here).
  let off: u64 = target == el ? (spsel == 0 ? 0x000 : 0x200) : 0x400;
  off += <u64>kind * 0x80;
  let vbar: u64;
  if (target == 2) {
    sysSet(SR_ELR_EL2, ret);
    sysSet(SR_SPSR_EL2, spsr);
    if (kind == ExcKind.Sync || kind == ExcKind.SError) sysSet(SR_ESR_EL2, esr);
    if (farValid) sysSet(SR_FAR_EL2, far);
    vbar = sysGet(SR_VBAR_EL2);
  } else {
    sysSet(SR_ELR_EL1, ret);
    sysSet(SR_SPSR_EL1, spsr);
    if (kind == ExcKind.Sync || kind == ExcKind.SError) sysSet(SR_ESR_EL1, esr);
    if (farValid) sysSet(SR_FAR_EL1, far);
    vbar = sysGet(SR_VBAR_EL1);
  }
  hdr().il = 0;
  S.daif = DAIF_ALL;
  setElSp(target, 1);
  S.pc = (vbar & ~(<u64>0x7ff)) + off;
  fetchInvalid = true;
  attention = true;
  if ((hostEls >> target) & 1) {
    const x = curExit();
    x.reason = ExitReason.Exception;
    x.targetEl = target;
    x.kind = kind;
    x.esr = esr;
    x.far = farValid ? far : 0;
    x.hpfar = target == 2 ? sysGet(SR_HPFAR_EL2) : 0;
    stopRun = true;
  }
}

/** The EL a synchronous exception from the current EL is taken to (Arm ARM D1.10.1). */
@inline export function syncTargetEl(): u32 {
  if (el == 0) return (sysGet(SR_HCR_EL2) & HCR_TGE) != 0 ? 2 : 1;
  return el;
}

/** Takes a synchronous exception of class `ec` to the default target EL, returning to `ret`. */
export function syncException(ec: u32, iss: u32, ret: u64): void {
  takeException(syncTargetEl(), ExcKind.Sync, esrOf(ec, iss), 0, false, ret);
}

/** The UNDEFINED exception for the current instruction (EC 0x00). */
export function undefined_(): void {
  syncException(Ec.Unknown, 0, pc);
}

/**
 * ERET from the current EL (Arm ARM D1.11, AArch64.ExceptionReturn): PC ← ELR_ELx,
 * PSTATE ← SPSR_ELx; an illegal return sets PSTATE.IL and keeps the EL (arm.md §3.7).
 */
export function exceptionReturn(): void {
  const fromEl = el;
  const spsr = fromEl == 2 ? sysGet(SR_SPSR_EL2) : sysGet(SR_SPSR_EL1);
  const elr = fromEl == 2 ? sysGet(SR_ELR_EL2) : sysGet(SR_ELR_EL1);
  const m = <u32>spsr & 0x1f;
  const tEl = (m >> 2) & 3;
  const tSp = m & 1;
  let illegal = (m & 0x10) != 0          // AArch32 is not implemented
    || tEl > fromEl                      // return to a higher EL
    || tEl == 3                          // EL3 is not implemented
    || (tEl == 0 && tSp != 0)            // EL0 has no SP_ELx (M = 0b0001 is reserved)
    || (m & 2) != 0                      // M[1] is reserved
    || (tEl == 1 && fromEl == 2 && (sysGet(SR_HCR_EL2) & HCR_TGE) != 0);
  S.nzcv = <u32>(spsr >> 28) & 0xf;
  S.daif = <u32>spsr & DAIF_ALL;
  if (illegal) {
    hdr().il = 1;
  } else {
    hdr().il = <u32>(spsr >> 20) & 1;
    setElSp(tEl, tSp);
  }
  S.pc = elr;
  const h = hdr();
  h.exValid = 0;   // an exception return clears the local exclusive monitor
  fetchInvalid = true;
  attention = true;
}
