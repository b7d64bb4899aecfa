// The generic timer (Arm ARM D11): per CPU, the EL1 physical timer (CNTP_*, PPI 30), the virtual
// timer (CNTV_*, PPI 27, compared with CNTVCT = CNTPCT − CNTVOFF_EL2) and the EL2 physical timer
// (CNTHP_*, PPI 26). A timer's output is asserted while ENABLE = 1, IMASK = 0 and the counter
// has reached CVAL; the output is a level-sensitive PPI into the CPU's redistributor.
// The counter is derived from the CPU's simulated cycles (sysreg.ts: counter = cycles × CNTFRQ /
// cpu Hz), so time advances exactly with execution and the run is deterministic.

import * as S from "../cpu/state";
import * as G from "../cpu/sysregs.gen";
import { CPU_BLOCK_SIZE, SYS_OFF, CpuHeader } from "../layout";
import { cntMul } from "../cpu/sysreg";
import { umulh } from "../cpu/alu";
import { gicSetLevel } from "../gic/gic";

export const PPI_HYP_TIMER: u32 = 26;
export const PPI_VIRT_TIMER: u32 = 27;
export const PPI_PHYS_TIMER: u32 = 30;

@inline function sysOf(cpu: i32, id: i32): u64 {
  return load<u64>(S.cpuBlocks + <usize>cpu * CPU_BLOCK_SIZE + SYS_OFF + (<usize>id << 3));
}

@inline function countAt(cycles: u64): u64 { return umulh(cycles, cntMul); }

/** Timer output: ENABLE && !IMASK && count ≥ CVAL. */
@inline function fires(ctl: u64, cval: u64, count: u64): bool {
  return (ctl & 3) == 1 && count >= cval;
}

/** Updates the three timer PPIs of `cpu` for the time `cycles`. */
export function timerUpdate(cpu: i32, cycles: u64): void {
  const phys = countAt(cycles);
  const virt = phys - sysOf(cpu, G.SR_CNTVOFF_EL2);
  gicSetLevel(cpu, PPI_PHYS_TIMER, fires(sysOf(cpu, G.SR_CNTP_CTL_EL0), sysOf(cpu, G.SR_CNTP_CVAL_EL0), phys));
  gicSetLevel(cpu, PPI_VIRT_TIMER, fires(sysOf(cpu, G.SR_CNTV_CTL_EL0), sysOf(cpu, G.SR_CNTV_CVAL_EL0), virt));
  gicSetLevel(cpu, PPI_HYP_TIMER, fires(sysOf(cpu, G.SR_CNTHP_CTL_EL2), sysOf(cpu, G.SR_CNTHP_CVAL_EL2), phys));
}

/** The first cycle count at which the physical counter reaches `tick`. */
function cycleOfTick(tick: u64): u64 {
  if (cntMul == 0) return u64.MAX_VALUE;
  const approx = <f64>tick * (18446744073709551616.0 / <f64>cntMul);
  if (approx >= 1.8e19) return u64.MAX_VALUE;
  let lo: u64 = approx > 65536.0 ? <u64>approx - 65536 : 0;
  let hi: u64 = <u64>approx + 65536;
  // Smallest c in [lo, hi] with countAt(c) >= tick.
  while (lo < hi) {
    const mid = lo + ((hi - lo) >> 1);
    if (countAt(mid) >= tick) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/** The next cycle count (> now) at which one of `cpu`'s enabled, unmasked timers fires, or MAX. */
export function timerDeadline(cpu: i32, nowCycles: u64): u64 {
  let best = u64.MAX_VALUE;
  const voff = sysOf(cpu, G.SR_CNTVOFF_EL2);
  const now = countAt(nowCycles);
  best = min(best, deadlineOf(sysOf(cpu, G.SR_CNTP_CTL_EL0), sysOf(cpu, G.SR_CNTP_CVAL_EL0), now));
  best = min(best, deadlineOf(sysOf(cpu, G.SR_CNTV_CTL_EL0), sysOf(cpu, G.SR_CNTV_CVAL_EL0) + voff, now));
  best = min(best, deadlineOf(sysOf(cpu, G.SR_CNTHP_CTL_EL2), sysOf(cpu, G.SR_CNTHP_CVAL_EL2), now));
  return best;
}

@inline function deadlineOf(ctl: u64, cvalPhys: u64, now: u64): u64 {
  if ((ctl & 3) != 1 || now >= cvalPhys) return u64.MAX_VALUE;
  return cycleOfTick(cvalPhys);
}

export function cpuCyclesOf(cpu: i32): u64 {
  return changetype<CpuHeader>(S.cpuBlocks + <usize>cpu * CPU_BLOCK_SIZE).cycles;
}
