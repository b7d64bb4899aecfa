/**
 * The KVM baseline (`--mode kvm`): unsplit KVM 4.18 in nVHE mode. The host kernel (KServ) is
 * trusted: it runs without a stage 2 (HCR_EL2 = RW, VTTBR_EL2 = 0), builds its VMs' stage-2
 * tables itself, and keeps the guest's whole register state in its vCPU struct. EL2 holds only
 * the lowvisor world switch (__kvm_vcpu_run_nvhe) and TLB maintenance. No shadow context, no
 * page ownership, no scrubbing, no image verification.
 *
 * It implements the same HostHyp interface as SeKVM, so the same KServ, devices and guests run
 * on both, and the cost difference comes only from the steps each one executes.
 */
import type { Machine } from '../machine/machine.js';
import type { Gen } from '../sim/task.js';
import type { Meter } from '../cost/meter.js';
import type { Primitive } from '../cost/primitives.js';
import type { TraceSink } from '../trace/events.js';
import type { HostHyp, RunExit } from '../kserv/hyp.js';
import { INJECT, injectException, isInjectKind } from '../arch/inject.js';
import { vcpuAt, VCPU } from '../kcore/shared-abi.js';
import { ARM_EXCEPTION, MAX_MMIO_ADDR } from '../kcore/constants.js';
import { CTXT_SYSREGS, HCR_VM_FLAGS } from '../kcore/ctxt-switch.js';
import { VTCR_SEKVM } from '../kcore/trap-dispatcher.js';
import { s2Geometry, mapLeaf, type PtMem } from '../kcore/npt.js';
import { PAGE_S2_KERNEL, PTE_MARK, PAGE_S2_DEVICE_RW } from '../arch/desc.js';
import type { Pa } from '../arch/addr.js';
import { bug } from '../util/result.js';
import { EC, esrEc } from '../arch/esr.js';

const HCR_HOST_KVM = 1n << 31n;   // HCR_RW: the nVHE host runs without stage 2
/** Stage-2 table pool of the KVM host: the top of RAM (the host kernel's own allocations). */
const POOL_BYTES = 8 << 20;
const ESR_IL = 1 << 25;

interface KvmVcpu {
  started: boolean;
  pendingSkip: boolean;
}

export class KvmHyp implements HostHyp {
  readonly mode = 'kvm' as const;
  readonly hostRamEnd: number;
  private readonly poolStart: number;
  private poolNext: number;
  private nextVmid = 1;
  private readonly roots = new Map<number, Pa>();
  private readonly vmidOf = new Map<number, number>();
  private readonly vcpus = new Map<string, KvmVcpu>();

  constructor(
    private readonly m: Machine,
    private readonly meter: Meter,
    readonly sharedBase: number,
    private readonly trace: TraceSink | null,
    private readonly device: (cpu: number, pa: number, size: 4 | 8, write: boolean, value: bigint) => bigint,
  ) {
    const ramEnd = Number(m.ramBase) + m.ramBytes;
    this.poolStart = ramEnd - POOL_BYTES;
    this.poolNext = this.poolStart;
    this.hostRamEnd = this.poolStart;
  }

  private count(cpu: number, prim: Primitive, n = 1, comp: 'el2' | 'kserv' = 'el2'): void {
    this.meter.count(cpu, comp, prim, n);
  }

  /** The host kernel's own loads/stores of its memory (KServ's vCPU structs, device buffers). */
  private countHost(cpu: number, prim: 'mem_load' | 'mem_store', bytes: number): void {
    this.meter.count(cpu, 'kserv', prim, Math.ceil(bytes / 8));
  }

  halted(): string | null {
    return null;
  }

  *hvc(): Gen<bigint> {
    return -1n;   // plain KVM has no KCore hypercall interface
  }

  /** kvm_call_hyp: the host's HVC into the lowvisor and its ERET. */
  private enterHyp(cpu: number): void {
    this.m.injectException(cpu, 2, 0, (EC.HVC64 << 26) | ESR_IL, null, this.m.getPc(cpu));
    this.count(cpu, 'exc_entry');
  }

  private leaveHyp(cpu: number): void {
    this.count(cpu, 'eret');
    this.m.eret(cpu);
  }

  *initCpu(cpu: number): Gen {
    this.enterHyp(cpu);
    this.m.setSysRaw(cpu, 'VTCR_EL2', VTCR_SEKVM);
    this.m.setSysRaw(cpu, 'HCR_EL2', HCR_HOST_KVM);
    this.m.setSysRaw(cpu, 'VTTBR_EL2', 0n);
    this.count(cpu, 'sysreg_write', 3);
    this.m.tlbi(cpu, 'ALLE1');
    this.count(cpu, 'tlbi_local');
    this.leaveHyp(cpu);
  }

  // ---- host memory: physical, no stage 2 ----

  *read64(cpu: number, pa: number): Gen<bigint | null> {
    this.countHost(cpu, 'mem_load', 8);
    return this.m.inRam(BigInt(pa), 8) ? this.m.read64(BigInt(pa)) : null;
  }

  *write64(cpu: number, pa: number, v: bigint): Gen<boolean> {
    if (!this.m.inRam(BigInt(pa), 8)) return false;
    this.countHost(cpu, 'mem_store', 8);
    this.m.write64(BigInt(pa), v);
    return true;
  }

  *readBytes(cpu: number, pa: number, len: number): Gen<Uint8Array | null> {
    this.countHost(cpu, 'mem_load', len);
    return this.m.inRam(BigInt(pa), len) ? this.m.readPhys(BigInt(pa), len) : null;
  }

  *writeBytes(cpu: number, pa: number, bytes: Uint8Array): Gen<boolean> {
    if (!this.m.inRam(BigInt(pa), bytes.length)) return false;
    this.countHost(cpu, 'mem_store', bytes.length);
    this.m.writePhys(BigInt(pa), bytes);
    return true;
  }

  *mmio(cpu: number, pa: number, size: 4 | 8, write: boolean, value: bigint): Gen<bigint | null> {
    return this.device(cpu, pa, size, write, value);
  }

  // ---- VMs ----

  private allocTable(): Pa | null {
    if (this.poolNext + 4096 > this.poolStart + POOL_BYTES) return null;
    const p = this.poolNext;
    this.poolNext += 4096;
    this.m.zeroPhys(BigInt(p), 4096);
    return p as Pa;
  }

  /** KVM_CREATE_VM: kvm_alloc_stage2_pgd (an 8 KB root) and an 8-bit VMID (kvm_get_vmid). */
  *createVm(cpu: number): Gen<bigint> {
    const a = this.allocTable(), b = this.allocTable();
    if (a === null || b === null || b !== a + 4096) return -12n;
    const id = this.nextVmid++;
    const vmid = ((id - 1) % 255) + 1;
    if (id > 255 && vmid === 1) {
      // VMID generation roll-over: flush every VMID's entries (kvm_arch update_vttbr).
      this.m.tlbi(cpu, 'ALLE1IS');
      this.count(cpu, 'tlbi_bcast');
    }
    this.roots.set(id, a);
    this.vmidOf.set(id, vmid);
    this.count(cpu, 'page_zero', 2, 'kserv');
    return BigInt(id);
  }

  *createVcpu(_cpu: number, vmid: number, vcpu: number): Gen<bigint> {
    this.vcpus.set(`${vmid}:${vcpu}`, { started: false, pendingSkip: false });
    return 0n;
  }

  /** QEMU wrote the image into guest RAM; KVM maps those pages lazily on guest faults. */
  *loadImage(): Gen<bigint> {
    return 0n;
  }

  /** __kvm_timer_set_cntvoff, through a hyp call. */
  *setCntvoff(cpu: number, off: bigint): Gen {
    this.enterHyp(cpu);
    this.m.setSysRaw(cpu, 'CNTVOFF_EL2', off);
    this.count(cpu, 'sysreg_write');
    this.leaveHyp(cpu);
  }

  *firstRun(): Gen<bigint> {
    return 1n;   // no verified boot in KVM
  }

  private tableMem(cpu: number): PtMem {
    const m = this.m;
    const meter = this.meter;
    return {
      readStep() {
        meter.count(cpu, 'kserv', 'pt_walk_level');
        return false;   // the host kernel's own table: no KCore interleaving
      },
      load(a) {
        meter.count(cpu, 'kserv', 'mem_load');
        return m.read64(BigInt(a));
      },
      writeStep() {
        meter.count(cpu, 'kserv', 'pte_write');
        return false;
      },
      store(a, v) {
        meter.count(cpu, 'kserv', 'mem_store');
        m.write64(BigInt(a), v);
      },
    };
  }

  /** user_mem_abort → stage2_set_pte, done by the (trusted) host in its own table. */
  *resolveFault(cpu: number, vmid: number, _vcpu: number, ipa: number, pfn: number, level: 2 | 3): Gen<bigint> {
    const root = this.roots.get(vmid);
    if (root === undefined) return -22n;
    const pte = BigInt(pfn * 4096) | PAGE_S2_KERNEL | (level === 2 ? 1n : PTE_MARK | 3n);
    const self = this;
    const r = yield* mapLeaf(this.tableMem(cpu), s2Geometry(root), Math.floor(ipa / 4096) * 4096, level, pte, function* () {
      return self.allocTable();
    });
    if (r === 'no-memory') return -12n;
    return 0n;
  }

  *ioremap(cpu: number, vmid: number, gpa: number, pa: number, size: number): Gen<bigint> {
    const root = this.roots.get(vmid);
    if (root === undefined) return -22n;
    const self = this;
    for (let off = 0; off < size; off += 4096) {
      yield* mapLeaf(this.tableMem(cpu), s2Geometry(root), gpa + off, 3, BigInt(pa + off) | PAGE_S2_DEVICE_RW | 3n, function* () {
        return self.allocTable();
      });
    }
    return 0n;
  }

  /** KVM frees a dead VM's pages to the host allocator as they are: no scrubbing. */
  *destroyVm(): Gen<bigint> {
    return 0n;
  }

  // ---- the lowvisor world switch ----

  private ctxt(vmid: number, vcpu: number, off: number): bigint {
    return BigInt(vcpuAt(this.sharedBase, vmid, vcpu) + off);
  }

  /** __kvm_vcpu_run_nvhe: switch to the guest, run it until any exit, switch back. */
  *vcpuRun(cpu: number, vmid: number, vcpu: number): Gen<RunExit> {
    const m = this.m;
    const st = this.vcpus.get(`${vmid}:${vcpu}`);
    const root = this.roots.get(vmid);
    if (st === undefined || root === undefined) return { code: -22n };
    this.enterHyp(cpu);
    const hostElr = m.getSysRaw(cpu, 'ELR_EL2');
    const hostSpsr = m.getSysRaw(cpu, 'SPSR_EL2');
    // __sysreg_save_state_nvhe(host)
    const hostSys = CTXT_SYSREGS.map((r) => m.getSysRaw(cpu, r));
    const hostSp1 = m.getSp(cpu, 1);
    this.count(cpu, 'sysreg_read', CTXT_SYSREGS.length + 1);
    this.count(cpu, 'mem_store', CTXT_SYSREGS.length + 1);   // into the host's kvm_cpu_context
    if (!st.started) this.resetVcpu(vmid, vcpu);
    st.started = true;
    const kctx = (i: number): bigint => this.ctxt(vmid, vcpu, VCPU.KVM_CTXT + i * 8);
    // The host's emulation finished: step past the instruction it emulated (kvm_skip_instr).
    let pc = m.read64(this.ctxt(vmid, vcpu, VCPU.PC));
    if (st.pendingSkip) pc += 4n;
    st.pendingSkip = false;
    const inject = m.read64(this.ctxt(vmid, vcpu, VCPU.INJECT));
    if (isInjectKind(inject)) pc = this.inject(vmid, vcpu, pc, inject);
    m.write64(this.ctxt(vmid, vcpu, VCPU.INJECT), INJECT.NONE);
    // __activate_traps, __activate_vm, __sysreg_restore_state_nvhe(guest), vgic restore, __guest_enter
    m.setSysRaw(cpu, 'HCR_EL2', HCR_VM_FLAGS | (m.read64(this.ctxt(vmid, vcpu, VCPU.HCR_VIRQ)) & (3n << 6n)));
    m.setSysRaw(cpu, 'VTTBR_EL2', BigInt(root) | (BigInt(this.vmidOf.get(vmid)!) << 48n));
    m.setSysRaw(cpu, 'CNTHCTL_EL2', 1n);   // timer_enable_traps: EL1 physical timer traps
    this.count(cpu, 'sysreg_write', 3);
    for (let i = 0; i < CTXT_SYSREGS.length; i++) m.setSysRaw(cpu, CTXT_SYSREGS[i]!, m.read64(kctx(i)));
    m.setSp(cpu, 0, m.read64(kctx(CTXT_SYSREGS.length)));
    m.setSp(cpu, 1, m.read64(kctx(CTXT_SYSREGS.length + 1)));
    m.setSysRaw(cpu, 'VMPIDR_EL2', m.read64(kctx(CTXT_SYSREGS.length + 2)));
    this.count(cpu, 'sysreg_write', CTXT_SYSREGS.length + 3);
    const nlr = Number(m.getSysRaw(cpu, 'ICH_VTR_EL2') & 31n) + 1;
    for (let n = 0; n < nlr; n++) m.writeSys(cpu, `ICH_LR${n}_EL2`, m.read64(this.ctxt(vmid, vcpu, VCPU.LR + n * 8)));
    m.writeSys(cpu, 'ICH_VMCR_EL2', m.read64(this.ctxt(vmid, vcpu, VCPU.VMCR)));
    m.writeSys(cpu, 'ICH_HCR_EL2', m.read64(this.ctxt(vmid, vcpu, VCPU.ICH_HCR)) | 1n);
    this.count(cpu, 'sysreg_write', nlr + 2);
    for (let r = 0; r < 31; r++) m.setX(cpu, r, m.read64(this.ctxt(vmid, vcpu, VCPU.REGS + r * 8)));
    this.count(cpu, 'gpr_restore', 31);
    // The guest state above came from the vCPU struct: PC, INJECT, HCR_VIRQ, the EL1 context
    // with SP_EL0/SP_EL1/VMPIDR, the list registers, VMCR, ICH_HCR, x0..x30, PSTATE; INJECT cleared.
    this.count(cpu, 'mem_load', 3 + CTXT_SYSREGS.length + 3 + nlr + 2 + 31 + 1);
    this.count(cpu, 'mem_store', 1);
    m.setSysRaw(cpu, 'ELR_EL2', pc);
    m.setSysRaw(cpu, 'SPSR_EL2', m.read64(this.ctxt(vmid, vcpu, VCPU.PSTATE)));
    this.trace?.({ kind: 'enter-guest', cpu, vmid, vcpu, pc });
    this.count(cpu, 'eret');
    m.eret(cpu);
    const exit = yield { kind: 'guest', budget: 1 << 30 };
    if (exit === undefined || exit.kind !== 'exception' || exit.targetEl !== 2) bug(`KVM: guest exit ${exit?.kind}`);
    this.count(cpu, 'exc_entry');
    const irq = exit.exc === 'irq' || exit.exc === 'fiq';
    // __guest_exit: the whole guest state into the vCPU struct (the host is trusted).
    for (let r = 0; r < 31; r++) m.write64(this.ctxt(vmid, vcpu, VCPU.REGS + r * 8), m.getX(cpu, r));
    this.count(cpu, 'gpr_save', 31);
    for (let i = 0; i < CTXT_SYSREGS.length; i++) m.write64(kctx(i), m.getSysRaw(cpu, CTXT_SYSREGS[i]!));
    m.write64(kctx(CTXT_SYSREGS.length), m.getSp(cpu, 0));
    m.write64(kctx(CTXT_SYSREGS.length + 1), m.getSp(cpu, 1));
    this.count(cpu, 'sysreg_read', CTXT_SYSREGS.length + 2);
    m.write64(this.ctxt(vmid, vcpu, VCPU.PC), m.getSysRaw(cpu, 'ELR_EL2'));
    m.write64(this.ctxt(vmid, vcpu, VCPU.PSTATE), m.getSysRaw(cpu, 'SPSR_EL2'));
    const esr = irq ? 0 : exit.esr;
    m.write64(this.ctxt(vmid, vcpu, VCPU.ESR), BigInt(esr >>> 0));
    m.write64(this.ctxt(vmid, vcpu, VCPU.FAR), exit.far);
    m.write64(this.ctxt(vmid, vcpu, VCPU.HPFAR), exit.hpfar);
    m.write64(this.ctxt(vmid, vcpu, VCPU.EXIT_EC), irq ? 0xffn : BigInt(esrEc(esr)));
    for (let n = 0; n < nlr; n++) m.write64(this.ctxt(vmid, vcpu, VCPU.LR + n * 8), m.getSysRaw(cpu, `ICH_LR${n}_EL2`));
    m.write64(this.ctxt(vmid, vcpu, VCPU.VMCR), m.getSysRaw(cpu, 'ICH_VMCR_EL2'));
    m.writeSys(cpu, 'ICH_HCR_EL2', 0n);
    this.count(cpu, 'sysreg_read', nlr + 1);
    // Stored into the vCPU struct: x0..x30, the EL1 context and SPs, PC, PSTATE, ESR, FAR,
    // HPFAR, the exit class, the list registers and VMCR.
    this.count(cpu, 'mem_store', 31 + CTXT_SYSREGS.length + 2 + 6 + nlr + 1);
    // Which exits the host will emulate and step past (handle_exit → kvm_skip_instr).
    if (!irq) st.pendingSkip = this.needsSkip(esr, exit.far, exit.hpfar);
    // __deactivate_traps, __deactivate_vm, host state back.
    m.setSysRaw(cpu, 'HCR_EL2', HCR_HOST_KVM);
    m.setSysRaw(cpu, 'VTTBR_EL2', 0n);
    m.setSysRaw(cpu, 'CNTHCTL_EL2', 3n);
    this.count(cpu, 'sysreg_write', 3);
    for (let i = 0; i < CTXT_SYSREGS.length; i++) m.setSysRaw(cpu, CTXT_SYSREGS[i]!, hostSys[i]!);
    m.setSp(cpu, 1, hostSp1);
    this.count(cpu, 'sysreg_write', CTXT_SYSREGS.length + 1);
    this.count(cpu, 'mem_load', CTXT_SYSREGS.length + 1);   // from the host's kvm_cpu_context
    m.setSysRaw(cpu, 'ELR_EL2', hostElr);
    m.setSysRaw(cpu, 'SPSR_EL2', hostSpsr);
    this.trace?.({ kind: 'guest-exit', cpu, vmid, vcpu, esr, far: exit.far, hpfar: exit.hpfar, irq, path: 'kserv' });
    this.trace?.({ kind: 'enter-host', cpu });
    this.leaveHyp(cpu);
    return { code: BigInt(irq ? ARM_EXCEPTION.IRQ : ARM_EXCEPTION.TRAP) };
  }

  /** Same classification as KCore's DIRTY_PC_FLAG: WFx, MMIO and trapped system registers. */
  private needsSkip(esr: number, far: bigint, hpfar: bigint): boolean {
    const ec = esrEc(esr);
    if (ec === EC.WFx || ec === EC.BRK64 || ec === EC.SYS64) return true;
    if (ec === EC.DABT_LOW || ec === EC.IABT_LOW) {
      const ipa = ((hpfar >> 4n) << 12n) | (far & 0xfffn);
      return ipa < MAX_MMIO_ADDR || ipa >= 0x40_0000_0000n;
    }
    return false;
  }

  /** kvm_reset_vcpu: GPRs zero but x0 (CPU_ON's context id), EL1 registers at reset values. */
  private resetVcpu(vmid: number, vcpu: number): void {
    const m = this.m;
    for (let r = 1; r < 31; r++) m.write64(this.ctxt(vmid, vcpu, VCPU.REGS + r * 8), 0n);
    for (let i = 0; i < CTXT_SYSREGS.length; i++) {
      m.write64(this.ctxt(vmid, vcpu, VCPU.KVM_CTXT + i * 8), CTXT_SYSREGS[i] === 'SCTLR_EL1' ? 0x30d0_0800n : 0n);
    }
    m.write64(this.ctxt(vmid, vcpu, VCPU.KVM_CTXT + CTXT_SYSREGS.length * 8), 0n);
    m.write64(this.ctxt(vmid, vcpu, VCPU.KVM_CTXT + (CTXT_SYSREGS.length + 1) * 8), 0n);
    m.write64(this.ctxt(vmid, vcpu, VCPU.KVM_CTXT + (CTXT_SYSREGS.length + 2) * 8), 0x8000_0000n | BigInt(vcpu));
  }

  /** kvm_inject_undefined: an UNDEFINED exception to the guest's EL1 vector; returns the new PC. */
  /** kvm_inject_undefined / kvm_inject_dabt / kvm_inject_pabt into the saved EL1 context; returns the new PC. */
  private inject(vmid: number, vcpu: number, pc: bigint, kind: bigint): bigint {
    const m = this.m;
    const reg = (name: (typeof CTXT_SYSREGS)[number]): bigint => this.ctxt(vmid, vcpu, VCPU.KVM_CTXT + CTXT_SYSREGS.indexOf(name) * 8);
    const r = injectException(kind, {
      pc,
      pstate: m.read64(this.ctxt(vmid, vcpu, VCPU.PSTATE)),
      vbarEl1: m.read64(reg('VBAR_EL1')),
      far: m.read64(this.ctxt(vmid, vcpu, VCPU.FAR)),
    });
    m.write64(reg('ELR_EL1'), r.elrEl1);
    m.write64(reg('SPSR_EL1'), r.spsrEl1);
    m.write64(reg('ESR_EL1'), r.esrEl1);
    if (r.farEl1 !== null) m.write64(reg('FAR_EL1'), r.farEl1);
    m.write64(this.ctxt(vmid, vcpu, VCPU.PSTATE), r.pstate);
    return r.pc;
  }

}

