// GICv3 (Arm IHI 0069): distributor, one redistributor per CPU, the CPU interface system
// registers (ICC_*), and the virtualization interface (ICH_* list registers, maintenance
// interrupt, and the virtual CPU interface seen as ICC_* at EL1 when HCR_EL2.IMO = 1).
//
// Model: one security state (GICD_CTLR.DS = 1, as QEMU's virt without secure=on), affinity
// routing always on, 256 INTIDs (SGIs 0–15, PPIs 16–31, SPIs 32–255), 5 bits of priority
// (ICC_CTLR_EL1.PRIbits = 4; active priorities in AP0R0/AP1R0, one bit per priority group),
// group 0 signalled as FIQ and group 1 as IRQ. No LPIs/ITS, no 1-of-N SPI routing beyond
// "lowest-numbered CPU that matches", no GICv2 compatibility (ICC_SRE_ELx.SRE is RAO/WI).
// After any change, gicUpdate(cpu) recomputes that CPU's IRQ/FIQ/vIRQ/vFIQ lines.

import * as S from "../cpu/state";
import { CpuHeader, CPU_BLOCK_SIZE, SYS_OFF } from "../layout";
import * as G from "../cpu/sysregs.gen";
import { invalidateFetch } from "../cpu/exception";
import { LINE_FIQ, LINE_IRQ, LINE_VFIQ, LINE_VIRQ } from "../cpu/hcr";

export const NUM_INTIDS: i32 = 256;
export const MAX_GIC_CPUS: i32 = 64;
export const SPURIOUS: u32 = 1023;
export const PPI_MAINT: u32 = 25;


// Per-INTID state, one byte per field. Distributor: index = INTID (SPIs 32..255).
// Redistributor of CPU c: index = c * 32 + INTID (SGIs/PPIs).
const D_GROUP = memory.data(NUM_INTIDS);
const D_ENABLE = memory.data(NUM_INTIDS);
const D_PEND = memory.data(NUM_INTIDS);
const D_ACTIVE = memory.data(NUM_INTIDS);
const D_PRIO = memory.data(NUM_INTIDS);
const D_CFG = memory.data(NUM_INTIDS);       // 1 = edge-triggered
const D_LEVEL = memory.data(NUM_INTIDS);     // input line level (level-sensitive SPIs)
const D_ROUTE = memory.data(NUM_INTIDS * 8, 8);
const R_GROUP = memory.data(MAX_GIC_CPUS * 32);
const R_ENABLE = memory.data(MAX_GIC_CPUS * 32);
const R_PEND = memory.data(MAX_GIC_CPUS * 32);
const R_ACTIVE = memory.data(MAX_GIC_CPUS * 32);
const R_PRIO = memory.data(MAX_GIC_CPUS * 32);
const R_CFG = memory.data(MAX_GIC_CPUS * 32);
const R_LEVEL = memory.data(MAX_GIC_CPUS * 32);
const R_WAKER = memory.data(MAX_GIC_CPUS * 4, 4);

export let gicdCtlr: u32 = 0;
export function setGicdCtlr(v: u32): void { gicdCtlr = v; }
export let gicdBase: u64 = 0x0800_0000;
export let gicrBase: u64 = 0x080a_0000;
let gicOn: bool = false;

export function gicInit(dBase: u64, rBase: u64): void {
  gicdBase = dBase;
  gicrBase = rBase;
  gicOn = true;
  gicdCtlr = 1 << 6;   // DS
  memory.fill(D_GROUP, 0, NUM_INTIDS); memory.fill(D_ENABLE, 0, NUM_INTIDS); memory.fill(D_PEND, 0, NUM_INTIDS);
  memory.fill(D_ACTIVE, 0, NUM_INTIDS); memory.fill(D_PRIO, 0, NUM_INTIDS); memory.fill(D_CFG, 0, NUM_INTIDS);
  memory.fill(D_LEVEL, 0, NUM_INTIDS); memory.fill(D_ROUTE, 0, NUM_INTIDS * 8);
  memory.fill(R_GROUP, 0, MAX_GIC_CPUS * 32); memory.fill(R_ENABLE, 0, MAX_GIC_CPUS * 32);
  memory.fill(R_PEND, 0, MAX_GIC_CPUS * 32); memory.fill(R_ACTIVE, 0, MAX_GIC_CPUS * 32);
  memory.fill(R_PRIO, 0, MAX_GIC_CPUS * 32); memory.fill(R_LEVEL, 0, MAX_GIC_CPUS * 32);
  for (let i = 0; i < MAX_GIC_CPUS * 32; i++) store<u8>(R_CFG + <usize>i, (i & 31) < 16 ? 1 : 0);   // SGIs edge, PPIs level
  for (let c = 0; c < MAX_GIC_CPUS; c++) store<u32>(R_WAKER + (<usize>c << 2), 6);   // ProcessorSleep | ChildrenAsleep
}

export function gicEnabled(): bool { return gicOn; }

// ---- field access ----

@inline function f(d: usize, r: usize, cpu: i32, id: u32): usize {
  return id < 32 ? r + <usize>(cpu * 32) + <usize>id : d + <usize>id;
}
@inline function grp(cpu: i32, id: u32): u32 { return load<u8>(f(D_GROUP, R_GROUP, cpu, id)); }
@inline function en(cpu: i32, id: u32): u32 { return load<u8>(f(D_ENABLE, R_ENABLE, cpu, id)); }
@inline function pend(cpu: i32, id: u32): u32 { return load<u8>(f(D_PEND, R_PEND, cpu, id)); }
@inline function act(cpu: i32, id: u32): u32 { return load<u8>(f(D_ACTIVE, R_ACTIVE, cpu, id)); }
@inline function prio(cpu: i32, id: u32): u32 { return load<u8>(f(D_PRIO, R_PRIO, cpu, id)); }
@inline function setPend(cpu: i32, id: u32, v: u32): void { store<u8>(f(D_PEND, R_PEND, cpu, id), <u8>v); }
@inline function setAct(cpu: i32, id: u32, v: u32): void { store<u8>(f(D_ACTIVE, R_ACTIVE, cpu, id), <u8>v); }

// ---- system registers of any CPU ----

@inline function sysOf(cpu: i32, id: i32): u64 {
  return load<u64>(S.cpuBlocks + <usize>cpu * CPU_BLOCK_SIZE + SYS_OFF + (<usize>id << 3));
}
@inline function sysSetOf(cpu: i32, id: i32, v: u64): void {
  store<u64>(S.cpuBlocks + <usize>cpu * CPU_BLOCK_SIZE + SYS_OFF + (<usize>id << 3), v);
}
@inline function hdrOf(cpu: i32): CpuHeader {
  return changetype<CpuHeader>(S.cpuBlocks + <usize>cpu * CPU_BLOCK_SIZE);
}

/** The CPU an SPI is routed to (GICD_IROUTER: Aff3.Aff2.Aff1.Aff0; IRM = 1 → CPU 0 here), or -1. */
function spiTarget(id: u32): i32 {
  const route = load<u64>(D_ROUTE + (<usize>id << 3));
  if ((route & (<u64>1 << 31)) != 0) return 0;
  const aff = route & 0xff_00ff_ffff;
  for (let c = 0; c < S.numCpus; c++) {
    if ((sysOf(c, G.SR_MPIDR_EL1) & 0xff_00ff_ffff) == aff) return c;
  }
  return -1;
}

// ---- physical CPU interface ----

/** Running priority of `cpu`: the highest active group priority (from AP0R0 | AP1R0), else 0xff. */
function runningPrio(cpu: i32): u32 {
  const ap = <u32>(sysOf(cpu, G.SR_ICC_AP0R0_EL1) | sysOf(cpu, G.SR_ICC_AP1R0_EL1));
  return ap == 0 ? 0xff : <u32>ctz(ap) << 3;
}

let hppiPrio: u32 = 0xff;

/** Highest-priority pending interrupt for `cpu` (enabled, not active, group enabled), or SPURIOUS. */
function hppi(cpu: i32): u32 {
  let best: u32 = SPURIOUS;
  let bestPrio: u32 = 0x100;
  const g0 = (gicdCtlr & 1) != 0 && (sysOf(cpu, G.SR_ICC_IGRPEN0_EL1) & 1) != 0;
  const g1 = (gicdCtlr & 2) != 0 && (sysOf(cpu, G.SR_ICC_IGRPEN1_EL1) & 1) != 0;
  // Pending flags are bytes: skip 8 INTIDs at a time while none is pending (the common case).
  for (let id: u32 = 0; id < <u32>NUM_INTIDS; id++) {
    if ((id & 7) == 0 && load<u64>(f(D_PEND, R_PEND, cpu, id)) == 0) { id += 7; continue; }
    if (pend(cpu, id) == 0 || en(cpu, id) == 0 || act(cpu, id) != 0) continue;
    if (id >= 32 && spiTarget(id) != cpu) continue;
    const g = grp(cpu, id);
    if (g == 0 ? !g0 : !g1) continue;
    const p = prio(cpu, id) & 0xf8;
    if (p < bestPrio) { bestPrio = p; best = id; }
  }
  hppiPrio = bestPrio > 0xff ? 0xff : bestPrio;
  return best;
}

/** Whether the group-`g` interrupt `id` (priority p) can be signalled: below PMR and running priority. */
@inline function canSignal(cpu: i32, p: u32): bool {
  return p < (<u32>sysOf(cpu, G.SR_ICC_PMR_EL1) & 0xf8) && p < runningPrio(cpu);
}

// ---- virtual CPU interface ----

const LR_STATE_SHIFT: u64 = 62;
const LR_HW: u64 = <u64>1 << 61;
const LR_GROUP: u64 = <u64>1 << 60;
const LR_EOI: u64 = <u64>1 << 41;

@inline function numLrs(cpu: i32): i32 { return <i32>(sysOf(cpu, G.SR_ICH_VTR_EL2) & 31) + 1; }
@inline function lrId(n: i32): i32 { return G.SR_ICH_LR0_EL2 + n; }

function vRunningPrio(cpu: i32): u32 {
  const ap = <u32>(sysOf(cpu, G.SR_ICH_AP0R0_EL2) | sysOf(cpu, G.SR_ICH_AP1R0_EL2));
  return ap == 0 ? 0xff : <u32>ctz(ap) << 3;
}

let vBestLr: i32 = -1;

/** Highest-priority pending list register deliverable to the virtual CPU interface, or -1. */
function vHppi(cpu: i32): i32 {
  const vmcr = sysOf(cpu, G.SR_ICH_VMCR_EL2);
  let best: i32 = -1;
  let bestPrio: u32 = 0x100;
  for (let n = 0; n < numLrs(cpu); n++) {
    const lr = sysOf(cpu, lrId(n));
    if ((lr >> LR_STATE_SHIFT) != 1) continue;    // pending (not active, not pending+active)
    const g1 = (lr & LR_GROUP) != 0;
    if (g1 ? (vmcr & 2) == 0 : (vmcr & 1) == 0) continue;   // VENG1 / VENG0
    const p = <u32>(lr >> 48) & 0xf8;
    if (p < bestPrio) { bestPrio = p; best = n; }
  }
  vBestLr = best;
  return best;
}

// ---- line computation ----

/** Recomputes `cpu`'s interrupt lines from the GIC state (physical, maintenance, virtual). */
export function gicUpdate(cpu: i32): void {
  if (!gicOn) return;
  // Maintenance interrupt (PPI 25): level = ICH_HCR_EL2.En && ICH_MISR_EL2 != 0.
  const misr = computeMisr(cpu);
  const maint = (sysOf(cpu, G.SR_ICH_HCR_EL2) & 1) != 0 && misr != 0;
  store<u8>(R_LEVEL + <usize>(cpu * 32 + <i32>PPI_MAINT), maint ? 1 : 0);
  if (maint) store<u8>(R_PEND + <usize>(cpu * 32 + <i32>PPI_MAINT), 1);
  else store<u8>(R_PEND + <usize>(cpu * 32 + <i32>PPI_MAINT), 0);
  const h = hdrOf(cpu);
  let lines = h.lines & ~(LINE_IRQ | LINE_FIQ | LINE_VIRQ | LINE_VFIQ);
  const id = hppi(cpu);
  if (id != SPURIOUS && canSignal(cpu, hppiPrio)) lines |= grp(cpu, id) == 0 ? LINE_FIQ : LINE_IRQ;
  if ((sysOf(cpu, G.SR_ICH_HCR_EL2) & 1) != 0) {
    const n = vHppi(cpu);
    if (n >= 0) {
      const lr = sysOf(cpu, lrId(n));
      const p = <u32>(lr >> 48) & 0xf8;
      const vpmr = <u32>(sysOf(cpu, G.SR_ICH_VMCR_EL2) >> 24) & 0xf8;
      if (p < vpmr && p < vRunningPrio(cpu)) lines |= (lr & LR_GROUP) != 0 ? LINE_VIRQ : LINE_VFIQ;
    }
  }
  if (lines != h.lines) {
    h.lines = lines;
    if (cpu == S.curCpu) invalidateFetch();
  }
}

export function gicUpdateAll(): void {
  for (let c = 0; c < S.numCpus; c++) gicUpdate(c);
}

/** ICH_EISR_EL2: LRs with no state, HW = 0 and EOI = 1 (an EOI maintenance is due). */
function computeEisr(cpu: i32): u32 {
  let eisr: u32 = 0;
  for (let n = 0; n < numLrs(cpu); n++) {
    const lr = sysOf(cpu, lrId(n));
    if ((lr >> LR_STATE_SHIFT) == 0 && (lr & LR_HW) == 0 && (lr & LR_EOI) != 0) eisr |= 1 << <u32>n;
  }
  return eisr;
}

/** ICH_ELRSR_EL2: LRs that hold no interrupt (state invalid and not waiting for an EOI maintenance). */
function computeElrsr(cpu: i32): u32 {
  let e: u32 = 0;
  for (let n = 0; n < numLrs(cpu); n++) {
    const lr = sysOf(cpu, lrId(n));
    if ((lr >> LR_STATE_SHIFT) == 0 && ((lr & LR_HW) != 0 || (lr & LR_EOI) == 0)) e |= 1 << <u32>n;
  }
  return e;
}

/** ICH_MISR_EL2 (GIC spec 12.4.8): EOI, U, LRENP, NP, VGrp0E/D, VGrp1E/D. */
function computeMisr(cpu: i32): u32 {
  const hcr = sysOf(cpu, G.SR_ICH_HCR_EL2);
  const vmcr = sysOf(cpu, G.SR_ICH_VMCR_EL2);
  let misr: u32 = 0;
  if (computeEisr(cpu) != 0) misr |= 1;
  let valid = 0, pending = 0;
  for (let n = 0; n < numLrs(cpu); n++) {
    const st = sysOf(cpu, lrId(n)) >> LR_STATE_SHIFT;
    if (st != 0) valid++;
    if (st == 1) pending++;
  }
  if ((hcr & 2) != 0 && valid <= 1) misr |= 2;                       // UIE: underflow
  if ((hcr & 4) != 0 && (hcr >> 27) != 0) misr |= 4;                  // LRENPIE: EOIcount != 0
  if ((hcr & 8) != 0 && pending == 0) misr |= 8;                      // NPIE: no pending
  if ((hcr & (1 << 4)) != 0 && (vmcr & 1) != 0) misr |= 1 << 4;       // VGrp0EIE
  if ((hcr & (1 << 5)) != 0 && (vmcr & 1) == 0) misr |= 1 << 5;       // VGrp0DIE
  if ((hcr & (1 << 6)) != 0 && (vmcr & 2) != 0) misr |= 1 << 6;       // VGrp1EIE
  if ((hcr & (1 << 7)) != 0 && (vmcr & 2) == 0) misr |= 1 << 7;       // VGrp1DIE
  return misr;
}

// ---- system register interface (called from MRS/MSR for ICC_*/ICH_* ids) ----

/** Whether an EL1/EL0 access to ICC_* goes to the virtual CPU interface (HCR_EL2.IMO/FMO = 1). */
@inline function virtualAccess(isGroup0: bool): bool {
  if (S.el >= 2) return false;
  const hcr = S.sysGet(G.SR_HCR_EL2);
  return isGroup0 ? (hcr & (1 << 3)) != 0 : (hcr & (1 << 4)) != 0;
}

/** MRS of a GIC register on the active CPU; `handled` says whether the GIC owns `id`. */
export let gicHandled: bool = false;

export function gicSysRead(id: i32): u64 {
  gicHandled = true;
  const cpu = S.curCpu;
  switch (id) {
    case G.SR_ICC_IAR1_EL1: return virtualAccess(false) ? vAck(cpu, true) : ack(cpu, 1);
    case G.SR_ICC_IAR0_EL1: return virtualAccess(true) ? vAck(cpu, false) : ack(cpu, 0);
    case G.SR_ICC_HPPIR1_EL1: case G.SR_ICC_HPPIR0_EL1: {
      if (virtualAccess(id == G.SR_ICC_HPPIR0_EL1)) {
        const n = vHppi(cpu);
        return n < 0 ? SPURIOUS : sysOf(cpu, lrId(n)) & 0xffffffff;
      }
      const i = hppi(cpu);
      return <u64>i;
    }
    case G.SR_ICC_RPR_EL1: return <u64>(virtualAccess(false) ? vRunningPrio(cpu) : runningPrio(cpu));
    case G.SR_ICC_PMR_EL1:
      return virtualAccess(false) ? (sysOf(cpu, G.SR_ICH_VMCR_EL2) >> 24) & 0xf8 : sysOf(cpu, id) & 0xf8;
    case G.SR_ICC_IGRPEN1_EL1:
      return virtualAccess(false) ? (sysOf(cpu, G.SR_ICH_VMCR_EL2) >> 1) & 1 : sysOf(cpu, id) & 1;
    case G.SR_ICC_IGRPEN0_EL1:
      return virtualAccess(true) ? sysOf(cpu, G.SR_ICH_VMCR_EL2) & 1 : sysOf(cpu, id) & 1;
    case G.SR_ICC_BPR1_EL1:
      return virtualAccess(false) ? (sysOf(cpu, G.SR_ICH_VMCR_EL2) >> 18) & 7 : sysOf(cpu, id) & 7;
    case G.SR_ICC_BPR0_EL1:
      return virtualAccess(true) ? (sysOf(cpu, G.SR_ICH_VMCR_EL2) >> 21) & 7 : sysOf(cpu, id) & 7;
    case G.SR_ICC_CTLR_EL1: {
      // PRIbits = 4 (5 bits), IDbits = 0 (16-bit INTIDs), EOImode from the register/VMCR.VEOIM.
      const eoimode: u64 = virtualAccess(false) ? (sysOf(cpu, G.SR_ICH_VMCR_EL2) >> 9) & 1 : (sysOf(cpu, id) >> 1) & 1;
      return (<u64>4 << 8) | (eoimode << 1);
    }
    case G.SR_ICC_AP1R0_EL1: return virtualAccess(false) ? sysOf(cpu, G.SR_ICH_AP1R0_EL2) : sysOf(cpu, id);
    case G.SR_ICC_AP0R0_EL1: return virtualAccess(true) ? sysOf(cpu, G.SR_ICH_AP0R0_EL2) : sysOf(cpu, id);
    case G.SR_ICC_SRE_EL1: case G.SR_ICC_SRE_EL2: return 0x7;   // SRE, DFB, DIB (RAO/WI)
    case G.SR_ICH_MISR_EL2: return <u64>computeMisr(cpu);
    case G.SR_ICH_EISR_EL2: return <u64>computeEisr(cpu);
    case G.SR_ICH_ELRSR_EL2: return <u64>computeElrsr(cpu);
  }
  gicHandled = false;
  return 0;
}

export function gicSysWrite(id: i32, v: u64): void {
  gicHandled = true;
  const cpu = S.curCpu;
  switch (id) {
    case G.SR_ICC_EOIR1_EL1: if (virtualAccess(false)) vEoi(cpu, <u32>v & 0xffffff, true); else eoi(cpu, <u32>v & 0xffffff, 1); break;
    case G.SR_ICC_EOIR0_EL1: if (virtualAccess(true)) vEoi(cpu, <u32>v & 0xffffff, false); else eoi(cpu, <u32>v & 0xffffff, 0); break;
    case G.SR_ICC_DIR_EL1: if (virtualAccess(false)) vDeactivate(cpu, <u32>v & 0xffffff); else deactivate(cpu, <u32>v & 0xffffff); break;
    case G.SR_ICC_PMR_EL1:
      if (virtualAccess(false)) setVmcrField(cpu, 24, 0xff, v & 0xf8);
      else sysSetOf(cpu, id, v & 0xf8);
      break;
    case G.SR_ICC_IGRPEN1_EL1:
      if (virtualAccess(false)) setVmcrField(cpu, 1, 1, v & 1); else sysSetOf(cpu, id, v & 1);
      break;
    case G.SR_ICC_IGRPEN0_EL1:
      if (virtualAccess(true)) setVmcrField(cpu, 0, 1, v & 1); else sysSetOf(cpu, id, v & 1);
      break;
    case G.SR_ICC_BPR1_EL1:
      if (virtualAccess(false)) setVmcrField(cpu, 18, 7, v & 7); else sysSetOf(cpu, id, v & 7);
      break;
    case G.SR_ICC_BPR0_EL1:
      if (virtualAccess(true)) setVmcrField(cpu, 21, 7, v & 7); else sysSetOf(cpu, id, v & 7);
      break;
    case G.SR_ICC_CTLR_EL1:
      if (virtualAccess(false)) setVmcrField(cpu, 9, 1, (v >> 1) & 1); else sysSetOf(cpu, id, v & 2);
      break;
    case G.SR_ICC_AP1R0_EL1: sysSetOf(cpu, virtualAccess(false) ? G.SR_ICH_AP1R0_EL2 : id, v & 0xffffffff); break;
    case G.SR_ICC_AP0R0_EL1: sysSetOf(cpu, virtualAccess(true) ? G.SR_ICH_AP0R0_EL2 : id, v & 0xffffffff); break;
    case G.SR_ICC_SGI1R_EL1: case G.SR_ICC_ASGI1R_EL1: case G.SR_ICC_SGI0R_EL1:
      sendSgi(cpu, v, id == G.SR_ICC_SGI0R_EL1 ? 0 : 1);
      break;
    case G.SR_ICC_SRE_EL1: case G.SR_ICC_SRE_EL2: break;
    case G.SR_ICH_HCR_EL2: case G.SR_ICH_VMCR_EL2: case G.SR_ICH_AP0R0_EL2: case G.SR_ICH_AP1R0_EL2:
      sysSetOf(cpu, id, v & 0xffffffff);
      break;
    default:
      if (id >= G.SR_ICH_LR0_EL2 && id <= G.SR_ICH_LR15_EL2) {
        if (id - G.SR_ICH_LR0_EL2 < numLrs(cpu)) sysSetOf(cpu, id, v);
        break;
      }
      gicHandled = false;
      return;
  }
  gicUpdate(cpu);
}

function setVmcrField(cpu: i32, shift: u64, mask: u64, v: u64): void {
  const vmcr = sysOf(cpu, G.SR_ICH_VMCR_EL2);
  sysSetOf(cpu, G.SR_ICH_VMCR_EL2, (vmcr & ~(mask << shift)) | ((v & mask) << shift));
}

/** Physical acknowledge (ICC_IAR0/1_EL1): returns the INTID and makes it active, or 1023. */
function ack(cpu: i32, group: u32): u64 {
  const id = hppi(cpu);
  if (id == SPURIOUS || grp(cpu, id) != group || !canSignal(cpu, hppiPrio)) return SPURIOUS;
  // Edge-triggered: pending is consumed; level-sensitive: pending follows the line.
  const cfgEdge = load<u8>(f(D_CFG, R_CFG, cpu, id)) != 0;
  if (cfgEdge || load<u8>(f(D_LEVEL, R_LEVEL, cpu, id)) == 0) setPend(cpu, id, 0);
  setAct(cpu, id, 1);
  const apId = group == 0 ? G.SR_ICC_AP0R0_EL1 : G.SR_ICC_AP1R0_EL1;
  sysSetOf(cpu, apId, sysOf(cpu, apId) | (<u64>1 << (prio(cpu, id) >> 3)));
  gicUpdate(cpu);
  return <u64>id;
}

/** Physical EOI: priority drop (clear the highest active priority bit), and deactivate unless EOImode. */
function eoi(cpu: i32, id: u32, group: u32): void {
  const apId = group == 0 ? G.SR_ICC_AP0R0_EL1 : G.SR_ICC_AP1R0_EL1;
  const ap = sysOf(cpu, apId);
  if (ap != 0) sysSetOf(cpu, apId, ap & (ap - 1));
  if (((sysOf(cpu, G.SR_ICC_CTLR_EL1) >> 1) & 1) == 0) deactivate(cpu, id);
}

function deactivate(cpu: i32, id: u32): void {
  if (id >= <u32>NUM_INTIDS) return;
  setAct(cpu, id, 0);
  // A level-sensitive interrupt whose line is still asserted becomes pending again.
  if (load<u8>(f(D_CFG, R_CFG, cpu, id)) == 0 && load<u8>(f(D_LEVEL, R_LEVEL, cpu, id)) != 0) setPend(cpu, id, 1);
}

/** Virtual acknowledge (ICV_IAR): the best pending LR becomes active; returns its vINTID or 1023. */
function vAck(cpu: i32, group1: bool): u64 {
  if ((sysOf(cpu, G.SR_ICH_HCR_EL2) & 1) == 0) return SPURIOUS;
  const n = vHppi(cpu);
  if (n < 0) return SPURIOUS;
  let lr = sysOf(cpu, lrId(n));
  if (((lr & LR_GROUP) != 0) != group1) return SPURIOUS;
  const p = <u32>(lr >> 48) & 0xf8;
  const vpmr = <u32>(sysOf(cpu, G.SR_ICH_VMCR_EL2) >> 24) & 0xf8;
  if (p >= vpmr || p >= vRunningPrio(cpu)) return SPURIOUS;
  lr = (lr & ~(<u64>3 << LR_STATE_SHIFT)) | (<u64>2 << LR_STATE_SHIFT);   // pending → active
  sysSetOf(cpu, lrId(n), lr);
  const apId = group1 ? G.SR_ICH_AP1R0_EL2 : G.SR_ICH_AP0R0_EL2;
  sysSetOf(cpu, apId, sysOf(cpu, apId) | (<u64>1 << (p >> 3)));
  gicUpdate(cpu);
  return lr & 0xffffffff;
}

/** Virtual EOI: priority drop, then deactivation unless ICH_VMCR_EL2.VEOIM. */
function vEoi(cpu: i32, id: u32, group1: bool): void {
  const apId = group1 ? G.SR_ICH_AP1R0_EL2 : G.SR_ICH_AP0R0_EL2;
  const ap = sysOf(cpu, apId);
  if (ap != 0) sysSetOf(cpu, apId, ap & (ap - 1));
  if (((sysOf(cpu, G.SR_ICH_VMCR_EL2) >> 9) & 1) == 0) vDeactivate(cpu, id);
}

/**
 * Virtual deactivation: the LR holding `id` in the active state drops it; with HW = 1 the
 * physical INTID is deactivated too. No matching LR counts in ICH_HCR_EL2.EOIcount.
 */
function vDeactivate(cpu: i32, id: u32): void {
  for (let n = 0; n < numLrs(cpu); n++) {
    let lr = sysOf(cpu, lrId(n));
    const st = lr >> LR_STATE_SHIFT;
    if ((st & 2) == 0 || <u32>(lr & 0xffffffff) != id) continue;
    lr &= ~(<u64>2 << LR_STATE_SHIFT);     // active bit off (pending+active → pending)
    sysSetOf(cpu, lrId(n), lr);
    if ((lr & LR_HW) != 0) deactivate(cpu, <u32>(lr >> 32) & 0x3ff);
    return;
  }
  const hcr = sysOf(cpu, G.SR_ICH_HCR_EL2);
  const cnt = ((hcr >> 27) + 1) & 31;
  sysSetOf(cpu, G.SR_ICH_HCR_EL2, (hcr & 0x07ff_ffff) | (cnt << 27));
}

/**
 * ICC_SGI1R_EL1/ASGI1R/SGI0R: TargetList[15:0] (Aff0 = RS × 16 + bit), Aff1[23:16], INTID[27:24],
 * Aff2[39:32], IRM[40] (all but self), RS[47:44], Aff3[55:48] (arm.md §6).
 */
function sendSgi(self: i32, v: u64, group: u32): void {
  const id = <u32>(v >> 24) & 15;
  const irm = (v >> 40) & 1;
  const aff1 = (v >> 16) & 0xff, aff2 = (v >> 32) & 0xff, aff3 = (v >> 48) & 0xff;
  const rs = (v >> 44) & 15;
  for (let c = 0; c < S.numCpus; c++) {
    let hit = false;
    const mp = sysOf(c, G.SR_MPIDR_EL1);
    if (irm != 0) {
      hit = c != self;
    } else if (((mp >> 8) & 0xff) == aff1 && ((mp >> 16) & 0xff) == aff2 && ((mp >> 32) & 0xff) == aff3) {
      const aff0 = mp & 0xff;
      if ((aff0 >> 4) == rs) hit = ((v >> (aff0 & 15)) & 1) != 0;
    }
    if (hit) {
      store<u8>(R_PEND + <usize>(c * 32 + <i32>id), 1);
      gicUpdate(c);
    }
  }
}

// ---- peripheral interrupt inputs ----

/** Sets the level of PPI/SPI `id` for `cpu` (a timer output, a device line). */
export function gicSetLevel(cpu: i32, id: u32, level: bool): void {
  if (!gicOn || id >= <u32>NUM_INTIDS || id < 16) return;
  const lp = f(D_LEVEL, R_LEVEL, cpu, id);
  const old = load<u8>(lp) != 0;
  store<u8>(lp, level ? 1 : 0);
  const edge = load<u8>(f(D_CFG, R_CFG, cpu, id)) != 0;
  if (edge) {
    if (level && !old) setPend(cpu, id, 1);
  } else {
    setPend(cpu, id, level ? 1 : 0);
  }
  if (id >= 32) gicUpdateAll(); else gicUpdate(cpu);
}

// ---- MMIO: distributor and redistributors ----

/** Whether physical address `pa` is in the GIC's MMIO frames. */
export function gicOwns(pa: u64): bool {
  if (!gicOn) return false;
  if (pa - gicdBase < 0x1_0000) return true;
  return pa - gicrBase < <u64>S.numCpus * 0x2_0000;
}

/** Reads the bit-per-INTID register at byte offset `off` of a 1-bit field array. */
function readBits(d: usize, r: usize, cpu: i32, first: u32): u64 {
  let v: u64 = 0;
  for (let i: u32 = 0; i < 32; i++) {
    const id = first + i;
    if (id >= <u32>NUM_INTIDS) break;
    if (load<u8>(f(d, r, cpu, id)) != 0) v |= <u64>1 << i;
  }
  return v;
}

function writeBits(d: usize, r: usize, cpu: i32, first: u32, v: u64, set: bool): void {
  for (let i: u32 = 0; i < 32; i++) {
    const id = first + i;
    if (id >= <u32>NUM_INTIDS) break;
    if (((v >> i) & 1) != 0) store<u8>(f(d, r, cpu, id), set ? 1 : 0);
  }
}

/** The pending array for "write 1 to set pending" must respect level-sensitive lines on clear. */
function clearPending(cpu: i32, first: u32, v: u64): void {
  for (let i: u32 = 0; i < 32; i++) {
    const id = first + i;
    if (id >= <u32>NUM_INTIDS) break;
    if (((v >> i) & 1) != 0) setPend(cpu, id, 0);
  }
}

/** Register file shared by GICD (SPIs) and GICR SGI_base (SGIs/PPIs of `cpu`). */
function intRegRead(cpu: i32, off: u32, base: u32, size: u32): u64 {
  if (off >= 0x080 && off < 0x100) return readBits(D_GROUP, R_GROUP, cpu, base + (off - 0x080) * 8);
  if (off >= 0x100 && off < 0x200) return readBits(D_ENABLE, R_ENABLE, cpu, base + ((off - 0x100) & 0x7f) * 8);
  if (off >= 0x200 && off < 0x300) return readBits(D_PEND, R_PEND, cpu, base + ((off - 0x200) & 0x7f) * 8);
  if (off >= 0x300 && off < 0x400) return readBits(D_ACTIVE, R_ACTIVE, cpu, base + ((off - 0x300) & 0x7f) * 8);
  if (off >= 0x400 && off < 0x800) {
    let v: u64 = 0;
    for (let i: u32 = 0; i < size; i++) {
      const id = base + off - 0x400 + i;
      if (id < <u32>NUM_INTIDS) v |= <u64>load<u8>(f(D_PRIO, R_PRIO, cpu, id)) << (<u64>i << 3);
    }
    return v;
  }
  if (off >= 0xc00 && off < 0xd00) {
    let v: u64 = 0;
    for (let i: u32 = 0; i < 16; i++) {
      const id = base + (off - 0xc00) * 4 + i;
      if (id < <u32>NUM_INTIDS && load<u8>(f(D_CFG, R_CFG, cpu, id)) != 0) v |= <u64>2 << (<u64>i << 1);
    }
    return v;
  }
  return 0;
}

function intRegWrite(cpu: i32, off: u32, base: u32, size: u32, v: u64): void {
  if (off >= 0x080 && off < 0x100) { for (let i: u32 = 0; i < 32; i++) { const id = base + (off - 0x080) * 8 + i; if (id < <u32>NUM_INTIDS) store<u8>(f(D_GROUP, R_GROUP, cpu, id), <u8>((v >> i) & 1)); } return; }
  if (off >= 0x100 && off < 0x180) { writeBits(D_ENABLE, R_ENABLE, cpu, base + (off - 0x100) * 8, v, true); return; }
  if (off >= 0x180 && off < 0x200) { writeBits(D_ENABLE, R_ENABLE, cpu, base + (off - 0x180) * 8, v, false); return; }
  if (off >= 0x200 && off < 0x280) { writeBits(D_PEND, R_PEND, cpu, base + (off - 0x200) * 8, v, true); return; }
  if (off >= 0x280 && off < 0x300) { clearPending(cpu, base + (off - 0x280) * 8, v); return; }
  if (off >= 0x300 && off < 0x380) { writeBits(D_ACTIVE, R_ACTIVE, cpu, base + (off - 0x300) * 8, v, true); return; }
  if (off >= 0x380 && off < 0x400) { writeBits(D_ACTIVE, R_ACTIVE, cpu, base + (off - 0x380) * 8, v, false); return; }
  if (off >= 0x400 && off < 0x800) {
    for (let i: u32 = 0; i < size; i++) {
      const id = base + off - 0x400 + i;
      if (id < <u32>NUM_INTIDS) store<u8>(f(D_PRIO, R_PRIO, cpu, id), <u8>(v >> (<u64>i << 3)) & 0xf8);
    }
    return;
  }
  if (off >= 0xc00 && off < 0xd00) {
    for (let i: u32 = 0; i < 16; i++) {
      const id = base + (off - 0xc00) * 4 + i;
      if (id >= 16 && id < <u32>NUM_INTIDS) store<u8>(f(D_CFG, R_CFG, cpu, id), <u8>((v >> ((<u64>i << 1) + 1)) & 1));
    }
  }
}

// Identification: GICv3 (PIDR2.ArchRev = 3), JEP106 code of Arm (0x43B in IIDR), as QEMU's.
const GIC_IIDR: u64 = 0x0100_143b;

/** A GIC MMIO access by the active CPU; returns the value read (0 for writes). */
export function gicMmio(pa: u64, size: u32, write: bool, v: u64): u64 {
  const cpu = S.curCpu;
  if (pa - gicdBase < 0x1_0000) {
    const off = <u32>(pa - gicdBase);
    if (write) distWrite(off, size, v); else return distRead(off, size);
    gicUpdateAll();
    return 0;
  }
  const rel = pa - gicrBase;
  const rcpu = <i32>(rel >> 17);
  const frame = <u32>(rel >> 16) & 1;
  const off = <u32>(rel & 0xffff);
  if (frame == 0) {
    if (write) { if (off == 0x0014) store<u32>(R_WAKER + (<usize>rcpu << 2), <u32>v & 2 ? 6 : 0); return 0; }
    switch (off) {
      case 0x0000: return 0;                                   // GICR_CTLR
      case 0x0004: return GIC_IIDR;                            // GICR_IIDR
      case 0x0008: {                                           // GICR_TYPER (64-bit)
        const mp = sysOf(rcpu, G.SR_MPIDR_EL1);
        const aff = (mp & 0xff_ffff) | (((mp >> 32) & 0xff) << 24);
        const last: u64 = rcpu == S.numCpus - 1 ? 1 << 4 : 0;
        const t = (aff << 32) | (<u64>rcpu << 8) | last;
        return size == 8 ? t : t & 0xffffffff;
      }
      case 0x000c: {
        const mp = sysOf(rcpu, G.SR_MPIDR_EL1);
        return (mp & 0xff_ffff) | (((mp >> 32) & 0xff) << 24);
      }
      case 0x0014: return <u64>load<u32>(R_WAKER + (<usize>rcpu << 2));   // GICR_WAKER
      case 0xffe8: return 0x3b;                                // GICR_PIDR2: ArchRev 3
    }
    return 0;
  }
  if (write) {
    intRegWrite(rcpu, off, 0, size, v);
    gicUpdate(rcpu);
    return 0;
  }
  return intRegRead(rcpu, off, 0, size);
}

/** Distributor registers for INTIDs 0–31: RAZ/WI with affinity routing (they live in the redistributors). */
function bankedInDist(off: u32): bool {
  if (off >= 0x080 && off < 0x400) return (off & 0x7f) < 4;
  if (off >= 0x400 && off < 0x420) return true;
  return off >= 0xc00 && off < 0xc08;
}

function distRead(off: u32, size: u32): u64 {
  switch (off) {
    case 0x0000: return <u64>(gicdCtlr | (1 << 4) | (1 << 6));          // ARE (RAO with DS), DS
    case 0x0004: return <u64>((NUM_INTIDS / 32 - 1) | (9 << 19) | (1 << 24));   // ITLinesNumber, IDbits 9 (10 bits), A3V… no LPIs
    case 0x0008: return GIC_IIDR;
    case 0xffe8: return 0x3b;
  }
  if (off >= 0x6100 && off < 0x6100 + <u32>NUM_INTIDS * 8) {
    const id = (off - 0x6000) >> 3;
    const r = load<u64>(D_ROUTE + (<usize>id << 3));
    return (off & 4) != 0 ? r >> 32 : (size == 8 ? r : r & 0xffffffff);
  }
  if (off < 0x1000) {
    // SGI/PPI banks of the distributor are RAZ/WI with affinity routing.
    if (bankedInDist(off)) return 0;
    return intRegRead(0, off, 0, size);
  }
  return 0;
}

function distWrite(off: u32, size: u32, v: u64): void {
  if (off == 0x0000) { gicdCtlr = (<u32>v & 3) | (1 << 6); return; }
  if (off >= 0x6100 && off < 0x6100 + <u32>NUM_INTIDS * 8) {
    const id = (off - 0x6000) >> 3;
    const p = D_ROUTE + (<usize>id << 3);
    const r = load<u64>(p);
    if (size == 8) store<u64>(p, v);
    else if ((off & 4) != 0) store<u64>(p, (r & 0xffffffff) | (v << 32));
    else store<u64>(p, (r & ~(<u64>0xffffffff)) | (v & 0xffffffff));
    return;
  }
  if (off < 0x1000) {
    if (bankedInDist(off)) return;
    intRegWrite(0, off, 0, size, v);
  }
}
