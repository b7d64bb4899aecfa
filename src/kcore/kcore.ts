/**
 * KCore: SeKVM's trusted core, running as host-mode EL2 software on the simulated machine. It
 * owns a region of physical memory (its state, layout.ts) and the stage-2 tables the hardware
 * walks; every access to that state goes through the AbstractMachine door.
 *
 * This object holds KCore's configuration and cross-cutting services (violations, events,
 * TLB maintenance sequences); the behaviour is in the layer modules, bottom up:
 *   abstract-machine → page-manager → npt/npt-ops → mem-manager → boot-core/boot-ops →
 *   vcpu-ops/ctxt-switch → mem-handler/smmu → fault-handler → trap-dispatcher
 */
import type { Machine } from '../machine/machine.js';
import type { Scheduler } from '../sim/sched.js';
import type { Meter } from '../cost/meter.js';
import type { Gen } from '../sim/task.js';
import type { TraceEvent, TraceSink } from '../trace/events.js';
import type { Pa } from '../arch/addr.js';
import { AbstractMachine } from './abstract-machine.js';
import { kcoreLayout, type KcoreLayout, CORE } from './layout.js';
import { COREVISOR, HOSTVISOR, EL2_VM_INFO_SIZE, MAX_VM_NUM, INVALID_MEM } from './constants.js';
import { poolOf, rootPages } from './npt-ops.js';
import { KcoreViolation } from './errors.js';
import { initSmmuData } from './smmu.js';

export type OnViolation = 'halt' | 'reject';

/** What KCore needs from the SMMU model (src/kcore/smmu.ts implements it). */
export interface KcoreSmmu {
  /** Whether a host physical address is an SMMU register. */
  owns(pa: number): boolean;
  /** Emulates the host's faulting access to an SMMU register (handle_host_mmio). */
  emulateHostAccess(k: Kcore, cpu: number, pa: number): Gen;
}

/**
 * Injectable KCore bugs for the fuzzer (off by default; zero cost when off): each a small, named
 * deviation from the spec at one check, found by `sekvm-sim fuzz --bug NAME`.
 */
export const KCORE_BUGS = [
  'assign-no-owner-check',        // assign_pfn_to_vm takes any page, not only a host page with count 0
  'clear-vm-page-no-scrub',       // clear_vm_page returns a VM page to the host without zeroing it
  'clear-pfn-host-no-tlbi',       // clear_pfn_host removes the host mapping without the TLBI sequence
  'revoke-no-unmap',              // revoke_vm_page at count 1 → 0 leaves the host mapping
  'grant-no-share-bound',         // grant_vm_page without the MAX_SHARE_COUNT bound
  'register-vcpu-weak-check',     // register_vcpu with C's "VM READY or vCPU UNUSED" (§9.3 #3)
  'decrypt-buf-no-owner-check',   // __el2_decrypt_buf into any RAM page
  'remap-after-verified',         // remap_vm_image accepted once the VM is VERIFIED
  'map-page-host-nolock',         // map_page_host drops s2pages_lock before writing the host PTE
  'clear-vm-s2-range-off-by-one', // el2_clear_vm_stage2_range stops one page short
  'exit-exposes-all-gprs',        // save_shadow_kvm_regs copies every GPR to KServ
  'smmu-map-vm-page-for-host',    // SMMU_LPAE_MAP puts a VM page in a host context bank
] as const;

export type KcoreBug = (typeof KCORE_BUGS)[number];

export interface KcoreConfig {
  readonly onViolation: OnViolation;
  /** Ed25519 public key (32 bytes, raw) that boot images must be signed with. */
  readonly publicKey: Uint8Array;
  /** Physical base of KServ's shared_data pool (host memory). */
  readonly sharedBase: number;
  /** AES-128 key and IV for ENCRYPT/DECRYPT_BUF and SAVE/LOAD_CRYPT_VCPU. */
  readonly aesKey: Uint8Array;
  readonly aesIv: Uint8Array;
  readonly bugs?: readonly KcoreBug[];
  /** Stage-2 pool pages per VM. */
  readonly vmPoolPages?: number;
}

export class Kcore {
  readonly am: AbstractMachine;
  readonly lay: KcoreLayout;
  readonly m: Machine;
  private readonly bugs: ReadonlySet<KcoreBug>;
  private sink: TraceSink | null = null;
  /** Set when a violation stops the machine in `halt` mode (the Coq spec's `halt`). */
  halted: KcoreViolation | null = null;
  /** The SMMU model KCore protects (set by the system when the board has one). */
  smmu: KcoreSmmu | null = null;
  /** Counters for the run summary. */
  /** hvc: host hypercalls; guestHvc: VM hypercalls (HVC exits, pvops and PSCI alike) KCore took. */
  readonly stats = { hvc: 0, guestHvc: 0, rejected: 0, violations: 0, hostFaults: 0 };

  constructor(m: Machine, meter: Meter, readonly cfg: KcoreConfig) {
    this.m = m;
    this.lay = kcoreLayout(m.ramBase, m.ramBytes, { vmPoolPages: cfg.vmPoolPages ?? 64 });
    this.am = new AbstractMachine(m, this.lay, meter, null);
    this.bugs = new Set(cfg.bugs ?? []);
  }

  setScheduler(s: Scheduler | null): void {
    this.am.setScheduler(s);
  }

  setTrace(sink: TraceSink | null): void {
    this.sink = sink;
  }

  /** Whether an injected bug is active (the fuzzer's `--bug`). */
  bug(b: KcoreBug): boolean {
    return this.bugs.size !== 0 && this.bugs.has(b);
  }

  event(e: TraceEvent): void {
    this.sink?.(e);
  }

  principalName(v: number): string {
    if (v === HOSTVISOR) return 'the host';
    if (v === COREVISOR) return 'KCore';
    if (v === INVALID_MEM) return 'nobody (not RAM)';
    return `VM ${v}`;
  }

  /** Where KCore's region is, for KServ's allocator and the checks. */
  get region(): { start: Pa; end: Pa } {
    return { start: Number(this.lay.base) as Pa, end: Number(this.lay.end) as Pa };
  }

  /**
   * init_el2_data_page: zero KCore's region, set core data (next_vmid = 1) and every
   * principal's table pool (bump pointer after its root). Done once at machine boot, before
   * KServ runs; direct writes (no pCPU is executing yet).
   */
  initData(): void {
    this.m.zeroPhys(this.lay.base, Number(this.lay.end - this.lay.base));
    const w = (a: bigint, v: bigint): void => this.m.write64(a, v);
    w(this.lay.base + BigInt(CORE.NEXT_VMID), 1n);
    w(this.lay.base + BigInt(CORE.NEXT_REMAP_PTR), 0x1_0000_0000n);   // EL2_REMAP_START = 4 GiB
    w(this.lay.base + BigInt(CORE.PHYS_MEM_START), this.lay.ramBase);
    w(this.lay.base + BigInt(CORE.PHYS_MEM_SIZE), BigInt(this.lay.ramPages) << 12n);
    w(this.lay.base + BigInt(CORE.CORE_START), this.lay.base);
    w(this.lay.base + BigInt(CORE.CORE_END), this.lay.end);
    w(this.lay.base + BigInt(CORE.SHARED_DATA), BigInt(this.cfg.sharedBase));
    const vmInfo = (v: number, off: number): bigint => this.lay.vmInfo + BigInt(v * 1024 + off);
    for (let v = 0; v < EL2_VM_INFO_SIZE; v++) {
      if (v !== HOSTVISOR && v !== COREVISOR && v > MAX_VM_NUM) continue;
      const pool = poolOf(this.am, v);
      w(vmInfo(v, 0x28), BigInt(pool.start));                                  // POOL_START
      w(vmInfo(v, 0x20), BigInt(pool.start + rootPages(v) * 4096));             // POOL_NEXT
      w(vmInfo(v, 0x30), BigInt(pool.start + pool.pages * 4096));               // POOL_END
      if (v !== COREVISOR) w(vmInfo(v, 0x08), BigInt(pool.start) | (BigInt(v & 0xff) << 48n));   // VTTBR
    }
    w(this.lay.base + BigInt(CORE.HOST_VTTBR), BigInt(poolOf(this.am, HOSTVISOR).start));
    initSmmuData(this);
  }

  /**
   * kvm_tlb_flush_vmid_ipa_host: invalidates the host's stage-2 translation of `ipa` on every
   * pCPU. VTTBR_EL2 is switched to the host's around the TLBIs (the VMID used is the current one).
   */
  *flushHostIpa(cpu: number, ipa: number): Gen {
    const am = this.am;
    const saved = this.m.getSysRaw(cpu, 'VTTBR_EL2');
    const hostVttbr = yield* am.getCore(cpu, 'HOST_VTTBR');
    this.m.setSysRaw(cpu, 'VTTBR_EL2', hostVttbr);
    am.count(cpu, 'sysreg_write');
    yield* am.barrier(cpu, 'dsb');
    am.tlbi(cpu, 'IPAS2E1IS', BigInt(ipa) >> 12n);
    yield* am.barrier(cpu, 'dsb');
    am.tlbi(cpu, 'VMALLE1IS');
    yield* am.barrier(cpu, 'dsb');
    yield* am.barrier(cpu, 'isb');
    this.m.setSysRaw(cpu, 'VTTBR_EL2', saved);
    am.count(cpu, 'sysreg_write');
  }
}
