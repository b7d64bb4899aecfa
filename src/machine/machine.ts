/**
 * A machine: the wasm core plus typed accessors. This is the API the rest of the simulator
 * (user runner, bare-metal board, KCore, KServ, checks) uses; it never touches wasm exports
 * or offsets directly (those are in view.ts).
 */
import { instantiateCore, type CoreInstance } from './view.js';
import { exceptionKindOf, type Exit } from './exit.js';
import { SYSREGS, SYSINSNS, sysRegId } from '../arch/sysregs.js';

export interface MachineConfig {
  /** Number of pCPUs (1–64). */
  readonly cpus: number;
  /** Physical base address of RAM. */
  readonly ramBase: bigint;
  /** RAM size in bytes (a multiple of 64 KiB). */
  readonly ramBytes: number;
  /** CPU clock in Hz (simulated cycles per second; default 2.4 GHz, an X-Gene/m400 class part). */
  readonly cpuHz?: number;
  /** Architectural TLB entries per pCPU (a power of two ≥ 16; default 1024). */
  readonly tlbEntries?: number;
  /** TLB associativity (a power of two dividing tlbEntries; default 4). */
  readonly tlbWays?: number;
  /** TLB replacement policy within a set (default 'lru'). */
  readonly tlbPolicy?: 'lru' | 'fifo';
}

/** Counters of one pCPU's TLB. */
export interface TlbStats {
  readonly hits: bigint;
  readonly misses: bigint;
  /** Descriptor reads by the hardware walker. */
  readonly walkSteps: bigint;
  /** Valid entries now. */
  readonly valid: number;
}

export const MAX_CPUS = 64;

const U64_MAX = (1n << 64n) - 1n;
/** wasm i64 results arrive as signed BigInt; the machine's values are unsigned. */
function u64(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}
/** wasm32 linear memory is at most 4 GiB; the core's own state needs room too. */
export const MAX_RAM_BYTES = 3 * 1024 * 1024 * 1024;

/** Access kinds for `translate` (values of the core's `Access` enum). */
export const enum AccessKind {
  Read = 0,
  Write = 1,
  Exec = 2,
}

export class Machine {
  readonly cpus: number;
  readonly ramBase: bigint;
  readonly ramBytes: number;
  private readonly core: CoreInstance;
  private ramView: Uint8Array;
  private dv: DataView;
  private readonly exitPtr: number[];

  private constructor(core: CoreInstance, cfg: MachineConfig) {
    this.core = core;
    this.cpus = cfg.cpus;
    this.ramBase = cfg.ramBase;
    this.ramBytes = cfg.ramBytes;
    this.ramBaseNum = Number(cfg.ramBase);
    this.groupShift = this.core.x.dirtyGroupShift();
    this.ramView = new Uint8Array(core.x.memory.buffer, core.x.ramHostPtr(), cfg.ramBytes);
    this.dv = new DataView(core.x.memory.buffer);
    this.exitPtr = [];
    for (let i = 0; i < cfg.cpus; i++) this.exitPtr.push(core.x.exitRecordPtr(i));
  }

  /** Creates a machine; throws RangeError with a clear message for impossible configurations. */
  static create(cfg: MachineConfig): Machine {
    if (!Number.isInteger(cfg.cpus) || cfg.cpus < 1 || cfg.cpus > MAX_CPUS) {
      throw new RangeError(`cpus must be an integer in 1..${MAX_CPUS}, got ${cfg.cpus}`);
    }
    if (!Number.isInteger(cfg.ramBytes) || cfg.ramBytes < 65536 || cfg.ramBytes % 65536 !== 0) {
      throw new RangeError(`RAM size must be a positive multiple of 64 KiB, got ${cfg.ramBytes}`);
    }
    if (cfg.ramBytes > MAX_RAM_BYTES) {
      throw new RangeError(`RAM size ${cfg.ramBytes / 1048576} MiB is over the ${MAX_RAM_BYTES / 1048576} MiB limit ` +
        `(guest RAM lives in wasm32 linear memory, at most 4 GiB together with the core's own state)`);
    }
    if (cfg.ramBase % 4096n !== 0n || cfg.ramBase < 0n || cfg.ramBase + BigInt(cfg.ramBytes) > 1n << 44n) {
      throw new RangeError(`RAM base 0x${cfg.ramBase.toString(16)} must be 4 KiB aligned and RAM must end below 2^44`);
    }
    const tlbEntries = cfg.tlbEntries ?? 1024, tlbWays = cfg.tlbWays ?? 4;
    const pow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
    if (!pow2(tlbEntries) || tlbEntries < 16 || tlbEntries > 65536) {
      throw new RangeError(`tlbEntries must be a power of two in 16..65536, got ${tlbEntries}`);
    }
    if (!pow2(tlbWays) || tlbWays > tlbEntries || tlbWays > 64) {
      throw new RangeError(`tlbWays must be a power of two ≤ min(64, tlbEntries), got ${tlbWays}`);
    }
    const core = instantiateCore();
    const short = core.x.create(cfg.cpus, cfg.ramBase, BigInt(cfg.ramBytes), tlbEntries, tlbWays, cfg.tlbPolicy === 'fifo' ? 1 : 0);
    if (short !== 0) {
      throw new RangeError(`could not allocate ${cfg.ramBytes / 1048576} MiB of guest RAM ` +
        `(${short} more 64 KiB pages of wasm memory needed; the wasm32 limit is 4 GiB)`);
    }
    const m = new Machine(core, cfg);
    const hz = cfg.cpuHz ?? 2_400_000_000;
    m.setCounterFrequency(62_500_000, hz);
    return m;
  }

  /** Sets CNTFRQ and the counter/cycle ratio: counter = cycles × cntfrq / cpuHz. */
  setCounterFrequency(cntfrq: number, cpuHz: number): void {
    const mul = (BigInt(cntfrq) << 64n) / BigInt(cpuHz);
    this.cntMul = mul > (1n << 64n) - 1n ? (1n << 64n) - 1n : mul;
    this.core.x.setCounterRatio(this.cntMul);
    for (let c = 0; c < this.cpus; c++) this.setSysRaw(c, 'CNTFRQ_EL0', BigInt(cntfrq));
  }

  /** The counter/cycle ratio as the core applies it: counter = (cycles × cntMul) >> 64. */
  private cntMul = 0n;

  /** The first cycle count at which the system counter (CNTPCT) reads `count` or more. */
  cyclesOfCount(count: bigint): bigint {
    if (this.cntMul === 0n || count <= 0n) return 0n;
    return ((count << 64n) + this.cntMul - 1n) / this.cntMul;
  }

  // ---- configuration ----

  /** Exceptions to these ELs exit to the host instead of vectoring (1 = EL1, 2 = EL2, 3 = firmware SMC). */
  setHostEls(els: readonly number[]): void {
    let mask = 0;
    for (const e of els) mask |= 1 << e;
    this.core.x.setHostEls(mask);
  }

  setSemihosting(on: boolean): void {
    this.core.x.setSemihosting(on ? 1 : 0);
  }

  addMmio(base: bigint, size: bigint): void {
    if (!this.core.x.addMmio(base, size)) throw new RangeError('too many MMIO ranges (32 at most)');
  }

  // ---- running ----

  /** Runs `cpu` for at most `budget` instructions and returns why it stopped. */
  run(cpu: number, budget: number): Exit {
    this.core.x.run(cpu, budget >>> 0);
    return this.exit(cpu);
  }

  /** The last exit record of `cpu`, decoded. */
  exit(cpu: number): Exit {
    const base = this.exitPtr[cpu]!;
    const f = this.core.exitField;
    const dv = this.view();
    const reason = dv.getUint32(base + f.Reason, true);
    const insns = Number(dv.getBigUint64(base + f.Insns, true));
    const r = this.core.exitReason;
    switch (reason) {
      case r.Budget:
        return { kind: 'budget', insns };
      case r.Exception:
        return {
          kind: 'exception',
          targetEl: dv.getUint32(base + f.TargetEl, true),
          exc: exceptionKindOf(dv.getUint32(base + f.Kind, true)),
          esr: dv.getUint32(base + f.Esr, true),
          far: dv.getBigUint64(base + f.Far, true),
          hpfar: dv.getBigUint64(base + f.Hpfar, true),
          insns,
        };
      case r.Mmio:
        return {
          kind: 'mmio',
          pa: dv.getBigUint64(base + f.MmioPa, true),
          size: dv.getUint32(base + f.MmioSize, true),
          write: dv.getUint32(base + f.MmioWrite, true) !== 0,
          data: dv.getBigUint64(base + f.MmioData, true),
          insns,
        };
      case r.Idle:
        return { kind: 'idle', insns };
      case r.Semihost:
        return { kind: 'semihost', op: Number(dv.getBigUint64(base + f.SemiOp, true)), arg: dv.getBigUint64(base + f.SemiArg, true), insns };
      case r.Off:
        return { kind: 'off', insns };
      default:
        throw new Error(`simulator bug: unknown exit reason ${reason}`);
    }
  }

  /** Completes the pending MMIO access of `cpu` (read data; ignored for writes). */
  mmioComplete(cpu: number, data: bigint): void {
    this.core.x.mmioComplete(cpu, data);
  }

  /** Host-mode EL software resumes `cpu` with ERET semantics from its current EL. */
  eret(cpu: number): void {
    this.core.x.eret(cpu);
  }

  injectException(cpu: number, targetEl: number, kind: number, esr: number, far: bigint | null, ret: bigint): void {
    this.core.x.injectException(cpu, targetEl, kind, BigInt(esr >>> 0), far ?? 0n, far === null ? 0 : 1, ret);
  }

  resetCpu(cpu: number): void {
    this.core.x.resetCpu(cpu);
  }

  setOn(cpu: number, on: boolean): void {
    this.core.x.setOn(cpu, on ? 1 : 0);
  }

  isOn(cpu: number): boolean {
    return this.core.x.isOn(cpu) !== 0;
  }

  /** 0 running, 1 waiting in WFI, 2 waiting in WFE. */
  waiting(cpu: number): number {
    return this.core.x.isWaiting(cpu);
  }

  setLines(cpu: number, lines: number): void {
    this.core.x.setLines(cpu, lines);
  }

  getLines(cpu: number): number {
    return this.core.x.getLines(cpu);
  }

  get lineBits(): CoreInstance['lines'] {
    return this.core.lines;
  }

  // ---- interrupt controller and timers ----

  /** Enables the GICv3 with its distributor and redistributor frames (handled inside the core). */
  enableGic(gicd: bigint, gicr: bigint): void {
    this.core.x.enableGic(gicd, gicr);
  }

  /** A physical access to a device register modelled in the core (the GIC), as `cpu` would make it. */
  physAccess(cpu: number, pa: bigint, size: 4 | 8, write: boolean, value: bigint): bigint {
    return u64(this.core.x.physMmio(cpu, pa, size, write ? 1 : 0, BigInt.asUintN(64, value)));
  }

  /** Drives the input level of INTID `intid` (an SPI, or a PPI of `cpu`). */
  setIrqLevel(cpu: number, intid: number, level: boolean): void {
    this.core.x.setIrqLevel(cpu, intid, level ? 1 : 0);
  }

  /** The cycle count at which one of `cpu`'s timers next fires, or null. */
  nextTimerCycles(cpu: number): bigint | null {
    const c = u64(this.core.x.nextTimerCycles(cpu));
    return c === U64_MAX ? null : c;
  }

  /** Moves an idle CPU's clock forward (never backwards) and re-evaluates its timers. */
  advanceCycles(cpu: number, cycles: bigint): void {
    this.core.x.advanceCycles(cpu, cycles);
  }

  // ---- registers ----

  getX(cpu: number, r: number): bigint {
    return u64(this.core.x.getX(cpu, r));
  }

  setX(cpu: number, r: number, v: bigint): void {
    this.core.x.setX(cpu, r, BigInt.asUintN(64, v));
  }

  getPc(cpu: number): bigint {
    return u64(this.core.x.getPc(cpu));
  }

  setPc(cpu: number, v: bigint): void {
    this.core.x.setPc(cpu, BigInt.asUintN(64, v));
  }

  /** SP_ELn. */
  getSp(cpu: number, el: number): bigint {
    return u64(this.core.x.getSp(cpu, el));
  }

  setSp(cpu: number, el: number, v: bigint): void {
    this.core.x.setSp(cpu, el, BigInt.asUintN(64, v));
  }

  /** PSTATE in SPSR format (M[3:0], DAIF, NZCV, IL). */
  getPstate(cpu: number): bigint {
    return u64(this.core.x.getPstate(cpu));
  }

  setPstate(cpu: number, spsr: bigint): void {
    this.core.x.setPstate(cpu, spsr);
  }

  el(cpu: number): number {
    return this.core.x.getEl(cpu);
  }

  private sysId(name: string): number {
    const id = sysRegId(name);
    if (id === 0) throw new RangeError(`unknown system register ${name}`);
    return id;
  }

  /** Raw storage of a system register (no side effects). */
  getSysRaw(cpu: number, name: string): bigint {
    return u64(this.core.x.getSysRaw(cpu, this.sysId(name)));
  }

  /** Writes raw storage (the translation context is refreshed). */
  setSysRaw(cpu: number, name: string, v: bigint): void {
    this.core.x.setSysRaw(cpu, this.sysId(name), BigInt.asUintN(64, v));
  }

  /** getSysRaw of each register of `names` (a list whose ids are looked up once). */
  getSysRawList(cpu: number, names: readonly string[]): bigint[] {
    const ids = this.sysIdList(names);
    const out = new Array<bigint>(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = u64(this.core.x.getSysRaw(cpu, ids[i]!));
    return out;
  }

  /** setSysRaw of names[i] to vs[i] for each i. */
  setSysRawList(cpu: number, names: readonly string[], vs: readonly bigint[]): void {
    const ids = this.sysIdList(names);
    for (let i = 0; i < ids.length; i++) this.core.x.setSysRaw(cpu, ids[i]!, BigInt.asUintN(64, vs[i]!));
  }

  private readonly sysIdLists = new WeakMap<readonly string[], Int32Array>();

  private sysIdList(names: readonly string[]): Int32Array {
    let ids = this.sysIdLists.get(names);
    if (ids === undefined) this.sysIdLists.set(names, (ids = Int32Array.from(names, (n) => this.sysId(n))));
    return ids;
  }

  /** Reads a system register as MRS at the CPU's current EL would (counters, PSTATE views…). */
  readSys(cpu: number, name: string): bigint {
    return u64(this.core.x.sysReadAs(cpu, this.sysId(name)));
  }

  /** Writes a system register as MSR at the CPU's current EL would. */
  writeSys(cpu: number, name: string, v: bigint): void {
    this.core.x.sysWriteAs(cpu, this.sysId(name), BigInt.asUintN(64, v));
  }

  insns(cpu: number): bigint {
    return u64(this.core.x.cpuInsns(cpu));
  }

  cycles(cpu: number): bigint {
    return u64(this.core.x.cpuCycles(cpu));
  }

  /** Charges `n` cycles of work done on `cpu` outside run() (the hypervisor's steps) to its clock. */
  addCycles(cpu: number, n: bigint): void {
    this.core.x.addCycles(cpu, n);
  }

  /** addCycles for a whole number of cycles below 2^53 (the cost meter's charges: no BigInt). */
  charge(cpu: number, n: number): void {
    this.core.x.addCyclesNum(cpu, n);
  }

  /**
   * Cycles each descriptor read of the hardware page-table walker costs (default 0: one cycle per
   * instruction and nothing else). Guest walks are charged as they happen inside run(); host
   * walks only through `translate(..., {charge: true})`.
   */
  setWalkCost(cycles: number): void {
    if (!Number.isInteger(cycles) || cycles < 0) throw new RangeError(`walk cost must be a non-negative integer, got ${cycles}`);
    this.core.x.setWalkCost(BigInt(cycles));
  }

  /** Walk stall cycles charged to `cpu` so far: during guest runs, and for charged host translations. */
  walkStall(cpu: number): { readonly run: bigint; readonly host: bigint } {
    return { run: u64(this.core.x.cpuStall(cpu, 0)), host: u64(this.core.x.cpuStall(cpu, 1)) };
  }

  // ---- memory ----

  private view(): DataView {
    if (this.dv.buffer.byteLength !== 0 && this.dv.buffer === this.ramView.buffer) return this.dv;
    if (this.dv.buffer !== this.core.x.memory.buffer) {
      this.dv = new DataView(this.core.x.memory.buffer);
      this.ramView = new Uint8Array(this.core.x.memory.buffer, this.core.x.ramHostPtr(), this.ramBytes);
    }
    return this.dv;
  }

  /** RAM as 64-bit words (index = (pa − ramBase) / 8). Writes through it must call `codeChanged` for code/monitored data. */
  ram64(): BigUint64Array {
    // A view of a detached buffer (the wasm memory grew) has length 0: cheaper to test than memory.buffer.
    if (this.ram64View !== undefined && this.ram64View.length !== 0) return this.ram64View;
    this.view();
    if (this.ram64View === undefined || this.ram64View.buffer !== this.core.x.memory.buffer) {
      this.ram64View = new BigUint64Array(this.core.x.memory.buffer, this.core.x.ramHostPtr(), this.ramBytes / 8);
      this.ram32View = new Uint32Array(this.core.x.memory.buffer, this.core.x.ramHostPtr(), this.ramBytes / 4);
    }
    return this.ram64View;
  }

  /** RAM as 32-bit words (index = (pa − ramBase) / 4). */
  ram32(): Uint32Array {
    this.ram64();
    return this.ram32View!;
  }

  private ram64View: BigUint64Array | undefined;
  private ram32View: Uint32Array | undefined;

  /** RAM as bytes (index 0 = physical ramBase). Writes through it must call `codeChanged`. */
  ram(): Uint8Array {
    this.view();
    return this.ramView;
  }

  /** True if [pa, pa+len) lies in RAM. */
  inRam(pa: bigint, len: number): boolean {
    return pa >= this.ramBase && pa + BigInt(len) <= this.ramBase + BigInt(this.ramBytes);
  }

  private ramOffset(pa: bigint, len: number): number {
    if (!this.inRam(pa, len)) {
      throw new RangeError(`physical range 0x${pa.toString(16)}+${len} is outside RAM ` +
        `[0x${this.ramBase.toString(16)}, 0x${(this.ramBase + BigInt(this.ramBytes)).toString(16)})`);
    }
    return Number(pa - this.ramBase);
  }

  /** Copies bytes into physical RAM (host-side write: keeps decoded code and monitors coherent). */
  writePhys(pa: bigint, bytes: Uint8Array): void {
    const off = this.ramOffset(pa, bytes.length);
    this.ram().set(bytes, off);
    this.codeChanged(pa, bytes.length);
  }

  /** Zero-fills physical RAM. */
  zeroPhys(pa: bigint, len: number): void {
    const off = this.ramOffset(pa, len);
    this.ram().fill(0, off, off + len);
    this.codeChanged(pa, len);
  }

  readPhys(pa: bigint, len: number): Uint8Array {
    const off = this.ramOffset(pa, len);
    return this.ram().slice(off, off + len);
  }

  read64(pa: bigint): bigint {
    const off = this.ramOffset(pa, 8);
    return this.view().getBigUint64(this.core.x.ramHostPtr() + off, true);
  }

  write64(pa: bigint, v: bigint): void {
    const off = this.ramOffset(pa, 8);
    this.view().setBigUint64(this.core.x.ramHostPtr() + off, BigInt.asUintN(64, v), true);
    this.codeChanged(pa, 8);
  }

  read32(pa: bigint): number {
    const off = this.ramOffset(pa, 4);
    return this.view().getUint32(this.core.x.ramHostPtr() + off, true);
  }

  write32(pa: bigint, v: number): void {
    const off = this.ramOffset(pa, 4);
    this.view().setUint32(this.core.x.ramHostPtr() + off, v >>> 0, true);
    this.codeChanged(pa, 4);
  }

  /** Must follow any host write to RAM made through `ram()`. */
  codeChanged(pa: bigint, len: number): void {
    this.core.x.dcacheInvalidateRange(pa, BigInt(len));
    this.core.x.snoopAll(pa, BigInt(len));
    this.noteWrite(pa, len);
  }

  /** Records a host-side write to RAM for snapshots (the core records its own stores). */
  noteWrite(pa: bigint | number, len: number): void {
    const off = Number(pa) - this.ramBaseNum;
    if (off < 0 || len <= 0) return;
    const flags = this.pageFlags();
    const groups = this.dirtyGroups();
    const last = Math.min(flags.length - 1, (off + len - 1) >>> 12);
    for (let i = off >>> 12; i <= last; i++) {
      flags[i]! |= PF_DIRTY;
      groups[i >>> this.groupShift] = 1;
    }
  }

  /** The RAM pages written since the last dirtyReset, among those of the `touched` dirty groups. */
  private dirtyPages(touched: readonly number[]): number[] {
    const flags = this.pageFlags();
    const per = 1 << this.groupShift;
    const dirty: number[] = [];
    for (const g of touched) {
      const end = Math.min(flags.length, (g + 1) * per);
      for (let i = g * per; i < end; i++) if ((flags[i]! & PF_DIRTY) !== 0) dirty.push(i);
    }
    return dirty;
  }

  private groupsView: Uint8Array | undefined;
  private readonly groupShift: number;

  /** The core's dirty-group bytes (assembly/mem/phys.ts dirtyGroups). */
  private dirtyGroups(): Uint8Array {
    if (this.groupsView === undefined || this.groupsView.length === 0) {
      const pages = this.ramBytes >>> 12;
      this.groupsView = new Uint8Array(this.core.x.memory.buffer, this.core.x.dirtyGroupsAddr(), Math.ceil(pages / (1 << this.groupShift)));
    }
    return this.groupsView;
  }

  private flagsView: Uint8Array | undefined;
  /** ramBase as a number (RAM ends below 2^53): noteWrite runs for every KCore store. */
  private readonly ramBaseNum: number;

  /** The core's per-page flag bytes (assembly/mem/phys.ts). */
  private pageFlags(): Uint8Array {
    if (this.flagsView === undefined || this.flagsView.length === 0) {
      this.flagsView = new Uint8Array(this.core.x.memory.buffer, this.core.x.pageFlagsAddr(), this.ramBytes >>> 12);
    }
    return this.flagsView;
  }

  /**
   * Translates `va` as `cpu` would at its current EL (or with EL0 permissions), without raising
   * anything. Returns the PA or null. With `charge`, a TLB miss walk costs `cpu` time at the walk
   * cost (an access the CPU really makes); observers leave it off.
   */
  translate(cpu: number, va: bigint, acc: AccessKind, asEl0 = false, charge = false): bigint | null {
    const pa = u64(this.core.x.translateVa(cpu, BigInt.asUintN(64, va), acc, asEl0 ? 1 : 0, charge ? 1 : 0));
    return pa === U64_MAX ? null : pa;
  }

  /**
   * Executes a TLBI (by its name, e.g. 'VMALLS12E1IS') with operand `xt` as `cpu` would with its
   * current VTTBR_EL2/TCR_EL1; the IS forms reach every CPU.
   */
  tlbi(cpu: number, op: string, xt = 0n): void {
    const i = SYSINSNS.findIndex((d) => d.kind === 'tlbi' && d.op === op.toUpperCase());
    if (i < 0 || !this.core.x.tlbiAs(cpu, i + 1, BigInt.asUintN(64, xt))) throw new RangeError(`unknown TLBI operation ${op}`);
  }

  /** Drops every cached translation (architectural TLBs and uTLBs) on every CPU. */
  flushTlbs(): void {
    this.core.x.flushAllTlbs();
  }

  /** TLB counters of `cpu`. */
  tlbStats(cpu: number): TlbStats {
    const x = this.core.x;
    return { hits: u64(x.statTlb(cpu, 0)), misses: u64(x.statTlb(cpu, 1)), walkSteps: u64(x.statTlb(cpu, 2)), valid: x.statTlbValid(cpu) };
  }

  /**
   * The valid entries of `cpu`'s architectural TLB (for observers: stale-TLB checks, the browser
   * view). Layout of an entry, from assembly/mmu/tlb.ts: inBase u64, outBase u64, meta u32
   * (bit 0 valid, bits 2:1 kind, 7:3 block shift, 8 global, 9 device, 21:16 permissions),
   * asid u16, vmid u16, stamp u32.
   */
  tlbEntries(cpu: number): TlbEntry[] {
    return this.tlbEntriesLeadingTo(cpu, null);
  }

  /**
   * The valid TLB entries of `cpu` whose output range [firstPfn, endPfn) `hit` accepts (all with
   * null): observers asking about a few pages decode only the entries that lead to them.
   */
  tlbEntriesLeadingTo(cpu: number, hit: ((firstPfn: number, endPfn: number) => boolean) | null): TlbEntry[] {
    const x = this.core.x;
    const n = x.tlbEntriesPerCpu();
    const base = x.tlbEntriesAddr(cpu);
    const dv = new DataView(x.memory.buffer);
    const out: TlbEntry[] = [];
    for (let i = 0; i < n; i++) {
      const e = base + i * 32;
      const meta = dv.getUint32(e + 16, true);
      if ((meta & 1) === 0) continue;
      const shift = (meta >>> 3) & 31;
      if (hit !== null) {
        const firstPfn = dv.getUint32(e + 8, true) / 4096 + dv.getUint32(e + 12, true) * 0x10_0000;
        if (!hit(Math.floor(firstPfn), Math.floor(firstPfn) + 2 ** (shift - 12))) continue;
      }
      out.push({
        kind: TLB_KINDS[(meta >>> 1) & 3] ?? 's1',
        inBase: dv.getBigUint64(e, true),
        outBase: dv.getBigUint64(e + 8, true),
        size: 1n << BigInt(shift),
        global: (meta & 0x100) !== 0,
        device: (meta & 0x200) !== 0,
        perms: (meta >>> 16) & 63,
        asid: dv.getUint16(e + 20, true),
        vmid: dv.getUint16(e + 22, true),
      });
    }
    return out;
  }

  /**
   * The whole machine state — RAM, every CPU, TLBs, GIC, timers — as a copy that restore() puts
   * back exactly (for the fuzzer: one prepared world, restored before every sequence, so runs
   * and shrinking do not pay for booting). Costs a copy of the wasm memory.
   */
  snapshot(): MachineSnapshot {
    const x = this.core.x;
    x.parkCpus();
    x.dirtyReset();   // from now on, restore() copies back only the RAM pages written since
    const dyn: bigint[] = [];
    for (let i = 0; i < DYN_GLOBALS; i++) dyn.push(u64(x.dynGet(i)));
    const snap = { mem: new Uint8Array(x.memory.buffer).slice(), dyn };
    this.baseline = snap;
    return snap;
  }

  /**
   * The snapshot the dirty marks are relative to (the last one taken or restored): restoring it
   * copies back only what changed; restoring any other copies the whole memory.
   */
  private baseline: MachineSnapshot | null = null;

  restore(s: MachineSnapshot): void {
    const x = this.core.x;
    if (s.mem.length !== x.memory.buffer.byteLength) throw new RangeError('restore: the snapshot is of another machine');
    x.parkCpus();   // no CPU's registers are cached outside memory now; the copy replaces them all
    if (s !== this.baseline) {
      new Uint8Array(x.memory.buffer).set(s.mem);
      for (let i = 0; i < DYN_GLOBALS; i++) x.dynSet(i, s.dyn[i]!);
      x.dirtyReset();   // (the snapshot's marks are all clear: snapshot() reset them; drops the uTLB)
      this.baseline = s;
      return;
    }
    // The page groups written or re-flagged since the snapshot, and their written pages (read
    // before the flags themselves are restored) …
    const groups = this.dirtyGroups();
    const touched: number[] = [];
    // Four groups at a time: most are untouched.
    const quads = groups.length >>> 2;
    const q32 = new Uint32Array(groups.buffer, groups.byteOffset, quads);
    for (let q = 0; q < quads; q++) {
      if (q32[q] === 0) continue;
      for (let g = q * 4; g < q * 4 + 4; g++) if (groups[g] !== 0) touched.push(g);
    }
    for (let g = quads * 4; g < groups.length; g++) if (groups[g] !== 0) touched.push(g);
    const dirty = this.dirtyPages(touched);
    // … then everything that is not RAM (CPUs, TLBs, GIC), then those pages' flags and contents.
    // Of the decoded-instruction cache (8 MiB, most of the rest) only the slots the snapshot holds
    // a page in are copied: a slot without a page is refilled from zero when it gets one. The
    // snapshot's groups are all zero (snapshot() resets them), and only the touched ones are not.
    const mem = new Uint8Array(x.memory.buffer);
    const ram = x.ramHostPtr();
    const dcData = x.dcacheDataAddr(), slotBytes = x.dcacheSlotBytes(), slots = x.dcacheSlots();
    const dcEnd = dcData + slots * slotBytes;
    const flags = x.pageFlagsAddr(), groupsAt = x.dirtyGroupsAddr();
    const flagsEnd = flags + (this.ramBytes >>> 12), groupsEnd = groupsAt + groups.length;
    if (!(dcEnd <= flags && flagsEnd <= groupsAt && groupsEnd <= ram)) throw new Error('restore: the core\'s memory layout is not the one this copy expects');
    mem.set(s.mem.subarray(0, dcData), 0);
    for (const i of this.slotsHeld(s, slots)) {
      const at = dcData + i * slotBytes;
      mem.set(s.mem.subarray(at, at + slotBytes), at);
    }
    mem.set(s.mem.subarray(dcEnd, flags), dcEnd);
    const per = 1 << this.groupShift;
    for (const g of touched) {
      const at = flags + g * per;
      mem.set(s.mem.subarray(at, Math.min(at + per, flagsEnd)), at);
      groups[g] = 0;
    }
    mem.set(s.mem.subarray(flagsEnd, groupsAt), flagsEnd);
    mem.set(s.mem.subarray(groupsEnd, ram), groupsEnd);
    mem.set(s.mem.subarray(ram + this.ramBytes), ram + this.ramBytes);
    for (const i of dirty) {
      const at = ram + i * 4096;
      mem.set(s.mem.subarray(at, at + 4096), at);
    }
    for (let i = 0; i < DYN_GLOBALS; i++) x.dynSet(i, s.dyn[i]!);
    x.dirtyReset();   // (no group is marked now: this drops the uTLB entries)
  }

  /** The decoded-instruction cache slots that hold a page in snapshot `s` (found once per snapshot). */
  private slotsHeld(s: MachineSnapshot, slots: number): readonly number[] {
    let held = SLOTS_HELD.get(s);
    if (held === undefined) {
      const tags = new DataView(s.mem.buffer, s.mem.byteOffset + this.core.x.dcacheTagsAddr(), slots * 8);
      held = [];
      for (let i = 0; i < slots; i++) if (tags.getBigUint64(i * 8, true) !== U64_MAX) held.push(i);
      SLOTS_HELD.set(s, held);
    }
    return held;
  }

  /** TLBI instructions executed by all CPUs. */
  tlbiCount(): bigint {
    return u64(this.core.x.statTlbi());
  }
}

/** A copy of a machine's state (Machine.snapshot). */
export interface MachineSnapshot {
  readonly mem: Uint8Array;
  readonly dyn: readonly bigint[];
}

const SLOTS_HELD = new WeakMap<MachineSnapshot, number[]>();

/** Core state kept in wasm globals (assembly/index.ts dynGet/dynSet). */
const DYN_GLOBALS = 4;
/** The page-flag bit the core sets on a store (assembly/mem/phys.ts PF_DIRTY). */
const PF_DIRTY = 2;

/** One cached translation (Machine.tlbEntries). */
export interface TlbEntry {
  /** s1: EL1&0 VA → PA (combined with stage 2 when on); s2: IPA → PA; el2: EL2 VA → PA. */
  readonly kind: 's1' | 's2' | 'el2';
  readonly inBase: bigint;
  readonly outBase: bigint;
  /** Bytes the entry covers (4 KB page or a block). */
  readonly size: bigint;
  readonly global: boolean;
  readonly device: boolean;
  /** s1/el2: R0 W0 X0 R1 W1 X1 (bits 0..5); s2: stage-2 R W X (bits 0..2). */
  readonly perms: number;
  readonly asid: number;
  readonly vmid: number;
}

const TLB_KINDS = ['s1', 's2', 'el2'] as const;

/** All system-register names the core knows (for tools and help text). */
export const SYSREG_NAMES: readonly string[] = SYSREGS.map((d) => d.name);
