/**
 * TrapDispatcher / TrapHandler (SeKVM layers; TrapDispatcher.c `handle_host_hvc`,
 * switch-simple.c `__kvm_vcpu_run_nvhe`): the table of host hypercalls indexed by their real
 * numbers (pKVM's host_hcall[] shape, STYLE rule 4), and the VCPU_RUN world switch with the
 * VM-exit loop that resumes the guest directly for exits KCore handles.
 */
import type { Gen } from '../sim/task.js';
import type { Kcore } from './kcore.js';
import {
  HVC, HVC_NAME, VM_STATE, ARM_EXCEPTION, COREVISOR, HOSTVISOR, HVC_GET_VECTORS, HVC_STUB_HCALL_NR,
} from './constants.js';
import { CORE_LOCK, S2PAGE_LOCK } from './locks.js';
import { KcoreViolation, KERR } from './errors.js';
import { pfn as toPfn } from '../arch/addr.js';
import { setPfnOwner } from './page-manager.js';
import {
  registerKvm, registerVcpu, setBootInfo, remapVmImage, verifyAndLoadImages, physAddrIoremap, checkVm, checkVcpu, VmidExhausted,
} from './boot-ops.js';
import { setVcpuActive, setVcpuInactive, restoreShadowKvmRegs, saveShadowKvmRegs } from './vcpu-ops.js';
import {
  saveHostSysregs, restoreHostSysregs, restoreGuestCtxt, saveGuestCtxt, restoreVgic, saveVgic, HCR_VM_FLAGS, HCR_HOST_SEKVM,
} from './ctxt-switch.js';
import { handlePvops, populateFaultInfo, handledInKcore, handleHostStage2Fault } from './fault-handler.js';
import { clearVmS2Range, encryptBuf, decryptBuf, saveCryptVcpu, loadCryptVcpu } from './mem-handler.js';
import { smmuHypercall } from './smmu.js';
import { vcpuAt, VCPU } from './shared-abi.js';
import { EC, esrEc } from '../arch/esr.js';
import type { Pa } from '../arch/addr.js';
import { bug } from '../util/result.js';

type HostHandler = (k: Kcore, cpu: number, a: readonly bigint[]) => Gen<bigint>;

/** VTCR_EL2 for every stage 2: 40-bit IPA (T0SZ 24), start level 1 (SL0 1), WB/WB inner-shareable walks, 4 KB, PS 40 bits, RES1. */
export const VTCR_SEKVM = 24n | (1n << 6n) | (1n << 8n) | (1n << 10n) | (3n << 12n) | (2n << 16n) | (1n << 31n);

const small = (x: bigint): number => (x > 0xffff_ffffn ? -1 : Number(x));

/** The host hypercall table, indexed by HVC number (sekvm.md §2.2). */
const HOST_HCALL: (HostHandler | undefined)[] = [];
HOST_HCALL[HVC.ENABLE_S2_TRANS] = (k, cpu) => enableS2Trans(k, cpu);
HOST_HCALL[HVC.TIMER_SET_CNTVOFF] = function* (k, cpu, a) {
  k.m.setSysRaw(cpu, 'CNTVOFF_EL2', ((a[1]! & 0xffff_ffffn) << 32n) | (a[0]! & 0xffff_ffffn));
  k.am.count(cpu, 'sysreg_write');
  return 0n;
};
HOST_HCALL[HVC.VCPU_RUN] = (k, cpu, a) => vcpuRun(k, cpu, small(a[0]!), small(a[1]!));
HOST_HCALL[HVC.CLEAR_VM_S2_RANGE] = (k, cpu, a) => clearVmS2Range(k, cpu, small(a[0]!), a[1]!, a[2]!);
HOST_HCALL[HVC.SET_BOOT_INFO] = (k, cpu, a) => setBootInfo(k, cpu, small(a[0]!), a[1]!, a[2]!);
// A pfn beyond 36 bits is out of range, not aliased onto RAM by masking (Coq: full range checks, sekvm.md §9.3 #5).
HOST_HCALL[HVC.REMAP_VM_IMAGE] = (k, cpu, a) => remapVmImage(k, cpu, small(a[0]!), a[1]! > 0xf_ffff_ffffn ? -1 : Number(a[1]!), small(a[2]!));
HOST_HCALL[HVC.VERIFY_VM_IMAGES] = (k, cpu, a) => verifyAndLoadImages(k, cpu, small(a[0]!));
HOST_HCALL[HVC.REGISTER_KVM] = (k, cpu) => registerKvm(k, cpu);
HOST_HCALL[HVC.REGISTER_VCPU] = (k, cpu, a) => registerVcpu(k, cpu, small(a[0]!), small(a[1]!));
HOST_HCALL[HVC.ENCRYPT_BUF] = (k, cpu, a) => encryptBuf(k, cpu, small(a[0]!), a[1]!, a[2]!);
HOST_HCALL[HVC.DECRYPT_BUF] = (k, cpu, a) => decryptBuf(k, cpu, small(a[0]!), a[1]!, a[2]!);
HOST_HCALL[HVC.SAVE_CRYPT_VCPU] = (k, cpu, a) => saveCryptVcpu(k, cpu, small(a[0]!), small(a[1]!));
HOST_HCALL[HVC.LOAD_CRYPT_VCPU] = (k, cpu, a) => loadCryptVcpu(k, cpu, small(a[0]!), small(a[1]!));
HOST_HCALL[HVC.PHYS_ADDR_IOREMAP] = (k, cpu, a) => physAddrIoremap(k, cpu, small(a[0]!), a[1]!, a[2]!, a[3]!);
for (const nr of [HVC.SMMU_FREE_PGD, HVC.SMMU_ALLOC_PGD, HVC.SMMU_LPAE_MAP, HVC.SMMU_LPAE_IOVA_TO_PHYS, HVC.SMMU_CLEAR]) {
  HOST_HCALL[nr] = (k, cpu, a) => smmuHypercall(k, cpu, nr, a);
}

/** Whether `nr` is a host hypercall KCore implements. */
export function isHostHypercall(nr: number): boolean {
  return nr >= 0 && nr < HOST_HCALL.length && HOST_HCALL[nr] !== undefined;
}

/**
 * handle_host_hvc: the host's x0..x30 are saved on KCore's stack (s2_host_regs, per-CPU
 * memory); x0 selects the handler; the result goes to the saved x0 and the registers are
 * restored. A failed check is a KcoreViolation: in `reject` mode the call returns its error
 * code (nothing was changed: handlers check first), in `halt` mode KCore stops the machine.
 */
export function* hostHvc(k: Kcore, cpu: number): Gen<bigint> {
  const am = k.am;
  am.handler(cpu, 'enter', 'hvc');
  const regs = new Array<bigint>(31);
  for (let r = 0; r < 31; r++) regs[r] = k.m.getX(cpu, r);
  am.setHostRegs(cpu, regs);
  am.count(cpu, 'gpr_save', 31);
  const nr = k.m.getX(cpu, 0);
  const args = [1, 2, 3, 4, 5].map((r) => k.m.getX(cpu, r));
  const n = nr > 0xffffn ? -1 : Number(nr);
  const name = HVC_NAME.get(n) ?? `HVC_${nr.toString()}`;
  k.stats.hvc++;
  k.event({ kind: 'hvc', cpu, nr: n, name, args });
  let ret: bigint;
  let rejected = false;
  const handler = n >= 0 && n < HOST_HCALL.length ? HOST_HCALL[n] : undefined;
  if (n === HVC_GET_VECTORS) {
    ret = k.m.getSysRaw(cpu, 'VBAR_EL2');
  } else if (handler === undefined || n < HVC_STUB_HCALL_NR) {
    // Unknown call numbers are rejected (the Coq dispatcher treats them as a no-op).
    ret = KERR.NOT_SUPPORTED;
    rejected = true;
  } else {
    try {
      ret = yield* handler(k, cpu, args);
    } catch (e) {
      ret = onViolation(k, cpu, e);
      rejected = true;
    }
  }
  am.setHostReg(cpu, 0, ret);
  const back = am.getHostRegs(cpu);
  for (let r = 0; r < 31; r++) k.m.setX(cpu, r, back[r]!);
  am.count(cpu, 'gpr_restore', 31);
  k.event({ kind: 'hvc-ret', cpu, nr: n, name, ret, rejected });
  am.handler(cpu, 'exit', 'hvc');
  return ret;
}

/**
 * A handler stopped on a failed check: its locks are dropped (nothing was updated), the event
 * is recorded, and in `halt` mode KCore stops the machine (VMID exhaustion is only an error
 * return: SeKVM's gen_vmid "panic" did not halt). Returns the error code for x0.
 */
function onViolation(k: Kcore, cpu: number, e: unknown): bigint {
  if (!(e instanceof KcoreViolation)) throw e;
  k.am.abandonLocks(cpu);
  k.stats.rejected++;
  const fatal = k.cfg.onViolation === 'halt' && !(e instanceof VmidExhausted);
  if (!(e instanceof VmidExhausted)) k.stats.violations++;
  k.event({ kind: 'kcore-halt', cpu, code: e.code, where: e.where, detail: e.detail, mode: fatal ? 'halt' : 'reject' });
  if (fatal) k.halted = e;
  return e.errno;
}

/**
 * A host data abort at EL2 (handle_host_stage2_fault), with the same violation policy as host
 * hypercalls. Returns whether KCore emulated the access (an SMMU register) rather than mapping.
 */
export function* hostDataAbort(k: Kcore, cpu: number): Gen<'mapped' | 'emulated' | 'refused'> {
  const elr = k.m.getSysRaw(cpu, 'ELR_EL2');
  k.am.handler(cpu, 'enter', 'host-fault');
  try {
    yield* handleHostStage2Fault(k, cpu);
  } catch (e) {
    onViolation(k, cpu, e);
    k.am.handler(cpu, 'exit', 'host-fault');
    return 'refused';
  }
  k.am.handler(cpu, 'exit', 'host-fault');
  return k.m.getSysRaw(cpu, 'ELR_EL2') !== elr ? 'emulated' : 'mapped';
}

/**
 * HVC_ENABLE_S2_TRANS (TrapDispatcher.c hvc_enable_s2_trans): the first call marks KCore's
 * region as COREVISOR-owned (protect_el2_mem); every call installs the host stage 2 on the
 * calling pCPU (VTCR, VTTBR = host_vttbr, HCR = HCR_HOST_NVHE_FLAGS) and flushes its TLB.
 */
function* enableS2Trans(k: Kcore, cpu: number): Gen<bigint> {
  const am = k.am;
  yield* am.acquire(cpu, CORE_LOCK);
  if ((yield* am.getCore(cpu, 'INSTALLED')) === 0n) {
    const start = Number(yield* am.getCore(cpu, 'CORE_START'));
    const end = Number(yield* am.getCore(cpu, 'CORE_END'));
    yield* am.acquire(cpu, S2PAGE_LOCK);
    for (let p = start; p < end; p += 4096) yield* setPfnOwner(am, cpu, toPfn(p / 4096), COREVISOR);
    yield* am.release(cpu, S2PAGE_LOCK);
    yield* am.setCore(cpu, 'INSTALLED', 1n);
  }
  const hostVttbr = yield* am.getCore(cpu, 'HOST_VTTBR');
  yield* am.release(cpu, CORE_LOCK);
  k.m.setSysRaw(cpu, 'VTCR_EL2', VTCR_SEKVM);
  k.m.setSysRaw(cpu, 'VTTBR_EL2', hostVttbr);
  k.m.setSysRaw(cpu, 'HCR_EL2', HCR_HOST_SEKVM);
  am.count(cpu, 'sysreg_write', 3);
  am.tlbi(cpu, 'ALLE1');
  yield* am.barrier(cpu, 'dsb');
  yield* am.barrier(cpu, 'isb');
  return 0n;
}

/**
 * HVC_VCPU_RUN (__kvm_vcpu_run_nvhe): admit the vCPU, switch the pCPU from the host to the
 * VM (host EL1 state saved, shadow state restored, VM traps and VTTBR), run the guest, handle
 * the exits KCore owns (pvops, trapped system instructions) without leaving EL2, and on any
 * other exit switch back, exposing only what §2.4 allows. Returns ARM_EXCEPTION_TRAP or _IRQ.
 */
export function* vcpuRun(k: Kcore, cpu: number, vmid: number, vcpu: number): Gen<bigint> {
  checkVm('vcpu_run', vmid);
  checkVcpu('vcpu_run', vcpu);
  const am = k.am;
  const m = k.m;
  yield* setVcpuActive(k, cpu, vmid, vcpu);
  let entered = false;
  try {
    yield* am.setPerCpu(cpu, 'VMID', BigInt(vmid));
    yield* am.setPerCpu(cpu, 'VCPUID', BigInt(vcpu));
    yield* am.setPerCpu(cpu, 'HOST_ELR', m.getSysRaw(cpu, 'ELR_EL2'));
    yield* am.setPerCpu(cpu, 'HOST_SPSR', m.getSysRaw(cpu, 'SPSR_EL2'));
    yield* saveHostSysregs(k, cpu);
    yield* restoreShadowKvmRegs(k, cpu, vmid, vcpu);
    entered = true;
    // __activate_traps + __activate_vm.
    const virq = yield* am.ld(cpu, (vcpuAt(k.cfg.sharedBase, vmid, vcpu) + VCPU.HCR_VIRQ) as Pa);
    m.setSysRaw(cpu, 'HCR_EL2', HCR_VM_FLAGS | (virq & (3n << 6n)));
    m.setSysRaw(cpu, 'VTTBR_EL2', yield* am.getVmInfo(cpu, vmid, 'VTTBR'));
    // timer_enable_traps: the guest may read the physical counter but not use the host's EL1 physical timer.
    m.setSysRaw(cpu, 'CNTHCTL_EL2', 1n);
    am.count(cpu, 'sysreg_write', 3);
    // A different vCPU of this VM ran here last: its stage-1 entries may be stale for us.
    const lastVm = yield* am.getPerCpu(cpu, 'LAST_VMID');
    const lastVcpu = yield* am.getPerCpu(cpu, 'LAST_VCPU');
    if (lastVm === BigInt(vmid) && lastVcpu !== BigInt(vcpu)) {
      am.tlbi(cpu, 'VMALLE1');
      yield* am.barrier(cpu, 'dsb');
      yield* am.barrier(cpu, 'isb');
    }
    yield* am.setPerCpu(cpu, 'LAST_VMID', BigInt(vmid));
    yield* am.setPerCpu(cpu, 'LAST_VCPU', BigInt(vcpu));
    yield* restoreGuestCtxt(k, cpu, vmid, vcpu);
    yield* restoreVgic(k, cpu, vmid, vcpu);
    am.count(cpu, 'fp_save');     // SeKVM switches FP/SIMD eagerly on every entry and exit
    am.count(cpu, 'fp_restore');
    k.event({ kind: 'enter-guest', cpu, vmid, vcpu, pc: m.getSysRaw(cpu, 'ELR_EL2') });
    am.count(cpu, 'eret');
    m.eret(cpu);
    let code = BigInt(ARM_EXCEPTION.TRAP);
    let esr = 0;
    let irq = false;
    for (;;) {
      am.handler(cpu, 'exit', 'vcpu-run');
      const exit = yield { kind: 'guest', budget: 1 << 30 };
      am.handler(cpu, 'enter', 'vcpu-run');
      if (exit === undefined) continue;
      // Guests take every exception at EL1 or EL2 (WFI/WFE trap): no other exit can happen here.
      if (exit.kind !== 'exception' || exit.targetEl !== 2) bug(`guest exit ${exit.kind} in vcpu_run`);
      am.count(cpu, 'exc_entry');
      if (exit.exc === 'irq' || exit.exc === 'fiq') {
        irq = true;
        code = BigInt(ARM_EXCEPTION.IRQ);
        break;
      }
      esr = exit.esr;
      if (esrEc(esr) === EC.HVC64) k.stats.guestHvc++;
      const what = handledInKcore(esr);
      if (what === 'pvop' && (yield* handlePvops(k, cpu, vmid))) {
        k.event({ kind: 'guest-exit', cpu, vmid, vcpu, esr, far: exit.far, hpfar: exit.hpfar, irq: false, path: 'kcore' });
        am.count(cpu, 'eret');
        m.eret(cpu);
        continue;
      }
      if (what === 'sys') {
        // KCore does not emulate trapped system instructions: it skips them (ELR_EL2 += 4).
        m.setSysRaw(cpu, 'ELR_EL2', m.getSysRaw(cpu, 'ELR_EL2') + 4n);
        k.event({ kind: 'guest-exit', cpu, vmid, vcpu, esr, far: exit.far, hpfar: exit.hpfar, irq: false, path: 'kcore' });
        am.count(cpu, 'eret');
        m.eret(cpu);
        continue;
      }
      const ec = esrEc(esr);
      if (ec === EC.DABT_LOW || ec === EC.IABT_LOW) yield* populateFaultInfo(k, cpu, vmid, vcpu, esr, exit.far, exit.hpfar);
      break;
    }
    // Exit to KServ: save the VM, restore the host, expose only what KServ may see.
    yield* saveGuestCtxt(k, cpu, vmid, vcpu);
    yield* saveVgic(k, cpu, vmid, vcpu);
    am.count(cpu, 'fp_save');
    am.count(cpu, 'fp_restore');
    yield* saveShadowKvmRegs(k, cpu, vmid, vcpu, esr, irq);
    const far = yield* am.ld(cpu, (vcpuAt(k.cfg.sharedBase, vmid, vcpu) + VCPU.FAR) as Pa);
    const hpfar = yield* am.ld(cpu, (vcpuAt(k.cfg.sharedBase, vmid, vcpu) + VCPU.HPFAR) as Pa);
    k.event({ kind: 'guest-exit', cpu, vmid, vcpu, esr, far, hpfar, irq, path: 'kserv' });
    yield* leaveGuest(k, cpu);
    yield* setVcpuInactive(k, cpu, vmid, vcpu);
    return code;
  } catch (e) {
    if (e instanceof KcoreViolation) {
      am.abandonLocks(cpu);
      if (entered) yield* leaveGuest(k, cpu);
      // Refused before the switch (boot PC, walk_result): the pCPU runs the host again
      // (state_inv: host running means cur_vmid = HOSTVISOR, sekvm.md §4.1).
      else yield* am.setPerCpu(cpu, 'VMID', BigInt(HOSTVISOR));
      yield* setVcpuInactive(k, cpu, vmid, vcpu);
    }
    throw e;
  }
}

/** __host_el2_restore_state: VTTBR = host_vttbr, HCR = host flags, host EL1 state, ELR/SPSR of the host's trap. */
function* leaveGuest(k: Kcore, cpu: number): Gen {
  const am = k.am;
  k.m.setSysRaw(cpu, 'HCR_EL2', HCR_HOST_SEKVM);
  k.m.setSysRaw(cpu, 'VTTBR_EL2', yield* am.getCore(cpu, 'HOST_VTTBR'));
  k.m.setSysRaw(cpu, 'CNTHCTL_EL2', 3n);
  am.count(cpu, 'sysreg_write', 3);
  yield* restoreHostSysregs(k, cpu);
  k.m.setSysRaw(cpu, 'ELR_EL2', yield* am.getPerCpu(cpu, 'HOST_ELR'));
  k.m.setSysRaw(cpu, 'SPSR_EL2', yield* am.getPerCpu(cpu, 'HOST_SPSR'));
  yield* am.setPerCpu(cpu, 'VMID', BigInt(HOSTVISOR));
  k.event({ kind: 'enter-host', cpu });
}

export { VM_STATE };
