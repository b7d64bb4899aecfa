/**
 * VCPUOpsAux / VCPUOps (SeKVM layers; VCPUOps.c, VCPUOpsAux.c, el2.c): vCPU admission
 * (READY ⇄ ACTIVE), and the register hand-off with KServ on every exit and entry — exactly the
 * exposure of sekvm.md §2.4: KServ sees x0 on HVC (x1–x3 for PSCI CPU_ON / AFFINITY_INFO), the
 * written register on an MMIO write, ESR/FAR/HPFAR, and nothing else; values flow back only
 * through the `dirty` bits KCore set.
 */
import type { Gen } from '../sim/task.js';
import type { Pa } from '../arch/addr.js';
import type { Kcore } from './kcore.js';
import { INJECT, injectException, isInjectKind } from '../arch/inject.js';
import {
  VM_STATE, VCPU_STATE, INVALID64, V, DIRTY_PC_FLAG, PENDING_FSC_FAULT, MAX_MMIO_ADDR, vmStateName,
} from './constants.js';
import { vmLock } from './locks.js';
import { violation } from './errors.js';
import { searchLoadInfo, setVmPoweroff } from './boot-ops.js';
import { protAndMapVmS2pt } from './mem-manager.js';
import { CTXT_SYSREGS, V_VMPIDR, V_ESR } from './ctxt-switch.js';
import { vcpuAt, VCPU } from './shared-abi.js';
import { EC, esrEc } from '../arch/esr.js';
import { PSCI } from '../board/psci.js';

/** hypsec_set_vcpu_active: VM VERIFIED and vCPU READY → ACTIVE (one vCPU on one pCPU at a time). */
export function* setVcpuActive(k: Kcore, cpu: number, vmid: number, vcpu: number): Gen {
  const am = k.am;
  yield* am.acquire(cpu, vmLock(vmid));
  const vs = Number(yield* am.getVmInfo(cpu, vmid, 'STATE'));
  const cs = Number(yield* am.getVcpuField(cpu, vmid, vcpu, 'STATE'));
  if (vs !== VM_STATE.VERIFIED) violation('bad-state', 'vcpu_run', `VM ${vmid} is ${vmStateName(vs)}, not VERIFIED`);
  if (cs !== VCPU_STATE.READY) violation('bad-state', 'vcpu_run', `vCPU ${vmid}:${vcpu} is ${cs === VCPU_STATE.ACTIVE ? 'already ACTIVE on another pCPU' : 'not registered'}`);
  yield* am.setVcpuField(cpu, vmid, vcpu, 'STATE', BigInt(VCPU_STATE.ACTIVE));
  yield* am.setVcpuField(cpu, vmid, vcpu, 'FIRST_RUN', 1n);
  yield* am.release(cpu, vmLock(vmid));
  k.event({ kind: 'vcpu-state', cpu, vmid, vcpu, state: 'ACTIVE' });
}

/** hypsec_set_vcpu_state(READY) at exit. */
export function* setVcpuInactive(k: Kcore, cpu: number, vmid: number, vcpu: number): Gen {
  const am = k.am;
  yield* am.acquire(cpu, vmLock(vmid));
  yield* am.setVcpuField(cpu, vmid, vcpu, 'STATE', BigInt(VCPU_STATE.READY));
  yield* am.release(cpu, vmLock(vmid));
  k.event({ kind: 'vcpu-state', cpu, vmid, vcpu, state: 'READY' });
}

function shared(k: Kcore, vmid: number, vcpu: number, off: number): Pa {
  return (vcpuAt(k.cfg.sharedBase, vmid, vcpu) + off) as Pa;
}

/** Reset values of a vCPU's EL1 registers (s2_sys_reg_descs defaults): SCTLR_EL1's RES1 bits, the rest 0. */
function resetSysreg(name: string): bigint {
  return name === 'SCTLR_EL1' ? 0x30d0_0800n : 0n;
}

/**
 * restore_shadow_kvm_regs (VCPU_RUN entry). First run (dirty = INVALID64): reset_gp_regs —
 * the PC comes from KServ and must lie inside a verified boot image, PSTATE must be EL1/EL0
 * AArch64 — and reset_sys_regs. Later runs: copy back the registers KServ was allowed to set
 * (dirty bits), apply an injection KServ requested, step the PC past an emulated instruction,
 * and map the page KServ proposed for a pending stage-2 fault (after KCore's ownership checks).
 */
export function* restoreShadowKvmRegs(k: Kcore, cpu: number, vmid: number, vcpu: number): Gen {
  const am = k.am;
  const dirty = yield* am.getShadowCtxt(cpu, vmid, vcpu, V.DIRTY);
  if (dirty === INVALID64) {
    if ((yield* am.getVmInfo(cpu, vmid, 'INC_EXE')) === 0n) {
      const pc = yield* am.ld(cpu, shared(k, vmid, vcpu, VCPU.PC));
      const pstate = yield* am.ld(cpu, shared(k, vmid, vcpu, VCPU.PSTATE));
      if (!(yield* searchLoadInfo(k, cpu, vmid, pc))) violation('boot-pc', 'reset_gp_regs', `boot PC 0x${pc.toString(16)} of vCPU ${vmid}:${vcpu} is not inside a verified boot image`);
      const mode = pstate & 0x1fn;
      if (mode !== 0x5n && mode !== 0x4n && mode !== 0x0n) violation('boot-pc', 'reset_gp_regs', `boot PSTATE 0x${pstate.toString(16)} is not EL1h/EL1t/EL0t AArch64`);
      for (let r = 0; r < 31; r++) yield* am.setShadowCtxt(cpu, vmid, vcpu, r, 0n);
      yield* am.setShadowCtxt(cpu, vmid, vcpu, V.PC, pc);
      yield* am.setShadowCtxt(cpu, vmid, vcpu, V.PSTATE, pstate);
      yield* am.setShadowCtxt(cpu, vmid, vcpu, V.SP, 0n);
      yield* am.setShadowCtxt(cpu, vmid, vcpu, V.SP_EL1, 0n);
      // PSCI CPU_ON hands the secondary its context id in x0.
      yield* am.setShadowCtxt(cpu, vmid, vcpu, 0, yield* am.ld(cpu, shared(k, vmid, vcpu, VCPU.REGS)));
      for (let i = 0; i < CTXT_SYSREGS.length; i++) yield* am.setShadowCtxt(cpu, vmid, vcpu, V.SYSREGS_START + i, resetSysreg(CTXT_SYSREGS[i]!));
      yield* am.setShadowCtxt(cpu, vmid, vcpu, V_VMPIDR, 0x8000_0000n | BigInt(vcpu));
    }
    yield* am.setShadowCtxt(cpu, vmid, vcpu, V.DIRTY, 0n);
    yield* am.setShadowCtxt(cpu, vmid, vcpu, V.FLAGS, 0n);
    return;
  }
  // An injection KServ asks for (v_update_exception_gp_regs) must be one KCore knows: checked
  // before anything of the vCPU changes.
  const inject = yield* am.ld(cpu, shared(k, vmid, vcpu, VCPU.INJECT));
  if (inject !== INJECT.NONE && !isInjectKind(inject)) {
    violation('bad-argument', 'restore_shadow_kvm_regs', `vCPU ${vmid}:${vcpu}: unknown injection ${inject} requested`);
  }
  // sync_dirty_to_shadow: only the registers KServ was asked to produce.
  const dirtyRegs = Number(dirty & 0x7fff_ffffn);   // bits 0..30: x0..x30
  for (let r = 0; r < 31; r++) {
    if ((dirtyRegs >>> r) & 1) yield* am.setShadowCtxt(cpu, vmid, vcpu, r, yield* am.ld(cpu, shared(k, vmid, vcpu, VCPU.REGS + r * 8)));
  }
  let pc = yield* am.getShadowCtxt(cpu, vmid, vcpu, V.PC);
  if (dirty & DIRTY_PC_FLAG) pc += 4n;
  yield* am.setShadowCtxt(cpu, vmid, vcpu, V.PC, pc);
  if (inject !== INJECT.NONE) {
    yield* injectGuest(k, cpu, vmid, vcpu, inject);
    yield* am.st(cpu, shared(k, vmid, vcpu, VCPU.INJECT), INJECT.NONE);
  }
  yield* am.setShadowCtxt(cpu, vmid, vcpu, V.DIRTY, 0n);
  yield* am.setShadowCtxt(cpu, vmid, vcpu, V.FAR_EL2, 0n);
  const flags = yield* am.getShadowCtxt(cpu, vmid, vcpu, V.FLAGS);
  if (flags & PENDING_FSC_FAULT) {
    // post_handle_shadow_s2pt_fault: KServ's walk_result proposal, checked by assign_pfn_to_vm.
    const output = yield* am.ld(cpu, shared(k, vmid, vcpu, VCPU.WALK_OUTPUT));
    const level = Number(yield* am.ld(cpu, shared(k, vmid, vcpu, VCPU.WALK_LEVEL)));
    const hpfar = yield* am.getShadowCtxt(cpu, vmid, vcpu, V.HPFAR_EL2);
    const ipa = Number((hpfar >> 4n) << 12n);
    yield* am.setShadowCtxt(cpu, vmid, vcpu, V.FLAGS, flags & ~PENDING_FSC_FAULT);
    if (output !== 0n) yield* protAndMapVmS2pt(k, cpu, vmid, ipa, output, level);
  }
}

/**
 * Injects an exception into the guest's shadow EL1 state (ELR/SPSR/ESR/FAR_EL1, PC at its
 * vector). The faulting address of an abort is KCore's own record of the exit (FAR_EL2), not a
 * value KServ chooses.
 */
function* injectGuest(k: Kcore, cpu: number, vmid: number, vcpu: number, kind: bigint): Gen {
  const am = k.am;
  const idx = (name: (typeof CTXT_SYSREGS)[number]): number => V.SYSREGS_START + CTXT_SYSREGS.indexOf(name);
  const r = injectException(kind, {
    pc: yield* am.getShadowCtxt(cpu, vmid, vcpu, V.PC),
    pstate: yield* am.getShadowCtxt(cpu, vmid, vcpu, V.PSTATE),
    vbarEl1: yield* am.getShadowCtxt(cpu, vmid, vcpu, idx('VBAR_EL1')),
    far: yield* am.getShadowCtxt(cpu, vmid, vcpu, V.FAR_EL2),
  });
  yield* am.setShadowCtxt(cpu, vmid, vcpu, idx('ELR_EL1'), r.elrEl1);
  yield* am.setShadowCtxt(cpu, vmid, vcpu, idx('SPSR_EL1'), r.spsrEl1);
  yield* am.setShadowCtxt(cpu, vmid, vcpu, idx('ESR_EL1'), r.esrEl1);
  if (r.farEl1 !== null) yield* am.setShadowCtxt(cpu, vmid, vcpu, idx('FAR_EL1'), r.farEl1);
  yield* am.setShadowCtxt(cpu, vmid, vcpu, V.PC, r.pc);
  yield* am.setShadowCtxt(cpu, vmid, vcpu, V.PSTATE, r.pstate);
}

/**
 * save_shadow_kvm_regs (exit to KServ): fault information always; registers per exit class.
 * Returns nothing; KServ reads its vCPU struct.
 */
export function* saveShadowKvmRegs(k: Kcore, cpu: number, vmid: number, vcpu: number, esr: number, irq: boolean): Gen {
  const am = k.am;
  const far = yield* am.getShadowCtxt(cpu, vmid, vcpu, V.FAR_EL2);
  const hpfar = yield* am.getShadowCtxt(cpu, vmid, vcpu, V.HPFAR_EL2);
  yield* am.st(cpu, shared(k, vmid, vcpu, VCPU.ESR), BigInt(esr >>> 0));
  yield* am.st(cpu, shared(k, vmid, vcpu, VCPU.FAR), far);
  yield* am.st(cpu, shared(k, vmid, vcpu, VCPU.HPFAR), hpfar);
  yield* am.st(cpu, shared(k, vmid, vcpu, VCPU.EXIT_EC), irq ? 0xffn : BigInt(esrEc(esr)));
  let dirty = 0n;
  const expose = function* (r: number): Gen {
    yield* am.st(cpu, shared(k, vmid, vcpu, VCPU.REGS + r * 8), yield* am.getShadowCtxt(cpu, vmid, vcpu, r));
  };
  if (k.bug('exit-exposes-all-gprs')) for (let r = 0; r < 31; r++) yield* expose(r);
  if (!irq) {
    const ec = esrEc(esr);
    if (ec === EC.WFx || ec === EC.BRK64) {
      dirty |= DIRTY_PC_FLAG;
    } else if (ec === EC.HVC64) {
      yield* expose(0);
      dirty |= 1n;
      const fn = Number((yield* am.getShadowCtxt(cpu, vmid, vcpu, 0)) & 0xffff_ffffn);
      if (fn === PSCI.CPU_ON_64 || fn === PSCI.CPU_ON_32) { yield* expose(1); yield* expose(2); yield* expose(3); }
      if (fn === PSCI.AFFINITY_INFO_64 || fn === PSCI.AFFINITY_INFO_32) { yield* expose(1); yield* expose(2); }
      if (fn === PSCI.SYSTEM_OFF) yield* setVmPoweroff(k, cpu, vmid);
    } else if (ec === EC.DABT_LOW || ec === EC.IABT_LOW) {
      const ipa = ((hpfar >> 4n) << 12n) | (far & 0xfffn);
      if (ipa < MAX_MMIO_ADDR || ipa >= 0x40_0000_0000n) {
        dirty |= DIRTY_PC_FLAG;
        const rt = (esr >>> 16) & 31;
        const isWrite = (esr & (1 << 6)) !== 0 && (esr & (1 << 7)) === 0;
        if (rt !== 31) {
          if (isWrite) yield* expose(rt);
          else dirty |= 1n << BigInt(rt);
        }
      }
    } else if (ec === EC.SYS64) {
      // A trapped ICC_SGI1R_EL1 write (GICv3 SGI generation): KServ emulates it with Rt's value.
      const rt = (esr >>> 5) & 31;
      if (rt !== 31) yield* expose(rt);
      dirty |= DIRTY_PC_FLAG;
    }
  }
  yield* am.setShadowCtxt(cpu, vmid, vcpu, V.DIRTY, dirty);
  yield* am.setShadowCtxt(cpu, vmid, vcpu, V_ESR, BigInt(esr >>> 0));
}
