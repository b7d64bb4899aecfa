/**
 * A read-only view of KCore's state as it lies in simulated physical memory (DESIGN.md rule 2:
 * checks read that memory, they do not trust TypeScript mirrors). It reads with plain physical
 * loads — no door, no locks, no interleaving points, no cost — so observing never changes the
 * run (rule 6). The offsets come from src/kcore/layout.ts, the one description of that memory.
 */
import type { Machine } from '../machine/machine.js';
import {
  CORE, PERCPU, PERCPU_OFF, PERCPU_BYTES, VMI, VM_INFO_BYTES, LOAD_INFO_BYTES, S2PAGE_BYTES, SHADOW_BYTES,
  type KcoreLayout, poolRange,
} from '../kcore/layout.js';
import {
  HOSTVISOR, COREVISOR, INVALID_MEM, MAX_VM_NUM, HYPSEC_MAX_VCPUS, EL2_SMMU_CFG_SIZE, V_INVALID, V, MAX_LOAD_INFO_NUM,
} from '../kcore/constants.js';
import { type TableGeometry, stage2Geometry, stage1Geometry48, type PhysRead } from '../arch/pgwalk.js';

export interface S2Page {
  /** Principal that owns the page: 0 host, 1..56 a VM, 65 KCore; INVALID_MEM for non-RAM. */
  readonly owner: number;
  /** Grants to the host (VM pages) or SMMU mappings (host pages). */
  readonly count: number;
  /** The IPA frame the owner maps it at (KServ-chosen for VM pages). */
  readonly gfn: bigint;
}

export interface LoadInfo {
  readonly loadAddr: bigint;
  readonly size: bigint;
  readonly remapAddr: bigint;
  readonly mappedPages: bigint;
}

export class KcoreView {
  readonly read: PhysRead;
  /** read() at a physical address given as a number (KCore's fields: no BigInt address). */
  private readonly word: (pa: number) => bigint;
  private readonly base: number;
  private readonly vmInfoBase: number;
  private readonly shadowBase: number;
  private readonly smmuCfgBase: number;
  private readonly geometries = new Map<number, TableGeometry | null>();
  private readonly firstPfn: number;

  constructor(readonly m: Machine, readonly lay: KcoreLayout) {
    // Direct 64-bit reads of RAM (observers read a lot: no DataView, no range object per read).
    // (Physical addresses are below 2^53: Number(pa) is exact and allocates nothing.)
    const base = Number(m.ramBase);
    const words = m.ramBytes / 8;
    const ramWords = words * 2;
    this.read = Object.assign((pa: bigint): bigint => this.word(Number(pa)), {
      words32: (pa: number, n: number): Uint32Array | null => {
        const i = (pa - base) / 4;
        return i >= 0 && i + n * 2 <= ramWords && Number.isInteger(i) ? m.ram32().subarray(i, i + n * 2) : null;
      },
    });
    this.word = (pa: number): bigint => {
      const i = (pa - base) / 8;
      return i >= 0 && i < words && Number.isInteger(i) ? m.ram64()[i]! : 0n;
    };
    this.base = Number(lay.base);
    this.vmInfoBase = Number(lay.vmInfo);
    this.shadowBase = Number(lay.shadow);
    this.smmuCfgBase = Number(lay.smmuCfg);
    this.firstPfn = Number(lay.ramBase >> 12n);
    this.s2pageWord0 = Number(lay.s2pages - m.ramBase) / 4;
    this.kcoreFirst = Number(lay.base >> 12n);
    this.kcoreEnd = Number(lay.end >> 12n);
  }

  /** A copy of the n u64 words at physical address pa (in RAM). */
  words(pa: number, n: number): BigUint64Array {
    const i = (pa - Number(this.m.ramBase)) / 8;
    return this.m.ram64().slice(i, i + n);
  }

  /** Whether the page at pfn (in RAM) is all zero. */
  pageIsZero(pfn: number): boolean {
    const w = this.m.ram32();
    const first = (pfn * 4096 - Number(this.m.ramBase)) / 4;
    for (let i = first; i < first + 1024; i++) if (w[i] !== 0) return false;
    return true;
  }

  /** Index of the first s2page entry in RAM as 32-bit words. */
  private readonly s2pageWord0: number;

  // ---- s2page array ----

  isRamPfn(pfn: number): boolean {
    const i = pfn - this.firstPfn;
    return i >= 0 && i < this.lay.ramPages;
  }

  s2page(pfn: number): S2Page {
    if (!this.isRamPfn(pfn)) return { owner: INVALID_MEM, count: 0, gfn: 0n };
    // s2page entry: word 0 = count (low 32 bits) | owner (high 32 bits), word 1 = gfn.
    const w = this.s2pageWord0 + (pfn - this.firstPfn) * (S2PAGE_BYTES / 4);
    const ram32 = this.m.ram32();
    return { owner: ram32[w + 1]!, count: ram32[w]!, gfn: this.m.ram64()[(w >> 1) + 1]! };
  }

  /** The owner of pfn alone (the hot question of the checks). */
  ownerOf(pfn: number): number {
    if (!this.isRamPfn(pfn)) return INVALID_MEM;
    return this.m.ram32()[this.s2pageWord0 + (pfn - this.firstPfn) * (S2PAGE_BYTES / 4) + 1]!;
  }

  /** Physical address of pfn's s2page entry (for forging states in tests), or null. */
  s2pageAddr(pfn: number): bigint | null {
    return this.isRamPfn(pfn) ? this.lay.s2pages + BigInt((pfn - this.firstPfn) * S2PAGE_BYTES) : null;
  }

  /** The RAM pfns [first, end). */
  get ramPfnRange(): { readonly first: number; readonly end: number } {
    return { first: this.firstPfn, end: this.firstPfn + this.lay.ramPages };
  }

  /** Every RAM pfn, lowest first. */
  *ramPfns(): Generator<number> {
    for (let i = 0; i < this.lay.ramPages; i++) yield this.firstPfn + i;
  }

  /** The pfn range of KCore's own region. */
  get kcorePfns(): { first: number; end: number } {
    return { first: Number(this.lay.base >> 12n), end: Number(this.lay.end >> 12n) };
  }

  /** Whether pfn lies in KCore's own region (protect_el2_mem's range, spec §3.8), whoever its s2page says owns it. */
  isKcorePfn(pfn: number): boolean {
    return pfn >= this.kcoreFirst && pfn < this.kcoreEnd;
  }

  private readonly kcoreFirst: number;
  private readonly kcoreEnd: number;

  /** The count word of pfn's s2page entry (0 for non-RAM). */
  countOf(pfn: number): number {
    if (!this.isRamPfn(pfn)) return 0;
    return this.m.ram32()[this.s2pageWord0 + (pfn - this.firstPfn) * (S2PAGE_BYTES / 4)]!;
  }

  // ---- core data and per-CPU data ----

  core(field: keyof typeof CORE): bigint {
    return this.word(this.base + CORE[field]);
  }

  perCpu(cpu: number, field: 'VMID' | 'VCPUID' | 'LAST_VMID' | 'LAST_VCPU'): bigint {
    return this.word(this.base + PERCPU_OFF + cpu * PERCPU_BYTES + PERCPU[field]);
  }

  // ---- VM info ----

  private vmInfoAt(v: number, off: number): number {
    return this.vmInfoBase + v * VM_INFO_BYTES + off;
  }

  vmState(v: number): number {
    return Number(this.word(this.vmInfoAt(v, VMI.STATE)));
  }

  vttbr(v: number): bigint {
    return this.word(this.vmInfoAt(v, VMI.VTTBR));
  }

  vcpuState(v: number, vcpu: number): number {
    return Number(this.word(this.vmInfoAt(v, VMI.VCPU_STATE + vcpu * 8)));
  }

  loadInfoCount(v: number): number {
    return Math.min(MAX_LOAD_INFO_NUM, Number(this.word(this.vmInfoAt(v, VMI.LOAD_INFO_CNT))));
  }

  loadInfo(v: number, i: number): LoadInfo {
    const at = (f: number): number => this.vmInfoAt(v, VMI.LOAD_INFO + i * LOAD_INFO_BYTES + f * 8);
    return { loadAddr: this.word(at(0)), size: this.word(at(1)), remapAddr: this.word(at(2)), mappedPages: this.word(at(3)) };
  }

  /** A shadow-context slot of vCPU (v, vcpu) (constants.ts V.*). */
  shadow(v: number, vcpu: number, slot: number): bigint {
    return this.word(this.shadowBase + ((v * HYPSEC_MAX_VCPUS) + vcpu) * SHADOW_BYTES + slot * 8);
  }

  dirty(v: number, vcpu: number): bigint {
    return this.shadow(v, vcpu, V.DIRTY);
  }

  /** VM ids that KCore has handed out (1 .. next_vmid − 1). */
  vmids(): number[] {
    const next = Math.min(MAX_VM_NUM + 1, Number(this.core('NEXT_VMID')));
    const out: number[] = [];
    for (let v = 1; v < next; v++) out.push(v);
    return out;
  }

  // ---- page tables ----

  /** Table geometry of principal v: the host's and VMs' stage 2, KCore's EL2 stage 1. */
  geometry(v: number): TableGeometry | null {
    let g = this.geometries.get(v);
    if (g === undefined) {
      // (The pools never move: one geometry per principal.)
      const r = poolRange(this.lay, v);
      g = r === null ? null : v === COREVISOR ? stage1Geometry48(r.start) : stage2Geometry(r.start);
      this.geometries.set(v, g);
    }
    return g;
  }

  /** The principal whose table pool holds physical address pa (a page-table page), or null. */
  poolOwnerOf(pa: bigint): number | null {
    for (const v of [HOSTVISOR, COREVISOR]) {
      const r = poolRange(this.lay, v)!;
      if (pa >= r.start && pa < r.start + BigInt(r.pages * 4096)) return v;
    }
    const first = poolRange(this.lay, 1)!;
    const end = first.start + BigInt(MAX_VM_NUM * this.lay.vmPoolPages * 4096);
    if (pa >= first.start && pa < end) return 1 + Number((pa - first.start) / BigInt(this.lay.vmPoolPages * 4096));
    return null;
  }

  // ---- SMMU ----

  /** SMMU configuration `id` (smmu index × 8 + context bank): its owner (V_INVALID if unassigned) and table root. */
  smmuCfg(id: number): { owner: number; root: bigint } {
    const at = this.smmuCfgBase + id * 16;
    return { owner: Number(this.word(at)), root: this.word(at + 8) };
  }

  smmuCfgCount(): number {
    return EL2_SMMU_CFG_SIZE;
  }

  static readonly UNASSIGNED = V_INVALID;

  principalName(v: number): string {
    if (v === HOSTVISOR) return 'host';
    if (v === COREVISOR) return 'KCore';
    if (v === INVALID_MEM) return 'nobody';
    return `VM ${v}`;
  }
}
