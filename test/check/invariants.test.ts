/**
 * Every invariant of src/check/invariants.ts fires, alone, on a forged violation (issue 5, item
 * 2; casemate's good_/bad_ pairs). Each claim builds a legitimate state with the KCore harness,
 * shows that checkAll and a Checker attached to that KCore find nothing, then breaks exactly one
 * rule by writing simulated memory, page tables or per-CPU data directly (not through KCore) —
 * or, for the moment monitors that only watch KCore at work (scrubbed, vm_page_integrity,
 * exit_exposure, lock_discipline), by running KCore with the injected bug that breaks the rule —
 * and checks that exactly that invariant fires, with the witness (pfn, vmid, cpu, …) that names
 * the culprit, and that no other invariant does.
 *
 * Forged states bypass KCore's memory door, so the Checker sees them only in its full check
 * (checkFull walks every table from memory) and, for the per-CPU, VMID and TLB rules it
 * re-evaluates at every quiescent point, in checkNow.
 */
import { describe, it, expect } from 'vitest';
import {
  KcoreHarness, GUEST_IPA, type BuiltState,
} from '../support/kcore-harness.js';
import { INVARIANTS, checkAll, checkPage0, type InvariantName, type Witness } from '../../src/check/invariants.js';
import { KcoreView } from '../../src/check/view.js';
import { Checker } from '../../src/check/monitor.js';
import type { AbstractState } from '../../src/kcore/transitions.js';
import {
  HVC, HOSTVISOR, COREVISOR, INVALID_MEM, MAX_SHARE_COUNT, MAX_SMMU_COUNT, VCPU_STATE,
} from '../../src/kcore/constants.js';
import { CORE, PERCPU, PERCPU_OFF, PERCPU_BYTES, VMI, VM_INFO_BYTES, LOAD_INFO_BYTES } from '../../src/kcore/layout.js';
import { Kcore } from '../../src/kcore/kcore.js';
import type { KcoreBug } from '../../src/kcore/kcore.js';
import { smmuId } from '../../src/kcore/smmu.js';
import { D_ADDR_MASK, PAGE_S2_KERNEL, isTable } from '../../src/arch/desc.js';
import { lookupLeaf, stage2Geometry, type Leaf } from '../../src/arch/pgwalk.js';
import { Machine } from '../../src/machine/machine.js';
import { Meter } from '../../src/cost/meter.js';
import { rawPublicKey, AES_KEY, AES_IV } from '../../src/sim/keys.js';
import { vcpuAt, VCPU } from '../../src/kcore/shared-abi.js';
import { runToEnd } from '../../src/sim/task.js';
import { nptLock } from '../../src/kcore/locks.js';
import type { Pa } from '../../src/arch/addr.js';

// ---- a world: a built state, a view of KCore's memory and a Checker watching KCore ----

interface World {
  readonly h: KcoreHarness;
  readonly b: BuiltState;
  readonly view: KcoreView;
  readonly checker: Checker;
}

/** The IOVA hostSmmuPage maps in bank (1, 7), the host bank of every allPages state. */
const HOST_BANK = { index: 1, cbndx: 7, iova: 0x10_0000n } as const;

/**
 * A legitimate state (src/kcore/transitions.ts dimensions) with every page kind — another
 * verified VM, a host page, a host page mapped by the host's SMMU bank (1, 7), a KCore page —
 * and a Checker attached to its KCore; asserts that nothing is violated.
 */
function world(s: AbstractState = { vm: 'VERIFIED' }, cpus = 2): World {
  const h = new KcoreHarness({ cpus });
  const b = h.buildState(s, { allPages: true });
  const checker = new Checker(h.m, h.lay, { sharedBase: h.k.cfg.sharedBase, fullEvery: 0 });
  h.k.am.setObserver(checker);
  const w = { h, b, view: checker.view, checker };
  expectClean(w);
  return w;
}

const show = (ws: readonly Witness[]): string[] => ws.map((w) => `${w.invariant}: ${w.message}`);

function expectClean(w: World): void {
  expect(show(checkAll(w.h.m, w.view)), 'checkAll on the legitimate state').toEqual([]);
  expect(show(w.checker.checkNow()), 'the incremental check on the legitimate state').toEqual([]);
  expect(show(w.checker.checkFull()), 'the full check on the legitimate state').toEqual([]);
}

/**
 * Asserts that every witness is of invariant `name` (at least one), and that the first matches
 * `want` field by field (a field set to undefined must be absent). Returns the witnesses.
 */
function expectOnly(ws: readonly Witness[], name: InvariantName, want: Partial<Witness> = {}): readonly Witness[] {
  expect([...new Set(ws.map((w) => w.invariant))], show(ws).join('\n')).toEqual([name]);
  const first = ws[0]!;
  for (const [k, v] of Object.entries(want)) expect(first[k as keyof Witness], `witness field ${k}: ${first.message}`).toBe(v);
  return ws;
}

/** checkAll and the Checker's full check see exactly `name`; `incremental`: checkNow too. */
function expectFires(w: World, name: InvariantName, want: Partial<Witness> = {}, incremental = false): readonly Witness[] {
  const ws = expectOnly(checkAll(w.h.m, w.view), name, want);
  if (incremental) expectOnly(w.checker.checkNow(), name, want);
  expectOnly(w.checker.checkFull(), name, want);
  return ws;
}

// ---- forging ----

const rd = (w: World, pa: bigint): bigint => w.h.m.read64(pa);
const wr = (w: World, pa: bigint, v: bigint): void => w.h.m.write64(pa, v);

/** Overwrites fields of pfn's s2page entry (owner and count share the first word: owner << 32 | count). */
function forgeS2page(w: World, pfn: number, f: { owner?: number; count?: number; gfn?: bigint }): void {
  const at = w.view.s2pageAddr(pfn);
  if (at === null) throw new Error(`pfn 0x${pfn.toString(16)} is not RAM`);
  const cur = w.view.s2page(pfn);
  wr(w, at, (BigInt(f.owner ?? cur.owner) << 32n) | BigInt(f.count ?? cur.count));
  if (f.gfn !== undefined) wr(w, at + 8n, f.gfn);
}

function leafOf(w: World, v: number, ipa: bigint): Leaf {
  const l = lookupLeaf(w.view.read, w.view.geometry(v)!, ipa);
  if (l === null) throw new Error(`principal ${v} does not map 0x${ipa.toString(16)}`);
  return l;
}

/** The same leaf descriptor with another output address. */
const redirect = (l: Leaf, pa: bigint): bigint => (l.desc & ~D_ADDR_MASK) | pa;

/** The host stage-2 level-2 entry (its PA) covering `pa`; the level-1 entry must be a table. */
function hostL2Entry(w: World, pa: bigint): bigint {
  const root = w.view.geometry(HOSTVISOR)!.root;
  const l1 = rd(w, root + ((pa >> 30n) & 0x3ffn) * 8n);
  expect(isTable(l1, 1), 'the host has a level-2 table for this GiB').toBe(true);
  return (l1 & D_ADDR_MASK) + ((pa >> 21n) & 0x1ffn) * 8n;
}

function perCpuAt(w: World, cpu: number, field: 'VMID' | 'VCPUID'): bigint {
  return w.h.lay.base + BigInt(PERCPU_OFF + cpu * PERCPU_BYTES + PERCPU[field]);
}

function vmInfoAt(w: World, v: number, off: number): bigint {
  return w.h.lay.vmInfo + BigInt(v * VM_INFO_BYTES + off);
}

/** load_info[i] field f (0 load_addr, 1 size, 2 el2_remap_addr, 3 el2_mapped_pages) of VM v. */
function loadInfoAt(w: World, v: number, i: number, f: number): bigint {
  return vmInfoAt(w, v, VMI.LOAD_INFO + i * LOAD_INFO_BYTES + f * 8);
}

function smmuCfgAt(w: World, index: number, cbndx: number): bigint {
  return w.h.lay.smmuCfg + BigInt(smmuId(index, cbndx) * 16);
}

/** The leaf of host bank (1, 7) at its IOVA. */
function hostBankLeaf(w: World): Leaf {
  const root = rd(w, smmuCfgAt(w, HOST_BANK.index, HOST_BANK.cbndx) + 8n);
  const l = lookupLeaf(w.view.read, stage2Geometry(root), HOST_BANK.iova);
  if (l === null) throw new Error('host bank (1, 7) maps nothing at its IOVA');
  return l;
}

/** Whether pCPU `cpu` caches a host (VMID 0) translation to pfn. */
function hostTlbHas(w: World, cpu: number, pfn: number): boolean {
  const pa = BigInt(pfn) << 12n;
  return w.h.m.tlbEntries(cpu).some((e) => e.kind !== 'el2' && e.vmid === HOSTVISOR && pa >= e.outBase && pa < e.outBase + e.size);
}

const pageOf = (b: BuiltState, kind: keyof BuiltState['pages']): number => {
  const f = b.pages[kind];
  if (f === undefined) throw new Error(`the state has no ${kind} page`);
  return f;
};

// ---- the monitors: KCore run with an injected bug, the live checker attached from the start ----

/** A harness whose System runs the live checker (KCore's door and the trace events) from boot. */
function checked(bugs: readonly KcoreBug[] = []): KcoreHarness {
  const h = new KcoreHarness({ cpus: 2, bugs, check: { fullEvery: 0 } });
  expect(show(h.sys.checker!.violations), 'booting breaks nothing').toEqual([]);
  return h;
}

function violations(h: KcoreHarness): readonly Witness[] {
  return h.sys.checker!.violations;
}

/** After a monitor fired: the structural invariants still hold (nothing else is wrong). */
function expectStructureIntact(h: KcoreHarness): void {
  expect(show(checkAll(h.m, new KcoreView(h.m, h.lay)))).toEqual([]);
}

// ---- the claims, one list per invariant (a missing invariant is a type error) ----

interface Claim {
  readonly claim: string;
  run(): void;
}

const CLAIMS: Readonly<Record<InvariantName, readonly Claim[]>> = {
  host_flatmap: [{
    claim: 'a host stage-2 entry that sends a host page to another host page (not the identity) fires host_flatmap',
    run() {
      const w = world();
      const f = pageOf(w.b, 'host');
      const g = w.h.allocPage();
      const l = leafOf(w, HOSTVISOR, BigInt(f) << 12n);
      wr(w, l.descPa, redirect(l, BigInt(g) << 12n));
      expectFires(w, 'host_flatmap', { ipa: BigInt(f) << 12n, pfn: g });
    },
  }],

  host_npt_cons: [{
    claim: 'a 2 MB identity block of host pages in the host stage 2 fires host_npt_cons',
    run() {
      const w = world();
      const f = w.h.alloc2m();   // 512 host pages the host never touched: no level-3 table yet
      const at = hostL2Entry(w, BigInt(f) << 12n);
      expect(rd(w, at)).toBe(0n);
      wr(w, at, (BigInt(f) << 12n) | PAGE_S2_KERNEL | 1n);
      expectFires(w, 'host_npt_cons', { ipa: BigInt(f) << 12n });
    },
  }],

  host_iso: [{
    claim: 'a page the host maps that now belongs to a VM (count 0) fires host_iso',
    run() {
      const w = world();
      const f = pageOf(w.b, 'host');
      forgeS2page(w, f, { owner: w.b.vmid });
      // The host's cached translation of the page would be a stale TLB entry as well; drop it
      // so that only the table is wrong.
      w.h.m.flushTlbs();
      expectFires(w, 'host_iso', { pfn: f, vmid: w.b.vmid, ipa: BigInt(f) << 12n });
    },
  }, {
    claim: 'a VM page the host maps whose count is the SMMU marker INVALID_MEM (not a grant, §3.2) fires host_iso',
    run() {
      const w = world();
      const f = pageOf(w.b, 'vm-shared');
      expect(w.view.s2page(f)).toMatchObject({ owner: w.b.vmid, count: 1 });
      forgeS2page(w, f, { count: INVALID_MEM });
      w.h.m.flushTlbs();
      expectFires(w, 'host_iso', { pfn: f, vmid: w.b.vmid });
    },
  }],

  vm_iso: [{
    claim: "a VM whose stage 2 maps another VM's pages fires vm_iso for each page",
    run() {
      const w = world();
      const l = leafOf(w, w.b.vmid, BigInt(GUEST_IPA));
      expect(l.level, 'the image block is mapped as a 2 MB block').toBe(2);
      const other = w.b.other!.blockPfn;
      wr(w, l.descPa, redirect(l, BigInt(other) << 12n));
      const ws = expectFires(w, 'vm_iso', { vmid: w.b.vmid, pfn: other, ipa: BigInt(GUEST_IPA) });
      expect(ws.map((x) => x.pfn)).toEqual(Array.from({ length: 512 }, (_, i) => other + i));
      expect(ws.every((x) => x.vmid === w.b.vmid)).toBe(true);
    },
  }, {
    claim: 'a VM page mapped at an IPA other than the gfn its s2page records (one gfn per page, §2.4) fires vm_iso',
    run() {
      const w = world();
      const f = pageOf(w.b, 'vm');
      const gfn = w.view.s2page(f).gfn;
      forgeS2page(w, f, { gfn: gfn + 0x1000n });
      expectFires(w, 'vm_iso', { pfn: f, vmid: w.b.vmid, ipa: gfn << 12n, gfn: gfn + 0x1000n });
    },
  }],

  smmu_vm: [{
    claim: 'an SMMU bank assigned to principal 70 (neither the host nor a VM) fires smmu_vm',
    run() {
      const w = world();
      wr(w, smmuCfgAt(w, HOST_BANK.index, HOST_BANK.cbndx), 70n);
      expectFires(w, 'smmu_vm', { vmid: 70 });
    },
  }],

  smmu_iso: [{
    claim: "a host SMMU bank that maps a VM's page fires smmu_iso",
    run() {
      const w = world();
      const f = pageOf(w.b, 'vm');
      const l = hostBankLeaf(w);
      wr(w, l.descPa, redirect(l, BigInt(f) << 12n));
      expectFires(w, 'smmu_iso', { pfn: f, vmid: HOSTVISOR, ipa: HOST_BANK.iova });
    },
  }, {
    claim: "a VM bank's page whose gfn is not the IOVA frame fires smmu_iso",
    run() {
      const w = world({ vm: 'VERIFIED', bank: 'vm' });
      const f = w.b.bankPfn!;
      expect(w.view.s2page(f)).toMatchObject({ owner: w.b.vmid, gfn: 0x5000_0000n >> 12n });
      forgeS2page(w, f, { gfn: 0x1234n });
      expectFires(w, 'smmu_iso', { pfn: f, vmid: w.b.vmid, gfn: 0x1234n });
    },
  }],

  smmu_count: [{
    claim: 'a host page mapped by a host SMMU bank with count 0 fires smmu_count',
    run() {
      const w = world();
      const f = pageOf(w.b, 'host-smmu');
      expect(w.view.s2page(f)).toMatchObject({ owner: HOSTVISOR, count: 1 });
      forgeS2page(w, f, { count: 0 });
      expectFires(w, 'smmu_count', { pfn: f });
    },
  }],

  page_0_invalid: [{
    // Under the harness RAM starts at QEMU virt's 0x4000_0000, so pfn 0 is not RAM and reads as
    // owner INVALID_MEM: the rule cannot fire there. It fires on a machine whose RAM covers
    // pfn 0, with a KCore laid out and protected over it and pfn 0 reserved (owner INVALID, as
    // the Coq model keeps it); then pfn 0 is forged to the host, then to a VM.
    claim: 'on a machine whose RAM starts at 0, pfn 0 owned by the host or a VM fires page_0_invalid',
    run() {
      const m = Machine.create({ cpus: 1, ramBase: 0n, ramBytes: 64 << 20 });
      const k = new Kcore(m, new Meter(1), { onViolation: 'reject', publicKey: rawPublicKey(), sharedBase: 0x10_0000, aesKey: AES_KEY, aesIv: AES_IV });
      k.initData();
      const view = new KcoreView(m, k.lay);
      const own = (pfn: number, owner: number): void => m.write64(view.s2pageAddr(pfn)!, BigInt(owner) << 32n);
      for (let f = view.kcorePfns.first; f < view.kcorePfns.end; f++) own(f, COREVISOR);   // protect_el2_mem
      m.write64(k.lay.base + BigInt(CORE.INSTALLED), 1n);
      own(0, INVALID_MEM);
      expect(view.isRamPfn(0)).toBe(true);
      expect(show(checkAll(m, view))).toEqual([]);
      for (const owner of [HOSTVISOR, 3]) {
        own(0, owner);
        expectOnly(checkAll(m, view), 'page_0_invalid', { pfn: 0, vmid: owner });
        expectOnly(checkPage0(view), 'page_0_invalid', { pfn: 0, vmid: owner });
      }
    },
  }],

  core_map: [{
    claim: "an EL2 mapping at the remap pointer (past every image window) fires core_map",
    run() {
      const w = world();
      const next = w.view.core('NEXT_REMAP_PTR');
      const l = leafOf(w, COREVISOR, next - 4096n);   // the last window's last page
      expect(l.level).toBe(3);
      expect(lookupLeaf(w.view.read, w.view.geometry(COREVISOR)!, next)).toBeNull();
      wr(w, l.descPa + 8n, l.desc);
      expectFires(w, 'core_map', { ipa: next });
    },
  }, {
    claim: 'the same mapping written through the door, and the remap pointer moved down over a mapped window page, fire core_map in the incremental check',
    run() {
      const w = world();
      const am = w.h.k.am;
      const next = w.view.core('NEXT_REMAP_PTR');
      const l = leafOf(w, COREVISOR, next - 4096n);
      const pt = am.ptMem(0);
      runToEnd(am.acquire(0, nptLock(COREVISOR)));
      pt.writeStep();
      pt.store(Number(l.descPa + 8n) as Pa, l.desc);
      runToEnd(am.release(0, nptLock(COREVISOR)));
      expectOnly(w.checker.checkNow(), 'core_map', { ipa: next });
      runToEnd(am.acquire(0, nptLock(COREVISOR)));
      pt.writeStep();
      pt.store(Number(l.descPa + 8n) as Pa, 0n);
      runToEnd(am.release(0, nptLock(COREVISOR)));
      expect(show(w.checker.checkNow())).toEqual([]);
      runToEnd(am.setCore(0, 'NEXT_REMAP_PTR', next - 4096n));
      const ws = w.checker.checkNow();
      expect(ws.filter((x) => x.invariant === 'core_map').map((x) => x.ipa)).toEqual([next - 4096n]);
      expect(ws.every((x) => x.invariant === 'core_map' || x.invariant === 'remap_range'), show(ws).join('\n')).toBe(true);
    },
  }],

  remap_range: [{
    claim: "an image's remap window past the remap pointer fires remap_range",
    run() {
      const w = world();
      wr(w, loadInfoAt(w, w.b.vmid, 0, 2), w.view.core('NEXT_REMAP_PTR'));
      expectFires(w, 'remap_range', { vmid: w.b.vmid });
    },
  }, {
    claim: "an image's remap window overlapping another VM's fires remap_range",
    run() {
      const w = world();
      const other = w.b.other!.vmid;
      expect(other).toBeLessThan(w.b.vmid);
      wr(w, loadInfoAt(w, w.b.vmid, 0, 2), rd(w, loadInfoAt(w, other, 0, 2)));
      const ws = expectFires(w, 'remap_range', { vmid: w.b.vmid });
      expect(ws.some((x) => x.message.includes(`overlaps VM ${other}`)), show(ws).join('\n')).toBe(true);
    },
  }, {
    claim: 'a remap window page mapped beyond el2_mapped_pages fires remap_range',
    run() {
      const w = world();
      const va = rd(w, loadInfoAt(w, w.b.vmid, 0, 2));
      wr(w, loadInfoAt(w, w.b.vmid, 0, 3), 0n);
      expectFires(w, 'remap_range', { vmid: w.b.vmid, ipa: va });
    },
  }],

  state_inv: [{
    claim: 'a pCPU whose per-CPU data names a vCPU that is not ACTIVE fires state_inv',
    run() {
      const w = world();
      expect(w.view.vcpuState(w.b.vmid, 1)).toBe(VCPU_STATE.READY);
      wr(w, perCpuAt(w, 0, 'VMID'), BigInt(w.b.vmid));
      wr(w, perCpuAt(w, 0, 'VCPUID'), 1n);
      expectFires(w, 'state_inv', { cpu: 0, vmid: w.b.vmid }, true);
    },
  }, {
    claim: 'a pCPU whose per-CPU VM id is no VM id fires state_inv',
    run() {
      const w = world();
      wr(w, perCpuAt(w, 1, 'VMID'), 60n);
      const ws = expectFires(w, 'state_inv', { cpu: 1, vmid: 60 }, true);
      expect(ws[0]!.message).toMatch(/not a valid VM\/vCPU id/);
    },
  }],

  kcore_unmapped: [{
    claim: "a VM whose stage 2 maps KCore's memory fires kcore_unmapped for each page",
    run() {
      const w = world();
      const l = leafOf(w, w.b.vmid, BigInt(GUEST_IPA));
      wr(w, l.descPa, redirect(l, w.h.lay.base));
      const ws = expectFires(w, 'kcore_unmapped', { vmid: w.b.vmid, pfn: Number(w.h.lay.base >> 12n) });
      expect(ws.length).toBe(512);
    },
  }, {
    claim: "a host SMMU bank that maps a KCore page fires kcore_unmapped",
    run() {
      const w = world();
      const f = pageOf(w.b, 'kcore');
      const l = hostBankLeaf(w);
      wr(w, l.descPa, redirect(l, BigInt(f) << 12n));
      expectFires(w, 'kcore_unmapped', { pfn: f, vmid: HOSTVISOR, ipa: HOST_BANK.iova });
    },
  }, {
    claim: "a page of KCore's region handed to the host and mapped by its SMMU bank fires kcore_unmapped for the mapping (the owner the s2page claims does not make it the host's)",
    run() {
      const w = world();
      const f = pageOf(w.b, 'kcore');
      forgeS2page(w, f, { owner: HOSTVISOR, count: 1 });   // counted, as a host SMMU mapping must be (smmu_count)
      const l = hostBankLeaf(w);
      wr(w, l.descPa, redirect(l, BigInt(f) << 12n));
      const ws = expectFires(w, 'kcore_unmapped', { pfn: f, vmid: HOSTVISOR, ipa: HOST_BANK.iova });
      expect(ws.length, 'the mapping, and the page out of KCore\'s hands').toBe(2);
    },
  }, {
    claim: "a page of KCore's region given to the host (no table maps it) fires kcore_unmapped",
    run() {
      const w = world();
      const f = pageOf(w.b, 'kcore');
      forgeS2page(w, f, { owner: HOSTVISOR });
      expectFires(w, 'kcore_unmapped', { pfn: f, vmid: HOSTVISOR });
    },
  }],

  pt_pages_kcore: [{
    claim: "a host stage-2 table page owned by the host fires pt_pages_kcore (and only it, though the page is in KCore's region)",
    run() {
      const w = world();
      const table = Number(leafOf(w, HOSTVISOR, BigInt(pageOf(w.b, 'host')) << 12n).descPa >> 12n);
      expect(w.view.isKcorePfn(table)).toBe(true);
      forgeS2page(w, table, { owner: HOSTVISOR });
      expectFires(w, 'pt_pages_kcore', { pfn: table });
    },
  }],

  share_bound: [{
    claim: 'a VM page granted MAX_SHARE_COUNT + 1 times fires share_bound',
    run() {
      const w = world();
      const f = pageOf(w.b, 'vm-shared');
      forgeS2page(w, f, { count: MAX_SHARE_COUNT + 1 });
      expectFires(w, 'share_bound', { pfn: f, vmid: w.b.vmid });
    },
  }, {
    claim: 'a host page counted for MAX_SMMU_COUNT + 1 SMMU mappings fires share_bound',
    run() {
      const w = world();
      const f = pageOf(w.b, 'host-smmu');
      forgeS2page(w, f, { count: MAX_SMMU_COUNT + 1 });
      expectFires(w, 'share_bound', { pfn: f, vmid: undefined });
    },
  }],

  vmid_unique: [{
    claim: "a VM whose VTTBR carries another VM's VMID fires vmid_unique",
    run() {
      const w = world();
      const at = vmInfoAt(w, w.b.vmid, VMI.VTTBR);
      const vttbr = rd(w, at);
      wr(w, at, (vttbr & ~(0xffn << 48n)) | (BigInt(w.b.other!.vmid) << 48n));
      expectFires(w, 'vmid_unique', { vmid: w.b.vmid }, true);
    },
  }, {
    claim: "a host VTTBR that carries a VM's VMID fires vmid_unique",
    run() {
      const w = world();
      const at = w.h.lay.base + BigInt(CORE.HOST_VTTBR);
      wr(w, at, rd(w, at) | (BigInt(w.b.vmid) << 48n));
      expectFires(w, 'vmid_unique', { vmid: HOSTVISOR }, true);
    },
  }],

  vcpu_single_active: [{
    claim: 'two pCPUs whose per-CPU data name the same running vCPU fire vcpu_single_active',
    run() {
      const w = world({ vm: 'VERIFIED', vcpu: 'ACTIVE' });
      const run = w.b.active!;
      expect(run.cpu).toBe(1);
      expect(w.view.perCpu(1, 'VMID')).toBe(BigInt(w.b.vmid));
      wr(w, perCpuAt(w, 0, 'VMID'), BigInt(w.b.vmid));
      wr(w, perCpuAt(w, 0, 'VCPUID'), BigInt(run.vcpu));
      expectFires(w, 'vcpu_single_active', { cpu: 1, vmid: w.b.vmid }, true);
    },
  }],

  stale_tlb: [{
    claim: "a host page unmapped and given to a VM without a TLBI, still in pCPU 0's TLB, fires stale_tlb (and a TLBI clears it)",
    run() {
      const w = world();
      const f = pageOf(w.b, 'host');
      expect(hostTlbHas(w, 0, f), "the host's access left the page in pCPU 0's TLB").toBe(true);
      // clear_pfn_host without its TLBI, then assign_pfn_to_vm's owner change.
      wr(w, leafOf(w, HOSTVISOR, BigInt(f) << 12n).descPa, 0n);
      forgeS2page(w, f, { owner: w.b.vmid });
      expectFires(w, 'stale_tlb', { cpu: 0, vmid: HOSTVISOR, pfn: f, ipa: BigInt(f) << 12n });
      // pCPU 0 runs the host (its VTTBR is the host's): TLBI VMALLS12E1IS drops the host's entries everywhere.
      w.h.m.tlbi(0, 'VMALLS12E1IS');
      expect(hostTlbHas(w, 0, f)).toBe(false);
      expectClean(w);
    },
  }, {
    claim: "clear_pfn_host without its TLBI ('clear-pfn-host-no-tlbi'): verifying a VM whose image the host wrote leaves the host's TLB entries to the VM's pages, and the live checker fires stale_tlb; the correct KCore does not",
    run() {
      for (const bug of [[], ['clear-pfn-host-no-tlbi']] as const) {
        const h = checked(bug);
        const f = h.readyVm();   // the host wrote the image through its stage 2 on pCPU 0
        const img = f.imagePfns[0]!;
        expect(h.verify(f.vmid)).toBe(1n);
        expect(h.s2page(img).owner).toBe(f.vmid);
        const cached = h.m.tlbEntries(0).some((e) => e.kind !== 'el2' && e.vmid === HOSTVISOR && e.outBase === BigInt(img) << 12n);
        if (bug.length === 0) {
          expect(cached).toBe(false);
          expect(show(violations(h))).toEqual([]);
          expectStructureIntact(h);
        } else {
          expect(cached, "the host's entry for the image page survived").toBe(true);
          const ws = expectOnly(violations(h), 'stale_tlb', { cpu: 0, vmid: HOSTVISOR });
          expect(ws.map((x) => x.pfn)).toContain(img);
          expectOnly(checkAll(h.m, new KcoreView(h.m, h.lay)), 'stale_tlb', { cpu: 0, vmid: HOSTVISOR });
        }
      }
    },
  }],

  scrubbed: [{
    claim: "clear_vm_page without its scrub ('clear-vm-page-no-scrub') fires scrubbed for each page returned with the VM's data; the correct KCore does not",
    run() {
      for (const bug of [[], ['clear-vm-page-no-scrub']] as const) {
        const h = checked(bug);
        const b = h.buildState({ vm: 'POWEROFF', vcpu: 'READY' }, { allPages: true });
        expect(show(violations(h)), 'building the state').toEqual([]);
        const vmPage = pageOf(b, 'vm');   // holds the VM's data (0xa5)
        expect(h.clearVm(b.vmid)).toBe(0n);
        if (bug.length === 0) {
          expect(show(violations(h))).toEqual([]);
          expect(h.m.readPhys(BigInt(vmPage) << 12n, 4096).every((x) => x === 0)).toBe(true);
        } else {
          const ws = expectOnly(violations(h), 'scrubbed', { vmid: b.vmid, cpu: 0 });
          expect(ws.map((x) => x.pfn)).toContain(vmPage);
          expect(ws.every((x) => x.vmid === b.vmid && h.s2page(x.pfn!).owner === HOSTVISOR)).toBe(true);
        }
        expectStructureIntact(h);
      }
    },
  }],

  vm_page_integrity: [{
    // The victim is a READY VM's page that no table maps yet, so that only the moment rule is
    // broken: taking a VERIFIED VM's mapped page would also break vm_iso (its stage 2 still maps it).
    claim: "DECRYPT_BUF into VM B of VM A's page ('decrypt-buf-no-owner-check') fires vm_page_integrity naming A; the correct KCore refuses it, and decrypting the host's page into a VM is not a violation",
    run() {
      for (const bug of [[], ['decrypt-buf-no-owner-check']] as const) {
        const h = checked(bug);
        const a = h.registerVm();
        const page = h.allocPage(0x3c);
        expect(h.hvc(HVC.DECRYPT_BUF, [BigInt(a), BigInt(page) << 12n, 4096n])).toBe(0n);
        expect(h.s2page(page).owner).toBe(a);
        expect(show(violations(h)), "the host's data becoming VM A's (a data-oracle flow, §4.2)").toEqual([]);
        const b = h.registerVm();
        const r = h.hvc(HVC.DECRYPT_BUF, [BigInt(b), BigInt(page) << 12n, 4096n]);
        if (bug.length === 0) {
          expect(r).toBeLessThan(0n);
          expect(show(violations(h))).toEqual([]);
        } else {
          expect(r).toBe(0n);
          expect(h.s2page(page).owner).toBe(b);
          const ws = expectOnly(violations(h), 'vm_page_integrity', { pfn: page, vmid: a, cpu: 0 });
          expect(ws.length).toBe(1);
        }
        expectStructureIntact(h);
      }
    },
  }],

  exit_exposure: [{
    claim: "an exit that copies every guest register to KServ ('exit-exposes-all-gprs') fires exit_exposure; the correct KCore shows only x0 of an HVC exit",
    run() {
      for (const bug of [[], ['exit-exposes-all-gprs']] as const) {
        const h = checked(bug);
        const f = h.verifiedVm({ vcpus: 2 });
        h.grantPage(f.vmid, 1);   // the guest sets x1 = GRANT_IPA, x2 = 4096, then exits to KServ with an HVC
        const x1 = h.hostRead64(vcpuAt(h.k.cfg.sharedBase, f.vmid, 1) + VCPU.REGS + 8)!;
        if (bug.length === 0) {
          expect(show(violations(h))).toEqual([]);
          expect(x1).toBe(0n);
        } else {
          expect(x1).toBe(h.shadow(f.vmid, 1, 1));
          const ws = expectOnly(violations(h), 'exit_exposure', { vmid: f.vmid, cpu: 0 });
          expect(ws.length).toBe(1);
          expect(ws[0]!.message).toMatch(/exposed x1, x2 to KServ/);
        }
        expectStructureIntact(h);
      }
    },
  }],

  lock_discipline: [{
    claim: "map_page_host writing the host stage 2 after dropping the s2pages lock ('map-page-host-nolock') fires lock_discipline; the correct KCore does not",
    run() {
      for (const bug of [[], ['map-page-host-nolock']] as const) {
        const h = checked(bug);
        const f = h.allocPage();   // the host's first touch faults: map_page_host
        expect(h.hostMapped(f * 4096)).toBe(true);
        if (bug.length === 0) expect(show(violations(h))).toEqual([]);
        else expectOnly(violations(h), 'lock_discipline', { cpu: 0, pfn: undefined });
        expectStructureIntact(h);
      }
    },
  }],
};

describe('every invariant has claims', () => {
  it('CLAIMS covers INVARIANTS exactly', () => {
    expect(Object.keys(CLAIMS).sort()).toEqual([...INVARIANTS].sort());
    for (const name of INVARIANTS) expect(CLAIMS[name].length, name).toBeGreaterThan(0);
  });
});

for (const name of INVARIANTS) {
  describe(name, () => {
    for (const c of CLAIMS[name]) it(c.claim, () => c.run());
  });
}

describe('register contexts moved in one piece', () => {
  it('the checker takes a run of words in the per-CPU or shadow areas and refuses one that reaches the data it watches', () => {
    const w = world();
    const eventsBefore = w.checker.stats.events;
    w.checker.access(0, Number(w.h.lay.shadow), 8 * 35, true, 0n, 0n, []);
    w.checker.access(0, Number(w.h.lay.base) + PERCPU_OFF, 8 * 31, false, 0n, 0n, []);
    expect(w.checker.stats.events).toBe(eventsBefore + 2);
    expect(show(w.checker.checkNow())).toEqual([]);
    for (const at of [w.h.lay.s2pages, w.h.lay.vmInfo, w.h.lay.smmuCfg, w.view.geometry(HOSTVISOR)!.root, w.h.lay.base - 4096n]) {
      expect(() => w.checker.access(0, Number(at), 64, true, 0n, 0n, []), `a run at 0x${at.toString(16)}`).toThrow(/reaches data the checks watch/);
    }
  });

  it('the door counts and charges every word of a run and refuses a run outside those areas', () => {
    const h = new KcoreHarness({ cpus: 1 });
    h.buildState({ vm: 'VERIFIED' });
    const before = h.k.am.meter.total('el2', 'mem_store');
    runToEnd(h.k.am.setHostSysregs(0, Array.from({ length: 24 }, (_, i) => BigInt(i))));
    expect(h.k.am.meter.total('el2', 'mem_store') - before).toBe(24);
    const am = h.k.am as unknown as { storeWords(cpu: number, a: number, vs: bigint[]): void };
    expect(() => am.storeWords(0, Number(h.lay.s2pages), [1n, 2n])).toThrow(/outside the per-CPU and shadow areas/);
  });
});
