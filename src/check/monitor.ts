/**
 * The live checker (`--check`): watches KCore through its single memory door (src/kcore/observe.ts)
 * and the run's events, and checks the invariants of src/check/invariants.ts
 *  - incrementally, whenever no pCPU is inside KCore any more: only the pages, mappings, banks and
 *    windows KCore changed since the last check, plus the per-CPU facts and the TLBs (both
 *    bounded by the number of pCPUs and TLB entries, not by the number of pages);
 *  - on the spot, for the rules that are about a moment rather than a state: a page leaving a
 *    VM must already be zero (scrubbed), KCore must not write a live VM's page (integrity), and
 *    an exit must expose only what §2.4 allows;
 *  - fully (every table walked from memory, independent of the indexes) every `fullEvery` checks
 *    and on demand; rebuild() resynchronises the indexes themselves.
 * It only reads: observing changes nothing in the run (DESIGN.md rule 6).
 *
 * The indexes (which table page is at which level of whose table, and which mappings point at a
 * pfn) are built from the descriptors KCore writes, and only say *where to look*: every rule is
 * evaluated on the descriptor and s2page values read from memory at check time.
 */
import type { Machine } from '../machine/machine.js';
import type { KcoreEvent, KcoreObserver } from '../kcore/observe.js';
import type { LockId } from '../kcore/locks.js';
import type { TraceEvent } from '../trace/events.js';
import type { KcoreLayout } from '../kcore/layout.js';
import { S2PAGE_BYTES, VM_INFO_BYTES, VMI, CORE } from '../kcore/layout.js';
import {
  HOSTVISOR, COREVISOR, MAX_VM_NUM, VM_STATE, V_INVALID, HVC, EL2_MAX_VMID, HYPSEC_MAX_VCPUS,
} from '../kcore/constants.js';
import { vcpuAt, VCPU } from '../kcore/shared-abi.js';
import { PSCI } from '../board/psci.js';
import { EC, esrEc } from '../arch/esr.js';
import { D_ADDR_MASK, isTable, isValid, levelSize } from '../arch/desc.js';
import { lookupLeaf, stage2Geometry, walkTables, type Leaf, type TableGeometry } from '../arch/pgwalk.js';
import { KcoreView } from './view.js';
import {
  type Witness, checkAll, checkHostPage, checkVmPage, checkSmmuLeaf, checkSharePage, checkPage0, checkCpus,
  checkVmids, checkTlbEntry, checkRemapRange, checkCoreMapLeaf, liveVm,
} from './invariants.js';

/** Whose table a page belongs to. */
export type TableOwner = { readonly kind: 'host' } | { readonly kind: 'vm'; readonly v: number } | { readonly kind: 'el2' } | { readonly kind: 'smmu'; readonly id: number };

export interface TablePage {
  readonly owner: TableOwner;
  readonly level: number;
  /** Input address covered by entry 0 of this page. */
  readonly base: bigint;
  readonly geo: TableGeometry;
}

export interface CheckerOptions {
  /**
   * Full check every N incremental checks (0 = never automatically). Default: 256 for every
   * 64 MiB of RAM (at least 256), so the full checks' share of the time — each reads every
   * page — is the same at any RAM size and the cost per step does not grow with the pages.
   */
  readonly fullEvery?: number;
  /** Called with the witnesses of a failed check (the checker keeps them too). */
  readonly onViolation?: (w: readonly Witness[]) => void;
  readonly sharedBase: number;
  /**
   * Start from these indexes (Checker.exportIndex of a checker that watched the same memory)
   * instead of rebuilding them from memory: for restoring a machine snapshot cheaply.
   */
  readonly index?: CheckerIndex;
}

/** The checker's indexes (where tables are, which mappings point at which pfn). */
export interface CheckerIndex {
  /** Table pages by pfn. */
  readonly tables: ReadonlyMap<number, TablePage>;
  readonly rmap: ReadonlyMap<number, ReadonlySet<string>>;
}

/** Full checks every `per64MiB` incremental checks for each 64 MiB of RAM (at least `per64MiB`). */
export function fullEveryFor(ramPages: number, per64MiB: number): number {
  return Math.max(per64MiB, Math.round(per64MiB * ramPages / 16384));
}

/**
 * Table pages by pfn. Every KCore access asks whether its page is a table page; most are not, and
 * a bit per page of the range given (KCore's region) answers that without a map lookup.
 */
class TableRegistry {
  private readonly map = new Map<number, TablePage>();
  /** A bit per page of the range: set when the page may be a table. */
  private readonly bits: Uint32Array;
  private readonly pages: number;

  constructor(private readonly firstPfn: number, pages: number) {
    this.pages = pages;
    this.bits = new Uint32Array((pages + 31) >>> 5);
  }

  get(pfn: number): TablePage | undefined {
    const i = pfn - this.firstPfn;
    if (i >= 0 && i < this.pages && (this.bits[i >>> 5]! & (1 << (i & 31))) === 0) return undefined;
    return this.map.get(pfn);
  }

  set(pfn: number, t: TablePage): void {
    const i = pfn - this.firstPfn;
    if (i >= 0 && i < this.pages) this.bits[i >>> 5]! |= 1 << (i & 31);
    this.map.set(pfn, t);
  }

  clear(): void {
    this.bits.fill(0);
    this.map.clear();
  }

  entries(): IterableIterator<[number, TablePage]> {
    return this.map.entries();
  }
}

/** A mapping key "owner/ipa-in-hex" (the reverse map's entries) taken apart, once per key. */
function mappingOf(key: string): { readonly who: string; readonly ipa: bigint } {
  let m = MAPPINGS.get(key);
  if (m === undefined) {
    const slash = key.indexOf('/');
    m = { who: key.slice(0, slash), ipa: BigInt(`0x${key.slice(slash + 1)}`) };
    if (MAPPINGS.size >= 1 << 16) MAPPINGS.clear();   // (bounded: keys are a few per mapping)
    MAPPINGS.set(key, m);
  }
  return m;
}

const MAPPINGS = new Map<string, { readonly who: string; readonly ipa: bigint }>();

/** Whether `locks` has the lock of `kind` (for npt: principal v's). */
function holds(locks: readonly LockId[], kind: string, v: number): boolean {
  for (let i = 0; i < locks.length; i++) {
    const l = locks[i]!;
    if (l.kind === kind && (kind !== 'npt' || l.v === v)) return true;
  }
  return false;
}

export class Checker implements KcoreObserver {
  readonly view: KcoreView;
  /** Every witness found, in order. */
  readonly violations: Witness[] = [];
  /** KCore entries seen (handler enter events), incremental and full checks run, events seen. */
  readonly stats = { entries: 0, incremental: 0, full: 0, events: 0 };
  private readonly inKcore = new Set<number>();
  /** Table pages by pfn. */
  private readonly tables: TableRegistry;
  /**
   * pfn → mapping keys "owner/ipa" that pointed at it when written. The host's identity
   * mappings are not listed: the host mapping of pfn p to look at is IPA p itself (host_flatmap),
   * so checkPfn looks it up directly and only the host's non-identity mappings (a violation)
   * need the index.
   */
  private readonly rmap = new Map<number, Set<string>>();
  /**
   * The imported index's reverse map (CheckerOptions.index), shared and never changed: a pfn's
   * set is copied into `rmap` when it first changes (the fuzzer starts a checker per sequence).
   */
  private rmapBase: ReadonlyMap<number, ReadonlySet<string>> = new Map();
  private readonly dirtyPfns = new Set<number>();
  private readonly dirtyMaps = new Set<string>();
  private dirtyRemap = false;
  /** Input ranges of KCore's EL2 table that changed (or that the remap pointer gave back): core_map there. */
  private readonly el2Changed: { start: bigint; end: bigint }[] = [];
  private readonly dirtySmmu = new Set<number>();
  /** Shared-struct registers of each running vCPU as KServ left them at VCPU_RUN. */
  /** By vmid · HYPSEC_MAX_VCPUS + vcpu. */
  private readonly exposure = new Map<number, BigUint64Array>();
  private sinceFull = 0;
  /** Pages given back to the host by a VM since the s2pages lock was last released. */
  private readonly leftVm: { pfn: number; vmid: number }[] = [];
  /** pfn → its owner before KCore first changed it since no pCPU was inside KCore (vm_page_integrity). */
  private readonly ownerBefore = new Map<number, number>();
  private readonly fullEvery: number;
  // KCore's layout as numbers: onEvent runs for every KCore access.
  private readonly s2pagesStart: number;
  private readonly s2pagesEnd: number;
  private readonly vmInfoStart: number;
  private readonly vmInfoEnd: number;
  private readonly smmuCfgStart: number;
  private readonly smmuCfgEnd: number;
  private readonly regionStart: number;
  private readonly regionEnd: number;
  /** stats.events at the last incremental check (see checkIfChanged). */
  private eventsChecked = -1;

  constructor(readonly m: Machine, readonly lay: KcoreLayout, private readonly opts: CheckerOptions) {
    this.view = new KcoreView(m, lay);
    this.fullEvery = opts.fullEvery ?? fullEveryFor(lay.ramPages, 256);
    this.s2pagesStart = Number(lay.s2pages);
    this.s2pagesEnd = this.s2pagesStart + lay.ramPages * S2PAGE_BYTES;
    this.vmInfoStart = Number(lay.vmInfo);
    this.vmInfoEnd = this.vmInfoStart + (EL2_MAX_VMID + 1) * VM_INFO_BYTES;
    this.smmuCfgStart = Number(lay.smmuCfg);
    this.smmuCfgEnd = this.smmuCfgStart + this.view.smmuCfgCount() * 16;
    this.regionStart = Number(lay.base);
    this.regionEnd = Number(lay.end);
    // KCore's own accesses, the ones asked about most, fall in its region (its tables come from
    // pools there too: a table page anywhere else is still found, through the map).
    this.tables = new TableRegistry(Number(lay.base >> 12n), Number((lay.end - lay.base) >> 12n));
    if (opts.index) {
      for (const [k, v] of opts.index.tables) this.tables.set(k, v);
      this.rmapBase = opts.index.rmap;
    } else {
      this.rebuild();
    }
  }

  /** A copy of the indexes, to start another checker on the same memory (see CheckerOptions.index). */
  exportIndex(): CheckerIndex {
    const rmap = new Map<number, ReadonlySet<string>>(this.rmapBase);
    for (const [k, v] of this.rmap) rmap.set(k, new Set(v));
    return { tables: new Map(this.tables.entries()), rmap };
  }

  /** The mapping keys recorded for pfn (read only). */
  private rmapOf(pfn: number): ReadonlySet<string> | undefined {
    return this.rmap.get(pfn) ?? this.rmapBase.get(pfn);
  }

  /** pfn's mapping keys, to change. */
  private rmapMut(pfn: number): Set<string> {
    let s = this.rmap.get(pfn);
    if (!s) this.rmap.set(pfn, (s = new Set(this.rmapBase.get(pfn))));
    return s;
  }

  // ---- indexes ----

  private ownerKey(o: TableOwner): string {
    return o.kind === 'vm' ? `vm${o.v}` : o.kind === 'smmu' ? `smmu${o.id}` : o.kind;
  }

  private registerRoot(owner: TableOwner, geo: TableGeometry): void {
    const pages = Math.max(1, (1 << geo.startIndexBits) / 512);
    const span = BigInt(levelSize(geo.startLevel)) * 512n;
    for (let p = 0; p < pages; p++) this.tables.set(Number(geo.root >> 12n) + p, { owner, level: geo.startLevel, base: BigInt(p) * span, geo });
  }

  /** Rebuilds the table registry and the reverse map from memory (a full resynchronisation). */
  rebuild(): void {
    this.tables.clear();
    this.rmap.clear();
    this.rmapBase = new Map();
    const roots: [TableOwner, TableGeometry][] = [[{ kind: 'host' }, this.view.geometry(HOSTVISOR)!], [{ kind: 'el2' }, this.view.geometry(COREVISOR)!]];
    for (let v = 1; v <= MAX_VM_NUM; v++) roots.push([{ kind: 'vm', v }, this.view.geometry(v)!]);
    for (let id = 0; id < this.view.smmuCfgCount(); id++) roots.push([{ kind: 'smmu', id }, stage2Geometry(this.view.smmuCfg(id).root)]);
    for (const [owner, geo] of roots) {
      this.registerRoot(owner, geo);
      walkTables(this.view.read, geo, { leaf: (l) => this.index(owner, l) });
      this.registerSubtables(owner, geo);
    }
  }

  /** Registers every non-root table page of a tree with its level and base. */
  private registerSubtables(owner: TableOwner, geo: TableGeometry): void {
    const visit = (table: bigint, level: number, base: bigint, entries: number): void => {
      const size = BigInt(levelSize(level));
      for (let i = 0; i < entries; i++) {
        const d = this.view.read(table + BigInt(i * 8));
        if (!isTable(d, level)) continue;
        const next = d & D_ADDR_MASK;
        const b = base + BigInt(i) * size;
        this.tables.set(Number(next >> 12n), { owner, level: level + 1, base: b, geo });
        visit(next, level + 1, b, 512);
      }
    };
    visit(geo.root, geo.startLevel, 0n, 1 << geo.startIndexBits);
  }

  private index(owner: TableOwner, l: Leaf): void {
    if (owner.kind === 'host' && l.outBase === l.inBase) return;   // looked up directly (see rmap)
    const key = this.ownerKey(owner);
    const pages = Number(l.size >> 12n);
    const first = Number(l.outBase >> 12n);
    for (let i = 0; i < pages; i++) {
      this.rmapMut(first + i).add(`${key}/${(l.inBase + BigInt(i) * 4096n).toString(16)}`);
    }
  }

  // ---- observer ----

  onEvent(e: KcoreEvent): void {
    this.stats.events++;
    if (e.kind === 'handler') {
      if (e.phase === 'enter') {
        this.inKcore.add(e.cpu);
        this.stats.entries++;
      } else {
        this.inKcore.delete(e.cpu);
        if (this.inKcore.size === 0) {
          this.ownerBefore.clear();
          this.checkNow();
        }
      }
      return;
    }
    if (e.kind === 'lock') {
      // §4.3: the host can map a page only under the s2pages lock, so a page that left a VM
      // must be zero by the time the lock that changed its owner is released.
      if (!e.acquire && e.lock.kind === 's2page') this.checkScrubbed(e.cpu);
      return;
    }
  }

  access(cpu: number, pa: number, size: number, write: boolean, value: bigint, old: bigint, locks: readonly LockId[]): void {
    this.stats.events++;
    if (size !== 8 && size !== 4096) {
      // A register context moved in one piece (KcoreObserver.access): KCore's own data, outside
      // lock discipline and every invariant — unless it ran into something that is not.
      this.checkRun(pa, size);
      return;
    }
    const pfn = Math.floor(pa / 4096);
    if (size === 8) this.checkLocks(cpu, pa, pfn, locks, write);
    if (!write) return;
    if (size === 4096) {
      this.pageWritten(cpu, pfn);
      return;
    }
    if (pa >= this.s2pagesStart && pa < this.s2pagesEnd) {
      this.s2pageWritten(pa, value, old);
      return;
    }
    const t = this.tables.get(pfn);
    if (t !== undefined) {
      if (value !== 0n || old !== 0n) this.descriptorWritten(t, BigInt(pa), value, old);   // (0 over 0 changes nothing)
      return;
    }
    if (pa >= this.vmInfoStart && pa < this.vmInfoEnd) {
      // The VM state and its boot images matter to the remap rules; vCPU states and the table
      // pool's bump pointer do not.
      const off = (pa - this.vmInfoStart) % VM_INFO_BYTES;
      if (off === VMI.STATE || off === VMI.LOAD_INFO_CNT || (off >= VMI.LOAD_INFO && off < VMI.PUBLIC_KEY)) this.dirtyRemap = true;
      return;
    }
    if (pa >= this.smmuCfgStart && pa < this.smmuCfgEnd) {
      this.dirtySmmu.add(Math.floor((pa - this.smmuCfgStart) / 16));
      return;
    }
    if (pa === this.regionStart + CORE.NEXT_REMAP_PTR && value < old) {
      // The remap pointer moved down: what the EL2 table maps above it now breaks core_map.
      this.el2Changed.push({ start: value, end: old });
      this.dirtyRemap = true;
    }
    if (pa >= this.regionStart && pa < this.regionEnd) return;   // KCore's own data
    // A store outside KCore's region: shared data (host pages) is fine, a live VM's page is not.
    const owner = this.view.s2page(pfn).owner;
    if (owner >= 1 && owner <= MAX_VM_NUM && liveVm(this.view, owner)) {
      this.report([{ invariant: 'vm_page_integrity', pfn, vmid: owner, cpu,
        message: `KCore on pCPU ${cpu} stored to PA 0x${pa.toString(16)}, a page of live VM ${owner}` }]);
    }
  }

  /** A run of words must stay in KCore's region, clear of the data the checks watch. */
  private checkRun(pa: number, size: number): void {
    const end = pa + size;
    const meets = (a: number, b: number): boolean => pa < b && a < end;
    let bad = pa < this.regionStart || end > this.regionEnd || meets(this.s2pagesStart, this.s2pagesEnd) ||
      meets(this.vmInfoStart, this.vmInfoEnd) || meets(this.smmuCfgStart, this.smmuCfgEnd);
    for (let p = Math.floor(pa / 4096); !bad && p * 4096 < end; p++) bad = this.tables.get(p) !== undefined;
    if (bad) throw new Error(`checker: KCore reported a run of ${size} bytes at 0x${pa.toString(16)} that reaches data the checks watch`);
  }

  /**
   * The locks of spec §3.7 that guard shared KCore data (the wDRF "DRF-Kernel" condition, §5.3):
   * the s2page array under s2pages_lock, principal v's stage-2 table under shadow_pt_lock(v),
   * the SMMU tables under spt_lock.
   */
  private checkLocks(cpu: number, pa: number, pfn: number, locks: readonly LockId[], write: boolean): void {
    let kind: 's2page' | 'spt' | 'npt';
    let v = 0;
    if (pa >= this.s2pagesStart && pa < this.s2pagesEnd) kind = 's2page';
    else {
      const t = this.tables.get(pfn);
      if (t === undefined) return;
      const o = t.owner;
      if (o.kind === 'smmu') kind = 'spt';
      else {
        kind = 'npt';
        v = o.kind === 'host' ? HOSTVISOR : o.kind === 'el2' ? COREVISOR : o.v;
      }
    }
    // A host stage-2 entry is written only while the ownership it depends on cannot change:
    // map_page_host and clear_pfn_host run inside s2pages_lock (MemAux.c), so no page can be
    // handed to a VM between the owner check and the host mapping.
    let name: string;
    if (write && kind === 'npt' && v === HOSTVISOR && !holds(locks, 's2page', 0)) name = 's2pages_lock (a host stage-2 entry depends on page ownership)';
    else if (holds(locks, kind, v)) return;
    else name = kind === 's2page' ? 's2pages_lock' : kind === 'spt' ? 'spt_lock' : `shadow_pt_lock(${v})`;
    this.report([{ invariant: 'lock_discipline', cpu,
      message: `KCore on pCPU ${cpu} ${write ? 'wrote' : 'read'} 0x${pa.toString(16)} without holding ${name} (held: ${locks.map((l) => `${l.kind}${l.kind === 'npt' || l.kind === 'vm' ? `(${l.v})` : ''}`).join(', ') || 'none'})` }]);
  }

  /**
   * A whole page written (decryption, copies) or zeroed (scrubbing). A page the host handed over
   * in this KCore entry may be written for its new owner: DECRYPT_BUF turns the host's data into
   * the VM's (a data-oracle flow, spec §4.2). Any other write to a page of a live VM — one the VM
   * owns now, or one KCore just took from it — is on another principal's behalf; the witness
   * names that VM.
   */
  private pageWritten(cpu: number, pfn: number): void {
    const owner = this.view.s2page(pfn).owner;
    const before = this.ownerBefore.get(pfn);
    const candidates = before === undefined ? [owner] : before === HOSTVISOR ? [] : [before, owner];
    const victim = candidates.find((v) => v >= 1 && v <= MAX_VM_NUM && liveVm(this.view, v));
    if (victim === undefined) return;
    const how = this.view.pageIsZero(pfn) ? 'zeroed' : 'overwrote';
    const whose = victim === owner ? `a page of live VM ${victim}` : `a page it just took from live VM ${victim} (now ${this.view.principalName(owner)}'s)`;
    this.report([{ invariant: 'vm_page_integrity', pfn, vmid: victim, cpu,
      message: `KCore on pCPU ${cpu} ${how} pfn 0x${pfn.toString(16)}, ${whose} (state ${this.view.vmState(victim)})` }]);
  }

  private s2pageWritten(pa: number, value: bigint, old: bigint): void {
    const off = pa - this.s2pagesStart;
    const pfn = Number(this.lay.ramBase >> 12n) + Math.floor(off / S2PAGE_BYTES);
    this.dirtyPfns.add(pfn);
    if (off % S2PAGE_BYTES !== 0) return;   // the gfn word
    const from = Number(old >> 32n);
    const to = Number(value >> 32n);
    if (from !== to && !this.ownerBefore.has(pfn)) this.ownerBefore.set(pfn, from);
    if (from !== to && from >= 1 && from <= MAX_VM_NUM && to === HOSTVISOR) this.leftVm.push({ pfn, vmid: from });
  }

  /** Pages that went from a VM to the host under the s2pages lock now being released. */
  private checkScrubbed(cpu: number): void {
    if (this.leftVm.length === 0) return;
    for (const { pfn, vmid } of this.leftVm) {
      if (this.view.s2page(pfn).owner === HOSTVISOR && !this.view.pageIsZero(pfn)) {
        this.report([{ invariant: 'scrubbed', pfn, vmid, cpu,
          message: `pfn 0x${pfn.toString(16)} went from VM ${vmid} back to the host and the s2pages lock was released before it was zeroed` }]);
      }
    }
    this.leftVm.length = 0;
  }

  private descriptorWritten(t: TablePage, pa: bigint, d: bigint, old: bigint): void {
    const i = Number((pa & 0xfffn) >> 3n);
    const size = BigInt(levelSize(t.level));
    const addr = t.base + BigInt(i) * size;
    if (t.owner.kind === 'el2') {
      this.dirtyRemap = true;
      // core_map over what the entry now translates (a whole subtable, if it installed one).
      if (isValid(d)) this.el2Changed.push({ start: addr, end: addr + size });
    }
    if (isTable(d, t.level)) {
      const next = d & D_ADDR_MASK;
      this.tables.set(Number(next >> 12n), { owner: t.owner, level: t.level + 1, base: addr, geo: t.geo });
      this.dirtyPfns.add(Number(next >> 12n));   // pt_pages_kcore for the new table page
      this.dirtyMaps.add(`table:${next.toString(16)}`);
    } else if (isValid(d)) {
      const outBase = d & D_ADDR_MASK & ~(size - 1n);
      this.index(t.owner, { desc: d, level: t.level, descPa: pa, inBase: addr, size, outBase });
      this.dirtyMaps.add(`${this.ownerKey(t.owner)}/${addr.toString(16)}`);
    }
    if (isValid(old) && !isTable(old, t.level)) {
      // the page(s) it used to map: their other mappings and owners are re-checked
      const oldOut = old & D_ADDR_MASK & ~(size - 1n);
      for (let p = 0n; p < size >> 12n; p++) this.dirtyPfns.add(Number((oldOut >> 12n) + p));
    }
  }

  /** Run events (the exit path), for exit_exposure. */
  onTrace(e: TraceEvent): void {
    if (e.kind === 'hvc' && e.nr === HVC.VCPU_RUN) {
      const vmid = Number(e.args[0] ?? 0n);
      const vcpu = Number(e.args[1] ?? 0n);
      if (!(vmid >= 1 && vmid <= MAX_VM_NUM && vcpu >= 0 && vcpu < HYPSEC_MAX_VCPUS)) return;
      const at = vcpuAt(this.opts.sharedBase, vmid, vcpu) + VCPU.REGS;
      this.exposure.set(vmid * HYPSEC_MAX_VCPUS + vcpu, this.view.words(at, 31));
    } else if (e.kind === 'guest-exit' && e.path !== 'kcore' && !e.irq) {
      const before = this.exposure.get(e.vmid * HYPSEC_MAX_VCPUS + e.vcpu);
      if (before) this.checkExposure(e.cpu, e.vmid, e.vcpu, e.esr, before);
    }
  }

  /**
   * §2.4: on an HVC exit KServ sees x0 (x1–x3 for PSCI CPU_ON, x1–x2 for AFFINITY_INFO); on an
   * MMIO write the written register; on a trapped SGI write (GICv3) the written register;
   * nothing else. A shared-struct register that changed during the run to the guest's own value
   * was exposed.
   */
  private checkExposure(cpu: number, vmid: number, vcpu: number, esr: number, before: BigUint64Array): void {
    const allowed = new Set<number>();
    const ec = esrEc(esr);
    const guestX = (r: number): bigint => this.view.shadow(vmid, vcpu, r);
    if (ec === EC.HVC64) {
      allowed.add(0);
      const fn = Number(guestX(0) & 0xffff_ffffn);
      if (fn === PSCI.CPU_ON_64 || fn === PSCI.CPU_ON_32) [1, 2, 3].forEach((r) => allowed.add(r));
      if (fn === PSCI.AFFINITY_INFO_64 || fn === PSCI.AFFINITY_INFO_32) [1, 2].forEach((r) => allowed.add(r));
    } else if (ec === EC.DABT_LOW) {
      if ((esr & (1 << 6)) !== 0) allowed.add((esr >>> 16) & 31);
    } else if (ec === EC.SYS64) {
      allowed.add((esr >>> 5) & 31);
    }
    const at = vcpuAt(this.opts.sharedBase, vmid, vcpu) + VCPU.REGS;
    const leaked: number[] = [];
    for (let r = 0; r < 31; r++) {
      if (allowed.has(r)) continue;
      const now = this.view.read(BigInt(at + r * 8));
      if (now !== before[r] && now === guestX(r)) leaked.push(r);
    }
    if (leaked.length) {
      this.report([{ invariant: 'exit_exposure', cpu, vmid,
        message: `exit of VM ${vmid} vCPU ${vcpu} (ESR 0x${esr.toString(16)}) exposed ${leaked.map((r) => `x${r}`).join(', ')} to KServ` }]);
    }
  }

  // ---- checking ----

  /** True while some pCPU is inside KCore (its updates may be half done). */
  get busy(): boolean {
    return this.inKcore.size > 0;
  }

  /**
   * The incremental check, unless KCore has reported nothing since the last one (then its
   * result would be the same: everything it reads is KCore's memory, which changes only through
   * the door, and the TLB entries it looks at are those of pages that changed hands).
   */
  checkIfChanged(): Witness[] {
    return this.stats.events === this.eventsChecked ? [] : this.checkNow();
  }

  /**
   * Block leaves (1 GB, 2 MB) found during one check, by table root and 2 MB region: a block
   * moved to a VM has 512 pages whose mappings are all that one leaf. Memory does not change
   * during a check; the cache lives for one.
   */
  private readonly blockLeaves = new Map<number, Leaf>();

  /** lookupLeaf through blockLeaves. */
  private leafOf(geo: TableGeometry, ipa: bigint): Leaf | null {
    const key = (Number(geo.root) / 4096) * 2 ** 28 + Math.floor(Number(ipa) / 2 ** 21);   // (root pfn, 2 MB region): exact below 2^53
    const b = this.blockLeaves.get(key);
    if (b !== undefined) return b;
    const l = lookupLeaf(this.view.read, geo, ipa);
    if (l !== null && l.level < 3) this.blockLeaves.set(key, l);
    return l;
  }

  /** The incremental check (and a full one every `fullEvery`). */
  checkNow(): Witness[] {
    this.blockLeaves.clear();
    this.stats.incremental++;
    this.eventsChecked = this.stats.events;
    const out: Witness[] = [];
    const view = this.view;
    for (const key of this.dirtyMaps) this.checkMapping(key, out);
    for (const pfn of this.dirtyPfns) this.checkPfn(pfn, out);
    for (const id of this.dirtySmmu) this.checkBank(id, out);
    if (this.el2Changed.length) {
      const next = view.core('NEXT_REMAP_PTR');
      for (const range of this.el2Changed) walkTables(view.read, view.geometry(COREVISOR)!, { leaf: (l) => checkCoreMapLeaf(l.inBase, l.size, next, out) }, range);
      this.el2Changed.length = 0;
    }
    if (this.dirtyRemap) out.push(...checkRemapRange(view));
    // A TLB entry can only become stale when the page it leads to changes hands (a fill comes
    // from the tables, which are checked): the TLBs are searched for the pages that did.
    if (this.dirtyPfns.size) this.checkTlbsFor(this.dirtyPfns, out);
    this.dirtyMaps.clear();
    this.dirtyPfns.clear();
    this.dirtySmmu.clear();
    this.dirtyRemap = false;
    out.push(...checkPage0(view), ...checkCpus(this.m, view), ...checkVmids(view));
    if (this.fullEvery > 0 && ++this.sinceFull >= this.fullEvery) out.push(...this.checkFull());
    this.blockLeaves.clear();
    if (out.length) this.report(out);
    return out;
  }

  /** stale_tlb for the TLB entries of every pCPU that lead to one of `pfns`. */
  private checkTlbsFor(pfns: ReadonlySet<number>, out: Witness[]): void {
    const leadsToOne = (first: number, end: number): boolean => {
      if (end - first <= pfns.size) {
        for (let p = first; p < end; p++) if (pfns.has(p)) return true;
      } else {
        for (const p of pfns) if (p >= first && p < end) return true;
      }
      return false;
    };
    for (let cpu = 0; cpu < this.m.cpus; cpu++) {
      for (const e of this.m.tlbEntriesLeadingTo(cpu, leadsToOne)) checkTlbEntry(this.view, cpu, e, out, pfns);
    }
  }

  /**
   * Every invariant over the whole state, from memory alone (checkAll walks every table itself,
   * so it does not depend on the indexes being complete; rebuild() resynchronises those).
   */
  checkFull(): Witness[] {
    this.stats.full++;
    this.sinceFull = 0;
    return checkAll(this.m, this.view, { tlb: !this.busy });
  }

  /** Re-checks the mapping `owner/ipa` against memory (it may have changed since). */
  private checkMapping(key: string, out: Witness[]): void {
    if (key.startsWith('table:')) return;   // the table page itself is checked through dirtyPfns
    const { who, ipa } = mappingOf(key);
    const geo = this.geometryOf(who);
    if (geo === null) return;
    const leaf = this.leafOf(geo, ipa);
    if (leaf === null) return;
    const pfn = Number((leaf.outBase + (ipa - leaf.inBase)) >> 12n);
    this.applyRule(who, pfn, ipa, leaf, out);
  }

  private geometryOf(who: string): TableGeometry | null {
    if (who === 'host') return this.view.geometry(HOSTVISOR);
    if (who === 'el2') return this.view.geometry(COREVISOR);
    if (who.startsWith('vm')) return this.view.geometry(Number(who.slice(2)));
    if (who.startsWith('smmu')) return stage2Geometry(this.view.smmuCfg(Number(who.slice(4))).root);
    return null;
  }

  private applyRule(who: string, pfn: number, ipa: bigint, leaf: Leaf, out: Witness[]): void {
    const view = this.view;
    if (who === 'host') {
      if (leaf.outBase !== leaf.inBase) out.push({ invariant: 'host_flatmap', ipa, pfn, message: `host stage 2 maps IPA 0x${ipa.toString(16)} to pfn 0x${pfn.toString(16)} (not the identity)` });
      if (leaf.level !== 3) out.push({ invariant: 'host_npt_cons', ipa, message: `host stage 2 has a level-${leaf.level} block at IPA 0x${leaf.inBase.toString(16)}` });
      checkHostPage(view, pfn, ipa, out);
    } else if (who.startsWith('vm')) {
      const v = Number(who.slice(2));
      if (liveVm(view, v)) checkVmPage(view, v, pfn, ipa, out);
    } else if (who.startsWith('smmu')) {
      const id = Number(who.slice(4));
      const cfg = view.smmuCfg(id);
      if (cfg.owner === V_INVALID) return;
      if (cfg.owner === HOSTVISOR || view.vmState(cfg.owner) < VM_STATE.POWEROFF) {
        checkSmmuLeaf(view, id, cfg.owner, { ...leaf, inBase: ipa, size: 4096n, outBase: BigInt(pfn) << 12n }, out);
      }
      if (cfg.owner === HOSTVISOR) this.checkSmmuCount(pfn, out);
    }
  }

  /** A pfn whose owner/count changed, or that some mapping stopped or started pointing at. */
  private checkPfn(pfn: number, out: Witness[]): void {
    const view = this.view;
    checkSharePage(view, pfn, out);
    if (this.rmapOf(pfn)) {
      const keys = this.rmapMut(pfn);
      for (const key of [...keys]) {
        const { who, ipa } = mappingOf(key);
        const geo = this.geometryOf(who);
        const leaf = geo === null ? null : this.leafOf(geo, ipa);
        if (leaf === null || Number((leaf.outBase + (ipa - leaf.inBase)) >> 12n) !== pfn) {
          keys.delete(key);   // no longer maps this pfn
          continue;
        }
        this.applyRule(who, pfn, ipa, leaf, out);
      }
    }
    // The host's identity mapping of this pfn, if any (not in the reverse map).
    const hostIpa = BigInt(pfn) << 12n;
    const hostLeaf = this.leafOf(view.geometry(HOSTVISOR)!, hostIpa);
    if (hostLeaf !== null && hostLeaf.outBase + (hostIpa - hostLeaf.inBase) === hostIpa) this.applyRule('host', pfn, hostIpa, hostLeaf, out);
    // A page-table page must be KCore's; so must every other page of KCore's region.
    const t = this.tables.get(pfn);
    const owner = view.s2page(pfn).owner;
    if (t !== undefined && owner !== COREVISOR) {
      out.push({ invariant: 'pt_pages_kcore', pfn, message: `table page 0x${(BigInt(pfn) << 12n).toString(16)} (${this.ownerKey(t.owner)}) is owned by ${view.principalName(owner)}` });
    } else if (t === undefined && view.isKcorePfn(pfn) && owner !== COREVISOR) {
      out.push({ invariant: 'kcore_unmapped', pfn, vmid: owner, message: `KCore's pfn 0x${pfn.toString(16)} is owned by ${view.principalName(owner)}, not KCore` });
    }
  }

  private checkSmmuCount(pfn: number, out: Witness[]): void {
    const p = this.view.s2page(pfn);
    if (p.owner !== HOSTVISOR) return;
    let n = 0;
    for (const key of this.rmapOf(pfn) ?? []) {
      if (!key.startsWith('smmu')) continue;
      const id = Number(key.slice(4, key.indexOf('/')));
      if (this.view.smmuCfg(id).owner !== HOSTVISOR) continue;
      const { ipa } = mappingOf(key);
      const leaf = lookupLeaf(this.view.read, stage2Geometry(this.view.smmuCfg(id).root), ipa);
      if (leaf !== null && Number((leaf.outBase + (ipa - leaf.inBase)) >> 12n) === pfn) n++;
    }
    if (p.count < n) out.push({ invariant: 'smmu_count', pfn, message: `host pfn 0x${pfn.toString(16)} has ${n} SMMU mappings but count ${p.count}` });
  }

  /** A bank whose configuration changed: its owner and every mapping. */
  private checkBank(id: number, out: Witness[]): void {
    const cfg = this.view.smmuCfg(id);
    if (cfg.owner === V_INVALID) return;
    if (cfg.owner !== HOSTVISOR && !(cfg.owner >= 1 && cfg.owner <= MAX_VM_NUM)) {
      out.push({ invariant: 'smmu_vm', vmid: cfg.owner, message: `SMMU bank ${id} is assigned to ${cfg.owner}, neither the host nor a VM` });
      return;
    }
    walkTables(this.view.read, stage2Geometry(cfg.root), {
      leaf: (l) => { if (cfg.owner === HOSTVISOR || this.view.vmState(cfg.owner) < VM_STATE.POWEROFF) checkSmmuLeaf(this.view, id, cfg.owner, l, out); },
    });
  }

  /**
   * A full check whose findings are reported like an incremental check's: the end of a checked
   * run (on a big machine a short run may not reach a periodic one).
   */
  finalCheck(): Witness[] {
    const out = this.checkFull();
    if (out.length) this.report(out);
    return out;
  }

  private report(ws: readonly Witness[]): void {
    this.violations.push(...ws);
    this.opts.onViolation?.(ws);
  }
}

