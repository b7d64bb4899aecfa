/**
 * SeKVM's isolation invariants (../shared/spec/sekvm.md §4.1, Coq `shared_inv` in
 * sekvm/Security/Invs.v and sekvm/wDRF/MemoryIsolation.v) and the simulator-level ones, each as
 * one function over KCore's state in simulated memory (src/check/view.ts) and the TLBs. A
 * function returns witnesses — the pfn, VM, gfn or pCPU that breaks it — and an empty list when
 * it holds. These are the *full* checks (they walk every table); src/check/monitor.ts runs the
 * same rules incrementally on what KCore changed.
 */
import type { Machine, TlbEntry } from '../machine/machine.js';
import { KcoreView } from './view.js';
import { walkTables, lookupLeaf, stage2Geometry, type Leaf } from '../arch/pgwalk.js';
import {
  HOSTVISOR, COREVISOR, INVALID_MEM, MAX_VM_NUM, VM_STATE, VCPU_STATE, HYPSEC_MAX_VCPUS, INVALID64,
  MAX_SHARE_COUNT, MAX_SMMU_COUNT, V_INVALID,
} from '../kcore/constants.js';
import { EL2_REMAP_START, EL2_PAGE_OFFSET } from '../kcore/boot-ops.js';

/** Every invariant, by the name the spec (or, for the simulator-level ones, this file) gives it. */
export const INVARIANTS = [
  'host_flatmap',       // host stage 2 is an identity map
  'host_npt_cons',      // host stage-2 leaves are 4 KB pages (KCore never maps the host with blocks)
  'host_iso',           // the host maps only pages it owns, shared (count > 0) pages, or non-RAM
  'vm_iso',             // a live VM maps only its own pages (or non-RAM), each at the gfn recorded for it
  'smmu_vm',            // an assigned SMMU context bank belongs to the host or a VM
  'smmu_iso',           // a bank maps only its owner's pages, at gfn = iova frame
  'smmu_count',         // a host page's count ≥ the number of host SMMU mappings of it
  'page_0_invalid',     // pfn 0 is never owned
  'core_map',           // KCore's EL2 table maps nothing at or above the remap bump pointer
  'remap_range',        // image remap windows are in bounds, disjoint, mapped only as far as `mapped`
  'state_inv',          // per-CPU current ids are valid; a running vCPU is ACTIVE and initialised
  'kcore_unmapped',     // KCore's region is COREVISOR's, and no stage-2 or SMMU table maps a page of it
  'pt_pages_kcore',     // every page-table page is KCore-owned
  'share_bound',        // counts stay within MAX_SHARE_COUNT / MAX_SMMU_COUNT
  'vmid_unique',        // the host's VTTBR carries VMID 0, each VM's its own VMID; each its own table root
  'vcpu_single_active', // a vCPU is ACTIVE on at most one pCPU
  'stale_tlb',          // no TLB entry lets a principal reach a page it may not access
  'scrubbed',           // a page leaving a VM is zero when the host can first read it (monitor)
  'vm_page_integrity',  // KCore never writes a live VM's page on another principal's behalf (monitor)
  'exit_exposure',      // on an exit, KServ sees only the registers §2.4 allows (monitor)
  'lock_discipline',    // KCore reads/writes s2pages and page tables only under their locks (monitor; wDRF)
] as const;

export type InvariantName = (typeof INVARIANTS)[number];

export interface Witness {
  readonly invariant: InvariantName;
  readonly message: string;
  readonly pfn?: number;
  readonly vmid?: number;
  readonly gfn?: bigint;
  readonly ipa?: bigint;
  readonly cpu?: number;
}

const hex = (x: number | bigint): string => `0x${x.toString(16)}`;

/** Pages of a leaf that are RAM (each pfn), up to the leaf's size. */
function* leafPfns(l: Leaf): Generator<{ pfn: number; ipa: bigint }> {
  const pages = Number(l.size >> 12n);
  const first = Number(l.outBase >> 12n);
  for (let i = 0; i < pages; i++) yield { pfn: first + i, ipa: l.inBase + BigInt(i) * 4096n };
}

/**
 * Whether a VM page's count is a grant to the host. INVALID_MEM in count marks a VM page assigned
 * through an SMMU mapping whose stage-2 mapping is not set up yet (spec §3.2): not a grant, and
 * map_page_host refuses it.
 */
function granted(count: number): boolean {
  return count > 0 && count !== INVALID_MEM;
}

/**
 * A page of KCore's memory reached through a table: its owner is COREVISOR, or it lies in KCore's
 * region whatever its s2page says (a region page handed to someone else is still KCore's data,
 * spec §3.8).
 */
function isKcorePage(view: KcoreView, pfn: number, owner: number): boolean {
  return owner === COREVISOR || view.isKcorePfn(pfn);
}

/** Whether principal v is a VM whose stage 2 must be isolated (state READY or VERIFIED: ≤ VERIFIED, created). */
export function liveVm(view: KcoreView, v: number): boolean {
  const s = view.vmState(v);
  return s === VM_STATE.READY || s === VM_STATE.VERIFIED || s === VM_STATE.MAPPED;
}

// ---- per-mapping rules (shared by the full and the incremental checks) ----

/** The host's stage-2 leaf: identity, 4 KB, and only pages it may access. */
export function checkHostLeaf(view: KcoreView, l: Leaf, out: Witness[]): void {
  if (l.outBase !== l.inBase) out.push({ invariant: 'host_flatmap', ipa: l.inBase, pfn: Number(l.outBase >> 12n), message: `host stage 2 maps IPA ${hex(l.inBase)} to PA ${hex(l.outBase)} (not the identity)` });
  if (l.level !== 3) out.push({ invariant: 'host_npt_cons', ipa: l.inBase, message: `host stage 2 has a level-${l.level} block at IPA ${hex(l.inBase)} (KCore maps the host with 4 KB pages only)` });
  for (const { pfn, ipa } of leafPfns(l)) checkHostPage(view, pfn, ipa, out);
}

export function checkHostPage(view: KcoreView, pfn: number, ipa: bigint, out: Witness[]): void {
  const p = view.s2page(pfn);
  const kcore = isKcorePage(view, pfn, p.owner);
  if (!kcore && (p.owner === INVALID_MEM || p.owner === HOSTVISOR || granted(p.count))) return;
  out.push({ invariant: kcore ? 'kcore_unmapped' : 'host_iso', pfn, ipa, vmid: p.owner, gfn: p.gfn,
    message: `host stage 2 maps pfn ${hex(pfn)} (IPA ${hex(ipa)}), owned by ${view.principalName(p.owner)} with count 0` });
}

/**
 * A live VM's stage-2 leaf: only pages it owns, or non-RAM; and each own page at the gfn its
 * s2page records (assign_pfn_to_vm keeps one gfn per VM page, spec §2.4 and §3.2 — a page mapped
 * at a second IPA, or at an IPA KServ did not report, breaks what the host observes, §4.2).
 */
export function checkVmLeaf(view: KcoreView, v: number, l: Leaf, out: Witness[]): void {
  for (const { pfn, ipa } of leafPfns(l)) checkVmPage(view, v, pfn, ipa, out);
}

export function checkVmPage(view: KcoreView, v: number, pfn: number, ipa: bigint, out: Witness[]): void {
  const p = view.s2page(pfn);
  const kcore = isKcorePage(view, pfn, p.owner);
  if (!kcore && p.owner === v && p.gfn !== ipa >> 12n) {
    out.push({ invariant: 'vm_iso', pfn, ipa, vmid: v, gfn: p.gfn,
      message: `VM ${v} stage 2 maps its pfn ${hex(pfn)} at IPA ${hex(ipa)}, but the page's gfn is ${hex(p.gfn)}` });
  }
  if (!kcore && (p.owner === INVALID_MEM || p.owner === v)) return;
  out.push({ invariant: kcore ? 'kcore_unmapped' : 'vm_iso', pfn, ipa, vmid: v, gfn: p.gfn,
    message: `VM ${v} stage 2 maps pfn ${hex(pfn)} at IPA ${hex(ipa)}, owned by ${view.principalName(p.owner)}` });
}

/** An SMMU bank's leaf: owned by the bank's owner, at gfn = iova frame; host pages counted. */
export function checkSmmuLeaf(view: KcoreView, id: number, owner: number, l: Leaf, out: Witness[]): void {
  for (const { pfn, ipa: iova } of leafPfns(l)) {
    const p = view.s2page(pfn);
    const kcore = isKcorePage(view, pfn, p.owner);
    if (!kcore && p.owner === INVALID_MEM) continue;
    if (kcore || p.owner !== owner) {
      out.push({ invariant: kcore ? 'kcore_unmapped' : 'smmu_iso', pfn, vmid: owner, ipa: iova,
        message: `SMMU bank ${id} of ${view.principalName(owner)} maps pfn ${hex(pfn)} at iova ${hex(iova)}, owned by ${view.principalName(p.owner)}` });
    } else if (owner !== HOSTVISOR && p.gfn !== iova >> 12n) {
      out.push({ invariant: 'smmu_iso', pfn, vmid: owner, ipa: iova, gfn: p.gfn,
        message: `SMMU bank ${id} maps pfn ${hex(pfn)} at iova ${hex(iova)} but the page's gfn is ${hex(p.gfn)}` });
    }
  }
}

export function checkSharePage(view: KcoreView, pfn: number, out: Witness[]): void {
  const owner = view.ownerOf(pfn);   // (owner and count alone: the full check asks for every RAM page)
  if (owner === INVALID_MEM || owner === COREVISOR) return;
  const count = view.countOf(pfn);
  if (owner === HOSTVISOR && count > MAX_SMMU_COUNT) {
    out.push({ invariant: 'share_bound', pfn, message: `host pfn ${hex(pfn)} has count ${count} > MAX_SMMU_COUNT (${MAX_SMMU_COUNT})` });
  } else if (owner !== HOSTVISOR && count > MAX_SHARE_COUNT && count !== INVALID_MEM) {
    out.push({ invariant: 'share_bound', pfn, vmid: owner, message: `VM ${owner} pfn ${hex(pfn)} is granted ${count} times > MAX_SHARE_COUNT (${MAX_SHARE_COUNT})` });
  }
}

// ---- full checks ----

export interface FullCheckOptions {
  /** Skip the TLB check (it is only meaningful while no pCPU is inside KCore). */
  readonly tlb?: boolean;
}

/** Runs every structural invariant over the whole state. */
export function checkAll(m: Machine, view: KcoreView, opts: FullCheckOptions = {}): Witness[] {
  const out: Witness[] = [];
  const tablePages = new Map<bigint, string>();
  const noteTable = (pa: bigint, who: string): void => { tablePages.set(pa, who); };

  // host stage 2
  const hostGeo = view.geometry(HOSTVISOR)!;
  walkTables(view.read, hostGeo, { leaf: (l) => checkHostLeaf(view, l, out), table: (pa) => noteTable(pa, 'host stage 2') });
  // VMs
  const hostSmmuMaps = new Map<number, number>();
  for (const v of view.vmids()) {
    const geo = view.geometry(v)!;
    const live = liveVm(view, v);
    walkTables(view.read, geo, { leaf: (l) => { if (live) checkVmLeaf(view, v, l, out); }, table: (pa) => noteTable(pa, `VM ${v} stage 2`) });
  }
  // KCore's EL2 table: its pages are KCore's too; core_map and remap_range
  walkTables(view.read, view.geometry(COREVISOR)!, { table: (pa) => noteTable(pa, 'KCore EL2 table') });
  out.push(...checkRemap(view));
  // SMMU
  for (let id = 0; id < view.smmuCfgCount(); id++) {
    const cfg = view.smmuCfg(id);
    if (cfg.owner === V_INVALID) continue;
    if (cfg.owner !== HOSTVISOR && !(cfg.owner >= 1 && cfg.owner <= MAX_VM_NUM)) {
      out.push({ invariant: 'smmu_vm', vmid: cfg.owner, message: `SMMU bank ${id} is assigned to ${cfg.owner}, neither the host nor a VM` });
      continue;
    }
    const active = cfg.owner === HOSTVISOR || view.vmState(cfg.owner) < VM_STATE.POWEROFF;
    walkTables(view.read, stage2Geometry(cfg.root), {
      table: (pa) => noteTable(pa, `SMMU bank ${id}`),
      leaf: (l) => {
        if (active) checkSmmuLeaf(view, id, cfg.owner, l, out);
        if (cfg.owner === HOSTVISOR) for (const { pfn } of leafPfns(l)) hostSmmuMaps.set(pfn, (hostSmmuMaps.get(pfn) ?? 0) + 1);
      },
    });
  }
  for (const [pfn, n] of hostSmmuMaps) {
    const p = view.s2page(pfn);
    if (p.owner === HOSTVISOR && p.count < n) out.push({ invariant: 'smmu_count', pfn, message: `host pfn ${hex(pfn)} has ${n} SMMU mappings but count ${p.count}` });
  }
  // every table page is KCore's
  const tablePfns = new Set<number>();
  for (const [pa, who] of tablePages) {
    const p = view.s2page(Number(pa >> 12n));
    tablePfns.add(Number(pa >> 12n));
    if (p.owner !== COREVISOR) out.push({ invariant: 'pt_pages_kcore', pfn: Number(pa >> 12n), message: `${who} uses table page ${hex(pa)}, owned by ${view.principalName(p.owner)}` });
  }
  // every page of KCore's region is KCore's (table pages are reported above, as pt_pages_kcore)
  out.push(...checkKcoreRegion(view, tablePfns));
  // per-page bounds and pfn 0
  const ram = view.ramPfnRange;
  for (let pfn = ram.first; pfn < ram.end; pfn++) checkSharePage(view, pfn, out);
  out.push(...checkPage0(view));
  out.push(...checkCpus(m, view), ...checkVmids(view));
  if (opts.tlb !== false) out.push(...checkTlbs(m, view));
  return out;
}

/**
 * kcore_unmapped, ownership half: protect_el2_mem (at the first HVC_ENABLE_S2_TRANS) made every
 * page of KCore's region COREVISOR's (spec §3.8), and nothing gives one back. One witness per run
 * of consecutive pages with the same wrong owner. Like every invariant here, it holds from KCore's
 * installation on. `skip`: pfns reported under another name.
 */
export function checkKcoreRegion(view: KcoreView, skip: ReadonlySet<number> = new Set()): Witness[] {
  const out: Witness[] = [];
  const { first, end } = view.kcorePfns;
  for (let pfn = first; pfn < end; pfn++) {
    const owner = view.ownerOf(pfn);
    if (owner === COREVISOR || skip.has(pfn)) continue;
    let last = pfn;
    while (last + 1 < end && !skip.has(last + 1) && view.ownerOf(last + 1) === owner) last++;
    out.push({ invariant: 'kcore_unmapped', pfn, vmid: owner,
      message: `KCore's pfn ${hex(pfn)}${last > pfn ? ` (and ${last - pfn} more after it)` : ''} is owned by ${view.principalName(owner)}, not KCore` });
    pfn = last;
  }
  return out;
}

export function checkPage0(view: KcoreView): Witness[] {
  const p = view.s2page(0);
  return p.owner === INVALID_MEM ? [] : [{ invariant: 'page_0_invalid', pfn: 0, vmid: p.owner, message: `pfn 0 is owned by ${view.principalName(p.owner)}` }];
}

/** core_map and remap_range (MemoryIsolation.v). */
export function checkRemap(view: KcoreView): Witness[] {
  const out: Witness[] = [];
  const next = view.core('NEXT_REMAP_PTR');
  // Only the part of the EL2 table at or above the remap pointer (below EL2_PAGE_OFFSET, KCore's
  // linear map): a leaf there is the violation.
  const from = next > BigInt(EL2_REMAP_START) ? next : BigInt(EL2_REMAP_START);
  walkTables(view.read, view.geometry(COREVISOR)!, { leaf: (l) => checkCoreMapLeaf(l.inBase, l.size, next, out) }, { start: from, end: BigInt(EL2_PAGE_OFFSET) });
  out.push(...checkRemapRange(view));
  return out;
}

/** core_map for one leaf of KCore's EL2 table (inBase, size) given the remap pointer. */
export function checkCoreMapLeaf(inBase: bigint, size: bigint, next: bigint, out: Witness[]): void {
  if (inBase >= BigInt(EL2_REMAP_START) && inBase < BigInt(EL2_PAGE_OFFSET) && inBase + size > next) {
    out.push({ invariant: 'core_map', ipa: inBase, message: `KCore's EL2 table maps VA ${hex(inBase)} at or above the remap pointer ${hex(next)}` });
  }
}

/**
 * remap_range: every VM's image windows lie in [EL2_REMAP_START, remap pointer), do not overlap,
 * map no page beyond their mapped count, and once the VM is VERIFIED map only its own pages.
 */
export function checkRemapRange(view: KcoreView): Witness[] {
  const out: Witness[] = [];
  const next = view.core('NEXT_REMAP_PTR');
  const el2 = view.geometry(COREVISOR)!;
  const windows: { v: number; i: number; start: bigint; end: bigint }[] = [];
  for (const v of view.vmids()) {
    for (let i = 0; i < view.loadInfoCount(v); i++) {
      const li = view.loadInfo(v, i);
      const pages = (li.size + 4095n) >> 12n;
      const start = li.remapAddr;
      const end = start + pages * 4096n;
      if (start < BigInt(EL2_REMAP_START) || end > next) {
        out.push({ invariant: 'remap_range', vmid: v, message: `VM ${v} image ${i}: remap window ${hex(start)}..${hex(end)} is outside [${hex(EL2_REMAP_START)}, ${hex(next)})` });
      }
      if (li.mappedPages > pages) out.push({ invariant: 'remap_range', vmid: v, message: `VM ${v} image ${i}: ${li.mappedPages} pages mapped of a ${pages}-page window` });
      for (let p = li.mappedPages; p < pages; p++) {
        if (lookupLeaf(view.read, el2, start + p * 4096n) !== null) {
          out.push({ invariant: 'remap_range', vmid: v, ipa: start + p * 4096n, message: `VM ${v} image ${i}: page ${p} of the remap window is mapped beyond mapped = ${li.mappedPages}` });
          break;
        }
      }
      for (const w of windows) {
        if (start < w.end && w.start < end) out.push({ invariant: 'remap_range', vmid: v, message: `VM ${v} image ${i} remap window overlaps VM ${w.v} image ${w.i}` });
      }
      windows.push({ v, i, start, end });
      // The remapped pages of a verified image are the VM's own (the host can no longer change them).
      if (view.vmState(v) === VM_STATE.VERIFIED) {
        for (let p = 0n; p < li.mappedPages; p++) {
          const leaf = lookupLeaf(view.read, el2, start + p * 4096n);
          if (leaf === null) continue;
          const pfn = Number((leaf.outBase + (start + p * 4096n - leaf.inBase)) >> 12n);
          const owner = view.s2page(pfn).owner;
          if (owner !== v) {
            out.push({ invariant: 'remap_range', vmid: v, pfn, message: `VM ${v} is VERIFIED but page ${p} of image ${i}'s remap window is pfn ${hex(pfn)}, owned by ${view.principalName(owner)}` });
            break;
          }
        }
      }
    }
  }
  return out;
}

/** state_inv and vcpu_single_active: per-CPU ids and the vCPUs they run. */
export function checkCpus(m: Machine, view: KcoreView): Witness[] {
  const out: Witness[] = [];
  const running = new Map<string, number>();
  for (let cpu = 0; cpu < m.cpus; cpu++) {
    const vmid = Number(view.perCpu(cpu, 'VMID'));
    const vcpu = Number(view.perCpu(cpu, 'VCPUID'));
    if (vmid === HOSTVISOR) continue;
    if (!(vmid >= 1 && vmid <= MAX_VM_NUM) || !(vcpu >= 0 && vcpu < HYPSEC_MAX_VCPUS)) {
      out.push({ invariant: 'state_inv', cpu, vmid, message: `pCPU ${cpu} runs vmid ${vmid} vcpu ${vcpu}, not a valid VM/vCPU id` });
      continue;
    }
    const key = `${vmid}:${vcpu}`;
    const other = running.get(key);
    if (other !== undefined) out.push({ invariant: 'vcpu_single_active', cpu, vmid, message: `vCPU ${key} runs on pCPU ${other} and pCPU ${cpu}` });
    running.set(key, cpu);
    if (view.vcpuState(vmid, vcpu) !== VCPU_STATE.ACTIVE) out.push({ invariant: 'state_inv', cpu, vmid, message: `pCPU ${cpu} runs vCPU ${key}, whose state is not ACTIVE` });
    if (view.dirty(vmid, vcpu) === INVALID64) out.push({ invariant: 'state_inv', cpu, vmid, message: `pCPU ${cpu} runs vCPU ${key}, which was never initialised (dirty = INVALID64)` });
  }
  return out;
}

/**
 * vmid_unique: the host's VTTBR carries VMID 0 and VM v's VMID v (the hardware VMID is vmid & 0xff,
 * spec §3.4), each with its own table root — so no two principals share TLB entries.
 */
export function checkVmids(view: KcoreView): Witness[] {
  const out: Witness[] = [];
  const hostVttbr = view.core('HOST_VTTBR');
  const hostRoot = view.geometry(HOSTVISOR)!.root;
  if (((hostVttbr >> 48n) & 0xffn) !== 0n || (hostVttbr & 0x0000_ffff_ffff_fffen) !== hostRoot) {
    out.push({ invariant: 'vmid_unique', vmid: HOSTVISOR, message: `the host's VTTBR is ${hex(hostVttbr)} (expected VMID 0, root ${hex(hostRoot)})` });
  }
  for (const v of view.vmids()) {
    if (view.vmState(v) === VM_STATE.UNUSED) continue;
    const vttbr = view.vttbr(v);
    const root = view.geometry(v)!.root;
    if (Number((vttbr >> 48n) & 0xffn) !== (v & 0xff) || (vttbr & 0x0000_ffff_ffff_fffen) !== root) {
      out.push({ invariant: 'vmid_unique', vmid: v, message: `VM ${v}'s VTTBR is ${hex(vttbr)} (expected VMID ${v}, root ${hex(root)})` });
    }
  }
  return out;
}

/**
 * stale_tlb: every cached translation of a host or live-VM context leads to a page that
 * principal may access now. KCore's own EL2 entries are exempt. Only meaningful while no pCPU is
 * inside KCore (between a PTE write and its TLBI a stale entry is expected). checkTlbEntry's
 * `only` restricts an entry to the pages in that set (the incremental check's changed pages).
 */
export function checkTlbs(m: Machine, view: KcoreView): Witness[] {
  const out: Witness[] = [];
  for (let cpu = 0; cpu < m.cpus; cpu++) {
    for (const e of m.tlbEntries(cpu)) checkTlbEntry(view, cpu, e, out);
  }
  return out;
}

export function checkTlbEntry(view: KcoreView, cpu: number, e: TlbEntry, out: Witness[], only?: ReadonlySet<number>): void {
  if (e.kind === 'el2') return;
  const v = e.vmid;
  if (v !== HOSTVISOR && !(v >= 1 && v <= MAX_VM_NUM && liveVm(view, v))) return;
  const pages = Number(e.size >> 12n);
  const first = Number(e.outBase >> 12n);
  // `only`: the pages that changed hands (the others of a 2 MB entry were fine before).
  const which = only !== undefined && only.size < pages ? [...only].filter((p) => p >= first && p < first + pages).sort((a, b) => a - b) : null;
  const n = which === null ? pages : which.length;
  for (let k = 0; k < n; k++) {
    const pfn = which === null ? first + k : which[k]!;
    const i = pfn - first;
    const owner = view.ownerOf(pfn);   // (no s2page object per page: a 2 MB entry has 512)
    if (owner === INVALID_MEM) continue;
    const ok = !isKcorePage(view, pfn, owner) && (v === HOSTVISOR ? owner === HOSTVISOR || granted(view.countOf(pfn)) : owner === v);
    if (!ok) {
      const p = view.s2page(pfn);
      out.push({ invariant: 'stale_tlb', cpu, vmid: v, pfn, ipa: e.inBase + BigInt(i) * 4096n,
        message: `pCPU ${cpu}'s TLB still translates ${e.kind === 's2' ? 'IPA' : 'VA'} ${hex(e.inBase + BigInt(i) * 4096n)} of ${view.principalName(v)} to pfn ${hex(pfn)}, now owned by ${view.principalName(p.owner)}${p.count ? ` (count ${p.count})` : ''}` });
      return;
    }
  }
}

export { KcoreView };
