/**
 * The hardware path between KServ (host kernel at EL1 on a pCPU) and KCore (EL2): a host
 * hypercall is an HVC exception taken to EL2 (ESR EC 0x16), KCore's dispatcher runs, and ERET
 * returns; a host memory access is translated by the host stage 2 on that pCPU, and a stage-2
 * fault is a data abort taken to EL2 (EC 0x24, HPFAR) that KCore resolves (map_page_host, or
 * SMMU register emulation) before the access is retried. KServ never touches memory any
 * other way, so it cannot read what KCore has not mapped for it (DESIGN.md rule 3).
 */
import type { Machine } from '../machine/machine.js';
import { AccessKind } from '../machine/machine.js';
import type { Gen } from './task.js';
import type { Kcore } from '../kcore/kcore.js';
import type { Meter } from '../cost/meter.js';
import type { HostHyp, RunExit } from '../kserv/hyp.js';
import { hostHvc, hostDataAbort } from '../kcore/trap-dispatcher.js';
import { HVC } from '../kcore/constants.js';
import { vcpuAt, VCPU } from '../kcore/shared-abi.js';
import { EC } from '../arch/esr.js';

const ESR_IL = 1 << 25;

export class SekvmHost implements HostHyp {
  readonly mode = 'sekvm' as const;
  readonly sharedBase: number;
  readonly hostRamEnd: number;

  constructor(private readonly m: Machine, readonly k: Kcore, private readonly meter: Meter | null = null) {
    this.sharedBase = k.cfg.sharedBase;
    this.hostRamEnd = Number(k.lay.base);
  }

  halted(): string | null {
    return this.k.halted ? this.k.halted.message : null;
  }

  /** An exception from the host to EL2 and back: entry, KCore's handler, ERET. */
  private *trap<T>(cpu: number, esr: number, far: bigint | null, body: Gen<T>): Gen<T> {
    const m = this.m;
    m.injectException(cpu, 2, 0, esr, far, m.getPc(cpu));
    this.k.am.count(cpu, 'exc_entry');
    const r = yield* body;
    this.k.am.count(cpu, 'eret');
    m.eret(cpu);
    return r;
  }

  *hvc(cpu: number, nr: number, args: readonly bigint[]): Gen<bigint> {
    if (this.k.halted) return -1n;
    const m = this.m;
    m.setX(cpu, 0, BigInt.asUintN(64, BigInt(nr)));
    for (let i = 0; i < 5; i++) m.setX(cpu, i + 1, BigInt.asUintN(64, args[i] ?? 0n));
    return yield* this.trap(cpu, (EC.HVC64 << 26) | ESR_IL, null, hostHvc(this.k, cpu));
  }

  /**
   * A host access to physical address `pa`: translated by the host stage 2 (TLB first); on a
   * fault, the data abort goes to KCore, then the translation is tried once more.
   */
  private *access(cpu: number, pa: number, write: boolean, sizeLog2: number, rt: number): Gen<number | null> {
    const acc = write ? AccessKind.Write : AccessKind.Read;
    // A real access by the host: a TLB miss walks the host stage 2 and costs time (the extra
    // stage-2 walk SeKVM's host makes and KVM's does not).
    let t = this.m.translate(cpu, BigInt(pa), acc, false, true);
    if (t !== null) return Number(t);
    if (this.k.halted) return null;
    // Data abort from the lower EL with a valid instruction syndrome (ISV, SAS, SRT, WnR).
    const esr = (EC.DABT_LOW << 26) | ESR_IL | (1 << 24) | (sizeLog2 << 22) | (rt << 16) | (sizeLog2 === 3 ? 1 << 15 : 0) | (write ? 1 << 6 : 0) | 0x07;
    this.m.setSysRaw(cpu, 'HPFAR_EL2', BigInt(Math.floor(pa / 4096)) << 4n);
    const outcome = yield* this.trap(cpu, esr, BigInt(pa), hostDataAbort(this.k, cpu));
    if (outcome === 'emulated') return -1;   // a device register KCore emulated: no memory access
    if (outcome === 'refused') return null;
    t = this.m.translate(cpu, BigInt(pa), acc, false, true);
    return t === null ? null : Number(t);
  }

  /** The translated address if it is RAM (device space is not memory: reads/writes there fail). */
  private ramOrNull(t: number | null, len: number): number | null {
    return t === null || t < 0 || !this.m.inRam(BigInt(t), len) ? null : t;
  }

  /** The host kernel's own loads/stores (as KvmHyp counts them: the same steps in both modes). */
  private countHost(cpu: number, prim: 'mem_load' | 'mem_store', bytes: number): void {
    this.meter?.count(cpu, 'kserv', prim, Math.ceil(bytes / 8));
  }

  *read64(cpu: number, pa: number): Gen<bigint | null> {
    this.countHost(cpu, 'mem_load', 8);
    const t = this.ramOrNull(yield* this.access(cpu, pa, false, 3, 9), 8);
    return t === null ? null : this.m.read64(BigInt(t));
  }

  *write64(cpu: number, pa: number, v: bigint): Gen<boolean> {
    const t = this.ramOrNull(yield* this.access(cpu, pa, true, 3, 9), 8);
    if (t === null) return false;
    this.countHost(cpu, 'mem_store', 8);
    this.m.write64(BigInt(t), v);
    return true;
  }

  *readBytes(cpu: number, pa: number, len: number): Gen<Uint8Array | null> {
    this.countHost(cpu, 'mem_load', len);
    const out = new Uint8Array(len);
    for (let off = 0; off < len; ) {
      const n = Math.min(len - off, 4096 - ((pa + off) % 4096));
      const t = this.ramOrNull(yield* this.access(cpu, pa + off, false, 3, 9), n);
      if (t === null) return null;
      out.set(this.m.readPhys(BigInt(t), n), off);
      off += n;
    }
    return out;
  }

  *writeBytes(cpu: number, pa: number, bytes: Uint8Array): Gen<boolean> {
    this.countHost(cpu, 'mem_store', bytes.length);
    for (let off = 0; off < bytes.length; ) {
      const n = Math.min(bytes.length - off, 4096 - ((pa + off) % 4096));
      const t = this.ramOrNull(yield* this.access(cpu, pa + off, true, 3, 9), n);
      if (t === null) return false;
      this.m.writePhys(BigInt(t), bytes.subarray(off, off + n));
      off += n;
    }
    return true;
  }

  *mmio(cpu: number, pa: number, size: 4 | 8, write: boolean, value: bigint): Gen<bigint | null> {
    const rt = 9;
    if (write) this.m.setX(cpu, rt, value);
    const t = yield* this.access(cpu, pa, write, size === 8 ? 3 : 2, rt);
    if (t === null) return null;
    if (t < 0) return write ? 0n : this.m.getX(cpu, rt);   // emulated by KCore (SMMU)
    // A device KCore mapped into the host stage 2 (the GIC): the access reaches the device.
    return this.deviceAccess(cpu, t, size, write, value);
  }

  /** Physical device access for host-mapped devices; the board installs it. */
  deviceAccess: (cpu: number, pa: number, size: 4 | 8, write: boolean, value: bigint) => bigint = () => 0n;

  initCpu(cpu: number): Gen {
    const self = this;
    return (function* () {
      yield* self.hvc(cpu, HVC.ENABLE_S2_TRANS, []);
    })();
  }

  *createVm(cpu: number): Gen<bigint> {
    const r = yield* this.hvc(cpu, HVC.REGISTER_KVM, []);
    // kvm_alloc_stage2_pgd fails with -EINVAL when KCore cannot give a VMID (sekvm.md §3.4).
    return r >= 1n << 63n || r === 0n ? -22n : r;
  }

  *createVcpu(cpu: number, vmid: number, vcpu: number): Gen<bigint> {
    return yield* this.hvc(cpu, HVC.REGISTER_VCPU, [BigInt(vmid), BigInt(vcpu)]);
  }

  *loadImage(cpu: number, vmid: number, ipa: number, size: number, pfns: readonly number[]): Gen<bigint> {
    const idx = yield* this.hvc(cpu, HVC.SET_BOOT_INFO, [BigInt(vmid), BigInt(ipa), BigInt(size)]);
    if (idx >= 1n << 63n) return idx;
    for (const f of pfns) {
      const r = yield* this.hvc(cpu, HVC.REMAP_VM_IMAGE, [BigInt(vmid), BigInt(f), idx]);
      if (r >= 1n << 63n) return r;
    }
    return 0n;
  }

  *ioremap(cpu: number, vmid: number, gpa: number, pa: number, size: number): Gen<bigint> {
    return yield* this.hvc(cpu, HVC.PHYS_ADDR_IOREMAP, [BigInt(vmid), BigInt(gpa), BigInt(pa), BigInt(size)]);
  }

  *setCntvoff(cpu: number, off: bigint): Gen {
    yield* this.hvc(cpu, HVC.TIMER_SET_CNTVOFF, [off & 0xffff_ffffn, off >> 32n]);
  }

  *firstRun(cpu: number, vmid: number): Gen<bigint> {
    return yield* this.hvc(cpu, HVC.VERIFY_VM_IMAGES, [BigInt(vmid)]);
  }

  *resolveFault(cpu: number, vmid: number, vcpu: number, _ipa: number, pfn: number, level: 2 | 3): Gen<bigint> {
    // user_mem_abort → set_s2_trans_result: the proposal KCore checks on the next VCPU_RUN.
    const at = vcpuWalkAt(this.sharedBase, vmid, vcpu);
    const ok1 = yield* this.write64(cpu, at, BigInt(pfn) << 12n);
    const ok2 = yield* this.write64(cpu, at + 8, BigInt(level));
    return ok1 && ok2 ? 0n : -14n;
  }

  *vcpuRun(cpu: number, vmid: number, vcpu: number): Gen<RunExit> {
    return { code: yield* this.hvc(cpu, HVC.VCPU_RUN, [BigInt(vmid), BigInt(vcpu)]) };
  }

  *destroyVm(cpu: number, vmid: number): Gen<bigint> {
    return yield* this.hvc(cpu, HVC.CLEAR_VM_S2_RANGE, [BigInt(vmid), this.m.ramBase, BigInt(this.m.ramBytes)]);
  }
}

function vcpuWalkAt(base: number, vmid: number, vcpu: number): number {
  return vcpuAt(base, vmid, vcpu) + VCPU.WALK_OUTPUT;
}
