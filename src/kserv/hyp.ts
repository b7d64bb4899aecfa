/**
 * What KServ's KVM code asks of the hypervisor below it. Two implementations share this
 * interface (DESIGN.md rule 4): SeKVM (src/sim/sekvm-host.ts: every operation is a hypercall into
 * KCore through the hardware trap path, and KServ's memory goes through the host stage 2) and
 * the KVM 4.18 nVHE baseline (src/kvm/kvm-hyp.ts: a trusted lowvisor; the host has no stage 2
 * and manages VM stage-2 tables itself).
 */
import type { Gen } from '../sim/task.js';

export type HypMode = 'sekvm' | 'kvm';

/** The exit of one VCPU_RUN, as KServ sees it (its vCPU struct is updated too). */
export interface RunExit {
  /** ARM_EXCEPTION_TRAP (2) or ARM_EXCEPTION_IRQ (0); negative errno if the run was refused. */
  readonly code: bigint;
}

export interface HostHyp {
  readonly mode: HypMode;
  /** Physical base of the shared vCPU/VM structures (shared-abi.ts layout). */
  readonly sharedBase: number;
  /** First byte above the host's usable RAM (KCore's region, or RAM's end in KVM mode). */
  readonly hostRamEnd: number;

  /** Per-pCPU installation (HVC_ENABLE_S2_TRANS / KVM's hyp init). */
  initCpu(cpu: number): Gen;

  /** Host memory accesses by KServ on pCPU `cpu`; null/false if the hypervisor refused the access. */
  read64(cpu: number, pa: number): Gen<bigint | null>;
  write64(cpu: number, pa: number, v: bigint): Gen<boolean>;
  readBytes(cpu: number, pa: number, len: number): Gen<Uint8Array | null>;
  writeBytes(cpu: number, pa: number, bytes: Uint8Array): Gen<boolean>;
  /** A 32/64-bit access to a device register (SMMU, GIC) by the host kernel. */
  mmio(cpu: number, pa: number, size: 4 | 8, write: boolean, value: bigint): Gen<bigint | null>;

  /** KVM_CREATE_VM: a new VM's id, or a negative errno. */
  createVm(cpu: number): Gen<bigint>;
  /** KVM_CREATE_VCPU. */
  createVcpu(cpu: number, vmid: number, vcpu: number): Gen<bigint>;
  /**
   * Loads a boot image that KServ placed in host pages `pfns` (in order) for IPA `ipa`
   * (SeKVM: SET_BOOT_INFO + REMAP_VM_IMAGE per page; KVM: map them into the VM's stage 2).
   */
  loadImage(cpu: number, vmid: number, ipa: number, size: number, pfns: readonly number[]): Gen<bigint>;
  /** Device mapping into a VM (HVC_PHYS_ADDR_IOREMAP). */
  ioremap(cpu: number, vmid: number, gpa: number, pa: number, size: number): Gen<bigint>;
  /** The VM's virtual counter offset on this pCPU (HVC_TIMER_SET_CNTVOFF / __kvm_timer_set_cntvoff). */
  setCntvoff(cpu: number, off: bigint): Gen;
  /** Called before a vCPU's first run (SeKVM: HVC_VERIFY_VM_IMAGES once per VM). */
  firstRun(cpu: number, vmid: number): Gen<bigint>;
  /** Backs a faulting guest page: KServ's proposal (SeKVM: walk_result; KVM: maps it itself). */
  resolveFault(cpu: number, vmid: number, vcpu: number, ipa: number, pfn: number, level: 2 | 3): Gen<bigint>;
  /** KVM_RUN's hyp part: HVC_VCPU_RUN / __kvm_vcpu_run_nvhe. */
  vcpuRun(cpu: number, vmid: number, vcpu: number): Gen<RunExit>;
  /** VM teardown: the VM's memory back to the host (HVC_CLEAR_VM_S2_RANGE over all RAM). */
  destroyVm(cpu: number, vmid: number): Gen<bigint>;
  /** A raw host hypercall (the fuzzer's malicious KServ); KVM mode has none. */
  hvc(cpu: number, nr: number, args: readonly bigint[]): Gen<bigint>;
  /** Whether the hypervisor has halted the machine (SeKVM `halt` after a violation). */
  halted(): string | null;
}
