// The PMU cycle counter PMCCNTR_EL0 (Arm ARM D11.5; ../shared/spec/arm.md). It counts the CPU's
// simulated cycles while PMCR_EL0.E = 1 and PMCNTENSET_EL0.C (bit 31) = 1, in the ELs that
// PMCCFILTR_EL0 allows: P (bit 31) stops EL1, U (bit 30) stops EL0, and EL2 counts only with
// NSH (bit 27) = 1. PMCR_EL0.D (bit 3) makes it count once every 64 cycles.
//
// The counter is folded lazily: whenever the counting conditions may change (a write to one of
// the PMU controls, a change of EL seen by the run loop, the start and end of a run) the cycles
// since the last fold are added under the EL the CPU was in. A change of EL is noticed at the
// next instruction boundary, so the instruction that raised an exception is charged to the EL it
// ran at.

import * as S from "./state";
import { hdr, sysGet, sysSet } from "./state";
import * as G from "./sysregs.gen";

const PMCR_E: u64 = 1 << 0;
const PMCR_C: u64 = 1 << 2;
const PMCR_D: u64 = 1 << 3;
const PMCNTEN_C: u64 = <u64>1 << 31;
const FILT_P: u64 = <u64>1 << 31;
const FILT_U: u64 = 1 << 30;
const FILT_NSH: u64 = 1 << 27;

/** Whether PMCCNTR_EL0 counts at `el` under the current controls. */
function counts(el: u32): bool {
  if ((sysGet(G.SR_PMCR_EL0) & PMCR_E) == 0 || (sysGet(G.SR_PMCNTENSET_EL0) & PMCNTEN_C) == 0) return false;
  const f = sysGet(G.SR_PMCCFILTR_EL0);
  if (el == 0) return (f & FILT_U) == 0;
  if (el == 1) return (f & FILT_P) == 0;
  return (f & FILT_NSH) != 0;
}

/** Adds the cycles up to `now` under the EL the CPU was in, and starts a new interval at the current EL. */
export function pmuFold(now: u64): void {
  const h = hdr();
  if (now > h.pmuSince && counts(h.pmuEl)) {
    let d = now - h.pmuSince;
    if ((sysGet(G.SR_PMCR_EL0) & PMCR_D) != 0) {
      const t = <u64>h.pmuDiv + d;
      d = t >> 6;
      h.pmuDiv = <u32>(t & 63);
    }
    sysSet(G.SR_PMCCNTR_EL0, sysGet(G.SR_PMCCNTR_EL0) + d);
  }
  if (now > h.pmuSince) h.pmuSince = now;
  h.pmuEl = S.el;
}

/** PMU registers whose writes change what the counter counts; the caller folds first. */
export function isPmuControl(id: i32): bool {
  return id == G.SR_PMCR_EL0 || id == G.SR_PMCNTENSET_EL0 || id == G.SR_PMCNTENCLR_EL0
    || id == G.SR_PMCCFILTR_EL0 || id == G.SR_PMCCNTR_EL0;
}

/** The write side effects of the PMU controls (after the fold). Returns false if `id` is not one. */
export function pmuWrite(id: i32, v: u64): bool {
  switch (id) {
    case G.SR_PMCR_EL0: {
      // C and P are write-only actions (they read as 0): C resets the cycle counter.
      if ((v & PMCR_C) != 0) { sysSet(G.SR_PMCCNTR_EL0, 0); hdr().pmuDiv = 0; }
      const keep = sysGet(G.SR_PMCR_EL0) & ~(<u64>0xff);
      sysSet(G.SR_PMCR_EL0, keep | (v & 0x79));   // E, D, X, DP, LC are writable (C, P read as 0)
      return true;
    }
    // PMCNTENSET/CLR: write-1-to-set/clear views of one enable register (bit 31 C and 6 event counters).
    case G.SR_PMCNTENSET_EL0: {
      const en = (sysGet(G.SR_PMCNTENSET_EL0) | v) & (PMCNTEN_C | 0x3f);
      sysSet(G.SR_PMCNTENSET_EL0, en); sysSet(G.SR_PMCNTENCLR_EL0, en);
      return true;
    }
    case G.SR_PMCNTENCLR_EL0: {
      const en = sysGet(G.SR_PMCNTENSET_EL0) & ~v & (PMCNTEN_C | 0x3f);
      sysSet(G.SR_PMCNTENSET_EL0, en); sysSet(G.SR_PMCNTENCLR_EL0, en);
      return true;
    }
    default:
      return false;
  }
}
