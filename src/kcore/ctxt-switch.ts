/**
 * CtxtSwitch (SeKVM layer; switch-simple.c, sysreg-sr-opt.c): moving register state between the
 * pCPU and KCore's memory — the host's EL1 context, the guest's shadow context — and the EL2
 * trap configuration for each side. Every register moved is counted (sysreg_read/write,
 * gpr_save/restore) for the cost model.
 */
import type { Gen } from '../sim/task.js';
import type { Kcore } from './kcore.js';
import { V } from './constants.js';
import { vcpuAt, VCPU } from './shared-abi.js';
import type { Pa } from '../arch/addr.js';

/** EL1 system registers that belong to a context (the host's, or a guest's shadow). */
export const CTXT_SYSREGS = [
  'SCTLR_EL1', 'ACTLR_EL1', 'CPACR_EL1', 'TTBR0_EL1', 'TTBR1_EL1', 'TCR_EL1', 'ESR_EL1', 'AFSR0_EL1',
  'AFSR1_EL1', 'FAR_EL1', 'MAIR_EL1', 'VBAR_EL1', 'CONTEXTIDR_EL1', 'TPIDR_EL0', 'TPIDRRO_EL0', 'TPIDR_EL1',
  'AMAIR_EL1', 'CNTKCTL_EL1', 'PAR_EL1', 'MDSCR_EL1', 'CSSELR_EL1', 'ELR_EL1', 'SPSR_EL1',
] as const;
/** Shadow-context slot of VMPIDR_EL2 (after CTXT_SYSREGS) and of the guest's ESR at exit. */
export const V_VMPIDR = V.SYSREGS_START + CTXT_SYSREGS.length;
export const V_ESR = V_VMPIDR + 1;
export const V_SP_EL0 = V.SP;

/**
 * HCR_EL2 for a VM: HCR_GUEST_FLAGS of Linux 4.18 (TSC, TSW, TWE, TWI, VM, BSU_IS, FB, TACR,
 * AMO, SWIO, TIDCP, RW) with interrupts routed to EL2 (IMO, FMO) and PTW. The exact
 * HCR_HYPSEC_VM_FLAGS value is not in the sources we have (sekvm.md §10); this is KVM's.
 */
export const HCR_VM_FLAGS = (1n << 19n) | (1n << 22n) | (1n << 14n) | (1n << 13n) | 1n | (1n << 10n) | (1n << 9n) |
  (1n << 21n) | (1n << 5n) | (1n << 1n) | (1n << 20n) | (1n << 31n) | (1n << 4n) | (1n << 3n) | (1n << 2n);
/** HCR_HOST_NVHE_FLAGS under SeKVM: RW | AMO | VM (the host runs behind its stage 2). */
export const HCR_HOST_SEKVM = (1n << 31n) | (1n << 5n) | 1n;

/** Saves the host's EL1 context (__sysreg_save_state_nvhe(host)): CTXT_SYSREGS, then SP_EL1. */
export function* saveHostSysregs(k: Kcore, cpu: number): Gen {
  const vs = k.m.getSysRawList(cpu, CTXT_SYSREGS);
  vs.push(k.m.getSp(cpu, 1));
  k.am.count(cpu, 'sysreg_read', vs.length);
  yield* k.am.setHostSysregs(cpu, vs);
}

/** Restores the host's EL1 context. */
export function* restoreHostSysregs(k: Kcore, cpu: number): Gen {
  const vs = yield* k.am.getHostSysregs(cpu, CTXT_SYSREGS.length + 1);
  k.m.setSysRawList(cpu, CTXT_SYSREGS, vs);
  k.m.setSp(cpu, 1, vs[CTXT_SYSREGS.length]!);
  k.am.count(cpu, 'sysreg_write', vs.length);
}

// The shadow context's layout (V): x0..x30 at 0..30, then SP_EL0, PC, PSTATE, SP_EL1 at 31..34,
// and the EL1 registers from V.SYSREGS_START in CTXT_SYSREGS order, then VMPIDR_EL2. Each run
// is moved in one piece (the vCPU is ACTIVE on this pCPU only: nobody else touches it).

/** __vm_sysreg_restore_state_nvhe_opt: the guest's EL1 registers, SPs, PC/PSTATE (ELR/SPSR_EL2) from the shadow. */
export function* restoreGuestCtxt(k: Kcore, cpu: number, vmid: number, vcpu: number): Gen {
  const am = k.am;
  const sys = yield* am.getShadowRange(cpu, vmid, vcpu, V.SYSREGS_START, CTXT_SYSREGS.length + 1);
  k.m.setSysRawList(cpu, CTXT_SYSREGS, sys);
  k.m.setSysRaw(cpu, 'VMPIDR_EL2', sys[CTXT_SYSREGS.length]!);
  am.count(cpu, 'sysreg_write', CTXT_SYSREGS.length);
  const regs = yield* am.getShadowRange(cpu, vmid, vcpu, 0, V.SP_EL1 + 1);
  k.m.setSp(cpu, 0, regs[V_SP_EL0]!);
  k.m.setSp(cpu, 1, regs[V.SP_EL1]!);
  k.m.setSysRaw(cpu, 'ELR_EL2', regs[V.PC]!);
  k.m.setSysRaw(cpu, 'SPSR_EL2', regs[V.PSTATE]!);
  am.count(cpu, 'sysreg_write', 5);
  for (let r = 0; r < 31; r++) k.m.setX(cpu, r, regs[r]!);
  am.count(cpu, 'gpr_restore', 31);
}

/** __guest_exit + sysreg save: the guest's GPRs and EL1 context into its shadow. */
export function* saveGuestCtxt(k: Kcore, cpu: number, vmid: number, vcpu: number): Gen {
  const am = k.am;
  const regs = new Array<bigint>(V.SP_EL1 + 1);
  for (let r = 0; r < 31; r++) regs[r] = k.m.getX(cpu, r);
  am.count(cpu, 'gpr_save', 31);
  regs[V_SP_EL0] = k.m.getSp(cpu, 0);
  regs[V.PC] = k.m.getSysRaw(cpu, 'ELR_EL2');
  regs[V.PSTATE] = k.m.getSysRaw(cpu, 'SPSR_EL2');
  regs[V.SP_EL1] = k.m.getSp(cpu, 1);
  yield* am.setShadowRange(cpu, vmid, vcpu, 0, regs);
  yield* am.setShadowRange(cpu, vmid, vcpu, V.SYSREGS_START, k.m.getSysRawList(cpu, CTXT_SYSREGS));
  am.count(cpu, 'sysreg_read', CTXT_SYSREGS.length + 4);
}

/**
 * The vGIC state KServ manages (as KVM's __vgic_v3_restore_state at EL2): list registers,
 * ICH_VMCR_EL2 and ICH_HCR_EL2 from KServ's vCPU into the pCPU. Interrupt state is not
 * confidential in SeKVM (sekvm.md §1, "Interrupts and timer").
 */
export function* restoreVgic(k: Kcore, cpu: number, vmid: number, vcpu: number): Gen {
  const am = k.am;
  const at = vcpuAt(k.cfg.sharedBase, vmid, vcpu);
  const nlr = Number(k.m.getSysRaw(cpu, 'ICH_VTR_EL2') & 31n) + 1;
  for (let n = 0; n < nlr; n++) k.m.writeSys(cpu, `ICH_LR${n}_EL2`, yield* am.ld(cpu, (at + VCPU.LR + n * 8) as Pa));
  k.m.writeSys(cpu, 'ICH_VMCR_EL2', yield* am.ld(cpu, (at + VCPU.VMCR) as Pa));
  k.m.writeSys(cpu, 'ICH_HCR_EL2', (yield* am.ld(cpu, (at + VCPU.ICH_HCR) as Pa)) | 1n);
  am.count(cpu, 'sysreg_write', nlr + 2);
}

/** __vgic_v3_save_state: list registers and VMCR back to KServ's vCPU; the virtual interface off. */
export function* saveVgic(k: Kcore, cpu: number, vmid: number, vcpu: number): Gen {
  const am = k.am;
  const at = vcpuAt(k.cfg.sharedBase, vmid, vcpu);
  const nlr = Number(k.m.getSysRaw(cpu, 'ICH_VTR_EL2') & 31n) + 1;
  for (let n = 0; n < nlr; n++) yield* am.st(cpu, (at + VCPU.LR + n * 8) as Pa, k.m.getSysRaw(cpu, `ICH_LR${n}_EL2`));
  yield* am.st(cpu, (at + VCPU.VMCR) as Pa, k.m.getSysRaw(cpu, 'ICH_VMCR_EL2'));
  yield* am.st(cpu, (at + VCPU.ICH_HCR) as Pa, k.m.getSysRaw(cpu, 'ICH_HCR_EL2'));
  k.m.writeSys(cpu, 'ICH_HCR_EL2', 0n);
  am.count(cpu, 'sysreg_read', nlr + 2);
  am.count(cpu, 'sysreg_write');
}
