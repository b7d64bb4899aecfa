/**
 * Noninterference by two runs (sekvm.md §4.2). SeKVM proves, for each principal, integrity (a step
 * taken on behalf of another principal does not change what it observes) and confidentiality (two
 * states it cannot tell apart stay so). Here both are tested on whole runs of the system:
 *
 *  - **integrity**: the victim VM (guests/vm/nonint-victim.s) runs twice while its environment
 *    differs — the other VM runs other code, KServ places the VMs' pages elsewhere or proposes one
 *    of the victim's pages for the other VM — and everything the victim observes must be equal;
 *  - **confidentiality**: the same system runs twice with different secrets in the victim's
 *    private memory, and everything KServ observes must be equal.
 *
 * What a principal observes (§4.2's table, as far as a run exposes it):
 *  - the victim VM: its registers at each of its synchronous exits (GPRs, SP_EL0/SP_EL1, PC,
 *    PSTATE and the EL1 system registers, read from KCore's shadow context for exits to KServ and
 *    from the pCPU for exits KCore handles itself), its UART lines, and its private memory when
 *    every VM has stopped, before teardown: for each gfn of its RAM, the contents of the page
 *    KCore records as its own there, or "not owned";
 *  - KServ: at every exit it handles, the exit information and registers in its vCPU struct (ESR,
 *    FAR, HPFAR, the exit class, x0–x30 as KCore left them) and the contents of every page a VM
 *    has granted it at that moment; every hypercall result; every change of page owner and gfn,
 *    of its own stage 2 and of sharing (grant/revoke); the UART lines of every VM (it emulates the
 *    device); and, before teardown and at the end, the contents of every host-owned page and the
 *    owner and gfn of every other page.
 *
 * **Timing is not an observation.** Cycle counts, counter values and the interleaving of pCPUs
 * legitimately differ between integrity runs (the other VM does other work), and SeKVM does not
 * hide timing from KServ (§4.2). So observations are numbered per principal, not by time; the
 * victim's exits to KServ because a physical interrupt arrived are left out (where they fall
 * depends on timing); and the victim guest reads no counter and takes no interrupt, so its
 * synchronous exits and their registers do not depend on timing either.
 *
 * Observers only read (DESIGN.md rule 6), with one deliberate exception that sets up the
 * experiment: the secret. It cannot be a define of the victim guest, because KServ loads (and
 * can read) the boot image. Instead the checker writes it into the page at
 * {@link VICTIM_SECRET_IPA} at the moment KCore maps that page into the victim (the `s2-map`
 * event, before the guest's faulting load is retried): the two runs then start from states that
 * differ only in the victim's private memory, as in §4.2's `indisting`.
 */
import { System, type RunSummary } from '../sim/system.js';
import type { TraceRecord } from '../trace/record.js';
import type { TraceEvent } from '../trace/events.js';
import { describeEvent } from '../trace/text.js';
import type { KcoreBug } from '../kcore/kcore.js';
import type { HostVariation, Vm } from '../kserv/kserv.js';
import { flattenElf, type SignedImage } from '../kserv/image.js';
import { buildVmGuest } from '../guests/build.js';
import { signImage, loadPrivateKey } from '../sim/keys.js';
import { KcoreView } from './view.js';
import { V, HVC, HOSTVISOR, COREVISOR, INVALID_MEM } from '../kcore/constants.js';
import { CTXT_SYSREGS } from '../kcore/ctxt-switch.js';
import { vcpuAt, VCPU } from '../kcore/shared-abi.js';
import { ecName, esrEc } from '../arch/esr.js';

/** IPA of the victim's secret page (the guest's SECRET_IPA; passed to it as a define). */
export const VICTIM_SECRET_IPA = 0x4200_0000;
/** The VM name of the victim in every run. */
export const VICTIM = 'victim';
/** The two secrets of the confidentiality check, and the one of the integrity runs. */
export const SECRET_A = 0x5ec0_0a11n;
export const SECRET_B = 0x5ec0_0b22n;

export type NonintKind = 'integrity' | 'confidentiality';

/** A VM of a run: its name, the guest of guests/vm it runs, and defines for that guest. */
export interface VmSetup {
  readonly name: string;
  readonly guest: string;
  readonly defines?: Readonly<Record<string, number | bigint>>;
}

/** One run of a two-run check: what the system runs, and what differs from the other run. */
export interface RunSetup {
  /** What this run varies, in words ("the other VM runs attacker"). */
  readonly label: string;
  /** The VMs, victim first (so it is created first and gets the same VMID in every run). */
  readonly vms: readonly VmSetup[];
  readonly host: HostVariation;
  /** Seed of the secret written into the victim's secret page. */
  readonly secret: bigint;
}

export interface NonintOptions {
  /** Scheduler seed of every run (default 1). */
  readonly seed?: number;
  /** Injected KCore bugs (src/kcore/kcore.ts KcoreBug). */
  readonly bugs?: readonly KcoreBug[];
  readonly cpus?: number;
  readonly ramMiB?: number;
  /** Receives every trace record of every run, with the run's label. */
  readonly trace?: (run: string, r: TraceRecord) => void;
  /** Only the integrity environments whose label contains this text (tests). */
  readonly only?: string;
}

/** One thing a principal observed: what (a stable name, numbered per principal), the value, and when. */
export interface Observation {
  readonly what: string;
  readonly value: string;
  /** Category, for the counts in the report. */
  readonly kind: string;
  /** Sequence number of the trace record at (or after) which it was observed. */
  readonly seq: number;
  /** The page it is about, if any (the report then shows the events that concern that page). */
  readonly page?: PageRef;
}

/** A page by pfn, or by the (VM, gfn) it backs. */
export interface PageRef {
  readonly pfn?: number;
  readonly vmid?: number;
  readonly gfn?: bigint;
}

/** A principal whose observations a run records. */
export type Principal = 'victim' | 'host';

/** What one run produced. */
export interface RunRecord {
  readonly setup: RunSetup;
  /** What the compared principal observed. */
  readonly observations: readonly Observation[];
  /** What each recorded principal observed (the compared one, and any other asked for). */
  readonly views: Readonly<Partial<Record<Principal, readonly Observation[]>>>;
  readonly trace: readonly TraceRecord[];
  readonly summary: RunSummary | null;
  /** A simulator error that ended the run, or null. */
  readonly error: string | null;
  readonly seconds: number;
}

/** The first observation in which two runs differ (either side null: that run observed less). */
export interface Difference {
  readonly index: number;
  readonly a: Observation | null;
  readonly b: Observation | null;
}

export interface Comparison {
  readonly a: RunRecord;
  readonly b: RunRecord;
  readonly difference: Difference | null;
}

export interface NonintResult {
  readonly kind: NonintKind;
  /** Whose observations are compared ("VM 1 (victim)", "host (KServ)"). */
  readonly principal: string;
  readonly comparisons: readonly Comparison[];
  readonly pass: boolean;
}

// ---- the check ----

const OTHER = 'other';

/** The integrity environments: run A is the baseline, each B differs from it as its label says. */
export function integritySetups(): { readonly baseline: RunSetup; readonly variants: readonly RunSetup[] } {
  const victim: VmSetup = { name: VICTIM, guest: 'nonint-victim' };
  const baseline: RunSetup = {
    label: 'baseline: the other VM runs hello, KServ is benign', vms: [victim, { name: OTHER, guest: 'hello' }], host: {}, secret: SECRET_A,
  };
  return {
    baseline,
    variants: [
      { label: 'the other VM runs attacker', vms: [victim, { name: OTHER, guest: 'attacker' }], host: {}, secret: SECRET_A },
      {
        label: 'the other VM runs memtouch (1 MiB) and KServ skips 7 free pages per allocation',
        vms: [victim, { name: OTHER, guest: 'memtouch', defines: { MIB: 1 } }], host: { allocSkip: 7 }, secret: SECRET_A,
      },
      {
        label: 'KServ proposes one of the victim\'s pages for the attacker\'s first stage-2 fault',
        vms: [victim, { name: OTHER, guest: 'attacker' }], host: { steal: { thief: OTHER, victim: VICTIM } }, secret: SECRET_A,
      },
    ],
  };
}

/** The confidentiality runs: the same system, two secrets. */
export function confidentialitySetups(): readonly [RunSetup, RunSetup] {
  const vms: VmSetup[] = [{ name: VICTIM, guest: 'nonint-victim' }, { name: OTHER, guest: 'hello' }];
  return [
    { label: `secret A (seed 0x${SECRET_A.toString(16)})`, vms, host: {}, secret: SECRET_A },
    { label: `secret B (seed 0x${SECRET_B.toString(16)})`, vms, host: {}, secret: SECRET_B },
  ];
}

/** Integrity: the victim's observations in the baseline and in each other environment. */
export function checkIntegrity(opts: NonintOptions = {}): NonintResult {
  const { baseline, variants } = integritySetups();
  const chosen = variants.filter((v) => opts.only === undefined || v.label.includes(opts.only));
  const a = runOnce(baseline, ['victim'], opts);
  const comparisons = chosen.map((v) => {
    const b = runOnce(v, ['victim'], opts);
    return { a, b, difference: firstDifference(a.observations, b.observations) };
  });
  const pass = comparisons.every((c) => c.difference === null);
  return { kind: 'integrity', principal: `VM ${victimVmid(a)} (${VICTIM})`, comparisons, pass };
}

/**
 * Confidentiality: KServ's observations with secret A and with secret B. The victim's own view is
 * recorded too (`views.victim`), which shows that the secrets did reach it.
 */
export function checkConfidentiality(opts: NonintOptions = {}): NonintResult {
  const [sa, sb] = confidentialitySetups();
  const a = runOnce(sa, ['host', 'victim'], opts);
  const b = runOnce(sb, ['host', 'victim'], opts);
  const difference = firstDifference(a.observations, b.observations);
  return { kind: 'confidentiality', principal: 'host (KServ)', comparisons: [{ a, b, difference }], pass: difference === null };
}

function victimVmid(r: RunRecord): number {
  return r.summary?.vms.find((v) => v.name === VICTIM)?.vmid ?? 1;
}

/** The first index at which two observation sequences differ, or null if they are equal. */
export function firstDifference(a: readonly Observation[], b: readonly Observation[]): Difference | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || x.what !== y.what || x.value !== y.value) return { index: i, a: x ?? null, b: y ?? null };
  }
  return null;
}

// ---- one run ----

const imageCache = new Map<string, SignedImage>();

function image(vm: VmSetup): SignedImage {
  const defines = vm.guest === 'nonint-victim' ? { SECRET_IPA: VICTIM_SECRET_IPA, ...vm.defines } : vm.defines ?? {};
  const key = `${vm.guest} ${JSON.stringify(defines, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;
  let img = imageCache.get(key);
  if (img === undefined) {
    const flat = flattenElf(buildVmGuest(vm.guest, { defines }));
    if (!flat.ok) throw new Error(`nonint: ${vm.guest}: ${flat.error}`);
    img = signImage(vm.guest, flat.value, loadPrivateKey());
    imageCache.set(key, img);
  }
  return img;
}

/** Runs one setup and records what the `principals` observe (the first is the compared one). */
export function runOnce(setup: RunSetup, principals: readonly [Principal, ...Principal[]], opts: NonintOptions = {}): RunRecord {
  const trace: TraceRecord[] = [];
  let rec: Recorder | null = null;
  const sys = new System({
    mode: 'sekvm',
    cpus: opts.cpus ?? 2,
    ramMiB: opts.ramMiB ?? 64,
    seed: opts.seed ?? 1,
    vms: setup.vms.map((v) => ({ name: v.name, image: image(v), vcpus: 1 })),
    ...(opts.bugs && opts.bugs.length > 0 ? { bugs: opts.bugs } : {}),
    trace: (r) => {
      trace.push(r);
      opts.trace?.(setup.label, r);
      rec?.onEvent(r);
    },
  });
  sys.kserv.variation = setup.host;
  rec = new Recorder(sys, new Set(principals), setup.secret);
  const t0 = process.hrtime.bigint();
  let summary: RunSummary | null = null;
  let error: string | null = null;
  try {
    summary = sys.run();
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  rec.finish(summary, error, trace.length);
  const views: Partial<Record<Principal, readonly Observation[]>> = {};
  for (const p of principals) views[p] = rec.views[p];
  return { setup, observations: rec.views[principals[0]], views, trace, summary, error, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/** The victim's registers, in the order they are reported. */
const REG_NAMES: readonly string[] = [
  ...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp_el0', 'sp_el1', 'pc', 'pstate', ...CTXT_SYSREGS.map((s) => s.toLowerCase()),
];

/** KServ's vCPU struct fields it reads at an exit (besides x0–x30). */
const STRUCT_FIELDS: readonly (readonly [string, number])[] = [
  ['esr', VCPU.ESR], ['far', VCPU.FAR], ['hpfar', VCPU.HPFAR], ['exit_ec', VCPU.EXIT_EC], ['pc', VCPU.PC], ['pstate', VCPU.PSTATE],
];

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/**
 * Records one principal's observations from the event stream of a run. Reads memory and
 * registers only (plain loads, no cost, no interleaving point); the one write is the secret.
 */
class Recorder {
  readonly views: Record<Principal, Observation[]> = { victim: [], host: [] };
  private readonly view: KcoreView;
  private seq = 0;
  private victim: Vm | null = null;
  private victimExits = 0;
  private hostExits = 0;
  /** UART lines seen so far, per VM, by the victim and by the host. */
  private readonly uartLines: Record<Principal, Map<number, number>> = { victim: new Map(), host: new Map() };
  private readonly counters = new Map<string, number>();
  /** VM pages the host may map now (grant count > 0), from grant/revoke events. */
  private readonly granted = new Map<number, number>();
  private memoryTaken = false;

  constructor(private readonly sys: System, private readonly principals: ReadonlySet<Principal>, private readonly secret: bigint) {
    if (sys.kcore === null) throw new Error('nonint: needs SeKVM mode (KCore)');
    this.view = new KcoreView(sys.m, sys.kcore.lay);
  }

  private add(who: Principal, kind: string, what: string, value: string, page?: PageRef): void {
    this.views[who].push(page === undefined ? { what, value, kind, seq: this.seq } : { what, value, kind, seq: this.seq, page });
  }

  /** The next number of a per-kind counter (host events are numbered by kind). */
  private next(kind: string): number {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return n;
  }

  private victimVm(): Vm | null {
    this.victim ??= this.sys.kserv.vms.find((v) => v.name === VICTIM) ?? null;
    return this.victim;
  }

  onEvent(r: TraceRecord): void {
    this.seq = r.seq;
    const e = r.event;
    const victim = this.victimVm();
    if (e.kind === 's2-map' && victim !== null && e.vmid === victim.vmid && e.ipa === VICTIM_SECRET_IPA && e.level === 3) {
      this.sys.m.writePhys(BigInt(e.pfn) * 4096n, secretPage(this.secret));
    }
    if (e.kind === 'hvc' && e.nr === HVC.CLEAR_VM_S2_RANGE && !this.memoryTaken) {
      // Teardown begins: every VM has stopped, and no page has gone back to the host yet.
      this.memoryTaken = true;
      this.memorySnapshot('before teardown');
    }
    if (this.principals.has('victim')) this.victimEvent(e, victim);
    if (this.principals.has('host')) this.hostEvent(e);
  }

  private victimEvent(e: TraceEvent, victim: Vm | null): void {
    if (victim === null) return;
    // Exits because a physical interrupt arrived fall where timing puts them: not observations.
    if (e.kind === 'guest-exit' && e.vmid === victim.vmid && !e.irq) {
      const n = ++this.victimExits;
      const at = `VM ${e.vmid} exit ${n} (${ecName(esrEc(e.esr))})`;
      // KCore emits an exit it handles itself before resuming the VM (its registers are still on
      // the pCPU), and an exit to KServ after saving them in the shadow context.
      const regs = e.path === 'kcore' ? this.liveRegs(e.cpu) : this.shadowRegs(e.vmid, e.vcpu);
      for (let i = 0; i < REG_NAMES.length; i++) this.add('victim', 'exit registers', `${at}: ${REG_NAMES[i]}`, hex(regs[i]!));
    } else if (e.kind === 'uart' && e.vmid === victim.vmid) {
      const n = (this.uartLines.victim.get(e.vmid) ?? 0) + 1;
      this.uartLines.victim.set(e.vmid, n);
      this.add('victim', 'UART lines', `VM ${e.vmid} UART line ${n}`, JSON.stringify(e.line));
    }
  }

  private hostEvent(e: TraceEvent): void {
    switch (e.kind) {
      case 'guest-exit': {
        if (e.path !== 'kserv') return;
        const n = ++this.hostExits;
        const at = `host: exit ${n} (VM ${e.vmid} vCPU ${e.vcpu})`;
        const base = BigInt(vcpuAt(this.sys.hyp.sharedBase, e.vmid, e.vcpu));
        const m = this.sys.m;
        for (const [name, off] of STRUCT_FIELDS) this.add('host', 'exit information', `${at}: ${name}`, hex(m.read64(base + BigInt(off))));
        for (let r = 0; r < 31; r++) this.add('host', 'exposed registers', `${at}: x${r}`, hex(m.read64(base + BigInt(VCPU.REGS + r * 8))));
        for (const pfn of [...this.granted.keys()].sort((x, y) => x - y)) {
          this.add('host', 'granted page contents', `${at}: granted page ${hex(pfn)}`, this.pageValue(pfn), { pfn });
        }
        return;
      }
      case 'hvc-ret':
        this.add('host', 'hypercall results', `host: hypercall ${this.next('hvc')} (${e.name})`,
          `${e.rejected ? 'rejected ' : ''}${hex(e.ret)}`);
        return;
      case 'owner':
        this.add('host', 'owner and gfn changes', `host: owner change ${this.next('owner')}`,
          `pfn ${hex(e.pfn)}: ${this.view.principalName(e.from)} → ${this.view.principalName(e.to)}, gfn ${hex(e.gfn)}`);
        return;
      case 'host-map':
      case 'host-unmap':
        this.add('host', 'host stage-2 changes', `host: stage-2 change ${this.next('npt')}`,
          `${e.kind === 'host-map' ? 'map' : 'unmap'} pfn ${hex(e.pfn)}`);
        return;
      case 'grant':
      case 'revoke':
        if (e.count > 0) this.granted.set(e.pfn, e.count);
        else this.granted.delete(e.pfn);
        this.add('host', 'sharing changes', `host: sharing change ${this.next('share')}`,
          `VM ${e.vmid} ${e.kind}s pfn ${hex(e.pfn)} (count ${e.count})`);
        return;
      case 'uart': {
        const n = (this.uartLines.host.get(e.vmid) ?? 0) + 1;
        this.uartLines.host.set(e.vmid, n);
        this.add('host', 'UART lines', `host: VM ${e.vmid} UART line ${n}`, JSON.stringify(e.line));
        return;
      }
      default:
    }
  }

  /** At the end of the run: the last snapshot, and how the run ended. */
  finish(summary: RunSummary | null, error: string | null, events: number): void {
    this.seq = Math.max(0, events - 1);
    if (this.principals.has('victim')) {
      if (!this.memoryTaken) this.victimMemory('at the end (no teardown)');
      const vm = summary?.vms.find((v) => v.name === VICTIM);
      const end = error !== null ? `simulator error: ${error}` : `${vm?.state ?? 'not created'}${vm?.failure ? `: ${vm.failure}` : ''}`;
      this.add('victim', 'end of run', `VM ${vm?.vmid ?? '?'}: end of run`, end);
    }
    if (this.principals.has('host')) {
      if (!this.memoryTaken) this.hostMemory('before teardown (none happened)');
      this.hostMemory('after teardown');
      this.add('host', 'end of run', 'host: end of run', error !== null ? `simulator error: ${error}` : summary?.stop ?? '?');
    }
  }

  private memorySnapshot(when: string): void {
    if (this.principals.has('victim')) this.victimMemory(when);
    if (this.principals.has('host')) this.hostMemory(when);
  }

  /** The victim's private memory: per gfn of its RAM window, the page it owns there, or "not owned". */
  private victimMemory(when: string): void {
    const vm = this.victimVm();
    if (vm === null) return;
    const byGfn = new Map<bigint, number>();
    for (const pfn of this.view.ramPfns()) {
      const p = this.view.s2page(pfn);
      if (p.owner === vm.vmid) byGfn.set(p.gfn, pfn);
    }
    const first = BigInt(vm.ramBase / 4096);
    const end = first + BigInt(vm.ramBytes / 4096);
    for (let g = first; g < end; g++) {
      const pfn = byGfn.get(g);
      const value = pfn === undefined ? 'not owned' : this.pageValue(pfn);
      this.add('victim', 'private memory pages', `VM ${vm.vmid} memory ${when}: gfn ${hex(g)}`, value, { vmid: vm.vmid, gfn: g });
      byGfn.delete(g);
    }
    // Pages it owns outside its RAM window (none in a correct run).
    for (const [g, pfn] of [...byGfn].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      this.add('victim', 'private memory pages', `VM ${vm.vmid} memory ${when}: gfn ${hex(g)}`, this.pageValue(pfn), { vmid: vm.vmid, gfn: g });
    }
  }

  /** Every RAM page as the host sees it: host pages by contents, others by owner and gfn. */
  private hostMemory(when: string): void {
    for (const pfn of this.view.ramPfns()) {
      const p = this.view.s2page(pfn);
      const value = p.owner === HOSTVISOR ? `host, count ${p.count}, ${this.pageValue(pfn)}`
        : p.owner === COREVISOR || p.owner === INVALID_MEM ? this.view.principalName(p.owner)
          : `${this.view.principalName(p.owner)}, gfn ${hex(p.gfn)}`;
      this.add('host', `pages ${when}`, `host: page ${hex(pfn)} ${when}`, value, { pfn });
    }
  }

  /** A page's contents in a comparable form: a hash and its first non-zero word. */
  private pageValue(pfn: number): string {
    const ram32 = this.sys.m.ram32();
    const base = (pfn * 4096 - Number(this.sys.m.ramBase)) / 4;
    let h = 0x811c9dc5;
    let firstNz = -1;
    for (let i = 0; i < 1024; i++) {
      const w = ram32[base + i]!;
      if (w !== 0 && firstNz < 0) firstNz = i;
      h = Math.imul(h ^ w, 0x01000193) >>> 0;
    }
    if (firstNz < 0) return 'zero';
    const i = firstNz & ~1;
    const word = (BigInt(ram32[base + i + 1]!) << 32n) | BigInt(ram32[base + i]!);
    return `hash ${hex(h)}, first non-zero word at +${hex(i * 4)}: ${hex(word)}`;
  }

  /** The victim's registers from KCore's shadow context (an exit to KServ). */
  private shadowRegs(vmid: number, vcpu: number): bigint[] {
    const s = (slot: number): bigint => this.view.shadow(vmid, vcpu, slot);
    const out: bigint[] = [];
    for (let r = 0; r < 31; r++) out.push(s(r));
    out.push(s(V.SP), s(V.SP_EL1), s(V.PC), s(V.PSTATE));
    for (let i = 0; i < CTXT_SYSREGS.length; i++) out.push(s(V.SYSREGS_START + i));
    return out;
  }

  /** The victim's registers on the pCPU (an exit KCore handled without leaving the VM's context). */
  private liveRegs(cpu: number): bigint[] {
    const m = this.sys.m;
    const out: bigint[] = [];
    for (let r = 0; r < 31; r++) out.push(m.getX(cpu, r));
    out.push(m.getSp(cpu, 0), m.getSp(cpu, 1), m.getSysRaw(cpu, 'ELR_EL2'), m.getSysRaw(cpu, 'SPSR_EL2'));
    for (const name of CTXT_SYSREGS) out.push(m.getSysRaw(cpu, name));
    return out;
  }
}

/** The 4 KB secret for a seed (splitmix64). */
export function secretPage(seed: bigint): Uint8Array {
  const out = new Uint8Array(4096);
  const dv = new DataView(out.buffer);
  let x = BigInt.asUintN(64, seed);
  for (let i = 0; i < 512; i++) {
    x = BigInt.asUintN(64, x + 0x9e3779b97f4a7c15n);
    let z = x;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    dv.setBigUint64(i * 8, z ^ (z >> 31n), true);
  }
  return out;
}

// ---- reporting ----

/** Observations of a run by category, in first-seen order. */
export function countsByKind(obs: readonly Observation[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of obs) out.set(o.kind, (out.get(o.kind) ?? 0) + 1);
  return out;
}

/** "3,404 observations (1,740 exit registers, …)". */
export function describeCounts(obs: readonly Observation[]): string {
  const parts = [...countsByKind(obs)].map(([k, n]) => `${n.toLocaleString('en-US')} ${k}`);
  return `${obs.length.toLocaleString('en-US')} observations (${parts.join(', ')})`;
}

function showObs(o: Observation | null): string {
  return o === null ? 'nothing (the run observed less)' : o.value;
}

/** The first-difference message: `first difference: observation #123 (VM 1 exit 57 (HVC64): x19): run A 0x…, run B 0x…`. */
export function differenceLine(d: Difference): string {
  const a = d.a;
  const b = d.b;
  if (a !== null && b !== null && a.what !== b.what) {
    return `first difference: observation #${d.index + 1}: run A observed (${a.what}) = ${a.value}, run B observed (${b.what}) = ${b.value}`;
  }
  const what = (a ?? b)!.what;
  return `first difference: observation #${d.index + 1} (${what}): run A ${showObs(a)}, run B ${showObs(b)}`;
}

/** The pfn a page event concerns, or null. */
function eventPfn(e: TraceEvent): number | null {
  switch (e.kind) {
    case 'owner': case 'host-map': case 'host-unmap': case 's2-map': case 'grant': case 'revoke':
      return e.pfn;
    default:
      return null;
  }
}

/**
 * The events that lead to an observation, one line each: the last `context` events before it;
 * for an observation about a page, the last `context` events that concern that page (its pfn,
 * or any pfn that backed the VM's gfn), then the event at which it was observed.
 */
export function traceAround(run: RunRecord, o: Observation | null, context: number): string[] {
  const end = o === null ? run.trace.length : Math.min(run.trace.length, o.seq + 1);
  let picked: TraceRecord[];
  const page = o?.page;
  if (page === undefined) {
    picked = run.trace.slice(Math.max(0, end - context), end);
  } else {
    const pfns = new Set<number>(page.pfn !== undefined ? [page.pfn] : []);
    const about: TraceRecord[] = [];
    for (let i = 0; i < end - 1; i++) {
      const r = run.trace[i]!;
      const e = r.event;
      if (e.kind === 'owner' && page.vmid !== undefined && e.to === page.vmid && e.gfn === page.gfn) pfns.add(e.pfn);
      const pfn = eventPfn(e);
      if (pfn !== null && pfns.has(pfn)) about.push(r);
    }
    picked = [...about.slice(-context), ...(end > 0 ? [run.trace[end - 1]!] : [])];
    if (about.length === 0) picked = run.trace.slice(Math.max(0, end - context), end);
  }
  return picked.map((r) => `  [${r.seq} cpu${r.event.cpu}] ${describeEvent(r.event)}`);
}

/** The report of one check: what was compared, then PASS, or the first difference with both traces. */
export function formatResult(res: NonintResult, context = 8): string[] {
  const lines: string[] = [];
  const { kind, principal } = res;
  const first = res.comparisons[0];
  if (first === undefined) return [`${kind}: no runs`];
  lines.push(`${kind}: what ${principal} observes`);
  if (kind === 'integrity') lines.push(`  run A: ${first.a.setup.label}: ${describeCounts(first.a.observations)}`);
  for (const c of res.comparisons) {
    if (kind === 'confidentiality') {
      lines.push(`  run A: ${c.a.setup.label}: ${describeCounts(c.a.observations)}`);
      lines.push(`  run B: ${c.b.setup.label}: ${describeCounts(c.b.observations)}`);
    } else {
      lines.push(`  run B: ${c.b.setup.label}: ${describeCounts(c.b.observations)}`);
    }
    for (const r of kind === 'confidentiality' ? [c.a, c.b] : [c.b]) {
      if (r.error !== null) lines.push(`    (that run ended with a simulator error: ${r.error})`);
    }
    const d = c.difference;
    if (d === null) {
      lines.push(`    identical to run A`);
      continue;
    }
    lines.push(`    ${differenceLine(d)}`);
    const about = (d.a ?? d.b)?.page !== undefined ? 'the events that concern the page, and the last one' : 'the events up to it';
    lines.push(`    run A (${c.a.setup.label}), ${about}:`);
    lines.push(...traceAround(c.a, d.a, context).map((l) => `    ${l}`));
    lines.push(`    run B (${c.b.setup.label}), ${about}:`);
    lines.push(...traceAround(c.b, d.b, context).map((l) => `    ${l}`));
  }
  lines.push(`${kind}: ${res.pass ? 'PASS' : 'FAIL'}`);
  return lines;
}
