/**
 * SeKVM's constants, with their values from the C artifact (arch/arm64/include/asm/
 * hypsec_constant.h, hypsec_host.h, virt.h; ../shared/spec/sekvm.md §2–3). Where the Coq spec
 * uses other (abstract) values, the C values are used here because the seed document's
 * observable behaviour (56 VMIDs, EINVAL on the 57th VM) depends on them; the *checks* follow
 * the Coq spec (§9.3).
 */

/** KServ, the host. */
export const HOSTVISOR = 0;
/** Largest VMID and KCore's own principal id (EL2_MAX_VMID). */
export const EL2_MAX_VMID = 65;
export const COREVISOR = EL2_MAX_VMID;
/** Per-principal info slots (0 = host, 1..64 VMs, 65 = KCore). */
export const EL2_VM_INFO_SIZE = EL2_MAX_VMID + 1;
/** VMIDs handed out per boot (gen_vmid's bound). */
export const MAX_VM_NUM = 56;
/** vCPUs per VM (HYPSEC_MAX_VCPUS; the shadow-context array's stride). */
export const HYPSEC_MAX_VCPUS = 4;
/** Boot images per VM (MAX_LOAD_INFO_NUM). */
export const MAX_LOAD_INFO_NUM = 5;
/** Outstanding grants of one VM page to the host. */
export const MAX_SHARE_COUNT = 100;
/** Host pages may be mapped by at most this many SMMU entries. */
export const MAX_SMMU_COUNT = 16;
/** Owner of a page outside RAM, and count marker of a VM page assigned through the SMMU. */
export const INVALID_MEM = 0xffff_ffff;
export const INVALID64 = 0xffff_ffff_ffff_ffffn;
/** Page-table pool pages that are never reused. */
export const V_INVALID = 0xffff_ffff;

/** VM states (Coq Constants.v; C has no POWEROFF state, §3.3). */
export const VM_STATE = { UNUSED: 0, MAPPED: 1, READY: 2, VERIFIED: 3, POWEROFF: 4 } as const;
/** vCPU states. */
export const VCPU_STATE = { UNUSED: 0, READY: 2, ACTIVE: 5 } as const;
export type VmState = (typeof VM_STATE)[keyof typeof VM_STATE];

export function vmStateName(s: number): string {
  return ['UNUSED', 'MAPPED', 'READY', 'VERIFIED', 'POWEROFF'][s] ?? `state ${s}`;
}
export function vcpuStateName(s: number): string {
  return s === 0 ? 'UNUSED' : s === 2 ? 'READY' : s === 5 ? 'ACTIVE' : `state ${s}`;
}

/** Host hypercall numbers (virt.h under CONFIG_VERIFIED_KVM; sekvm.md §2.2). */
export const HVC = {
  ENABLE_S2_TRANS: 6,
  TIMER_SET_CNTVOFF: 7,
  VCPU_RUN: 8,
  CLEAR_VM_S2_RANGE: 9,
  SET_BOOT_INFO: 10,
  REMAP_VM_IMAGE: 11,
  VERIFY_VM_IMAGES: 12,
  REGISTER_KVM: 13,
  REGISTER_VCPU: 14,
  BOOT_FROM_SAVED_VM: 19,
  ENCRYPT_BUF: 20,
  DECRYPT_BUF: 21,
  SAVE_CRYPT_VCPU: 22,
  SMMU_FREE_PGD: 23,
  SMMU_ALLOC_PGD: 24,
  SMMU_LPAE_MAP: 25,
  SMMU_LPAE_IOVA_TO_PHYS: 26,
  SMMU_CLEAR: 27,
  PHYS_ADDR_IOREMAP: 28,
  LOAD_CRYPT_VCPU: 29,
} as const;
export type HvcName = keyof typeof HVC;
export const HVC_NAME = new Map<number, HvcName>(Object.entries(HVC).map(([k, v]) => [v, k as HvcName]));
/** Linux hyp-stub calls below HVC_STUB_HCALL_NR, and HVC_GET_VECTORS. */
export const HVC_GET_VECTORS = 5;
export const HVC_STUB_HCALL_NR = 3;
/** Returned for an unknown call number (HVC_STUB_ERR, virt.h). */
export const HVC_STUB_ERR = 0xbadca11n;

/** VM paravirtual hypercalls handled inside KCore (include/kvm/pvops.h; sekvm.md §2.4). */
export const KVM_SET_DESC_PFN = 0x81000;
export const KVM_UNSET_DESC_PFN = 0x82000;
export const KVM_SET_BALLOON_PFN = 0x83000;
/** kvm-unit-tests' NOOP hypercall (KServ's handle_hvc returns early for it). */
export const KVM_HVC_NOOP = 0x4b000000;

/** SMMU configuration (hypsec_mmio.h): smmu_id(index, cbndx) = index × 8 + cbndx. */
export const SMMU_NUM = 2;
export const SMMU_NUM_CTXT_BANKS = 8;
export const EL2_SMMU_CFG_SIZE = SMMU_NUM * SMMU_NUM_CTXT_BANKS;

/** Shadow-context indexes (hypsec_constant.h). */
export const V = {
  SP: 31, PC: 32, PSTATE: 33, SP_EL1: 34, ELR_EL1: 35, SPSR_EL1: 36,
  FAR_EL2: 41, HPFAR_EL2: 42, HCR_EL2: 43, EC: 44, DIRTY: 45, FLAGS: 46, SYSREGS_START: 47,
} as const;
/**
 * dirty bits: 0..30 copy GPR i from KServ; DIRTY_PC_FLAG = 1 << 32 steps the PC past an emulated
 * instruction. (Injections KServ requests travel in the shared vCPU struct: src/arch/inject.ts.)
 */
export const DIRTY_PC_FLAG = 1n << 32n;
/** flags: a stage-2 translation fault on RAM awaits KServ's walk_result. */
export const PENDING_FSC_FAULT = 1n << 1n;

/** ARM_EXCEPTION_* exit codes returned by HVC_VCPU_RUN (kvm_asm.h). */
export const ARM_EXCEPTION = { IRQ: 0, EL1_SERROR: 1, TRAP: 2, HYP_GONE: 3 } as const;

/** Guest MMIO: IPAs below 1 GB or at/above 256 GB are device space (MAX_MMIO_ADDR, is_mmio_gpa). */
export const MAX_MMIO_ADDR = 0x4000_0000n;
