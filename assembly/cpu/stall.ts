// Stall cycles: simulated time a CPU spends beyond one cycle per instruction. The only source
// the core charges itself is the hardware page-table walker — `walkCost` cycles per descriptor
// read on a TLB miss (a stage-2-translated stage-1 walk reads up to 24 descriptors, so guests
// under a hypervisor pay for nested walks exactly as often as they miss). The host sets the
// cost (0 = off, the default: one cycle per instruction, nothing else).
//
// During run() the stall accumulates in `runStall`, which nowCycles() adds to the instruction
// count, so the counters (CNTPCT/CNTVCT), the timers' segment ends and the PMU cycle counter all
// see it; run() adds it to CpuHeader.cycles at the end. Outside run() a walk is charged only when
// the host asks for it (translateVa with `charge`: KServ's own memory accesses behind SeKVM's
// host stage 2), straight onto the CPU's clock.

import { setAttention } from "./exception";

/** Cycles charged per descriptor read of the hardware walker (0: walks are free). */
export let walkCost: u64 = 0;
export function setWalkCost(c: u64): void { walkCost = c; }

/** Whether walks are charged now (inside run(), or a charged host translation). */
export let stallOn: bool = false;
/** Stall cycles charged since the last stallBegin(). */
export let runStall: u64 = 0;

/** Starts charging walks into runStall (from 0). */
export function stallBegin(on: bool): void { runStall = 0; stallOn = on && walkCost != 0; }
/** Stops charging; returns the stall accumulated since stallBegin(). */
export function stallEnd(): u64 { stallOn = false; const s = runStall; runStall = 0; return s; }

/**
 * One descriptor read by the walker. The run loop must re-derive its timer segment end from the
 * new time, so this raises `attention` (walks are rare next to instructions: a TLB miss each).
 */
@inline export function chargeWalk(): void {
  if (stallOn) { runStall += walkCost; setAttention(); }
}
