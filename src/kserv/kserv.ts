/**
 * KServ: the untrusted host — Linux 4.18's KVM (arch/arm64/kvm, virt/kvm/arm) and QEMU, reduced
 * to what the simulated guests need. It runs as TypeScript on the pCPUs (one task per pCPU,
 * src/sim/task.ts) and reaches memory and the hypervisor only through `HostHyp` (SeKVM's trap
 * path, or the KVM baseline). Responsibilities:
 *  - the KVM API: create a VM and its vCPUs, load its boot image, run, tear down;
 *  - memory: a page allocator over host RAM; stage-2 faults on guest RAM are answered with a
 *    fresh page (user_mem_abort);
 *  - devices: PL011 and a virtio-like block device in "user space" (I/O user path), the vGIC
 *    distributor/redistributors in the kernel (I/O kernel path), the virtual timer, PSCI;
 *  - scheduling: vCPUs pinned to pCPUs, time-sliced by a host timer tick, blocked in WFI until
 *    an interrupt.
 */
import type { Machine } from '../machine/machine.js';
import type { Scheduler } from '../sim/sched.js';
import type { Gen } from '../sim/task.js';
import { INJECT } from '../arch/inject.js';
import { IDLE } from '../sim/task.js';
import type { Meter } from '../cost/meter.js';
import type { Component, Primitive } from '../cost/primitives.js';
import type { TraceSink } from '../trace/events.js';
import type { HostHyp } from './hyp.js';
import { PageAllocator } from './alloc.js';
import { Vgic, VTIMER_PPI, NUM_LRS } from './vgic.js';
import { VmUart, VirtioBlock, VM_UART, VM_VIRTIO, VIRTIO_SLOT, VIRTIO_SLOTS, virtioIntid, type GuestMem } from './devices.js';
import type { SignedImage } from './image.js';
import { vcpuAt, kvmAt, KVM, VCPU, SHARED_BYTES } from '../kcore/shared-abi.js';
import { ARM_EXCEPTION, KVM_HVC_NOOP, HYPSEC_MAX_VCPUS } from '../kcore/constants.js';
import { PSCI, PSCI_RET } from '../board/psci.js';
import { EC } from '../arch/esr.js';
import { VIRT } from '../board/virt.js';

export const GUEST_RAM_BASE = 0x4000_0000;
/** Host timer tick (the pCPU's EL1 physical timer, PPI 30): 250 Hz at CNTFRQ 62.5 MHz. */
export const HOST_TICK_TICKS = 250_000n;
/** The physical SGI KServ uses to kick a pCPU running a vCPU with new interrupts. */
export const KICK_SGI = 0;
const HOST_TIMER_PPI = 30;

export interface VmSpec {
  readonly name: string;
  readonly image: SignedImage;
  readonly vcpus: number;
  /** Guest RAM in MiB (default 64). */
  readonly ramMiB?: number;
}

/**
 * Opt-in variations of the host's behaviour for the two-run noninterference checks
 * (src/check/nonint.ts); none by default. Each stays within KServ's interface: KServ chooses
 * which of its pages back a VM's faults, and it may propose any page at all (KCore must refuse
 * one the host does not own).
 */
export interface HostVariation {
  /**
   * Before each fresh page that backs a guest stage-2 fault, skip this many free pages (they
   * stay free): every VM's RAM lands on other physical pages than in a run without it.
   */
  readonly allocSkip?: number;
  /**
   * A hostile proposal: answer the first fresh RAM stage-2 fault of the VM named `thief` with a
   * page backing the VM named `victim` (the victim's page at the same gfn if it has one, else the
   * page KServ gave it last). The page is not recorded as the thief's. A correct KCore refuses
   * the proposal, so the thief's next VCPU_RUN fails and KServ fails the thief VM.
   */
  readonly steal?: { readonly thief: string; readonly victim: string };
}

export type VcpuRunState = 'off' | 'runnable' | 'blocked' | 'running';

export interface Vcpu {
  readonly vm: Vm;
  readonly index: number;
  readonly pcpu: number;
  state: VcpuRunState;
  /** Saved virtual-timer registers (vcpu_put / vcpu_load). */
  timerCtl: bigint;
  timerCval: bigint;
  /** List-register values KServ owns (copied to the vCPU struct before each run). */
  readonly lrs: bigint[];
  runs: number;
  exits: number;
}

export type VmState = 'created' | 'running' | 'off' | 'failed';

export interface Vm {
  readonly vmid: number;
  readonly name: string;
  readonly ramBase: number;
  readonly ramBytes: number;
  readonly vcpus: Vcpu[];
  /** QEMU's view of guest RAM: gfn → host pfn. */
  readonly gfnToPfn: Map<number, number>;
  readonly vgic: Vgic;
  readonly uart: VmUart;
  readonly virtio: VirtioBlock[];
  state: VmState;
  verified: boolean;
  failure: string | null;
  /** CNTVOFF_EL2 of the VM (the counter at creation, so the guest's virtual time starts near 0). */
  cntvoff: bigint;
}

export interface KservStats {
  exitsByEc: Map<string, number>;
  exitsByPath: { kserv: number; 'kserv-user': number };
  stage2Faults: number;
  mmioKernel: number;
  mmioUser: number;
}

export class Kserv {
  readonly vms: Vm[] = [];
  private readonly alloc: PageAllocator;
  private readonly runq: Vcpu[][];
  private nextPin = 0;
  readonly stats: KservStats = {
    exitsByEc: new Map(),
    exitsByPath: { kserv: 0, 'kserv-user': 0 },
    stage2Faults: 0,
    mmioKernel: 0,
    mmioUser: 0,
  };
  /** Set to stop every pCPU loop (all VMs are off, or the machine halted). */
  stopping = false;
  /** Host behaviour variations (opt-in; set before the run). */
  variation: HostVariation = {};
  private stolen = false;

  constructor(
    readonly m: Machine,
    readonly hyp: HostHyp,
    readonly sched: Scheduler,
    readonly meter: Meter,
    private readonly trace: TraceSink | null,
  ) {
    const first = Math.ceil((hyp.sharedBase + SHARED_BYTES) / 4096);
    this.alloc = new PageAllocator(first, Math.floor(hyp.hostRamEnd / 4096));
    this.runq = Array.from({ length: m.cpus }, () => []);
  }

  private count(cpu: number, prim: Primitive, n = 1, comp: Component = 'kserv'): void {
    this.meter.count(cpu, comp, prim, n);
  }

  private note(cpu: number, what: string, vm?: Vm, vcpu?: number): void {
    this.trace?.({ kind: 'kserv', cpu, what, ...(vm ? { vmid: vm.vmid } : {}), ...(vcpu !== undefined ? { vcpu } : {}) });
  }

  get freePages(): number {
    return this.alloc.free;
  }

  // ---- boot ----

  /**
   * Per-pCPU host boot: install the hypervisor on this pCPU, then set up the physical GIC CPU
   * interface (SRE, PMR, group 1, EOImode = 1 as Linux with KVM) and the host timer tick.
   * pCPU 0 also initialises the distributor and every redistributor.
   */
  *bootCpu(cpu: number): Gen {
    yield* this.hyp.initCpu(cpu);
    if (cpu === 0) {
      yield* this.hyp.mmio(cpu, Number(VIRT.GICD), 4, true, 0x12n);   // ARE | EnableGrp1
      for (let c = 0; c < this.m.cpus; c++) {
        const rd = Number(VIRT.GICR) + c * Number(VIRT.GICR_STRIDE);
        yield* this.hyp.mmio(cpu, rd + 0x14, 4, true, 0n);           // GICR_WAKER: awake
        const sgi = rd + 0x1_0000;
        const bits = (1n << BigInt(KICK_SGI)) | (1n << BigInt(VTIMER_PPI)) | (1n << BigInt(HOST_TIMER_PPI));
        yield* this.hyp.mmio(cpu, sgi + 0x80, 4, true, bits);         // IGROUPR0: group 1
        yield* this.hyp.mmio(cpu, sgi + 0x100, 4, true, bits);        // ISENABLER0
      }
    }
    const m = this.m;
    m.writeSys(cpu, 'ICC_SRE_EL1', 7n);
    m.writeSys(cpu, 'ICC_PMR_EL1', 0xffn);
    m.writeSys(cpu, 'ICC_CTLR_EL1', 2n);     // EOImode: EOIR drops priority, DIR deactivates
    m.writeSys(cpu, 'ICC_IGRPEN1_EL1', 1n);
    m.writeSys(cpu, 'CNTP_TVAL_EL0', HOST_TICK_TICKS);
    m.writeSys(cpu, 'CNTP_CTL_EL0', 1n);
    this.count(cpu, 'sysreg_write', 6);
  }

  // ---- the KVM API ----

  /**
   * KVM_CREATE_VM + KVM_CREATE_VCPU + image loading (QEMU's machine init): returns the VM, or a
   * negative errno (KVM_CREATE_VM fails with -EINVAL when SeKVM has no VMID left).
   */
  *createVm(cpu: number, spec: VmSpec): Gen<Vm | bigint> {
    if (spec.vcpus < 1 || spec.vcpus > HYPSEC_MAX_VCPUS) throw new RangeError(`a VM has 1..${HYPSEC_MAX_VCPUS} vCPUs, got ${spec.vcpus}`);
    const vmid = yield* this.hyp.createVm(cpu);
    if (vmid < 0n || vmid >= 1n << 63n) return vmid >= 1n << 63n ? -22n : vmid;
    const id = Number(vmid);
    const ramBytes = (spec.ramMiB ?? 64) << 20;
    const vm: Vm = {
      vmid: id, name: spec.name, ramBase: GUEST_RAM_BASE, ramBytes, vcpus: [], gfnToPfn: new Map(),
      vgic: new Vgic(spec.vcpus),
      uart: new VmUart((line) => this.trace?.({ kind: 'uart', cpu: this.sched.current < 0 ? 0 : this.sched.current, vmid: id, line })),
      virtio: [new VirtioBlock(0, 2), new VirtioBlock(1, 1)],
      state: 'created', verified: false, failure: null, cntvoff: 0n,
    };
    for (let i = 0; i < spec.vcpus; i++) {
      const r = yield* this.hyp.createVcpu(cpu, id, i);
      if (r !== 0n) return r;
      vm.vcpus.push({
        vm, index: i, pcpu: this.nextPin++ % this.m.cpus, state: 'off', timerCtl: 0n, timerCval: 0n,
        lrs: Array.from({ length: NUM_LRS }, () => 0n), runs: 0, exits: 0,
      });
    }
    const loaded = yield* this.loadImage(cpu, vm, spec.image);
    if (loaded !== 0n) return loaded;
    vm.cntvoff = this.m.readSys(cpu, 'CNTPCT_EL0');
    // vCPU 0 boots at the image's entry, EL1h with DAIF masked (KVM's reset state).
    yield* this.setBootState(cpu, vm.vcpus[0]!, spec.image.entry, 0n);
    this.vms.push(vm);
    vm.state = 'running';
    this.note(cpu, `created VM ${id} "${spec.name}" (${spec.vcpus} vCPUs, ${spec.ramMiB ?? 64} MiB)`, vm);
    this.makeRunnable(vm.vcpus[0]!);
    return vm;
  }

  /** Writes a vCPU's boot PC/PSTATE/x0 into its struct (KCore checks them on the first run). */
  private *setBootState(cpu: number, v: Vcpu, pc: bigint, x0: bigint): Gen {
    const at = vcpuAt(this.hyp.sharedBase, v.vm.vmid, v.index);
    yield* this.hyp.write64(cpu, at + VCPU.PC, pc);
    yield* this.hyp.write64(cpu, at + VCPU.PSTATE, 0x3c5n);
    yield* this.hyp.write64(cpu, at + VCPU.REGS, x0);
  }

  /**
   * QEMU's ROM load (KVM_ARM_SET_BOOT_INFO): the image is placed in 2 MB-aligned host memory at
   * the same offset within 2 MB as its IPA (SeKVM moves images to the VM in 2 MB blocks), its
   * signature goes into struct kvm, and the hypervisor gets the pages.
   */
  private *loadImage(cpu: number, vm: Vm, img: SignedImage): Gen<bigint> {
    const first2m = Math.floor(img.ipa / 0x20_0000) * 0x20_0000;
    const end = img.ipa + img.bytes.length;
    const pfns: number[] = [];
    for (let blk = first2m; blk < end; blk += 0x20_0000) {
      const base = this.alloc.alloc2m();
      if (base === null) return -12n;
      for (let i = 0; i < 512; i++) vm.gfnToPfn.set(blk / 4096 + i, base + i);
      // QEMU's RAM is anonymous memory: zero the whole 2 MB block before copying the image in.
      const ok = yield* this.hyp.writeBytes(cpu, base * 4096, new Uint8Array(0x20_0000));
      if (!ok) return -14n;
    }
    if (!(yield* this.writeGuest(cpu, vm, img.ipa, img.bytes))) return -14n;
    for (let a = img.ipa & ~0xfff; a < end; a += 4096) pfns.push(vm.gfnToPfn.get(a / 4096)!);
    const sigAt = kvmAt(this.hyp.sharedBase, vm.vmid) + KVM.SIGNATURE;
    const sig = new Uint8Array(64);
    sig.set(img.signature.subarray(0, 64));
    if (!(yield* this.hyp.writeBytes(cpu, sigAt, sig))) return -14n;
    return yield* this.hyp.loadImage(cpu, vm.vmid, img.ipa, img.bytes.length, pfns);
  }

  /** QEMU writing guest memory through its own mapping of guest RAM. */
  private *writeGuest(cpu: number, vm: Vm, ipa: number, bytes: Uint8Array): Gen<boolean> {
    for (let off = 0; off < bytes.length; ) {
      const a = ipa + off;
      const n = Math.min(bytes.length - off, 4096 - (a % 4096));
      const pfn = vm.gfnToPfn.get(Math.floor(a / 4096));
      if (pfn === undefined) return false;
      if (!(yield* this.hyp.writeBytes(cpu, pfn * 4096 + (a % 4096), bytes.subarray(off, off + n)))) return false;
      off += n;
    }
    return true;
  }

  private guestMem(cpu: number, vm: Vm): GuestMem {
    const self = this;
    return {
      *read(ipa: number, len: number) {
        const out = new Uint8Array(len);
        for (let off = 0; off < len; ) {
          const a = ipa + off;
          const n = Math.min(len - off, 4096 - (a % 4096));
          const pfn = vm.gfnToPfn.get(Math.floor(a / 4096));
          if (pfn === undefined) return null;
          const b = yield* self.hyp.readBytes(cpu, pfn * 4096 + (a % 4096), n);
          if (b === null) return null;
          out.set(b, off);
          off += n;
        }
        return out;
      },
      write: (ipa: number, bytes: Uint8Array) => self.writeGuest(cpu, vm, ipa, bytes),
    };
  }

  // ---- scheduling ----

  private makeRunnable(v: Vcpu): void {
    if (v.state === 'runnable' || v.state === 'running') return;
    v.state = 'runnable';
    const q = this.runq[v.pcpu]!;
    if (!q.includes(v)) q.push(v);
    this.sched.wake(v.pcpu);
  }

  /** Interrupt for a vCPU: make it runnable if it sleeps, kick its pCPU if it runs. */
  private *deliver(cpu: number, v: Vcpu): Gen {
    if (v.state === 'blocked') this.makeRunnable(v);
    else if (v.state === 'running' && v.pcpu !== cpu) {
      // kvm_vcpu_kick: a physical SGI makes the target pCPU exit its guest.
      this.m.writeSys(cpu, 'ICC_SGI1R_EL1', (BigInt(KICK_SGI) << 24n) | (1n << BigInt(this.m.getSysRaw(v.pcpu, 'MPIDR_EL1') & 15n)));
      this.count(cpu, 'ipi_send');
    }
  }

  /** The pCPU's KServ loop: run the pinned vCPUs round-robin; idle when none is runnable. */
  *pcpuLoop(cpu: number): Gen {
    for (;;) {
      if (this.stopping || this.hyp.halted() !== null) return;
      const q = this.runq[cpu]!;
      const v = q.shift();
      if (v === undefined) {
        yield IDLE;
        continue;
      }
      if (v.state !== 'runnable' || v.vm.state !== 'running') continue;
      yield* this.runVcpu(cpu, v);
      if (v.state === 'runnable' && v.vm.state === 'running') q.push(v);
      this.checkAllOff();
    }
  }

  private checkAllOff(): void {
    if (this.vms.length > 0 && this.vms.every((vm) => vm.state !== 'running')) {
      this.stopping = true;
      for (let c = 0; c < this.m.cpus; c++) this.sched.wake(c);
    }
  }

  // ---- one KVM_RUN entry/exit ----

  private *runVcpu(cpu: number, v: Vcpu): Gen {
    const vm = v.vm;
    const at = vcpuAt(this.hyp.sharedBase, vm.vmid, v.index);
    if (!vm.verified) {
      const r = yield* this.hyp.firstRun(cpu, vm.vmid);
      if (r !== 1n) return this.failVm(cpu, vm, `verification of the boot image failed (hypervisor returned ${r})`);
      vm.verified = true;
    }
    // vcpu_load: the VM's counter offset and the vCPU's virtual timer.
    yield* this.hyp.setCntvoff(cpu, vm.cntvoff);
    this.m.writeSys(cpu, 'CNTV_CVAL_EL0', v.timerCval);
    this.m.writeSys(cpu, 'CNTV_CTL_EL0', v.timerCtl);
    this.count(cpu, 'sysreg_write', 2);
    if (vm.vgic.vtimerInFlight(v.index)) yield* this.physActive(cpu, VTIMER_PPI, true);
    // kvm_vgic_flush_hwstate
    vm.vgic.flush(v.index, v.lrs);
    for (let n = 0; n < NUM_LRS; n++) yield* this.hyp.write64(cpu, at + VCPU.LR + n * 8, v.lrs[n]!);
    v.state = 'running';
    v.runs++;
    const exit = yield* this.hyp.vcpuRun(cpu, vm.vmid, v.index);
    this.count(cpu, 'exit_dispatch');   // the KVM_RUN loop's turn around this exit (handle_exit)
    v.state = 'runnable';
    // vcpu_put: save the timer, stop it on this pCPU, and drop the physical vtimer interrupt.
    v.timerCtl = this.m.readSys(cpu, 'CNTV_CTL_EL0') & 3n;
    v.timerCval = this.m.readSys(cpu, 'CNTV_CVAL_EL0');
    this.m.writeSys(cpu, 'CNTV_CTL_EL0', 0n);
    this.count(cpu, 'sysreg_read', 2);
    this.count(cpu, 'sysreg_write');
    for (let n = 0; n < NUM_LRS; n++) v.lrs[n] = (yield* this.hyp.read64(cpu, at + VCPU.LR + n * 8)) ?? 0n;
    vm.vgic.sync(v.index, v.lrs);
    yield* this.physActive(cpu, VTIMER_PPI, false);
    if (exit.code < 0n || exit.code >= 1n << 63n) {
      if (this.hyp.halted() !== null) return;
      return this.failVm(cpu, vm, `VCPU_RUN of vCPU ${v.index} was refused (${BigInt.asIntN(64, exit.code)})`);
    }
    v.exits++;
    if (exit.code === BigInt(ARM_EXCEPTION.IRQ)) {
      this.countExit('IRQ', 'kserv');
      yield* this.physicalIrq(cpu, v);
      // The exit may be the guest's own virtual timer firing: vcpu_put above already stopped it
      // on this pCPU (so the acknowledge saw nothing), and it must still reach the guest, or the
      // next entry re-arms an expired timer and exits again, forever (kvm_timer_should_fire).
      if (this.timerFires(cpu, v) && !vm.vgic.vtimerInFlight(v.index)) vm.vgic.pend(v.index, VTIMER_PPI);
      return;
    }
    yield* this.handleTrap(cpu, v, at);
    // A virtual timer that has fired while the vCPU was out: make its interrupt pending.
    if (this.timerFires(cpu, v) && !vm.vgic.vtimerInFlight(v.index)) vm.vgic.pend(v.index, VTIMER_PPI);
  }

  /** Sets/clears the physical active state of a PPI on this pCPU (GICR_ISACTIVER0 / ICACTIVER0). */
  private *physActive(cpu: number, intid: number, active: boolean): Gen {
    const sgi = Number(VIRT.GICR) + cpu * Number(VIRT.GICR_STRIDE) + 0x1_0000;
    yield* this.hyp.mmio(cpu, sgi + (active ? 0x300 : 0x380), 4, true, 1n << BigInt(intid));
  }

  /** Whether vCPU v's virtual timer condition holds now (ENABLE, !IMASK, CNTVCT ≥ CVAL). */
  private timerFires(cpu: number, v: Vcpu): boolean {
    if ((v.timerCtl & 3n) !== 1n) return false;
    const vct = this.m.readSys(cpu, 'CNTPCT_EL0') - v.vm.cntvoff;
    return vct >= v.timerCval;
  }

  /** The cycle count at which a blocked vCPU's timer fires (for the scheduler's idle jumps). */
  nextVcpuDeadline(): bigint | null {
    let best: bigint | null = null;
    for (const vm of this.vms) {
      for (const v of vm.vcpus) {
        if (v.state !== 'blocked' || (v.timerCtl & 3n) !== 1n) continue;
        // The virtual timer fires when CNTPCT - CNTVOFF reaches CVAL.
        const tick = v.timerCval + vm.cntvoff;
        const cyc = this.m.cyclesOfCount(tick);
        if (best === null || cyc < best) best = cyc;
      }
    }
    return best;
  }

  /** Wakes blocked vCPUs whose virtual timer has fired (called as time passes). */
  checkTimers(): void {
    for (const vm of this.vms) {
      if (vm.state !== 'running') continue;
      for (const v of vm.vcpus) {
        if (v.state !== 'blocked') continue;
        if (this.timerFires(v.pcpu, v)) {
          if (!vm.vgic.vtimerInFlight(v.index)) vm.vgic.pend(v.index, VTIMER_PPI);
          this.makeRunnable(v);
        }
      }
    }
  }

  /** A physical interrupt arrived while the guest ran (ARM_EXCEPTION_IRQ): acknowledge and act. */
  private *physicalIrq(cpu: number, v: Vcpu): Gen {
    const m = this.m;
    const intid = Number(m.readSys(cpu, 'ICC_IAR1_EL1') & 0xff_ffffn);
    this.count(cpu, 'sysreg_read');
    if (intid === 1023) return;
    m.writeSys(cpu, 'ICC_EOIR1_EL1', BigInt(intid));    // priority drop
    this.count(cpu, 'sysreg_write');
    if (intid === VTIMER_PPI) {
      // kvm_arch_timer_handler: the guest's timer fired: inject it, hardware-mapped (stays active).
      v.vm.vgic.pend(v.index, VTIMER_PPI);
      return;
    }
    m.writeSys(cpu, 'ICC_DIR_EL1', BigInt(intid));      // deactivate
    this.count(cpu, 'sysreg_write');
    if (intid === HOST_TIMER_PPI) {
      m.writeSys(cpu, 'CNTP_TVAL_EL0', HOST_TICK_TICKS);
      this.count(cpu, 'sysreg_write');
    }
  }

  private countExit(ec: string, path: 'kserv' | 'kserv-user'): void {
    this.stats.exitsByEc.set(ec, (this.stats.exitsByEc.get(ec) ?? 0) + 1);
    this.stats.exitsByPath[path]++;
  }

  /** handle_exit: the trap classes KServ sees (sekvm.md §2.4). */
  private *handleTrap(cpu: number, v: Vcpu, at: number): Gen {
    const vm = v.vm;
    const h = this.hyp;
    const ec = Number((yield* h.read64(cpu, at + VCPU.EXIT_EC)) ?? 0n);
    const esr = Number((yield* h.read64(cpu, at + VCPU.ESR)) ?? 0n);
    const far = (yield* h.read64(cpu, at + VCPU.FAR)) ?? 0n;
    const hpfar = (yield* h.read64(cpu, at + VCPU.HPFAR)) ?? 0n;
    switch (ec) {
      case EC.HVC64: {
        this.countExit('HVC64', 'kserv');
        const x0 = (yield* h.read64(cpu, at + VCPU.REGS)) ?? 0n;
        const fn = Number(x0 & 0xffff_ffffn);
        if (fn === KVM_HVC_NOOP) return;   // kvm-unit-tests' NOOP: handle_hvc returns at once
        const ret = yield* this.psci(cpu, v, at, fn);
        yield* h.write64(cpu, at + VCPU.REGS, BigInt.asUintN(64, ret));
        return;
      }
      case EC.DABT_LOW:
      case EC.IABT_LOW: {
        const ipa = Number(((hpfar >> 4n) << 12n) | (far & 0xfffn));
        if (ipa < 0x4000_0000) {
          yield* this.mmio(cpu, v, at, ipa, esr);
          return;
        }
        this.countExit(ec === EC.DABT_LOW ? 'DABT_LOW' : 'IABT_LOW', 'kserv');
        yield* this.stage2Fault(cpu, v, at, ipa, ec === EC.IABT_LOW);
        return;
      }
      case EC.WFx:
        this.countExit('WFx', 'kserv');
        if ((esr & 1) === 0 && !vm.vgic.hasPending(v.index) && !this.timerFires(cpu, v)) v.state = 'blocked';
        return;
      case EC.SYS64: {
        this.countExit('SYS64', 'kserv');
        const rt = (esr >>> 5) & 31;
        const value = rt === 31 ? 0n : (yield* h.read64(cpu, at + VCPU.REGS + rt * 8)) ?? 0n;
        const { intid, targets } = vm.vgic.sgiTargets(v.index, value);
        for (const t of targets) {
          vm.vgic.pend(t, intid);
          yield* this.deliver(cpu, vm.vcpus[t]!);
        }
        return;
      }
      case EC.SMC64:
        // KVM injects UNDEF for an SMC from a guest.
        this.countExit('SMC64', 'kserv');
        yield* h.write64(cpu, at + VCPU.INJECT, INJECT.UNDEF);
        return;
      default:
        this.countExit(`EC_0x${ec.toString(16)}`, 'kserv');
        return this.failVm(cpu, vm, `unexpected exit class 0x${ec.toString(16)} (ESR 0x${esr.toString(16)})`);
    }
  }

  /** user_mem_abort: back a guest RAM page with a fresh host page and propose it. */
  private *stage2Fault(cpu: number, v: Vcpu, at: number, ipa: number, fetch: boolean): Gen {
    const vm = v.vm;
    this.stats.stage2Faults++;
    this.count(cpu, 'host_fault');
    if (ipa < vm.ramBase || ipa >= vm.ramBase + vm.ramBytes) {
      // Neither RAM nor a device: an external abort for the guest (kvm_inject_dabt/pabt).
      yield* this.hyp.write64(cpu, at + VCPU.INJECT, fetch ? INJECT.IABT : INJECT.DABT);
      return;
    }
    const gfn = Math.floor(ipa / 4096);
    let pfn = vm.gfnToPfn.get(gfn) ?? this.stealFor(vm, gfn);
    if (pfn === undefined) {
      const p = this.allocGuestPage();
      if (p === null) return this.failVm(cpu, vm, 'host memory exhausted');
      // Anonymous memory is zero-filled before it is mapped (clear_page).
      if (!(yield* this.hyp.writeBytes(cpu, p * 4096, new Uint8Array(4096)))) return this.failVm(cpu, vm, 'cannot clear a fresh page');
      vm.gfnToPfn.set(gfn, p);
      pfn = p;
    }
    const r = yield* this.hyp.resolveFault(cpu, vm.vmid, v.index, ipa, pfn, 3);
    if (r !== 0n) return this.failVm(cpu, vm, `stage-2 fault at IPA 0x${ipa.toString(16)} could not be resolved (${r})`);
  }

  /** A fresh page for guest RAM; `variation.allocSkip` free pages are passed over first. */
  private allocGuestPage(): number | null {
    const held: number[] = [];
    for (let i = 0; i < (this.variation.allocSkip ?? 0); i++) {
      const q = this.alloc.alloc();
      if (q !== null) held.push(q);
    }
    const p = this.alloc.alloc();
    for (const q of held) this.alloc.release(q);
    return p;
  }

  /** `variation.steal`: the victim's page to propose for the thief's fault at gfn, once. */
  private stealFor(vm: Vm, gfn: number): number | undefined {
    const s = this.variation.steal;
    if (s === undefined || this.stolen || vm.name !== s.thief) return undefined;
    const victim = this.vms.find((x) => x.name === s.victim && x !== vm);
    if (victim === undefined || victim.gfnToPfn.size === 0) return undefined;
    this.stolen = true;
    return victim.gfnToPfn.get(gfn) ?? [...victim.gfnToPfn.values()].pop();
  }

  /** io_mem_abort: the vGIC in the kernel; the UART and virtio in user space (QEMU). */
  private *mmio(cpu: number, v: Vcpu, at: number, ipa: number, esr: number): Gen {
    const vm = v.vm;
    const isv = (esr >>> 24) & 1;
    if (!isv) return this.failVm(cpu, vm, `MMIO at 0x${ipa.toString(16)} without a valid syndrome (ISV = 0) cannot be emulated`);
    const size = 1 << ((esr >>> 22) & 3);
    const sse = (esr >>> 21) & 1;
    const rt = (esr >>> 16) & 31;
    const sf = (esr >>> 15) & 1;
    const write = ((esr >>> 6) & 1) === 1;
    const h = this.hyp;
    const value = write && rt !== 31 ? (yield* h.read64(cpu, at + VCPU.REGS + rt * 8)) ?? 0n : 0n;
    let result = 0n;
    const gicd = Number(VIRT.GICD), gicr = Number(VIRT.GICR);
    if (ipa >= gicd && ipa < gicd + 0x1_0000) {
      this.countExit('DABT_LOW(vgic)', 'kserv');
      this.stats.mmioKernel++;
      this.count(cpu, 'mmio_emulate');
      if (write) vm.vgic.distWrite(ipa - gicd, size, value);
      else result = vm.vgic.distRead(ipa - gicd, size);
    } else if (ipa >= gicr && ipa < gicr + vm.vcpus.length * Number(VIRT.GICR_STRIDE)) {
      this.countExit('DABT_LOW(vgic)', 'kserv');
      this.stats.mmioKernel++;
      this.count(cpu, 'mmio_emulate');
      const rv = Math.floor((ipa - gicr) / Number(VIRT.GICR_STRIDE));
      const off = (ipa - gicr) % Number(VIRT.GICR_STRIDE);
      if (write) vm.vgic.redistWrite(rv, off, size, value);
      else result = vm.vgic.redistRead(rv, off, size);
    } else {
      // QEMU in user space: KVM_RUN returns KVM_EXIT_MMIO, QEMU emulates, KVM_RUN again.
      this.countExit('DABT_LOW(user)', 'kserv-user');
      this.stats.mmioUser++;
      this.count(cpu, 'user_roundtrip', 1, 'kserv-user');
      this.count(cpu, 'mmio_emulate', 1, 'kserv-user');
      this.trace?.({ kind: 'kserv-user', cpu, what: `${write ? 'write' : 'read'} 0x${ipa.toString(16)}`, vmid: vm.vmid });
      if (ipa >= VM_UART && ipa < VM_UART + 0x1000) {
        if (write) vm.uart.write(ipa - VM_UART, value);
        else result = vm.uart.read(ipa - VM_UART);
      } else if (ipa >= VM_VIRTIO && ipa < VM_VIRTIO + VIRTIO_SLOTS * VIRTIO_SLOT) {
        const slot = Math.floor((ipa - VM_VIRTIO) / VIRTIO_SLOT);
        const off = (ipa - VM_VIRTIO) % VIRTIO_SLOT;
        const dev = vm.virtio[slot];
        if (dev === undefined) result = 0n;
        else if (!write) result = dev.read(off);
        else if (yield* dev.write(off, value, this.guestMem(cpu, vm))) {
          vm.vgic.pend(0, virtioIntid(slot));
          yield* this.deliver(cpu, vm.vcpus[0]!);
        }
      }
    }
    if (!write && rt !== 31) {
      let r = size === 8 ? result : result & ((1n << BigInt(size * 8)) - 1n);
      if (sse) r = BigInt.asUintN(64, BigInt.asIntN(size * 8, r));
      if (!sf) r &= 0xffff_ffffn;
      yield* h.write64(cpu, at + VCPU.REGS + rt * 8, r);
    }
  }

  /** KVM's PSCI emulation (arch/arm64/kvm/psci.c, PSCI 1.0). Returns x0. */
  private *psci(cpu: number, v: Vcpu, at: number, fn: number): Gen<bigint> {
    const vm = v.vm;
    const h = this.hyp;
    const arg = function* (n: number): Gen<bigint> {
      return (yield* h.read64(cpu, at + VCPU.REGS + n * 8)) ?? 0n;
    };
    switch (fn) {
      case PSCI.VERSION:
        return 0x1_0000n;
      case PSCI.CPU_ON_32:
      case PSCI.CPU_ON_64: {
        const target = Number((yield* arg(1)) & 0xffn);
        const t = vm.vcpus[target];
        if (t === undefined) return BigInt(PSCI_RET.INVALID_PARAMETERS);
        if (t.state !== 'off') return BigInt(PSCI_RET.ALREADY_ON);
        if (t.runs > 0) return BigInt(PSCI_RET.INTERNAL_FAILURE);   // SeKVM cannot re-reset a vCPU that ran
        yield* this.setBootState(cpu, t, yield* arg(2), yield* arg(3));
        this.makeRunnable(t);
        return 0n;
      }
      case PSCI.CPU_OFF:
        v.state = 'off';
        return 0n;
      case PSCI.AFFINITY_INFO_32:
      case PSCI.AFFINITY_INFO_64: {
        const t = vm.vcpus[Number((yield* arg(1)) & 0xffn)];
        if (t === undefined) return BigInt(PSCI_RET.INVALID_PARAMETERS);
        return t.state === 'off' ? 1n : 0n;
      }
      case PSCI.MIGRATE_INFO_TYPE:
        return 2n;
      case PSCI.SYSTEM_OFF:
      case PSCI.SYSTEM_RESET:
        yield* this.powerOff(cpu, vm, fn === PSCI.SYSTEM_OFF ? 'PSCI SYSTEM_OFF' : 'PSCI SYSTEM_RESET');
        return 0n;
      case PSCI.FEATURES:
        return 0n;
      default:
        return BigInt(PSCI_RET.NOT_SUPPORTED);
    }
  }

  /** The VM is gone: stop its vCPUs, then tear it down (its memory returns to the host scrubbed). */
  private *powerOff(cpu: number, vm: Vm, why: string): Gen {
    vm.uart.flush();
    vm.state = 'off';
    for (const x of vm.vcpus) if (x.state !== 'running' || x.pcpu === cpu) x.state = 'off';
    this.note(cpu, `VM ${vm.vmid} powered off (${why})`, vm);
  }

  /** KVM_DESTROY: the VM's memory back to the host allocator. */
  *destroyVm(cpu: number, vm: Vm): Gen<bigint> {
    const r = yield* this.hyp.destroyVm(cpu, vm.vmid);
    if (r === 0n) {
      for (const pfn of vm.gfnToPfn.values()) this.alloc.release(pfn);
      vm.gfnToPfn.clear();
    }
    return r;
  }

  private failVm(cpu: number, vm: Vm, why: string): void {
    vm.uart.flush();
    vm.state = 'failed';
    vm.failure = why;
    for (const x of vm.vcpus) x.state = 'off';
    this.note(cpu, `VM ${vm.vmid} failed: ${why}`, vm);
    this.checkAllOff();
  }

  /** Everything QEMU's VM loop does once all VMs are off: tear each down. */
  *teardownAll(cpu: number): Gen {
    for (const vm of this.vms) {
      if (vm.gfnToPfn.size === 0) continue;
      if (vm.state === 'off' || vm.state === 'failed') yield* this.destroyVm(cpu, vm);
    }
  }
}
