/**
 * A whole simulated system: the machine (pCPUs, RAM, GIC, timers), the hypervisor (SeKVM's
 * KCore, or the KVM baseline), KServ with its VMs, and the seeded scheduler that interleaves
 * the pCPUs. `run()` boots the host on every pCPU, creates the VMs on pCPU 0 (as QEMU would),
 * runs until every VM is off (or a limit), tears the VMs down and returns a summary.
 */
import { Machine } from '../machine/machine.js';
import { Scheduler } from './sched.js';
import type { Gen } from './task.js';
import { Meter } from '../cost/meter.js';
import { defaultCosts, costVector, type CostTable } from '../cost/model.js';
import type { TraceEvent, TraceSink } from '../trace/events.js';
import { ecName, esrEc } from '../arch/esr.js';
import type { TraceRecord } from '../trace/record.js';
import { Kcore, type KcoreBug, type OnViolation } from '../kcore/kcore.js';
import { KcoreSmmuImpl } from '../kcore/smmu.js';
import { kcoreLayout } from '../kcore/layout.js';
import { Checker } from '../check/monitor.js';
import type { Witness } from '../check/invariants.js';
import { SekvmHost } from './sekvm-host.js';
import { KvmHyp } from '../kvm/kvm-hyp.js';
import { Kserv, type Vm, type VmSpec } from '../kserv/kserv.js';
import type { HostHyp, HypMode } from '../kserv/hyp.js';
import { VIRT } from '../board/virt.js';
import { Smmu, SMMU_BASE, SMMU_SIZE } from '../board/smmu.js';
import { SHARED_BYTES } from '../kcore/shared-abi.js';
import { AES_KEY, AES_IV, rawPublicKey } from './keys.js';

export interface SystemConfig {
  readonly mode: HypMode;
  readonly cpus: number;
  readonly ramMiB: number;
  readonly seed: number;
  readonly vms: readonly VmSpec[];
  readonly quantum?: number;
  readonly switchProbability?: number;
  readonly onViolation?: OnViolation;
  readonly bugs?: readonly KcoreBug[];
  /** KCore's trusted Ed25519 public key (raw 32 bytes); default: the demo key. */
  readonly trustedKey?: Uint8Array;
  /** Receives every event of the run, stamped (src/trace/record.ts). */
  readonly trace?: (r: TraceRecord) => void;
  /** Receives every event of the run as it happens, unstamped (cheaper: no record is made for it). */
  readonly onEvent?: (e: TraceEvent) => void;
  /**
   * Live isolation checks (src/check, SeKVM mode only): incremental after every KCore handler,
   * full every `checkFullEvery` checks (default 256 per 64 MiB of RAM) and at the end of the
   * run. A violation stops the run.
   */
  readonly check?: boolean;
  readonly checkFullEvery?: number;
  readonly cpuHz?: number;
  /**
   * Cycles per primitive step, charged to the pCPU clocks as the steps execute (src/cost/model.ts;
   * default: the default table). Null: hypervisor steps are counted but take no time.
   */
  readonly costs?: CostTable | null;
  /** Scheduler timing (src/sim/sched.ts): 'interleaved' (default) or 'ordered' for measurements. */
  readonly timing?: 'interleaved' | 'ordered';
  /** Ordered timing: instructions a guest may run past the next pCPU's clock (default 64). */
  readonly window?: number;
}

export interface VmSummary {
  readonly vmid: number;
  readonly name: string;
  readonly state: string;
  readonly failure: string | null;
  readonly output: readonly string[];
  /** Number of vCPUs the VM was created with. */
  readonly vcpus: number;
}

/** A KCore check that failed (a `kcore-halt` event): the hypercall was refused, or KCore halted. */
export interface ViolationSummary {
  readonly code: string;
  readonly where: string;
  readonly detail: string;
  readonly mode: 'halt' | 'reject';
}

export interface CheckSummary {
  readonly incremental: number;
  readonly full: number;
  readonly violations: readonly Witness[];
  /** The last events before the first violation (or the end), oldest first. */
  readonly lastEvents: readonly TraceRecord[];
  readonly seed: number;
}

export interface RunSummary {
  readonly mode: HypMode;
  readonly stop: 'all-off' | 'halted' | 'limit' | 'stuck' | 'violation';
  readonly detail: string;
  readonly vms: readonly VmSummary[];
  readonly createErrors: readonly { name: string; errno: bigint }[];
  readonly exitsByEc: ReadonlyMap<string, number>;
  readonly exitsByPath: { readonly kcore: number; readonly kserv: number; readonly 'kserv-user': number };
  readonly pagesByOwner: ReadonlyMap<string, number>;
  readonly vmidsInUse: readonly number[];
  readonly hypercalls: number;
  readonly rejected: number;
  readonly guestInsns: bigint;
  readonly seconds: number;
  readonly steps: number;
  /** VM exits handled inside KCore (never seen by KServ), by EC name; empty in KVM mode. */
  readonly kcoreExitsByEc: ReadonlyMap<string, number>;
  /** Pages by owner when the run stopped, before VM teardown returned VM pages to the host. */
  readonly pagesAtStop: ReadonlyMap<string, number>;
  /** Every KCore check that refused a hypercall or halted KCore, in order. */
  readonly violations: readonly ViolationSummary[];
  /** Simulated time: the largest pCPU cycle count. */
  readonly cycles: bigint;
  /** Simulated CPU clock (cycles per second). */
  readonly cpuHz: number;
  /** The live checks, when enabled: how many ran, what failed, and the events just before. */
  readonly checks: CheckSummary | null;
}

export class System {
  readonly m: Machine;
  readonly sched: Scheduler;
  readonly meter: Meter;
  readonly kserv: Kserv;
  readonly hyp: HostHyp;
  readonly kcore: Kcore | null;
  readonly smmus: Smmu[];
  readonly createErrors: { name: string; errno: bigint }[] = [];
  private kcoreExits = 0;
  private readonly kcoreExitsByEc = new Map<string, number>();
  private readonly violations: ViolationSummary[] = [];
  private pagesAtStop: Map<string, number> | null = null;
  /** The live checker (cfg.check, SeKVM mode). */
  readonly checker: Checker | null = null;
  private readonly recent: TraceRecord[] = [];
  private frozenRecent: TraceRecord[] | null = null;
  private readonly events: TraceSink;
  private userTrace: ((r: TraceRecord) => void) | null;

  constructor(readonly cfg: SystemConfig) {
    this.m = Machine.create({ cpus: cfg.cpus, ramBase: VIRT.RAM, ramBytes: cfg.ramMiB * 1048576, ...(cfg.cpuHz ? { cpuHz: cfg.cpuHz } : {}) });
    this.m.enableGic(VIRT.GICD, VIRT.GICR);
    // The hypervisor (KCore or the KVM lowvisor) is TypeScript: every exception to EL2 exits the core.
    this.m.setHostEls([2]);
    this.meter = new Meter(cfg.cpus);
    const costs = cfg.costs === undefined ? defaultCosts() : cfg.costs;
    if (costs !== null) {
      this.meter.attach(costVector(costs), (cpu, cycles) => this.m.charge(cpu, cycles));
      this.m.setWalkCost(costs.walk_step.cycles);
    }
    this.sched = new Scheduler(this.m, {
      seed: cfg.seed,
      ...(cfg.timing !== undefined ? { timing: cfg.timing } : {}),
      ...(cfg.window !== undefined ? { minSlice: cfg.window } : {}),
      ...(cfg.quantum !== undefined ? { quantum: cfg.quantum } : {}),
      ...(cfg.switchProbability !== undefined ? { switchProbability: cfg.switchProbability } : {}),
    });
    this.userTrace = cfg.trace ?? null;
    const onEvent = cfg.onEvent;
    let seq = 0;
    this.events = (e: TraceEvent): void => {
      if (e.kind === 'guest-exit' && e.path === 'kcore') this.kcoreExits++;
      this.observe(e);
      onEvent?.(e);
      const checker = this.checker;
      const userTrace = this.userTrace;
      if (userTrace || checker) {
        const r: TraceRecord = { seq: seq++, cycles: this.m.cycles(e.cpu), event: e };
        userTrace?.(r);
        if (checker) {
          checker.onTrace(e);
          this.recent.push(r);
          if (this.recent.length > 40) this.recent.shift();
        }
      }
    };
    this.smmus = [new Smmu(0, SMMU_BASE, this.m), new Smmu(1, SMMU_BASE + SMMU_SIZE, this.m)];
    // KServ's shared_data pool sits at the bottom of RAM (outside KCore's protected range).
    const sharedBase = Number(VIRT.RAM) + 0x10_0000;
    if (cfg.mode === 'sekvm') {
      // KCore's region sits at the top of RAM; the host needs its shared pool below it.
      const lay = kcoreLayout(this.m.ramBase, this.m.ramBytes);
      if (lay.base < BigInt(sharedBase + SHARED_BYTES)) {
        const need = Math.ceil((Number(lay.end - lay.base) + 0x10_0000 + SHARED_BYTES) / 1048576);
        throw new RangeError(`${cfg.ramMiB} MiB of RAM is too small for SeKVM: KCore needs ${Number(lay.end - lay.base) >> 20} MiB at the top of RAM and KServ ${Math.ceil((0x10_0000 + SHARED_BYTES) / 1048576)} MiB at the bottom (at least ${need} MiB)`);
      }
      const k = new Kcore(this.m, this.meter, {
        onViolation: cfg.onViolation ?? 'reject',
        publicKey: cfg.trustedKey ?? rawPublicKey(),
        sharedBase,
        aesKey: AES_KEY,
        aesIv: AES_IV,
        ...(cfg.bugs ? { bugs: cfg.bugs } : {}),
      });
      k.initData();
      k.setScheduler(this.sched);
      k.setTrace(this.events);
      k.smmu = new KcoreSmmuImpl(this.smmus);
      this.kcore = k;
      if (cfg.check) {
        const checker = new Checker(this.m, k.lay, {
          sharedBase,
          ...(cfg.checkFullEvery !== undefined ? { fullEvery: cfg.checkFullEvery } : {}),
          onViolation: () => { this.frozenRecent ??= [...this.recent]; },
        });
        k.am.setObserver(checker);
        this.checker = checker;
      }
      const host = new SekvmHost(this.m, k, this.meter);
      host.deviceAccess = (cpu, pa, size, write, value) => this.deviceAccess(cpu, pa, size, write, value);
      this.hyp = host;
    } else {
      this.kcore = null;
      this.hyp = new KvmHyp(this.m, this.meter, sharedBase, this.events, (cpu, pa, size, write, value) => this.deviceAccess(cpu, pa, size, write, value));
    }
    if (sharedBase + SHARED_BYTES > this.hyp.hostRamEnd) throw new RangeError(`${cfg.ramMiB} MiB of RAM is too small for the host`);
    this.kserv = new Kserv(this.m, this.hyp, this.sched, this.meter, this.events);
    this.sched.onTimePassed = () => this.kserv.checkTimers();
    this.sched.externalDeadline = () => this.kserv.nextVcpuDeadline();
  }

  /** Replaces the `trace` sink (null: none) from the next event on. */
  setTrace(t: ((r: TraceRecord) => void) | null): void {
    this.userTrace = t;
  }

  /**
   * A host access to a device mapped in the host's stage 2 (the GIC distributor and
   * redistributors): performed on the physical device by executing nothing — the core's GIC
   * model is reached through a 32/64-bit physical access on `cpu`.
   */
  private deviceAccess(cpu: number, pa: number, size: 4 | 8, write: boolean, value: bigint): bigint {
    return this.m.physAccess(cpu, BigInt(pa), size, write, value);
  }

  /** Host boot on every pCPU: EL1h host context, then the hypervisor's per-CPU install. */
  private *bootTask(cpu: number, afterBoot: () => Gen): Gen {
    yield* this.kserv.bootCpu(cpu);
    yield* afterBoot();
    yield* this.kserv.pcpuLoop(cpu);
  }

  private *createVms(cpu: number): Gen {
    for (const spec of this.cfg.vms) {
      const r = yield* this.kserv.createVm(cpu, spec);
      if (typeof r === 'bigint') this.createErrors.push({ name: spec.name, errno: r });
    }
    if (this.kserv.vms.length === 0) {
      this.kserv.stopping = true;
      for (let c = 0; c < this.m.cpus; c++) this.sched.wake(c);
    }
  }

  /** Runs the system to completion (or `maxSteps` scheduling steps). */
  run(maxSteps = 50_000_000): RunSummary {
    const t0 = process.hrtime.bigint();
    for (let c = 0; c < this.m.cpus; c++) {
      // The host kernel runs at EL1 (nVHE); the hypervisor owns EL2.
      this.m.setSysRaw(c, 'HCR_EL2', 1n << 31n);
      this.m.setPstate(c, 0x3c5n);
      this.m.setOn(c, true);
      const self = this;
      this.sched.setTask(c, this.bootTask(c, c === 0 ? () => self.createVms(0) : function* () {}));
    }
    const halted = (): boolean => this.hyp.halted() !== null;
    const violated = (): boolean => (this.checker?.violations.length ?? 0) > 0;
    const steps = this.sched.runUntil(() => halted() || violated() || this.allTasksDone(), maxSteps);
    let stop: RunSummary['stop'];
    let detail: string;
    if (violated()) {
      stop = 'violation';
      const w = this.checker!.violations[0]!;
      detail = `invariant ${w.invariant} violated: ${w.message}`;
    } else if (halted()) {
      stop = 'halted';
      detail = `KCore halted: ${this.hyp.halted()}`;
    } else if (this.allTasksDone()) {
      stop = 'all-off';
      detail = 'every VM is off';
      this.pagesAtStop = this.pagesByOwner();
      this.teardown();
      if (violated()) {
        stop = 'violation';
        const w = this.checker!.violations[0]!;
        detail = `invariant ${w.invariant} violated during teardown: ${w.message}`;
      }
    } else if (steps >= maxSteps) {
      stop = 'limit';
      detail = `stopped after ${steps} scheduling steps`;
    } else {
      stop = 'stuck';
      detail = 'no pCPU can make progress (every vCPU waits for an interrupt that cannot come)';
    }
    if (this.checker !== null && stop !== 'violation' && !this.checker.busy && this.checker.finalCheck().length) {
      const w = this.checker.violations[0]!;
      stop = 'violation';
      detail = `invariant ${w.invariant} violated at the end of the run: ${w.message}`;
    }
    return this.summary(stop, detail, Number(process.hrtime.bigint() - t0) / 1e9, steps);
  }

  /**
   * Boots the host on every pCPU, then runs `task` on pCPU `cpu` as host kernel code (KServ) to
   * completion under the scheduler, and returns its result. No VMs are created; the other pCPUs
   * stay idle. For benchmarks and tests that drive the hypervisor interface directly.
   */
  runHost<R>(cpu: number, task: (hyp: HostHyp, kserv: Kserv) => Gen<R>): R {
    let result: { value: R } | null = null;
    const self = this;
    for (let c = 0; c < this.m.cpus; c++) {
      this.m.setSysRaw(c, 'HCR_EL2', 1n << 31n);
      this.m.setPstate(c, 0x3c5n);
      this.m.setOn(c, true);
      this.sched.setTask(c, (function* (): Gen {
        yield* self.kserv.bootCpu(c);
        if (c === cpu) result = { value: yield* task(self.hyp, self.kserv) };
      })());
    }
    this.sched.runUntil(() => result !== null || this.hyp.halted() !== null || this.allTasksDone());
    if (result === null) throw new Error(`runHost: the host task did not finish (${this.hyp.halted() ?? 'no progress'})`);
    return (result as { value: R }).value;
  }

  /** Summary counters kept from the event stream (observation only). */
  private observe(e: TraceEvent): void {
    if (e.kind === 'guest-exit' && e.path === 'kcore') {
      const ec = ecName(esrEc(e.esr));
      this.kcoreExitsByEc.set(ec, (this.kcoreExitsByEc.get(ec) ?? 0) + 1);
    } else if (e.kind === 'kcore-halt') {
      this.violations.push({ code: e.code, where: e.where, detail: e.detail, mode: e.mode });
    }
  }

  private allTasksDone(): boolean {
    for (let c = 0; c < this.m.cpus; c++) if (this.sched.hasTask(c)) return false;
    return true;
  }

  /** VM teardown on pCPU 0 after everything stopped (HVC_CLEAR_VM_S2_RANGE per VM). */
  private teardown(): void {
    const self = this;
    this.sched.setTask(0, (function* () {
      yield* self.kserv.teardownAll(0);
    })());
    this.sched.runUntil(() => !this.sched.hasTask(0));
  }

  /** Pages by owner, from KCore's s2page array (SeKVM) or KServ's bookkeeping (KVM). */
  pagesByOwner(): Map<string, number> {
    const out = new Map<string, number>();
    if (this.kcore === null) {
      let vmPages = 0;
      for (const vm of this.kserv.vms) vmPages += vm.gfnToPfn.size;
      out.set('host', this.m.ramBytes / 4096 - vmPages);
      for (const vm of this.kserv.vms) if (vm.gfnToPfn.size) out.set(`VM ${vm.vmid}`, vm.gfnToPfn.size);
      return out;
    }
    const lay = this.kcore.lay;
    const ram32 = this.m.ram32();
    const base = Number(lay.s2pages - this.m.ramBase) / 4;
    for (let i = 0; i < lay.ramPages; i++) {
      const owner = ram32[base + i * 4 + 1]!;
      const name = owner === 0 ? 'host' : owner === 65 ? 'KCore' : `VM ${owner}`;
      out.set(name, (out.get(name) ?? 0) + 1);
    }
    return out;
  }

  private summary(stop: RunSummary['stop'], detail: string, seconds: number, steps: number): RunSummary {
    let guestInsns = 0n;
    for (let c = 0; c < this.m.cpus; c++) guestInsns += this.m.insns(c);
    const vms: VmSummary[] = this.kserv.vms.map((vm: Vm) => ({
      vmid: vm.vmid, name: vm.name, state: vm.state, failure: vm.failure, output: vm.uart.lines, vcpus: vm.vcpus.length,
    }));
    let cycles = 0n;
    for (let c = 0; c < this.m.cpus; c++) if (this.m.cycles(c) > cycles) cycles = this.m.cycles(c);
    return {
      mode: this.cfg.mode,
      stop,
      detail,
      vms,
      createErrors: this.createErrors,
      exitsByEc: this.kserv.stats.exitsByEc,
      exitsByPath: { kcore: this.kcoreExits, ...this.kserv.stats.exitsByPath },
      pagesByOwner: this.pagesByOwner(),
      vmidsInUse: this.kserv.vms.map((v) => v.vmid),
      hypercalls: this.kcore?.stats.hvc ?? 0,
      rejected: this.kcore?.stats.rejected ?? 0,
      guestInsns,
      seconds,
      steps,
      kcoreExitsByEc: this.kcoreExitsByEc,
      pagesAtStop: this.pagesAtStop ?? this.pagesByOwner(),
      violations: this.violations,
      cycles,
      // Machine.create's default clock when the configuration names none.
      cpuHz: this.cfg.cpuHz ?? 2_400_000_000,
      checks: this.checker === null ? null : {
        incremental: this.checker.stats.incremental,
        full: this.checker.stats.full,
        violations: this.checker.violations,
        lastEvents: this.frozenRecent ?? this.recent,
        seed: this.cfg.seed,
      },
    };
  }
}
