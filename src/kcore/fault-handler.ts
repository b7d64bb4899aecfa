/**
 * MemHandler / FaultHandler (SeKVM layers; FaultHandler.c): the host's stage-2 faults
 * (handle_host_stage2_fault → map_page_host, after SMMU MMIO emulation), the classification
 * of VM exits KCore handles itself (fixup_guest_exit), and the VM paravirtual hypercalls
 * KVM_SET_DESC_PFN / KVM_UNSET_DESC_PFN (grant / revoke).
 */
import type { Gen } from '../sim/task.js';
import { pfn as toPfn } from '../arch/addr.js';
import { D_ADDR_MASK, isValid, PMD_MARK } from '../arch/desc.js';
import type { Kcore } from './kcore.js';
import { KVM_SET_DESC_PFN, KVM_UNSET_DESC_PFN, V, PENDING_FSC_FAULT, MAX_MMIO_ADDR } from './constants.js';
import { nptLock } from './locks.js';
import { walkS2pt } from './npt-ops.js';
import { mapPageHost, grantVmPage, revokeVmPage } from './mem-manager.js';
import { EC, esrEc } from '../arch/esr.js';
import { vcpuAt, VCPU } from './shared-abi.js';
import type { Pa } from '../arch/addr.js';

/**
 * handle_host_stage2_fault: the faulting IPA is (HPFAR_EL2 & ~0xf) << 8 | FAR[11:0]; SMMU
 * register accesses are emulated (smmu.ts), everything else goes to map_page_host.
 */
export function* handleHostStage2Fault(k: Kcore, cpu: number): Gen {
  const hpfar = k.m.getSysRaw(cpu, 'HPFAR_EL2');
  const far = k.m.getSysRaw(cpu, 'FAR_EL2');
  k.am.count(cpu, 'sysreg_read', 2);
  const addr = Number(((hpfar & ~0xfn) << 8n) | (far & 0xfffn));
  k.stats.hostFaults++;
  if (k.smmu !== null && k.smmu.owns(addr)) {
    yield* k.smmu.emulateHostAccess(k, cpu, addr);
    return;
  }
  yield* mapPageHost(k, cpu, addr);
}

/**
 * The pfn behind a VM's gfn, from its stage 2 (grant/revoke_stage2_sg_gpa): for a 2 MB block
 * (PMD_MARK) the page is pfn + (gfn & 511). Null if unmapped.
 */
function* vmPfnOf(k: Kcore, cpu: number, vmid: number, ipa: number): Gen<number | null> {
  const am = k.am;
  yield* am.acquire(cpu, nptLock(vmid));
  const leaf = yield* walkS2pt(am, cpu, vmid, ipa);
  yield* am.release(cpu, nptLock(vmid));
  if (!isValid(leaf.pte)) return null;
  const base = Number(leaf.pte & D_ADDR_MASK) / 4096;
  if (leaf.level === 2 || (leaf.pte & PMD_MARK) !== 0n) return base + (Math.floor(ipa / 4096) & 511);
  return base;
}

/**
 * handle_pvops: x0 = call, x1 = IPA, x2 = size (the C artifact's registers; the Coq spec reads
 * x2/x3, sekvm.md §9.3 #8). Returns true if the call was a pvop (handled here, the VM resumes
 * with x0 = 1), false to exit to KServ.
 */
export function* handlePvops(k: Kcore, cpu: number, vmid: number): Gen<boolean> {
  const call = Number(k.m.getX(cpu, 0) & 0xffff_ffffn);
  if (call !== KVM_SET_DESC_PFN && call !== KVM_UNSET_DESC_PFN) return false;
  const ipa = k.m.getX(cpu, 1);
  const size = k.m.getX(cpu, 2);
  const pages = size === 0n ? 0 : Number((size + 4095n) / 4096n);
  for (let i = 0; i < Math.min(pages, 512); i++) {
    const page = Number(ipa & ~0xfffn) + i * 4096;
    if (page >= 2 ** 40) break;
    const f = yield* vmPfnOf(k, cpu, vmid, page);
    if (f === null) continue;
    if (call === KVM_SET_DESC_PFN) yield* grantVmPage(k, cpu, vmid, toPfn(f));
    else yield* revokeVmPage(k, cpu, vmid, toPfn(f));
  }
  k.m.setX(cpu, 0, 1n);
  return true;
}

/** ICC_SGI1R_EL1 / ICC_ASGI1R_EL1 / ICC_SGI0R_EL1 in an EC 0x18 syndrome (op0 3, op1 0, CRn 12, CRm 11, op2 5/6/7). */
export function isSgiTrap(esr: number): boolean {
  const iss = esr & 0x1ff_ffff;
  const op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7, crn = (iss >> 10) & 15, crm = (iss >> 1) & 15;
  return op0 === 3 && op1 === 0 && crn === 12 && crm === 11 && op2 >= 5 && (iss & 1) === 0;
}

/**
 * __populate_fault_info + the translation-fault bookkeeping: records FAR/HPFAR in the shadow
 * context; a stage-2 translation fault on RAM marks PENDING_FSC_FAULT and clears the walk_result
 * KServ will fill.
 */
export function* populateFaultInfo(k: Kcore, cpu: number, vmid: number, vcpu: number, esr: number, far: bigint, hpfar: bigint): Gen {
  const am = k.am;
  yield* am.setShadowCtxt(cpu, vmid, vcpu, V.FAR_EL2, far);
  yield* am.setShadowCtxt(cpu, vmid, vcpu, V.HPFAR_EL2, hpfar);
  const fsc = esr & 0x3f;
  const ipa = ((hpfar >> 4n) << 12n) | (far & 0xfffn);
  const isMmio = ipa < MAX_MMIO_ADDR || ipa >= 0x40_0000_0000n;
  if ((fsc & 0x3c) === 0x04 && !isMmio) {
    const flags = yield* am.getShadowCtxt(cpu, vmid, vcpu, V.FLAGS);
    yield* am.setShadowCtxt(cpu, vmid, vcpu, V.FLAGS, flags | PENDING_FSC_FAULT);
    const at = vcpuAt(k.cfg.sharedBase, vmid, vcpu);
    yield* am.st(cpu, (at + VCPU.WALK_OUTPUT) as Pa, 0n);
    yield* am.st(cpu, (at + VCPU.WALK_LEVEL) as Pa, 0n);
  }
}

/** The exit classes KCore resumes from without KServ (fixup_guest_exit). */
export function handledInKcore(esr: number): 'pvop' | 'sys' | 'exit' {
  const ec = esrEc(esr);
  if (ec === EC.HVC64) return 'pvop';
  if (ec === EC.SYS64 && !isSgiTrap(esr)) return 'sys';
  return 'exit';
}
