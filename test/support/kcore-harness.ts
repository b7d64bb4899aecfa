/**
 * A harness that drives KCore directly, as a (possibly malicious) KServ would: a whole
 * `System` in sekvm mode with no VMs, whose pCPUs are booted by hand (host EL1, then
 * HVC_ENABLE_S2_TRANS on each), and helpers to
 *  - issue any host hypercall from any pCPU, and touch host memory or device registers through
 *    the host stage 2 (faults go to KCore exactly as KServ's do: src/sim/sekvm-host.ts);
 *  - put VMs, vCPUs and pages into each state of src/kcore/transitions.ts (register, boot info,
 *    remap, verify a signed or tampered image, run a vCPU, power off, clear, share a page,
 *    SMMU-map a page);
 *  - read KCore's state back from simulated memory (s2page owner/count/gfn, VM and vCPU
 *    states, stage-2 leaves), the host's view of an address through the hardware (Machine
 *    .translate: TLB, then the hardware walker), and the SMMU's view of an IOVA;
 *  - snapshot KCore's memory to prove that a rejected call changed nothing, and capture the
 *    trace events (kcore-halt, owner, …).
 *
 * It does not use KServ (src/kserv) or the scheduler's task loop: a vCPU runs when a test
 * says so, on the pCPU it names, and stays parked inside its guest (ACTIVE) until the test
 * finishes the run. Reads of KCore's state bypass KCore's door (they are the test's eyes,
 * not KCore's accesses), so they count nothing and take no lock.
 */
import { System } from '../../src/sim/system.js';
import type { Machine } from '../../src/machine/machine.js';
import { AccessKind } from '../../src/machine/machine.js';
import type { Exit } from '../../src/machine/exit.js';
import type { Kcore, KcoreBug, OnViolation } from '../../src/kcore/kcore.js';
import type { SekvmHost } from '../../src/sim/sekvm-host.js';
import type { TraceEvent } from '../../src/trace/events.js';
import type { Gen } from '../../src/sim/task.js';
import { runToEnd } from '../../src/sim/task.js';
import {
  HVC, HOSTVISOR, V_INVALID, HYPSEC_MAX_VCPUS, MAX_VM_NUM, VM_STATE,
} from '../../src/kcore/constants.js';
import {
  CORE, LOCKS_OFF, PERCPU_OFF, PERCPU_BYTES, PERCPU, MAX_CPUS, VMI, VM_INFO_BYTES, S2PAGE_BYTES, LOAD_INFO_BYTES, SHADOW_BYTES,
  type KcoreLayout,
} from '../../src/kcore/layout.js';
import { vcpuAt, kvmAt, KVM, VCPU, SHARED_BYTES } from '../../src/kcore/shared-abi.js';
import { lookupLeaf, stage2Geometry, stage1Geometry48, type Leaf } from '../../src/arch/pgwalk.js';
import { hwTtbr, smmuId } from '../../src/kcore/smmu.js';
import { assemble, toFlat } from '../../src/asm/index.js';
import { SMMU_BASE, CB_BASE, CB_STRIDE, CB_SCTLR, CB_TTBR0 } from '../../src/board/smmu.js';
import type { AbstractState, PageKind } from '../../src/kcore/transitions.js';
import { loadPrivateKey, signImage } from '../../src/sim/keys.js';
import { checkAll, KcoreView } from '../../src/check/invariants.js';

// ---- the test guest ----

/** Where the test image lives in every VM (QEMU virt's RAM base, as KServ's guests). */
export const GUEST_IPA = 0x4000_0000;
/** A page of the image's 2 MB block beyond the image (the VM owns it once verified); the 'grant' entry shares it. */
export const GRANT_IPA = 0x4010_0000;
/** Guest RAM outside the image's block: the 'touch' entry's load faults there (stage-2 translation fault). */
export const TOUCH_IPA = 0x4040_0000;

/** Entry points of the test image (the boot PC KServ chooses; each must lie inside the image). */
export type Entry = 'exit' | 'off' | 'spin' | 'grant' | 'revoke' | 'touch';

const GUEST_SRC = `
.equ GRANT_IPA, ${GRANT_IPA}
.equ TOUCH_IPA, ${TOUCH_IPA}
.text
.global _start
_start:
exit:                       // exit to KServ with kvm-unit-tests' NOOP hypercall, forever
    movz x0, #0x4b00, lsl #16
    hvc #0
    b exit
off:                        // PSCI SYSTEM_OFF: the VM powers off
    ldr x0, =0x84000008
    hvc #0
    b off
spin:                       // a long busy loop (the vCPU stays ACTIVE), then exit
    movz x3, #0x8, lsl #16
1:  subs x3, x3, #1
    b.ne 1b
    b exit
grant:                      // KVM_SET_DESC_PFN on GRANT_IPA (handled in KCore), then exit
    ldr x0, =0x81000
    ldr x1, =GRANT_IPA
    mov x2, #4096
    hvc #0
    b exit
revoke:                     // KVM_UNSET_DESC_PFN on GRANT_IPA (handled in KCore), then exit
    ldr x0, =0x82000
    ldr x1, =GRANT_IPA
    mov x2, #4096
    hvc #0
    b exit
touch:                      // load from unmapped guest RAM: exit with a stage-2 fault, then exit
    ldr x4, =TOUCH_IPA
    ldr x5, [x4]
    b exit
.ltorg
`;

export interface TestImage {
  readonly ipa: number;
  readonly bytes: Uint8Array;
  /** Ed25519 signature (64 bytes) KCore checks against its trusted key. */
  readonly signature: Uint8Array;
  readonly entries: Readonly<Record<Entry, bigint>>;
}

let cachedImage: TestImage | null = null;

/** The test guest, assembled at GUEST_IPA and signed with the demo key KCore trusts. */
export function testImage(): TestImage {
  if (cachedImage !== null) return cachedImage;
  const r = assemble(GUEST_SRC, { file: 'kcore-test-guest.s', base: BigInt(GUEST_IPA) });
  if (!r.ok) throw new Error(r.error.map((e) => e.format()).join('\n'));
  const bytes = toFlat(r.value);
  const sym = (n: string): bigint => {
    const s = r.value.symbols.find((x) => x.name === n);
    if (s === undefined) throw new Error(`test guest has no label ${n}`);
    return s.value;
  };
  const signed = signImage('kcore-test', { ipa: GUEST_IPA, bytes, entry: sym('exit') }, loadPrivateKey());
  cachedImage = {
    ipa: GUEST_IPA,
    bytes,
    signature: signed.signature,
    entries: { exit: sym('exit'), off: sym('off'), spin: sym('spin'), grant: sym('grant'), revoke: sym('revoke'), touch: sym('touch') },
  };
  return cachedImage;
}

/** The same image with one byte changed after signing: its signature no longer verifies. */
export function tamperedImage(): TestImage {
  const img = testImage();
  const bytes = img.bytes.slice();
  bytes[bytes.length - 1] ^= 0x01;
  return { ...img, bytes };
}

// ---- the harness ----

export interface HarnessOptions {
  readonly cpus?: number;
  readonly ramMiB?: number;
  readonly onViolation?: OnViolation;
  readonly bugs?: readonly KcoreBug[];
  /** Boot the pCPUs (ENABLE_S2_TRANS on each) right away (default true). */
  readonly boot?: boolean;
  /** Scheduler seed and switch probability for `concurrently` (defaults 1 and 0.5). */
  readonly seed?: number;
  readonly switchProbability?: number;
  /**
   * Attach the live checker (System's `check`: src/check/monitor.ts, fed KCore's door and the
   * run's trace events) from the start; it is then `sys.checker`. `fullEvery` as CheckerOptions.
   */
  readonly check?: boolean | { readonly fullEvery: number };
}

/** One s2page entry (sekvm.md §3.2). */
export interface S2Page {
  readonly owner: number;
  readonly count: number;
  readonly gfn: bigint;
}

/** A VM built by the harness. */
export interface VmFixture {
  readonly vmid: number;
  /** Host pfns that hold the image (in IPA order, one per image page). */
  readonly imagePfns: readonly number[];
  /** First pfn of the 2 MB host block that backs the image's 2 MB IPA block. */
  readonly blockPfn: number;
}

/** The VM id used for "a VM in state UNUSED" (never registered by buildState). */
export const UNUSED_VMID = 50;
/** Offset (pages) of a VM-owned page in its image's 2 MB block, past the image itself. */
export const VM_PAGE_OFFSET = 0x80;
/** A device page that is not RAM and that KCore does not emulate (QEMU virt's virtio-mmio window). */
export const DEVICE_PA = 0x0a00_0000;
/** The IOVA bank (0, 0) maps in a built state, and one it leaves free. */
export const BANK_IOVA = 0x5000_0000n;
export const FREE_IOVA = 0x6000_0000n;

/** What buildState made: the ids and pages a state's hypercalls name. */
export interface BuiltState {
  readonly state: AbstractState;
  /** The VM the state is about (UNUSED_VMID if it is UNUSED). */
  vmid: number;
  /** A pfn of each page kind that exists in the state. */
  readonly pages: Partial<Record<PageKind, number>>;
  /** The host page bank (0, 0) maps at BANK_IOVA, if the bank is allocated. */
  bankPfn: number | null;
  /** vCPU 0's run, parked in its guest on pCPU 1, if the state has it ACTIVE. */
  active: RunHandle | null;
  /** The other (verified) VM, if the state names pages. */
  other: VmFixture | null;
}

/** A vCPU run in progress: the VCPU_RUN handler parked in its guest. */
export interface RunHandle {
  readonly cpu: number;
  readonly vmid: number;
  readonly vcpu: number;
  readonly gen: Gen<bigint>;
  done: boolean;
  result: bigint | null;
}

/** A copy of KCore's memory (its whole region but the lock words and per-CPU scratch). */
export interface Snapshot {
  readonly bytes: Uint8Array;
}

export class KcoreHarness {
  readonly sys: System;
  readonly m: Machine;
  readonly k: Kcore;
  readonly host: SekvmHost;
  readonly lay: KcoreLayout;
  /** Every trace event of the run, in order. */
  readonly events: TraceEvent[] = [];
  private nextPfn: number;
  private readonly endPfn: number;

  constructor(opts: HarnessOptions = {}) {
    const cpus = opts.cpus ?? 2;
    this.sys = new System({
      mode: 'sekvm', cpus, ramMiB: opts.ramMiB ?? 64, seed: opts.seed ?? 1, vms: [],
      ...(opts.switchProbability !== undefined ? { switchProbability: opts.switchProbability } : {}),
      onViolation: opts.onViolation ?? 'reject',
      ...(opts.bugs ? { bugs: opts.bugs } : {}),
      trace: (r) => this.events.push(r.event),
      ...(opts.check ? { check: true, ...(typeof opts.check === 'object' ? { checkFullEvery: opts.check.fullEvery } : {}) } : {}),
    });
    this.m = this.sys.m;
    this.k = this.sys.kcore!;
    this.host = this.sys.hyp as SekvmHost;
    this.lay = this.k.lay;
    // Host pages the harness hands out: above KServ's shared_data pool, below KCore.
    this.nextPfn = Math.ceil((this.k.cfg.sharedBase + SHARED_BYTES) / 4096);
    this.endPfn = Number(this.lay.base) / 4096;
    if (opts.boot ?? true) this.boot();
  }

  /** Host boot on every pCPU: EL1h with the stage 2 off, then HVC_ENABLE_S2_TRANS. */
  boot(): void {
    for (let c = 0; c < this.m.cpus; c++) {
      this.m.setSysRaw(c, 'HCR_EL2', 1n << 31n);
      this.m.setPstate(c, 0x3c5n);
      this.m.setOn(c, true);
    }
    for (let c = 0; c < this.m.cpus; c++) {
      const r = this.hvc(HVC.ENABLE_S2_TRANS, [], c);
      if (r !== 0n) throw new Error(`ENABLE_S2_TRANS on pCPU ${c} returned ${r}`);
    }
  }

  // ---- raw host actions (what a malicious KServ can do) ----

  /**
   * A host hypercall from pCPU `cpu`; returns x0 (a negative errno for rejected calls). A
   * VCPU_RUN runs its guest to the exit on that pCPU.
   */
  hvc(nr: number, args: readonly bigint[] = [], cpu = 0): bigint {
    if (nr !== HVC.VCPU_RUN) return runToEnd(this.host.hvc(cpu, nr, args));
    const h: RunHandle = { cpu, vmid: Number(args[0] ?? 0n), vcpu: Number(args[1] ?? 0n), gen: this.host.hvc(cpu, nr, args), done: false, result: null };
    this.advance(h, undefined);
    return this.finishRun(h);
  }

  /** A host load through the host stage 2 (faults go to KCore); null if KCore refused. */
  hostRead64(pa: number, cpu = 0): bigint | null {
    return runToEnd(this.host.read64(cpu, pa));
  }

  hostWrite64(pa: number, v: bigint, cpu = 0): boolean {
    return runToEnd(this.host.write64(cpu, pa, v));
  }

  hostReadBytes(pa: number, len: number, cpu = 0): Uint8Array | null {
    return runToEnd(this.host.readBytes(cpu, pa, len));
  }

  hostWriteBytes(pa: number, bytes: Uint8Array, cpu = 0): boolean {
    return runToEnd(this.host.writeBytes(cpu, pa, bytes));
  }

  /** A 32/64-bit host access to a device register (SMMU registers trap to KCore). */
  mmio(pa: number, size: 4 | 8, write: boolean, value = 0n, cpu = 0): bigint | null {
    return runToEnd(this.host.mmio(cpu, pa, size, write, value));
  }

  /** A fresh host page (pfn), touched by the host so it is mapped in the host stage 2. */
  allocPage(fill = 0x5a): number {
    if (this.nextPfn >= this.endPfn) throw new Error('harness: out of host pages');
    const f = this.nextPfn++;
    if (!this.hostWriteBytes(f * 4096, new Uint8Array(4096).fill(fill))) throw new Error(`harness: host cannot write its page ${f}`);
    return f;
  }

  /** A fresh 2 MB-aligned block of host pages (first pfn), not touched. */
  alloc2m(): number {
    const f = Math.ceil(this.nextPfn / 512) * 512;
    if (f + 512 > this.endPfn) throw new Error('harness: out of 2 MB host blocks');
    this.nextPfn = f + 512;
    return f;
  }

  // ---- KCore state, read straight from simulated memory ----

  private rd(a: bigint | number): bigint {
    return this.m.read64(BigInt(a));
  }

  private vmInfoAt(vmid: number, off: number): bigint {
    return this.lay.vmInfo + BigInt(vmid * VM_INFO_BYTES + off);
  }

  /** s2page[pfn] (owner INVALID_MEM for a pfn outside RAM, as get_pfn_owner). */
  s2page(pfn: number): S2Page {
    const i = pfn - Number(this.lay.ramBase / 4096n);
    if (i < 0 || i >= this.lay.ramPages) return { owner: 0xffff_ffff, count: 0, gfn: 0n };
    const at = this.lay.s2pages + BigInt(i * S2PAGE_BYTES);
    const w = this.rd(at);
    return { owner: Number(w >> 32n), count: Number(w & 0xffff_ffffn), gfn: this.rd(at + 8n) };
  }

  vmState(vmid: number): number {
    return Number(this.rd(this.vmInfoAt(vmid, VMI.STATE)));
  }

  vcpuState(vmid: number, vcpu: number): number {
    return Number(this.rd(this.vmInfoAt(vmid, VMI.VCPU_STATE + vcpu * 8)));
  }

  vmField(vmid: number, field: 'INC_EXE' | 'LOAD_INFO_CNT' | 'VTTBR'): bigint {
    return this.rd(this.vmInfoAt(vmid, VMI[field]));
  }

  /** load_info[i] of a VM: {loadAddr, size, remapVa, mapped}. */
  loadInfo(vmid: number, i: number): { loadAddr: bigint; size: bigint; remapVa: bigint; mapped: bigint } {
    const at = (f: number): bigint => this.rd(this.vmInfoAt(vmid, VMI.LOAD_INFO + i * LOAD_INFO_BYTES + f * 8));
    return { loadAddr: at(0), size: at(1), remapVa: at(2), mapped: at(3) };
  }

  core(field: keyof typeof CORE): bigint {
    return this.rd(this.lay.base + BigInt(CORE[field]));
  }

  /** What KCore's per-CPU data says pCPU `cpu` runs (per_cpu_data: vmid 0 = the host). */
  perCpu(cpu: number, field: 'VMID' | 'VCPUID'): bigint {
    return this.rd(this.lay.base + BigInt(PERCPU_OFF + cpu * PERCPU_BYTES + PERCPU[field]));
  }

  /** A slot of a vCPU's shadow context (KCore's copy of the guest's registers). */
  shadow(vmid: number, vcpu: number, index: number): bigint {
    return this.rd(this.lay.shadow + BigInt((vmid * HYPSEC_MAX_VCPUS + vcpu) * SHADOW_BYTES + index * 8));
  }

  /** The SMMU configuration of (index, cbndx): owner vmid (V_INVALID when free). */
  smmuCfgVmid(index: number, cbndx: number): number {
    return Number(this.rd(this.lay.smmuCfg + BigInt(smmuId(index, cbndx) * 16)));
  }

  /** Physical memory as the hardware's table walker reads it (0 outside RAM). */
  private readonly phys = (pa: bigint): bigint => (this.m.inRam(pa, 8) ? this.m.read64(pa) : 0n);

  /** Root of principal v's stage 2 (host 0 or a VM), from its VTTBR as KCore set it. */
  private s2Root(v: number): bigint {
    const vttbr = v === HOSTVISOR ? this.core('HOST_VTTBR') : this.vmField(v, 'VTTBR');
    return vttbr & 0x0000_ffff_ffff_fffen;
  }

  /**
   * The leaf of principal v's stage 2 (host 0 or a VM) for `ipa`, read as the hardware walker
   * reads it (src/arch/pgwalk.ts, not KCore's own walker), or null if unmapped.
   */
  s2Leaf(v: number, ipa: number): Leaf | null {
    return lookupLeaf(this.phys, stage2Geometry(this.s2Root(v)), BigInt(ipa));
  }

  /** Where VM `vmid`'s stage 2 sends `ipa`, or null (unmapped). */
  vmTranslate(vmid: number, ipa: number): number | null {
    const l = this.s2Leaf(vmid, ipa);
    return l === null ? null : Number(l.outBase + (BigInt(ipa) - l.inBase));
  }

  /** The physical page behind KCore's EL2 VA `va` (its image remap window), or null. */
  el2Translate(va: number): number | null {
    const l = lookupLeaf(this.phys, stage1Geometry48(this.lay.corePool), BigInt(va));
    return l === null ? null : Number(l.outBase + (BigInt(va) - l.inBase));
  }

  /**
   * What the host on pCPU `cpu` reaches at physical address `pa` right now, through the
   * hardware (TLB, then the hardware stage-2 walk of the host's VTTBR): the PA, or null if the
   * access would fault. The host runs with its stage 1 off, so VA = IPA = `pa`.
   */
  hostTranslate(pa: number, cpu = 0, write = false): number | null {
    const t = this.m.translate(cpu, BigInt(pa), write ? AccessKind.Write : AccessKind.Read);
    return t === null ? null : Number(t);
  }

  /** Whether the host stage-2 table (a table walk, not the TLB) maps `pa`. */
  hostMapped(pa: number): boolean {
    return this.s2Leaf(HOSTVISOR, pa) !== null;
  }

  /** A DMA by a device wired to context bank `cbndx` of SMMU `index`: the PA reached, or null (fault). */
  smmuTranslate(index: number, cbndx: number, iova: bigint, write = false): bigint | null {
    return this.sys.smmus[index]!.translate(cbndx, iova, write);
  }

  /** The SMMU bank's table root KCore owns (hw_ttbr). */
  smmuRoot(index: number, cbndx: number): number {
    return hwTtbr(this.k, smmuId(index, cbndx));
  }

  /** A pfn inside KCore's protected region (its s2page array). */
  kcorePfn(): number {
    return Number(this.lay.s2pages / 4096n);
  }

  /**
   * SeKVM's isolation invariants (sekvm.md §4.1) and the simulator-level ones, read from
   * simulated memory and the TLBs by src/check/invariants.ts `checkAll` — the same checks the
   * live checker (`--check`) runs; returns the violations found as "name: message" (empty: they
   * all hold). Only meaningful while no pCPU is inside KCore (a parked vCPU is in its guest).
   */
  isolationViolations(): string[] {
    return checkAll(this.m, new KcoreView(this.m, this.lay)).map((w) => `${w.invariant}: ${w.message}`);
  }

  // ---- snapshots ----

  /**
   * KCore's memory, minus what changes on every call by design: the lock words (ticket
   * counters) and the per-CPU scratch (the host's saved registers).
   */
  snapshot(): Snapshot {
    const bytes = this.m.readPhys(this.lay.base, Number(this.lay.end - this.lay.base));
    bytes.fill(0, LOCKS_OFF, PERCPU_OFF + MAX_CPUS * PERCPU_BYTES);
    return { bytes };
  }

  /**
   * Names of the KCore areas where two snapshots differ (empty: identical). Without `b`, `a`
   * is compared with KCore's memory as it is now (no copy).
   */
  diff(a: Snapshot, b?: Snapshot): string[] {
    const out: string[] = [];
    const now = b?.bytes ?? this.m.ram().subarray(Number(this.lay.base - this.m.ramBase), Number(this.lay.end - this.m.ramBase));
    const L = this.lay;
    const areas: [string, bigint, bigint][] = [
      ['core data', L.base, L.base + BigInt(LOCKS_OFF)],
      ['vm_info', L.vmInfo, L.shadow],
      ['shadow contexts', L.shadow, L.smmuCfg],
      ['smmu_cfg', L.smmuCfg, L.s2pages],
      ['s2pages', L.s2pages, L.tmpPage],
      ['crypto temp page', L.tmpPage, L.hostPool],
      ['host stage-2 pool', L.hostPool, L.vmPools],
      ['VM stage-2 pools', L.vmPools, L.corePool],
      ['KCore EL2 pool', L.corePool, L.smmuPool],
      ['SMMU pool', L.smmuPool, L.end],
    ];
    for (const [name, s, e] of areas) {
      const from = Number(s - L.base), to = Number(e - L.base);
      if (Buffer.compare(a.bytes.subarray(from, to), now.subarray(from, to)) !== 0) {
        let i = from;
        while (i < to && a.bytes[i] === now[i]) i++;
        out.push(`${name} (first difference at KCore+0x${i.toString(16)})`);
      }
    }
    return out;
  }

  // ---- events ----

  /** A position in the event list, for `since`. */
  mark(): number {
    return this.events.length;
  }

  since(mark: number): TraceEvent[] {
    return this.events.slice(mark);
  }

  /** kcore-halt events since `mark`. */
  halts(mark: number): Extract<TraceEvent, { kind: 'kcore-halt' }>[] {
    return this.since(mark).filter((e): e is Extract<TraceEvent, { kind: 'kcore-halt' }> => e.kind === 'kcore-halt');
  }

  // ---- building states ----

  private ok(what: string, r: bigint, want?: bigint): bigint {
    if (r < 0n || (want !== undefined && r !== want)) {
      const h = this.events.filter((e) => e.kind === 'kcore-halt').pop();
      throw new Error(`harness: ${what} returned ${r}${h && h.kind === 'kcore-halt' ? ` (${h.where}: ${h.detail})` : ''}`);
    }
    return r;
  }

  /** HVC_REGISTER_KVM: a new READY VM. */
  registerVm(cpu = 0): number {
    return Number(this.ok('REGISTER_KVM', this.hvc(HVC.REGISTER_KVM, [], cpu)));
  }

  registerVcpu(vmid: number, vcpu: number, cpu = 0): void {
    this.ok('REGISTER_VCPU', this.hvc(HVC.REGISTER_VCPU, [BigInt(vmid), BigInt(vcpu)], cpu), 0n);
  }

  /**
   * QEMU's ROM load: copies `img` into a fresh 2 MB host block (at the image's offset within
   * 2 MB), writes its signature into struct kvm, then SET_BOOT_INFO and one REMAP_VM_IMAGE per
   * page (only the first `remapPages` pages if given). Returns the load index and the pages.
   */
  loadImage(vmid: number, img: TestImage = testImage(), opts: { remapPages?: number; cpu?: number } = {}): { idx: number; pfns: number[]; blockPfn: number } {
    const cpu = opts.cpu ?? 0;
    const blockPfn = this.alloc2m();
    const off = img.ipa % 0x20_0000;
    if (off + img.bytes.length > 0x20_0000) throw new Error('harness: the test image must fit one 2 MB block');
    if (!this.hostWriteBytes(blockPfn * 4096 + off, img.bytes, cpu)) throw new Error('harness: host cannot write the image');
    const pages = Math.ceil(img.bytes.length / 4096);
    const pfns = Array.from({ length: pages }, (_, i) => blockPfn + off / 4096 + i);
    const idx = Number(this.vmField(vmid, 'LOAD_INFO_CNT'));
    const sig = new Uint8Array(64);
    sig.set(img.signature.subarray(0, 64));
    if (!this.hostWriteBytes(kvmAt(this.k.cfg.sharedBase, vmid) + KVM.SIGNATURE + idx * 64, sig, cpu)) throw new Error('harness: host cannot write struct kvm');
    const got = Number(this.ok('SET_BOOT_INFO', this.hvc(HVC.SET_BOOT_INFO, [BigInt(vmid), BigInt(img.ipa), BigInt(img.bytes.length)], cpu)));
    if (got !== idx) throw new Error(`harness: SET_BOOT_INFO gave index ${got}, expected ${idx}`);
    for (const f of pfns.slice(0, opts.remapPages ?? pfns.length)) {
      this.ok('REMAP_VM_IMAGE', this.hvc(HVC.REMAP_VM_IMAGE, [BigInt(vmid), BigInt(f), BigInt(idx)], cpu), 0n);
    }
    return { idx, pfns, blockPfn };
  }

  /** HVC_CLEAR_VM_S2_RANGE over all of RAM, as KServ tears a VM down; returns x0. */
  clearVm(vmid: number, cpu = 0): bigint {
    return this.hvc(HVC.CLEAR_VM_S2_RANGE, [BigInt(vmid), this.m.ramBase, BigInt(this.m.ramBytes)], cpu);
  }

  /** Writes a vCPU's boot PC (an entry of the test image, or any address), PSTATE EL1h and x0 into its struct. */
  setBootPc(vmid: number, vcpu: number, entry: Entry | bigint, x0 = 0n, cpu = 0): void {
    const at = vcpuAt(this.k.cfg.sharedBase, vmid, vcpu);
    const pc = typeof entry === 'bigint' ? entry : testImage().entries[entry];
    const ok = this.hostWrite64(at + VCPU.PC, pc, cpu) && this.hostWrite64(at + VCPU.PSTATE, 0x3c5n, cpu) && this.hostWrite64(at + VCPU.REGS, x0, cpu);
    if (!ok) throw new Error('harness: host cannot write its vCPU struct');
  }

  /** A READY VM with `vcpus` registered vCPUs (booting at `entry`) and the test image loaded. */
  readyVm(opts: { vcpus?: number; image?: TestImage; entry?: Entry; cpu?: number } = {}): VmFixture {
    const cpu = opts.cpu ?? 0;
    const vmid = this.registerVm(cpu);
    for (let i = 0; i < (opts.vcpus ?? 1); i++) {
      this.registerVcpu(vmid, i, cpu);
      this.setBootPc(vmid, i, opts.entry ?? 'exit', 0n, cpu);
    }
    const l = this.loadImage(vmid, opts.image ?? testImage(), { cpu });
    return { vmid, imagePfns: l.pfns, blockPfn: l.blockPfn };
  }

  /** HVC_VERIFY_VM_IMAGES (returns x0: 1 on success, a negative errno otherwise). */
  verify(vmid: number, cpu = 0): bigint {
    return this.hvc(HVC.VERIFY_VM_IMAGES, [BigInt(vmid)], cpu);
  }

  /** A VERIFIED VM (signed test image). */
  verifiedVm(opts: { vcpus?: number; entry?: Entry; cpu?: number } = {}): VmFixture {
    const f = this.readyVm(opts);
    this.ok('VERIFY_VM_IMAGES', this.verify(f.vmid, opts.cpu ?? 0), 1n);
    return f;
  }

  /** A POWEROFF VM: verified, then its vCPU 0 ran PSCI SYSTEM_OFF. */
  poweredOffVm(opts: { vcpus?: number; cpu?: number } = {}): VmFixture {
    const f = this.verifiedVm({ ...opts, entry: 'off' });
    this.ok('VCPU_RUN (SYSTEM_OFF)', this.run(opts.cpu ?? 0, f.vmid, 0), 2n);
    return f;
  }

  /** Lets vCPU `vcpu` of a verified VM share GRANT_IPA with the host (KVM_SET_DESC_PFN from the guest). */
  grantPage(vmid: number, vcpu: number, cpu = 0): number {
    this.setBootPcIfFresh(vmid, vcpu, 'grant', cpu);
    this.ok('VCPU_RUN (grant)', this.run(cpu, vmid, vcpu), 2n);
    const pa = this.vmTranslate(vmid, GRANT_IPA);
    if (pa === null) throw new Error('harness: GRANT_IPA is not mapped');
    return pa / 4096;
  }

  private setBootPcIfFresh(vmid: number, vcpu: number, entry: Entry, cpu: number): void {
    // The boot PC only matters before the first run (dirty = INVALID64).
    if (this.shadow(vmid, vcpu, 45) === 0xffff_ffff_ffff_ffffn) this.setBootPc(vmid, vcpu, entry, 0n, cpu);
  }

  /** An SMMU context bank for the host with one host page mapped (count 1): returns the page's pfn. */
  hostSmmuPage(opts: { index?: number; cbndx?: number; iova?: bigint } = {}): { pfn: number; iova: bigint } {
    const index = opts.index ?? 0, cbndx = opts.cbndx ?? 0, iova = opts.iova ?? 0x10_0000n;
    if (this.smmuCfgVmid(index, cbndx) === V_INVALID) {
      this.ok('SMMU_ALLOC_PGD', this.hvc(HVC.SMMU_ALLOC_PGD, [BigInt(cbndx), BigInt(HOSTVISOR), BigInt(index)]), 0n);
      this.enableSmmuBank(index, cbndx);
    }
    const pfn = this.allocPage();
    this.ok('SMMU_LPAE_MAP', this.hvc(HVC.SMMU_LPAE_MAP, [iova, BigInt(pfn) << 12n, 0xc0n, BigInt(cbndx), BigInt(index)]), 0n);
    return { pfn, iova };
  }

  /** Turns on translation for a context bank (SCTLR.M; the TTBR0 the host writes is replaced by KCore's table). */
  enableSmmuBank(index: number, cbndx: number): void {
    const base = Number(SMMU_BASE) + index * 0x2_0000 + CB_BASE + cbndx * CB_STRIDE;
    if (this.mmio(base + CB_TTBR0, 8, true, 0xdead_0000n) === null || this.mmio(base + CB_SCTLR, 4, true, 1n) === null) {
      throw new Error(`harness: host cannot program SMMU ${index} bank ${cbndx}`);
    }
  }

  /**
   * Builds a state of src/kcore/transitions.ts: the VM the state is about (`vmid`, its vCPU 0),
   * every page kind that can exist in that state, the SMMU bank (0, 0) as `bank` says, and the
   * boot images as `image`/`loads` say. Helper vCPUs 1 (shares GRANT_IPA) and 2 (powers the VM
   * off) do the work vCPU 0 must not do. An ACTIVE vCPU 0 is left parked in its guest on pCPU 1
   * (`active`); hypercalls are then issued from pCPU 0.
   */
  buildState(s: AbstractState, opts: { allPages?: boolean } = {}): BuiltState {
    const pages: Partial<Record<PageKind, number>> = {};
    const out: BuiltState = { state: s, vmid: UNUSED_VMID, pages, bankPfn: null, active: null, other: null };
    const needOther = opts.allPages === true || s.page !== undefined || s.out !== undefined;
    this.wantPages = needOther;
    if (needOther) {
      out.other = this.verifiedVm();
      pages['other-vm'] = out.other.blockPfn + VM_PAGE_OFFSET;
    }
    if (s.vmids === 'exhausted') while (this.core('NEXT_VMID') <= BigInt(MAX_VM_NUM)) this.registerVm();
    if (s.vm !== undefined && s.vm !== 'UNUSED') this.buildVm(s, out);
    else if (s.bank === 'host') this.buildHostBank(out);
    if (needOther) {
      pages.host = this.allocPage();
      pages['host-smmu'] = this.hostSmmuPage({ index: 1, cbndx: 7 }).pfn;
      pages.kcore = this.kcorePfn();
      pages.device = DEVICE_PA / 4096;
      pages.smmu = Number(SMMU_BASE) / 4096;
    }
    return out;
  }

  private buildHostBank(out: BuiltState): void {
    this.ok('SMMU_ALLOC_PGD', this.hvc(HVC.SMMU_ALLOC_PGD, [0n, BigInt(HOSTVISOR), 0n]), 0n);
    this.enableSmmuBank(0, 0);
    const f = this.allocPage();
    this.ok('SMMU_LPAE_MAP', this.hvc(HVC.SMMU_LPAE_MAP, [BANK_IOVA, BigInt(f) << 12n, 0xc0n, 0n, 0n]), 0n);
    out.bankPfn = f;
  }

  private buildVm(s: AbstractState, out: BuiltState): void {
    const vm = s.vm!;
    const vmid = this.registerVm();
    out.vmid = vmid;
    if (s.vcpu !== 'UNUSED') this.registerVcpu(vmid, 0);
    this.setBootPc(vmid, 0, s.vcpu === 'ACTIVE' ? 'spin' : 'exit');
    for (const [i, e] of [[1, 'grant'], [2, 'off']] as const) {
      this.registerVcpu(vmid, i);
      this.setBootPc(vmid, i, e);
    }
    this.loadImageVariant(vmid, vm === 'READY' ? (s.image ?? 'signed') : 'signed');
    if (s.loads === 'full') {
      for (let i = Number(this.vmField(vmid, 'LOAD_INFO_CNT')); i < 5; i++) {
        this.ok('SET_BOOT_INFO', this.hvc(HVC.SET_BOOT_INFO, [BigInt(vmid), BigInt(0x4100_0000 + i * 0x20_0000), 4096n]));
      }
    }
    if (s.bank === 'host') this.buildHostBank(out);
    if (s.bank === 'vm') {
      this.ok('SMMU_ALLOC_PGD', this.hvc(HVC.SMMU_ALLOC_PGD, [0n, BigInt(vmid), 0n]), 0n);
      this.enableSmmuBank(0, 0);
      const f = this.allocPage();
      this.ok('SMMU_LPAE_MAP', this.hvc(HVC.SMMU_LPAE_MAP, [BANK_IOVA, BigInt(f) << 12n, 0xc0n, 0n, 0n]), 0n);
      out.bankPfn = f;
    }
    if (vm === 'READY' && this.wantPages) {
      // A READY VM's own page: one the host gave it through DECRYPT_BUF (gfn not known yet).
      const f = this.allocPage();
      this.ok('DECRYPT_BUF', this.hvc(HVC.DECRYPT_BUF, [BigInt(vmid), BigInt(f) << 12n, 4096n]), 0n);
      out.pages.vm = f;
    }
    if (vm === 'READY') return;
    const fix = this.lastImage!;
    this.ok('VERIFY_VM_IMAGES', this.verify(vmid), 1n);
    out.pages.vm = fix.blockPfn + VM_PAGE_OFFSET;
    // The VM's data in its page (what its guest would have written), so a scrub is visible.
    this.m.writePhys(BigInt(out.pages.vm) << 12n, new Uint8Array(4096).fill(0xa5));
    if (this.wantPages) {
      out.pages['vm-shared'] = this.grantPage(vmid, 1);
      // The host uses the shared page: it is in the host stage 2 and in pCPU 0's TLB.
      if (this.hostRead64(out.pages['vm-shared'] * 4096) === null) throw new Error('harness: the host cannot read a shared page');
    }
    if (s.vcpu === 'ACTIVE') {
      out.active = this.startRun(1, vmid, 0);
      if (out.active.done) throw new Error(`harness: vCPU ${vmid}:0 did not start (${out.active.result})`);
    }
    if (vm === 'POWEROFF') this.ok('VCPU_RUN (SYSTEM_OFF)', this.run(0, vmid, 2), 2n);
    if (this.vmState(vmid) !== VM_STATE[vm]) throw new Error(`harness: VM ${vmid} is in state ${this.vmState(vmid)}, wanted ${vm}`);
  }

  private wantPages = false;

  /** The last image loaded by loadImageVariant (its host block). */
  private lastImage: { blockPfn: number } | null = null;

  /** Boot images of a READY VM as the `image` dimension says (transitions.ts DOMAINS.image). */
  loadImageVariant(vmid: number, v: NonNullable<AbstractState['image']>): void {
    const base = testImage();
    const twoPages = (): TestImage => {
      const bytes = new Uint8Array(8192);
      bytes.set(base.bytes);
      bytes.fill(0x11, 4096);
      const sig = signImage('kcore-test-2p', { ipa: base.ipa, bytes, entry: base.entries.exit }, loadPrivateKey()).signature;
      return { ...base, bytes, signature: sig };
    };
    switch (v) {
      case 'signed': this.lastImage = this.loadImage(vmid, base); return;
      case 'tampered': this.lastImage = this.loadImage(vmid, tamperedImage()); return;
      case 'partial': this.lastImage = this.loadImage(vmid, twoPages(), { remapPages: 1 }); return;
      case 'none': return;
      case 'foreign': {
        // One page, remapped from KCore's first page (2 MB-aligned, so only ownership stops it).
        this.ok('SET_BOOT_INFO', this.hvc(HVC.SET_BOOT_INFO, [BigInt(vmid), BigInt(base.ipa), 4096n]));
        this.ok('REMAP_VM_IMAGE', this.hvc(HVC.REMAP_VM_IMAGE, [BigInt(vmid), this.lay.base / 4096n, 0n]), 0n);
        return;
      }
      case 'scattered': {
        // Two signed pages: the first in a 2 MB block, the second from another host page (with
        // the right bytes); the VM would map the block's second page, which holds other bytes.
        const img = twoPages();
        const blockPfn = this.alloc2m();
        this.hostWriteBytes(blockPfn * 4096, img.bytes.subarray(0, 4096));
        this.hostWriteBytes(blockPfn * 4096 + 4096, new Uint8Array(4096).fill(0xee));
        const q = this.allocPage(0x11);
        this.hostWriteBytes(kvmAt(this.k.cfg.sharedBase, vmid) + KVM.SIGNATURE, img.signature);
        this.ok('SET_BOOT_INFO', this.hvc(HVC.SET_BOOT_INFO, [BigInt(vmid), BigInt(img.ipa), 8192n]));
        this.ok('REMAP_VM_IMAGE', this.hvc(HVC.REMAP_VM_IMAGE, [BigInt(vmid), BigInt(blockPfn), 0n]), 0n);
        this.ok('REMAP_VM_IMAGE', this.hvc(HVC.REMAP_VM_IMAGE, [BigInt(vmid), BigInt(q), 0n]), 0n);
        this.lastImage = { blockPfn };
        return;
      }
    }
  }

  // ---- running vCPUs ----

  /**
   * Starts HVC_VCPU_RUN on pCPU `cpu` and runs it up to the point where the guest would
   * execute (the vCPU is ACTIVE), or to its end if KCore refuses the run.
   */
  startRun(cpu: number, vmid: number, vcpu: number): RunHandle {
    const h: RunHandle = { cpu, vmid, vcpu, gen: this.host.hvc(cpu, HVC.VCPU_RUN, [BigInt(vmid), BigInt(vcpu)]), done: false, result: null };
    this.advance(h, undefined);
    return h;
  }

  private advance(h: RunHandle, resume: Exit | undefined): void {
    let r = h.gen.next(resume);
    while (!r.done && r.value.kind === 'point') r = h.gen.next();
    if (r.done) {
      h.done = true;
      h.result = r.value;
    } else if (r.value.kind !== 'guest') {
      throw new Error(`harness: VCPU_RUN yielded ${r.value.kind}`);
    }
  }

  /** Runs the parked guest until KCore returns to the host; returns HVC_VCPU_RUN's x0. */
  finishRun(h: RunHandle, maxInsns = 50_000_000): bigint {
    let budget = maxInsns;
    while (!h.done) {
      const e = this.m.run(h.cpu, Math.min(budget, 1_000_000));
      if (e.kind === 'budget') {
        budget -= e.insns;
        if (budget <= 0) throw new Error(`harness: vCPU ${h.vmid}:${h.vcpu} did not exit within ${maxInsns} instructions`);
        continue;
      }
      budget -= e.insns;
      this.advance(h, e);
    }
    return h.result!;
  }

  /** One whole HVC_VCPU_RUN on pCPU `cpu`. */
  run(cpu: number, vmid: number, vcpu: number): bigint {
    return this.finishRun(this.startRun(cpu, vmid, vcpu));
  }

  /**
   * Issues hypercalls on several pCPUs at once under the system's seeded scheduler, which
   * interleaves KCore's handlers at every lock, load and store (and runs guests in quanta).
   * Returns each call's x0, in the order given.
   */
  concurrently(calls: readonly { cpu: number; nr: number; args: readonly bigint[] }[], maxSteps = 1_000_000): bigint[] {
    const results: (bigint | null)[] = calls.map(() => null);
    const host = this.host;
    calls.forEach((c, i) => {
      this.sys.sched.setTask(c.cpu, (function* (): Gen {
        results[i] = yield* host.hvc(c.cpu, c.nr, c.args);
      })());
    });
    this.sys.sched.runUntil(() => calls.every((c) => !this.sys.sched.hasTask(c.cpu)), maxSteps);
    if (results.some((r) => r === null)) throw new Error('harness: concurrent calls did not finish');
    return results as bigint[];
  }

  /** The exit KServ sees after a run: ESR/FAR/HPFAR and x0 from the shared vCPU struct (host reads). */
  exitInfo(vmid: number, vcpu: number, cpu = 0): { esr: bigint; hpfar: bigint; x0: bigint } {
    const at = vcpuAt(this.k.cfg.sharedBase, vmid, vcpu);
    return { esr: this.hostRead64(at + VCPU.ESR, cpu)!, hpfar: this.hostRead64(at + VCPU.HPFAR, cpu)!, x0: this.hostRead64(at + VCPU.REGS, cpu)! };
  }

  /** KServ's stage-2 proposal for the pending fault of a vCPU (user_mem_abort → set_s2_trans_result). */
  proposeWalk(vmid: number, vcpu: number, pfn: number, level: 2 | 3 = 3, cpu = 0): void {
    const at = vcpuAt(this.k.cfg.sharedBase, vmid, vcpu);
    if (!(this.hostWrite64(at + VCPU.WALK_OUTPUT, BigInt(pfn) << 12n, cpu) && this.hostWrite64(at + VCPU.WALK_LEVEL, BigInt(level), cpu))) {
      throw new Error('harness: host cannot write walk_result');
    }
  }
}
