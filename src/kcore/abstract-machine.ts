/**
 * AbstractMachine — the single door to KCore's state (SeKVM's bottom layer: `hypsec.h`'s
 * accessors over `el2_data`, and `LockOps`). Every KCore read or write of its own memory, every
 * lock acquisition and release and every barrier goes through here, which
 *  - performs it on simulated physical memory (so the hardware walker sees exactly what KCore
 *    wrote, and checks read memory, not TypeScript mirrors);
 *  - is an interleaving point: if another pCPU is running hypervisor code, the seeded scheduler
 *    may switch to it here (src/sim/sched.ts);
 *  - counts the primitive for the cost model and reports it to observers with the locks held.
 * Nothing above this layer knows an offset of KCore's layout (STYLE rule 5).
 */
import type { Machine } from '../machine/machine.js';
import type { Scheduler } from '../sim/sched.js';
import { POINT, type Gen } from '../sim/task.js';
import { Meter } from '../cost/meter.js';
import type { Component } from '../cost/primitives.js';
import { bug } from '../util/result.js';
import type { Pa, Pfn } from '../arch/addr.js';
import {
  type KcoreLayout, CORE, LOCKS_OFF, PERCPU_OFF, PERCPU_BYTES, PERCPU, VM_INFO_BYTES, VMI, LOAD_INFO_BYTES,
  SHADOW_BYTES, SMMU_CFG_BYTES, S2PAGE_BYTES,
} from './layout.js';
import { HYPSEC_MAX_VCPUS, EL2_MAX_VMID } from './constants.js';
import type { LockId } from './locks.js';
import type { KcoreObserver, KcoreEvent } from './observe.js';
import type { PtMem } from './npt.js';

export class AbstractMachine {
  /** Locks held by each pCPU, in acquisition order. */
  private readonly held: LockId[][];
  private observer: KcoreObserver | null = null;
  /** Component charged for the work (el2 for KCore/KVM's EL2 code). */
  readonly comp: Component = 'el2';
  // The door runs for every KCore access: the meter's counters are looked up once.
  private readonly loadSlot = Meter.slot(this.comp, 'mem_load');
  private readonly storeSlot = Meter.slot(this.comp, 'mem_store');
  private readonly slots = {
    lock: Meter.slot(this.comp, 'lock'), lock_spin: Meter.slot(this.comp, 'lock_spin'), unlock: Meter.slot(this.comp, 'unlock'),
    dmb: Meter.slot(this.comp, 'dmb'), dsb: Meter.slot(this.comp, 'dsb'), isb: Meter.slot(this.comp, 'isb'),
    pt_walk_level: Meter.slot(this.comp, 'pt_walk_level'), pte_write: Meter.slot(this.comp, 'pte_write'),
  };
  private readonly ptMems: PtMem[] = [];
  /**
   * RAM and KCore's layout as numbers (every access computes an address from these). The
   * per-CPU and shadow areas are the only places runs of words go (loadWords).
   */
  private readonly at: {
    readonly ramBase: number; readonly ramBytes: number; readonly firstPfn: number;
    readonly base: number; readonly locks: number; readonly perCpu: number; readonly perCpuEnd: number;
    readonly vmInfo: number; readonly shadow: number; readonly shadowEnd: number; readonly smmuCfg: number; readonly s2pages: number;
  };
  /** Handler, lock and barrier events are values: made once and reused (observers only read them). */
  private readonly events = new EventCache();

  constructor(
    readonly m: Machine,
    readonly lay: KcoreLayout,
    readonly meter: Meter,
    private sched: Scheduler | null,
  ) {
    this.held = Array.from({ length: m.cpus }, () => []);
    const base = Number(lay.base);
    this.at = {
      ramBase: Number(m.ramBase), ramBytes: m.ramBytes, firstPfn: Number(lay.ramBase >> 12n),
      base, locks: base + LOCKS_OFF, perCpu: base + PERCPU_OFF, perCpuEnd: base + PERCPU_OFF + m.cpus * PERCPU_BYTES,
      vmInfo: Number(lay.vmInfo), shadow: Number(lay.shadow),
      shadowEnd: Number(lay.shadow) + EL2_MAX_VMID * HYPSEC_MAX_VCPUS * SHADOW_BYTES,   // (layout.ts: shadow_ctxt)
      smmuCfg: Number(lay.smmuCfg), s2pages: Number(lay.s2pages),
    };
  }

  setScheduler(s: Scheduler | null): void {
    this.sched = s;
  }

  setObserver(o: KcoreObserver | null): void {
    this.observer = o;
  }

  get observed(): boolean {
    return this.observer !== null;
  }

  locksHeld(cpu: number): readonly LockId[] {
    return this.held[cpu]!;
  }

  // ---- memory ----

  private idx64(a: Pa): number {
    const off = a - this.at.ramBase;
    if (off < 0 || off + 8 > this.at.ramBytes || (off & 7) !== 0) bug(`KCore access outside RAM or unaligned at 0x${a.toString(16)}`);
    return off / 8;   // (not >> 3: KCore sits at the top of RAM, more than 2 GiB up when RAM is bigger)
  }

  /** Whether the scheduler switches to another pCPU's hypervisor code here (an interleaving point). */
  private interleave(cpu: number): boolean {
    return this.sched !== null && this.sched.wantYield(cpu);
  }

  // Every access below takes its interleaving point inline (`if (this.interleave(cpu)) yield
  // POINT`) rather than through a nested generator: a generator level costs ~20 ns and KCore
  // makes millions of accesses.

  /** Loads a u64 of KCore-visible memory (KCore's own region, page tables, or shared data). */
  *ld(cpu: number, a: Pa): Gen<bigint> {
    if (this.interleave(cpu)) yield POINT;
    return this.load(cpu, a);
  }

  /** Stores a u64. */
  *st(cpu: number, a: Pa, v: bigint): Gen {
    if (this.interleave(cpu)) yield POINT;
    this.store(cpu, a, v);
  }

  /**
   * The access itself (counted and observed). Without an interleaving point: only for memory
   * private to the pCPU (its per-CPU area), which no other pCPU's handler reads or writes.
   */
  private load(cpu: number, a: Pa): bigint {
    const v = this.m.ram64()[this.idx64(a)]!;
    this.meter.countSlot(cpu, this.loadSlot);
    if (this.observer !== null) this.observer.access(cpu, a, 8, false, v, v, this.held[cpu]!);
    return v;
  }

  private store(cpu: number, a: Pa, v: bigint): void {
    const ram = this.m.ram64();
    const i = this.idx64(a);
    const old = ram[i]!;
    const nv = BigInt.asUintN(64, v);
    ram[i] = nv;
    this.m.noteWrite(a, 8);
    this.meter.countSlot(cpu, this.storeSlot);
    if (this.observer !== null) this.observer.access(cpu, a, 8, true, nv, old, this.held[cpu]!);
  }

  /**
   * n consecutive u64s at `a` in one piece: a register context one pCPU moves at a time (a
   * vCPU's shadow context, which only the pCPU it is ACTIVE on touches; the pCPU's own per-CPU
   * area). Each word is counted and charged as a load (store); observers see one access of
   * 8·n bytes (see KcoreObserver.access). Runs anywhere else are a KCore bug.
   */
  private loadWords(cpu: number, a: Pa, n: number): bigint[] {
    const i = this.runIndex(a, n);
    const ram = this.m.ram64();
    const out = new Array<bigint>(n);
    for (let k = 0; k < n; k++) out[k] = ram[i + k]!;
    this.meter.countSlot(cpu, this.loadSlot, n);
    if (this.observer !== null) this.observer.access(cpu, a, n * 8, false, 0n, 0n, this.held[cpu]!);
    return out;
  }

  private storeWords(cpu: number, a: Pa, vs: readonly bigint[]): void {
    const i = this.runIndex(a, vs.length);
    const ram = this.m.ram64();
    for (let k = 0; k < vs.length; k++) ram[i + k] = BigInt.asUintN(64, vs[k]!);
    this.m.noteWrite(a, vs.length * 8);
    this.meter.countSlot(cpu, this.storeSlot, vs.length);
    if (this.observer !== null) this.observer.access(cpu, a, vs.length * 8, true, 0n, 0n, this.held[cpu]!);
  }

  /** The RAM word index of a run of n words at `a`, which must lie in the per-CPU or shadow areas. */
  private runIndex(a: Pa, n: number): number {
    // (Observers tell a run from a page access by its size: a run is shorter than a page.)
    if (n < 2 || n >= 512) bug(`a run of ${n} words`);
    const end = a + n * 8;
    const inPerCpu = a >= this.at.perCpu && end <= this.at.perCpuEnd;
    const inShadow = a >= this.at.shadow && end <= this.at.shadowEnd;
    if (!inPerCpu && !inShadow) bug(`KCore moved a register context to 0x${a.toString(16)}, outside the per-CPU and shadow areas`);
    return this.idx64(a);
  }

  /** Reports that KCore starts or stops running on `cpu` (observers check at these boundaries). */
  handler(cpu: number, phase: 'enter' | 'exit', what: 'hvc' | 'host-fault' | 'vcpu-run'): void {
    if (this.observer !== null) this.observer.onEvent(this.events.handler(cpu, phase, what));
  }

  // ---- locks (ticket locks in KCore's lock page; Coq LockOps: wait_lock/pass_lock) ----

  private lockPa(l: LockId): Pa {
    return (this.at.locks + l.word * 8) as Pa;
  }

  /**
   * Acquires `l` (ticket increment, spin until served, then DSB+ISB as SeKVM's `barrier`).
   * Acquiring out of the declared order is a KCore bug.
   */
  *acquire(cpu: number, l: LockId): Gen {
    const held = this.held[cpu]!;
    for (let i = 0; i < held.length; i++) {
      const h = held[i]!;
      if (h.rank >= l.rank) bug(`lock order: ${l.name} acquired on pCPU ${cpu} while holding ${h.name}`);
    }
    if (this.interleave(cpu)) yield POINT;
    // The lock word: now_serving in its low 32 bits, next ticket in its high 32 (little-endian).
    const pa = this.lockPa(l);
    const serving = this.idx64(pa) * 2;
    const ticket = this.m.ram32()[serving + 1]!;
    this.m.ram32()[serving + 1] = (ticket + 1) >>> 0;
    this.m.noteWrite(pa, 8);
    this.meter.countSlot(cpu, this.slots.lock);
    let spins = 0;
    while (this.m.ram32()[serving]! !== ticket) {
      this.meter.countSlot(cpu, this.slots.lock_spin);
      if (++spins > 10_000_000) bug(`${l.name} never released (pCPU ${cpu} spun 10^7 times)`);
      yield POINT;   // spinning: someone else holds it, let them run
    }
    held.push(l);
    if (this.observer !== null) this.observer.onEvent(this.events.lock(cpu, l, true));
    this.fence(cpu, 'dsb');
    this.fence(cpu, 'isb');
  }

  /** Releases `l` (barrier, then serve the next ticket). Releasing a lock not held is a KCore bug. */
  *release(cpu: number, l: LockId): Gen {
    const held = this.held[cpu]!;
    const i = held.lastIndexOf(l);
    if (i < 0) bug(`lock ${l.name} released on pCPU ${cpu} without being held`);
    this.fence(cpu, 'dsb');
    this.fence(cpu, 'isb');
    if (i === held.length - 1) held.pop();   // (locks are released innermost first)
    else held.splice(i, 1);
    const pa = this.lockPa(l);
    this.passLock(pa);
    this.meter.countSlot(cpu, this.slots.unlock);
    if (this.observer !== null) this.observer.onEvent(this.events.lock(cpu, l, false));
    if (this.interleave(cpu)) yield POINT;
  }

  /**
   * Releases every lock `cpu` holds, innermost first, without barriers or events: only for
   * abandoning a handler that stopped on a violation (its checks ran before any update).
   */
  abandonLocks(cpu: number): void {
    const held = this.held[cpu]!;
    while (held.length > 0) this.passLock(this.lockPa(held.pop()!));
  }

  /** Serves the next ticket of the lock word at `pa`. */
  private passLock(pa: Pa): void {
    const serving = this.idx64(pa) * 2;
    this.m.ram32()[serving] = (this.m.ram32()[serving]! + 1) >>> 0;
    this.m.noteWrite(pa, 8);
  }

  isHeld(cpu: number, l: LockId): boolean {
    return this.held[cpu]!.includes(l);
  }

  *barrier(cpu: number, kind: 'dmb' | 'dsb' | 'isb'): Gen {
    this.fence(cpu, kind);
  }

  private fence(cpu: number, kind: 'dmb' | 'dsb' | 'isb'): void {
    this.meter.countSlot(cpu, this.slots[kind]);
    if (this.observer !== null) this.observer.onEvent(this.events.barrier(cpu, kind));
  }

  /** A TLBI issued by KCore on `cpu` with that pCPU's current VTTBR (reported to observers). */
  tlbi(cpu: number, op: string, arg = 0n): void {
    this.m.tlbi(cpu, op, arg);
    this.meter.count(cpu, this.comp, op.endsWith('IS') ? 'tlbi_bcast' : 'tlbi_local');
    if (this.observer) {
      const vmid = Number((this.m.getSysRaw(cpu, 'VTTBR_EL2') >> 48n) & 0xffn);
      this.observer.onEvent({ kind: 'tlbi', cpu, op, arg, vmid });
    }
  }

  // ---- core data (abs_lock) ----

  *getCore(cpu: number, field: keyof typeof CORE): Gen<bigint> {
    if (this.interleave(cpu)) yield POINT;
    return this.load(cpu, (this.at.base + CORE[field]) as Pa);
  }

  *setCore(cpu: number, field: keyof typeof CORE, v: bigint): Gen {
    if (this.interleave(cpu)) yield POINT;
    this.store(cpu, (this.at.base + CORE[field]) as Pa, v);
  }

  // ---- per-CPU data (private to the pCPU) ----

  private percpuAt(cpu: number, off: number): Pa {
    return (this.at.perCpu + cpu * PERCPU_BYTES + off) as Pa;
  }

  // Per-CPU data is private to its pCPU: accesses are counted and observed, but they are not
  // interleaving points (no other pCPU can race with them).

  *getPerCpu(cpu: number, field: 'VMID' | 'VCPUID' | 'LAST_VMID' | 'LAST_VCPU' | 'HOST_ELR' | 'HOST_SPSR'): Gen<bigint> {
    return this.load(cpu, this.percpuAt(cpu, PERCPU[field]));
  }

  *setPerCpu(cpu: number, field: 'VMID' | 'VCPUID' | 'LAST_VMID' | 'LAST_VCPU' | 'HOST_ELR' | 'HOST_SPSR', v: bigint): Gen {
    this.store(cpu, this.percpuAt(cpu, PERCPU[field]), v);
  }

  /** The host's saved EL1 system registers 0..n-1 (ctxt-switch.ts CTXT_SYSREGS order). */
  *getHostSysregs(cpu: number, n: number): Gen<bigint[]> {
    return this.loadWords(cpu, this.percpuAt(cpu, PERCPU.HOST_SYSREGS), n);
  }

  *setHostSysregs(cpu: number, vs: readonly bigint[]): Gen {
    this.storeWords(cpu, this.percpuAt(cpu, PERCPU.HOST_SYSREGS), vs);
  }

  /** The host's x0..x30 into / out of KCore's stack at a host trap (struct s2_host_regs). */
  setHostRegs(cpu: number, vs: readonly bigint[]): void {
    this.storeWords(cpu, this.percpuAt(cpu, PERCPU.HOST_REGS), vs);
  }

  getHostRegs(cpu: number): bigint[] {
    return this.loadWords(cpu, this.percpuAt(cpu, PERCPU.HOST_REGS), 31);
  }

  /** Saved host register i (x0 takes a hypercall's result). */
  setHostReg(cpu: number, i: number, v: bigint): void {
    this.store(cpu, this.percpuAt(cpu, PERCPU.HOST_REGS + i * 8), v);
  }

  // ---- s2page array (s2pages_lock) ----

  /** Physical address of pfn's s2_page entry, or null if pfn is not RAM. */
  private s2pageAt(f: Pfn): number | null {
    if (!this.isRamPfn(f)) return null;
    return this.at.s2pages + (f - this.at.firstPfn) * S2PAGE_BYTES;
  }

  /** Whether pfn is covered by the s2page array (memblock RAM). */
  isRamPfn(f: Pfn): boolean {
    const i = f - this.at.firstPfn;
    return i >= 0 && i < this.lay.ramPages;
  }

  /** The RAM pfns [first, end) the s2page array covers. */
  get ramPfns(): { readonly first: number; readonly end: number } {
    return { first: this.at.firstPfn, end: this.at.firstPfn + this.lay.ramPages };
  }

  /** s2_page word 0: count (low 32) | vmid (high 32). */
  *getS2PageWord(cpu: number, f: Pfn): Gen<bigint> {
    const at = this.s2pageAt(f);
    if (at === null) bug(`s2page access to non-RAM pfn 0x${f.toString(16)}`);
    if (this.interleave(cpu)) yield POINT;
    return this.load(cpu, at as Pa);
  }

  *setS2PageWord(cpu: number, f: Pfn, v: bigint): Gen {
    const at = this.s2pageAt(f);
    if (at === null) bug(`s2page access to non-RAM pfn 0x${f.toString(16)}`);
    if (this.interleave(cpu)) yield POINT;
    this.store(cpu, at as Pa, v);
  }

  *getS2PageGfn(cpu: number, f: Pfn): Gen<bigint> {
    const at = this.s2pageAt(f);
    if (at === null) bug(`s2page access to non-RAM pfn 0x${f.toString(16)}`);
    if (this.interleave(cpu)) yield POINT;
    return this.load(cpu, (at + 8) as Pa);
  }

  *setS2PageGfn(cpu: number, f: Pfn, g: bigint): Gen {
    const at = this.s2pageAt(f);
    if (at === null) bug(`s2page access to non-RAM pfn 0x${f.toString(16)}`);
    if (this.interleave(cpu)) yield POINT;
    this.store(cpu, (at + 8) as Pa, g);
  }

  // ---- vm_info (vm_lock) ----

  private vmInfo(v: number): number {
    return this.at.vmInfo + v * VM_INFO_BYTES;
  }

  *getVmInfo(cpu: number, v: number, field: 'STATE' | 'VTTBR' | 'INC_EXE' | 'LOAD_INFO_CNT' | 'POOL_NEXT' | 'POOL_START' | 'POOL_END'): Gen<bigint> {
    if (this.interleave(cpu)) yield POINT;
    return this.load(cpu, (this.vmInfo(v) + VMI[field]) as Pa);
  }

  *setVmInfo(cpu: number, v: number, field: 'STATE' | 'VTTBR' | 'INC_EXE' | 'LOAD_INFO_CNT' | 'POOL_NEXT' | 'POOL_START' | 'POOL_END', x: bigint): Gen {
    if (this.interleave(cpu)) yield POINT;
    this.store(cpu, (this.vmInfo(v) + VMI[field]) as Pa, x);
  }

  *getVcpuField(cpu: number, v: number, vcpu: number, field: 'STATE' | 'FIRST_RUN'): Gen<bigint> {
    if (this.interleave(cpu)) yield POINT;
    return this.load(cpu, (this.vmInfo(v) + (field === 'STATE' ? VMI.VCPU_STATE : VMI.VCPU_FIRST_RUN) + vcpu * 8) as Pa);
  }

  *setVcpuField(cpu: number, v: number, vcpu: number, field: 'STATE' | 'FIRST_RUN', x: bigint): Gen {
    if (this.interleave(cpu)) yield POINT;
    this.store(cpu, (this.vmInfo(v) + (field === 'STATE' ? VMI.VCPU_STATE : VMI.VCPU_FIRST_RUN) + vcpu * 8) as Pa, x);
  }

  /** load_info[i] fields: 0 load_addr, 1 size, 2 el2_remap_addr, 3 el2_mapped_pages. */
  *getLoadInfo(cpu: number, v: number, i: number, field: 0 | 1 | 2 | 3): Gen<bigint> {
    if (this.interleave(cpu)) yield POINT;
    return this.load(cpu, (this.vmInfo(v) + VMI.LOAD_INFO + i * LOAD_INFO_BYTES + field * 8) as Pa);
  }

  *setLoadInfo(cpu: number, v: number, i: number, field: 0 | 1 | 2 | 3, x: bigint): Gen {
    if (this.interleave(cpu)) yield POINT;
    this.store(cpu, (this.vmInfo(v) + VMI.LOAD_INFO + i * LOAD_INFO_BYTES + field * 8) as Pa, x);
  }

  /** Bytes of the VM's public key (32) or of image i's signature (64), in vm_info. */
  *getVmBytes(cpu: number, v: number, what: 'key' | number): Gen<Uint8Array> {
    const off = what === 'key' ? VMI.PUBLIC_KEY : VMI.SIGNATURE + what * 64;
    const n = what === 'key' ? 32 : 64;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 8) {
      if (this.interleave(cpu)) yield POINT;
      const w = this.load(cpu, (this.vmInfo(v) + off + i) as Pa);
      for (let b = 0; b < 8; b++) out[i + b] = Number((w >> BigInt(b * 8)) & 0xffn);
    }
    return out;
  }

  *setVmBytes(cpu: number, v: number, what: 'key' | number, bytes: Uint8Array): Gen {
    const off = what === 'key' ? VMI.PUBLIC_KEY : VMI.SIGNATURE + what * 64;
    for (let i = 0; i < bytes.length; i += 8) {
      let w = 0n;
      for (let b = 0; b < 8 && i + b < bytes.length; b++) w |= BigInt(bytes[i + b]!) << BigInt(b * 8);
      if (this.interleave(cpu)) yield POINT;
      this.store(cpu, (this.vmInfo(v) + off + i) as Pa, w);
    }
  }

  // ---- shadow vCPU contexts (owned by the vCPU; vm_lock for state changes) ----

  private shadow(v: number, vcpu: number): number {
    return this.at.shadow + (v * HYPSEC_MAX_VCPUS + vcpu) * SHADOW_BYTES;
  }

  *getShadowCtxt(cpu: number, v: number, vcpu: number, index: number): Gen<bigint> {
    if (this.interleave(cpu)) yield POINT;
    return this.load(cpu, (this.shadow(v, vcpu) + index * 8) as Pa);
  }

  *setShadowCtxt(cpu: number, v: number, vcpu: number, index: number, x: bigint): Gen {
    if (this.interleave(cpu)) yield POINT;
    this.store(cpu, (this.shadow(v, vcpu) + index * 8) as Pa, x);
  }

  /** Shadow-context slots first..first+n-1 (one interleaving point: see loadWords). */
  *getShadowRange(cpu: number, v: number, vcpu: number, first: number, n: number): Gen<bigint[]> {
    if (this.interleave(cpu)) yield POINT;
    return this.loadWords(cpu, (this.shadow(v, vcpu) + first * 8) as Pa, n);
  }

  *setShadowRange(cpu: number, v: number, vcpu: number, first: number, xs: readonly bigint[]): Gen {
    if (this.interleave(cpu)) yield POINT;
    this.storeWords(cpu, (this.shadow(v, vcpu) + first * 8) as Pa, xs);
  }

  // ---- SMMU configuration (smmu_lock) ----

  *getSmmuCfg(cpu: number, id: number, field: 'VMID' | 'HW_TTBR'): Gen<bigint> {
    if (this.interleave(cpu)) yield POINT;
    return this.load(cpu, (this.at.smmuCfg + id * SMMU_CFG_BYTES + (field === 'VMID' ? 0 : 8)) as Pa);
  }

  *setSmmuCfg(cpu: number, id: number, field: 'VMID' | 'HW_TTBR', x: bigint): Gen {
    if (this.interleave(cpu)) yield POINT;
    this.store(cpu, (this.at.smmuCfg + id * SMMU_CFG_BYTES + (field === 'VMID' ? 0 : 8)) as Pa, x);
  }

  // ---- page tables (shadow_pt_lock(v) / spt_lock) ----

  /** pt_store of 0 to the n descriptors from `a` (a table cleared entry by entry, as SeKVM's loops do). */
  *ptClear(cpu: number, a: Pa, n: number): Gen {
    const mem = this.ptMem(cpu);
    for (let i = 0; i < n; i++) {
      if (mem.writeStep()) yield POINT;
      mem.store((a + i * 8) as Pa, 0n);
    }
  }

  /**
   * The door as page-table memory for pCPU `cpu`: pt_load / pt_store, each a walk step (or PTE
   * write) charged, then an interleaving point, then the access. One object per pCPU.
   */
  ptMem(cpu: number): PtMem {
    return (this.ptMems[cpu] ??= {
      readStep: () => { this.meter.countSlot(cpu, this.slots.pt_walk_level); return this.interleave(cpu); },
      load: (a) => this.load(cpu, a),
      writeStep: () => { this.meter.countSlot(cpu, this.slots.pte_write); return this.interleave(cpu); },
      store: (a, v) => this.store(cpu, a, v),
    });
  }

  // ---- page contents ----

  /** Zeroes the page at pfn (clear_vm_page's scrub) and cleans it to the point of coherency. */
  *zeroPage(cpu: number, f: Pfn): Gen {
    if (this.interleave(cpu)) yield POINT;
    const at = BigInt(f) << 12n;
    this.m.zeroPhys(at, 4096);
    this.meter.count(cpu, this.comp, 'page_zero');
    this.meter.count(cpu, this.comp, 'dcache_clean_4k');
    if (this.observer !== null) this.observer.access(cpu, Number(at), 4096, true, 0n, 0n, this.held[cpu]!);
  }

  /** Reads a page's bytes (image verification, encryption: reads through KCore's linear map). */
  *readPage(cpu: number, f: Pfn): Gen<Uint8Array> {
    if (this.interleave(cpu)) yield POINT;
    this.meter.count(cpu, this.comp, 'page_copy');
    const at = BigInt(f) << 12n;
    if (this.observer !== null) this.observer.access(cpu, Number(at), 4096, false, 0n, 0n, this.held[cpu]!);
    return this.m.readPhys(at, 4096);
  }

  /** Writes a page's bytes (decryption, copying to the host). */
  *writePage(cpu: number, f: Pfn, bytes: Uint8Array): Gen {
    if (this.interleave(cpu)) yield POINT;
    this.meter.count(cpu, this.comp, 'page_copy');
    const at = BigInt(f) << 12n;
    this.m.writePhys(at, bytes);
    if (this.observer !== null) this.observer.access(cpu, Number(at), 4096, true, 0n, 0n, this.held[cpu]!);
  }

  /** Charges a primitive without memory effect (exception entry, register moves, crypto…). */
  count(cpu: number, prim: Parameters<Meter['count']>[2], n = 1): void {
    this.meter.count(cpu, this.comp, prim, n);
  }
}

type HandlerEvent = Extract<KcoreEvent, { kind: 'handler' }>;
type LockEvent = Extract<KcoreEvent, { kind: 'lock' }>;
type BarrierEvent = Extract<KcoreEvent, { kind: 'barrier' }>;

/** The door's events that carry no data beyond their names, each built once per pCPU. */
class EventCache {
  private readonly handlers: HandlerEvent[] = [];
  /** By lock word (each lock has its own word in the lock page), then pCPU and direction. */
  private readonly locks: LockEvent[][] = [];
  private readonly barriers: BarrierEvent[] = [];

  handler(cpu: number, phase: 'enter' | 'exit', what: HandlerEvent['what']): HandlerEvent {
    const i = cpu * 6 + (phase === 'enter' ? 0 : 3) + (what === 'hvc' ? 0 : what === 'host-fault' ? 1 : 2);
    return this.handlers[i] ??= Object.freeze({ kind: 'handler', cpu, phase, what });
  }

  lock(cpu: number, lock: LockId, acquire: boolean): LockEvent {
    const es = (this.locks[lock.word] ??= []);
    return es[cpu * 2 + (acquire ? 1 : 0)] ??= Object.freeze({ kind: 'lock', cpu, lock, acquire });
  }

  barrier(cpu: number, barrier: BarrierEvent['barrier']): BarrierEvent {
    const i = cpu * 3 + (barrier === 'dmb' ? 0 : barrier === 'dsb' ? 1 : 2);
    return this.barriers[i] ??= Object.freeze({ kind: 'barrier', cpu, barrier });
  }
}
