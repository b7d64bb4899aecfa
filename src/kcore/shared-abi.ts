/**
 * `shared_data` (sekvm.md §3.5): the pool of KServ's `struct kvm` / `struct kvm_vcpu` that lives
 * in host memory, outside KCore's protected range. KServ writes it; KCore reads it only as
 * "oracle reads" at defined points (the vCPU's exposed registers, walk_result, the boot PC,
 * image signatures, interrupt-controller state KServ manages). This file is the ABI both sides
 * agree on (offsets in bytes).
 *
 *   sharedBase
 *   ├─ kvm_pool[EL2_MAX_VMID]            KVM_BYTES each
 *   │    +0x000 vmid
 *   │    +0x040 signature[MAX_LOAD_INFO_NUM][64]   (Ed25519 signature of each boot image)
 *   └─ vcpu_pool[EL2_MAX_VMID × HYPSEC_MAX_VCPUS]   VCPU_BYTES each
 *        +0x000 regs[31]    x0..x30 (only what §2.4 exposes is meaningful)
 *        +0x0f8 pc          +0x100 pstate (boot values before the first run)
 *        +0x108 esr  +0x110 far  +0x118 hpfar                 (fault info of the last exit)
 *        +0x120 walk_output +0x128 walk_level                 (KServ's stage-2 proposal)
 *        +0x130 exit_ec     +0x138 inject (1 = inject UNDEF)
 *        +0x140 lr[16]      +0x1c0 vmcr  +0x1c8 ich_hcr       (vGIC state KServ manages)
 *        +0x1d0 hcr_virq (VI/VF requests)
 *        +0x400 crypt[...]  (SAVE/LOAD_CRYPT_VCPU: encrypted registers)
 *        +0x800 KVM mode only: the whole guest context (sysregs[CTXT_SYSREGS], SP_EL0, SP_EL1,
 *               VMPIDR) — plain KVM keeps the guest's state here, readable by the host
 */
import { EL2_MAX_VMID, HYPSEC_MAX_VCPUS } from './constants.js';

export const KVM_BYTES = 0x400;
export const VCPU_BYTES = 0x1000;

export const KVM = { VMID: 0x000, SIGNATURE: 0x040 } as const;

export const VCPU = {
  REGS: 0x000,
  PC: 0x0f8,
  PSTATE: 0x100,
  ESR: 0x108,
  FAR: 0x110,
  HPFAR: 0x118,
  WALK_OUTPUT: 0x120,
  WALK_LEVEL: 0x128,
  EXIT_EC: 0x130,
  INJECT: 0x138,
  LR: 0x140,
  VMCR: 0x1c0,
  ICH_HCR: 0x1c8,
  HCR_VIRQ: 0x1d0,
  CRYPT: 0x400,
  KVM_CTXT: 0x800,
} as const;

/** Bytes of a vCPU's crypt area (SAVE/LOAD_CRYPT_VCPU's encrypted registers lie inside it). */
export const VCPU_CRYPT_BYTES = VCPU.KVM_CTXT - VCPU.CRYPT;

/** Bytes of the whole shared pool. */
export const SHARED_BYTES = EL2_MAX_VMID * KVM_BYTES + EL2_MAX_VMID * HYPSEC_MAX_VCPUS * VCPU_BYTES;

export function kvmAt(base: number, vmid: number): number {
  return base + vmid * KVM_BYTES;
}

export function vcpuAt(base: number, vmid: number, vcpu: number): number {
  return base + EL2_MAX_VMID * KVM_BYTES + (vmid * HYPSEC_MAX_VCPUS + vcpu) * VCPU_BYTES;
}
