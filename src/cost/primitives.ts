/**
 * The primitive steps the hypervisors execute, counted as they happen (../shared/spec/sekvm.md
 * §6.3 "cost symbols"). Counting is the charging mechanism: the cost model (src/cost/model.ts)
 * turns counts into cycles with one table shared by KVM and SeKVM, so SeKVM's extra cost can
 * only come from the extra steps it executes.
 */
export const PRIMITIVES = [
  'exc_entry',        // taking an exception to EL2 (or EL1)
  'eret',             // exception return
  'gpr_save',         // one general-purpose register saved
  'gpr_restore',      // one general-purpose register restored
  'sysreg_read',      // MRS of a system register
  'sysreg_write',     // MSR of a system register
  'fp_save',          // FP/SIMD state saved (32 × Q registers + FPSR/FPCR)
  'fp_restore',       // FP/SIMD state restored
  'lock',             // uncontended lock acquire (ticket increment + barrier)
  'unlock',           // lock release (barrier + owner increment)
  'lock_spin',        // one spin iteration on a contended lock
  'dmb',
  'dsb',
  'isb',
  'tlbi_local',
  'tlbi_bcast',       // broadcast (inner-shareable) TLBI
  'pt_walk_level',    // one level of a software page-table walk (descriptor read)
  'pte_write',        // one page-table entry written
  'dcache_clean_4k',  // clean (and invalidate) 4 KB to the point of coherency
  'mem_load',         // one 8-byte load of hypervisor data
  'mem_store',        // one 8-byte store of hypervisor data
  'page_zero',        // zeroing one 4 KB page
  'page_copy',        // copying one 4 KB page
  'aes_page',         // AES over one 4 KB page
  'ed25519_verify',   // one Ed25519 signature check (per image)
  'sha512_page',      // hashing one 4 KB page for the signature check
  'user_roundtrip',   // return from the host kernel to user space (QEMU) and back
  'ipi_send',         // sending a physical IPI
  'host_fault',       // the host's own handling of a stage-2 fault (allocating and proposing a page)
  'mmio_emulate',     // emulating one device register access
  'exit_dispatch',    // one turn of the host kernel's KVM_RUN loop around an exit (handle_exit's dispatch)
  'device_access',    // a device register access that reaches the device (bare metal: no trap)
  'walk_step',        // one descriptor read of the hardware walker on a TLB miss (charged by the core)
] as const;

export type Primitive = (typeof PRIMITIVES)[number];

/** Who executes a step: the guest, the EL2 hypervisor (KCore, or KVM's lowvisor), the host kernel, host user space. */
export const COMPONENTS = ['guest', 'el2', 'kserv', 'kserv-user'] as const;
export type Component = (typeof COMPONENTS)[number];

export const PRIMITIVE_INDEX = new Map<Primitive, number>(PRIMITIVES.map((p, i) => [p, i]));
