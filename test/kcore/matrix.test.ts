/**
 * The state × hypercall matrix, generated from src/kcore/transitions.ts (STYLE rule 18a, after
 * pKVM's pkvm_ownership_selftest): every host hypercall from every feasible state of the
 * dimensions its row depends on, checking the table's outcome — the value returned in x0, the
 * state afterwards (VM/vCPU state, the page's owner/count/gfn/host mapping/contents, the SMMU
 * bank, and the row's named effects) and, for a rejection, that a kcore-halt event was recorded
 * and that KCore's memory did not change at all. Every bad argument of every row is refused
 * from a state where the call would otherwise succeed. The host's stage-2 faults have their
 * own small table (HOST_ACCESS).
 *
 * States are built by the harness (buildState). Cases are grouped by the state they start
 * from: rejections and no-ops leave that state unchanged (which they assert), so one built
 * state serves all of them; every accepted call gets a freshly built state of its own.
 */
import { describe, it, expect } from 'vitest';
import {
  HOST_HYPERCALLS, HOST_ACCESS, statesOf, outcomeOf, feasible, rowsOf, matches,
  type Row, type Rule, type AbstractState, type ArgRef, type PageAfter, type Check, type After,
} from '../../src/kcore/transitions.js';
import {
  HVC, HVC_NAME, VM_STATE, VCPU_STATE, HOSTVISOR, INVALID_MEM, INVALID64, V_INVALID,
} from '../../src/kcore/constants.js';
import { KERR } from '../../src/kcore/errors.js';
import { HCR_HOST_SEKVM } from '../../src/kcore/ctxt-switch.js';
import type { KcoreBug } from '../../src/kcore/kcore.js';
import { aesEncrypt, aesDecrypt } from '../../src/kcore/crypto.js';
import { AES_KEY, AES_IV } from '../../src/sim/keys.js';
import { vcpuAt, VCPU } from '../../src/kcore/shared-abi.js';
import { S2_XN } from '../../src/arch/desc.js';
import { EC } from '../../src/arch/esr.js';
import { SMMU_BASE, GR0_IDR0 } from '../../src/board/smmu.js';
import {
  KcoreHarness, BANK_IOVA, FREE_IOVA, GUEST_IPA, DEVICE_PA, type BuiltState, type Snapshot, type S2Page,
} from '../support/kcore-harness.js';

interface World {
  readonly h: KcoreHarness;
  readonly b: BuiltState;
}

function build(s: AbstractState, allPages = false, bugs: readonly KcoreBug[] = []): World {
  const h = new KcoreHarness({ cpus: 2, bugs });
  return { h, b: h.buildState(s, { allPages }) };
}

function label(s: AbstractState): string {
  const parts = Object.entries(s).map(([k, v]) => `${k} ${v}`);
  return parts.length === 0 ? 'any state' : parts.join(', ');
}

/** The state a case starts from, minus the page choice (all page kinds exist in one built state). */
function worldKey(s: AbstractState): string {
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(s)) if (k !== 'page' && k !== 'out') rest[k] = v;
  return JSON.stringify(rest);
}

// ---- arguments ----

const LO = 0x1234_5678n, HI = 0x9abcn;
const FRESH_IMAGE_IPA = 0x4060_0000n;

function argValue(a: ArgRef, w: World, s: AbstractState): bigint {
  const { h, b } = w;
  if (typeof a === 'bigint') return a;
  const pfnOf = (kind: AbstractState['page']): number => {
    const f = kind === undefined ? undefined : b.pages[kind];
    if (f === undefined) throw new Error(`matrix: state ${label(s)} has no ${kind} page`);
    return f;
  };
  switch (a) {
    case 'vmid': return BigInt(b.vmid);
    case 'vcpu': return 0n;
    case 'pfn': return BigInt(pfnOf(s.page));
    case 'pa': return BigInt(pfnOf(s.page)) << 12n;
    case 'out-pa': return BigInt(pfnOf(s.out)) << 12n;
    case 'load-idx': return BigInt(Math.max(Number(h.vmField(b.vmid, 'LOAD_INFO_CNT')) - 1, 0));
    case 'image-ipa': return FRESH_IMAGE_IPA;
    case 'image-size': return 8192n;
    case 'cbndx': return 0n;
    case 'index': return 0n;
    case 'iova': return FREE_IOVA;
    case 'mapped-iova': return BANK_IOVA;
    case 'gpa': return BigInt(DEVICE_PA);
    case 'ram-start': return h.m.ramBase;
    case 'ram-size': return BigInt(h.m.ramBytes);
    case 'page-size': return 4096n;
    case 'prot': return 0xc0n;
    case 'lo': return LO;
    case 'hi': return HI;
    case 'host-vmid': return BigInt(HOSTVISOR);
  }
}

// ---- what a case looks at ----

interface PageView {
  readonly pfn: number;
  readonly s2: S2Page;
  readonly bytes: Uint8Array | null;
  readonly hostMapped: boolean;
}

function viewPage(h: KcoreHarness, pfn: number | null | undefined): PageView | null {
  if (pfn === null || pfn === undefined) return null;
  const ram = h.m.inRam(BigInt(pfn) << 12n, 4096);
  return { pfn, s2: h.s2page(pfn), bytes: ram ? h.m.readPhys(BigInt(pfn) << 12n, 4096) : null, hostMapped: h.hostMapped(pfn * 4096) };
}

interface Before {
  readonly snap: Snapshot;
  readonly page: PageView | null;
  readonly out: PageView | null;
  readonly nextVmid: bigint;
  readonly loadCnt: number;
  readonly remapPtr: bigint;
  readonly mapped: bigint;
  readonly crypt: Uint8Array;
  /** Where a DMA through bank (0, 0) at BANK_IOVA lands. */
  readonly bankDma: bigint | null;
}

function subjectPfn(w: World, s: AbstractState): number | null {
  return s.page !== undefined ? (w.b.pages[s.page] ?? null) : w.b.bankPfn;
}

function look(w: World, s: AbstractState): Before {
  const { h, b } = w;
  const cnt = b.vmid <= 56 ? Number(h.vmField(b.vmid, 'LOAD_INFO_CNT')) : 0;
  return {
    snap: h.snapshot(),
    page: viewPage(h, subjectPfn(w, s)),
    out: viewPage(h, s.out !== undefined ? b.pages[s.out] : null),
    nextVmid: h.core('NEXT_VMID'),
    loadCnt: cnt,
    remapPtr: h.core('NEXT_REMAP_PTR'),
    mapped: cnt > 0 ? h.loadInfo(b.vmid, cnt - 1).mapped : 0n,
    crypt: h.m.readPhys(BigInt(vcpuAt(h.k.cfg.sharedBase, b.vmid, 0) + VCPU.CRYPT), 64),
    bankDma: h.smmuTranslate(0, 0, BANK_IOVA),
  };
}

// ---- checking an outcome ----

function expectPage(h: KcoreHarness, vmid: number, before: PageView, want: PageAfter, args: Readonly<Record<string, bigint>>): void {
  const now = h.s2page(before.pfn);
  const owner = want.owner === 'host' ? HOSTVISOR : want.owner === 'vm' ? vmid : before.s2.owner;
  expect(now.owner, 'owner').toBe(owner);
  if (want.count !== undefined) {
    const c = want.count === 'smmu-marker' ? INVALID_MEM : want.count === '+1' ? before.s2.count + 1 : want.count === '-1' ? before.s2.count - 1 : want.count;
    expect(now.count, 'count').toBe(c);
  } else if (want.owner === 'unchanged') {
    expect(now.count, 'count').toBe(before.s2.count);
  }
  if (want.gfn !== undefined) {
    const g = want.gfn === 'zero' ? 0n : want.gfn === 'unknown' ? INVALID64 : args.iova! >> 12n;
    expect(now.gfn, 'gfn').toBe(g);
  } else if (want.owner === 'unchanged') {
    expect(now.gfn, 'gfn').toBe(before.s2.gfn);
  }
  if (want.hostMapped === false) {
    expect(h.hostMapped(before.pfn * 4096), 'host stage 2 maps the page').toBe(false);
    for (let c = 0; c < h.m.cpus; c++) expect(h.hostTranslate(before.pfn * 4096, c), `pCPU ${c} still reaches the page`).toBeNull();
  }
  if (before.bytes === null) return;
  const bytes = h.m.readPhys(BigInt(before.pfn) << 12n, 4096);
  if (want.contents === 'zeroed') expect(bytes.every((x) => x === 0), 'page scrubbed').toBe(true);
  if (want.contents === 'unchanged') expect(Buffer.compare(bytes, before.bytes!)).toBe(0);
  if (want.contents === 'decrypted') expect(Buffer.compare(bytes, aesDecrypt(AES_KEY, AES_IV, before.bytes!))).toBe(0);
}

function expectCheck(w: World, c: Check, before: Before, args: Readonly<Record<string, bigint>>): void {
  const { h, b } = w;
  switch (c) {
    case 'host-s2-installed':
      expect(h.m.getSysRaw(0, 'VTTBR_EL2')).toBe(h.core('HOST_VTTBR'));
      expect(h.m.getSysRaw(0, 'HCR_EL2')).toBe(HCR_HOST_SEKVM);
      return;
    case 'cntvoff':
      expect(h.m.getSysRaw(0, 'CNTVOFF_EL2')).toBe((HI << 32n) | LO);
      return;
    case 'guest-ran':
      expect(Number(h.exitInfo(b.vmid, 0).esr >> 26n), 'exit class').toBe(EC.HVC64);
      return;
    case 'image-mapped': {
      const pa = h.vmTranslate(b.vmid, GUEST_IPA);
      expect(pa).not.toBeNull();
      expect(h.s2page(pa! / 4096).owner).toBe(b.vmid);
      expect(h.hostMapped(pa!)).toBe(false);
      return;
    }
    case 'el2-remapped': {
      const li = h.loadInfo(b.vmid, before.loadCnt - 1);
      expect(li.mapped).toBe(before.mapped + 1n);
      expect(h.el2Translate(Number(li.remapVa + before.mapped * 4096n))).toBe(before.page!.pfn * 4096);
      return;
    }
    case 'boot-info-added':
      expect(Number(h.vmField(b.vmid, 'LOAD_INFO_CNT'))).toBe(before.loadCnt + 1);
      expect(h.core('NEXT_REMAP_PTR')).toBe(before.remapPtr + 8192n);
      expect(h.loadInfo(b.vmid, before.loadCnt).loadAddr).toBe(FRESH_IMAGE_IPA);
      return;
    case 'device-mapped': {
      expect(h.vmTranslate(b.vmid, Number(args.gpa!))).toBe(Number(args.pa!));
      expect(h.s2Leaf(b.vmid, Number(args.gpa!))!.desc & S2_XN).toBe(S2_XN);
      return;
    }
    case 'smmu-maps-page':
      expect(h.smmuTranslate(0, 0, args.iova!)).toBe(args.pa!);
      return;
    case 'smmu-unmapped':
      expect(before.bankDma, 'the bank translated the IOVA before').not.toBeNull();
      expect(h.smmuTranslate(0, 0, BANK_IOVA)).toBeNull();
      return;
    case 'bank-root-zeroed':
      expect(h.m.readPhys(BigInt(h.smmuRoot(0, 0)), 8192).every((x) => x === 0)).toBe(true);
      return;
    case 'crypt-written': {
      const now = h.m.readPhys(BigInt(vcpuAt(h.k.cfg.sharedBase, b.vmid, 0) + VCPU.CRYPT), 64);
      expect(now.some((x) => x !== 0)).toBe(true);
      return;
    }
    case 'crypt-loaded': {
      expect(h.vmField(b.vmid, 'INC_EXE')).toBe(1n);
      expect(h.m.readPhys(BigInt(vcpuAt(h.k.cfg.sharedBase, b.vmid, 0) + VCPU.CRYPT), 64).every((x) => x === 0)).toBe(true);
      return;
    }
    case 'out-encrypted': {
      const out = h.m.readPhys(BigInt(before.out!.pfn) << 12n, 4096);
      expect(Buffer.compare(out, aesEncrypt(AES_KEY, AES_IV, before.page!.bytes!))).toBe(0);
      return;
    }
  }
}

function expectAfter(w: World, after: After, before: Before, args: Readonly<Record<string, bigint>>): void {
  const { h, b } = w;
  if (after.vm !== undefined) expect(h.vmState(b.vmid), 'VM state').toBe(VM_STATE[after.vm]);
  if (after.vcpu !== undefined) expect(h.vcpuState(b.vmid, 0), 'vCPU state').toBe(VCPU_STATE[after.vcpu]);
  if (after.bank !== undefined) {
    expect(h.smmuCfgVmid(0, 0), 'bank owner').toBe(after.bank === 'free' ? V_INVALID : after.bank === 'host' ? HOSTVISOR : b.vmid);
  }
  if (after.page !== undefined) expectPage(h, b.vmid, before.page!, after.page, args);
  if (after.out !== undefined) expectPage(h, b.vmid, before.out!, after.out, args);
  for (const c of after.checks ?? []) expectCheck(w, c, before, args);
}

/** Issues the row's call in the world and checks the rule's outcome. */
function runCase(w: World, row: Row, s: AbstractState, rule: Rule, replace: readonly (readonly [number, bigint])[] = []): void {
  const { h } = w;
  const args = row.args.map((a) => argValue(a, w, s));
  for (const [i, v] of replace) args[i] = v;
  const named: Record<string, bigint> = {};
  row.args.forEach((a, i) => { if (typeof a === 'string') named[a] = args[i]!; });
  const before = look(w, s);
  const mark = h.mark();
  const ret = h.hvc(row.nr, args, 0);
  const halts = h.halts(mark);
  const o = rule.then;
  const why = `${row.name} in ${label(s)}: ${rule.cite}${halts.length ? ` [KCore said: ${halts[0]!.where}: ${halts[0]!.detail}]` : ''}`;
  switch (o.kind) {
    case 'ok':
    case 'noop': {
      const want = o.ret === 'next-vmid' ? before.nextVmid
        : o.ret === 'load-index' ? BigInt(before.loadCnt)
        : o.ret === 'bank-pa' ? (w.b.bankPfn !== null && s.bank !== 'free' ? BigInt(w.b.bankPfn) << 12n : 0n)
        : o.ret;
      expect(ret, why).toBe(want);
      expect(halts, why).toEqual([]);
      if (o.kind === 'noop') expect(h.diff(before.snap), why).toEqual([]);
      if (o.after) expectAfter(w, o.after, before, named);
      if (o.kind === 'ok') expect(h.isolationViolations(), why).toEqual([]);
      return;
    }
    case 'reject': {
      expect(ret, why).toBe(o.errno);
      expect(halts.map((e) => [e.code, e.mode]), why).toEqual([[o.code, 'reject']]);
      if (o.after) {
        expectAfter(w, o.after, before, named);
        expect(h.isolationViolations(), why).toEqual([]);
      } else {
        expect(h.diff(before.snap), why).toEqual([]);
      }
      if (o.after === undefined && before.page !== null && before.page.bytes !== null) {
        expect(Buffer.compare(h.m.readPhys(BigInt(before.page.pfn) << 12n, 4096), before.page.bytes), `${why}: page contents`).toBe(0);
      }
      return;
    }
    case 'unsupported': {
      expect(ret, why).toBe(KERR.NOT_SUPPORTED);
      expect(halts, why).toEqual([]);
      expect(h.diff(before.snap), why).toEqual([]);
      expect(h.since(mark).some((e) => e.kind === 'hvc-ret' && e.rejected)).toBe(true);
      return;
    }
  }
}

// ---- the generated matrix ----

interface Case {
  readonly row: Row;
  readonly state: AbstractState;
  readonly rule: Rule;
}

const cases: Case[] = HOST_HYPERCALLS.flatMap((row) => statesOf(row).map((state) => ({ row, state, rule: outcomeOf(row, state) })));
const groups = new Map<string, Case[]>();
for (const c of cases) {
  const k = worldKey(c.state);
  if (!groups.has(k)) groups.set(k, []);
  groups.get(k)!.push(c);
}

function caseName(c: Case): string {
  const o = c.rule.then;
  const what = o.kind === 'reject' ? `rejected (${o.errno}, ${o.code})` : o.kind === 'unsupported' ? 'not supported' : `${o.kind} → ${typeof o.ret === 'bigint' ? o.ret : o.ret}`;
  const pages = [c.state.page && `page ${c.state.page}`, c.state.out && `out ${c.state.out}`].filter(Boolean).join(', ');
  return `${c.row.name}${c.row.variant ? ` (${c.row.variant})` : ''}${pages ? ` [${pages}]` : ''}: ${what}`;
}

describe('the transition table', () => {
  it('has a row for every host hypercall number of sekvm.md §2.2', () => {
    for (const nr of Object.values(HVC)) expect(rowsOf(nr).length, `HVC ${nr}`).toBeGreaterThan(0);
  });

  it('names a feasible state where each row succeeds, and every rule list ends with a catch-all', () => {
    for (const row of HOST_HYPERCALLS) {
      expect(feasible(row.okState), row.name).toBe(true);
      const o = outcomeOf(row, row.okState).then.kind;
      if (row.name !== 'BOOT_FROM_SAVED_VM') expect(['ok', 'noop'], row.name).toContain(o);
      expect(matches(row.rules[row.rules.length - 1]!.when, {}), row.name).toBe(true);
    }
  });

  it(`generates ${cases.length} cases over ${groups.size} starting states`, () => {
    expect(cases.length).toBeGreaterThan(200);
  });
});

for (const [key, group] of groups) {
  const s0 = JSON.parse(key) as AbstractState;
  describe(`from ${label(s0)}`, () => {
    let shared: World | null = null;
    const pages = group.some((c) => c.state.page !== undefined || c.state.out !== undefined);
    const world = (): World => (shared ??= build(s0, pages));
    for (const c of group) {
      it(caseName(c), () => {
        const fresh = c.rule.then.kind === 'ok' || (c.rule.then.kind === 'reject' && c.rule.then.after !== undefined);
        runCase(fresh ? build(c.state) : world(), c.row, c.state, c.rule);
      });
    }
    it('(done with this state)', () => {
      shared = null;
    });
  });
}

describe('out-of-range arguments are refused, from a state where the call would succeed', () => {
  for (const row of HOST_HYPERCALLS) {
    if (!row.bad || row.bad.length === 0) continue;
    describe(`${row.name}${row.variant ? ` (${row.variant})` : ''}`, () => {
      let shared: World | null = null;
      for (const bad of row.bad!) {
        it(`${bad.why} → ${bad.errno}`, () => {
          shared ??= build(row.okState);
          const { h } = shared;
          const before = h.snapshot();
          const mark = h.mark();
          const args = row.args.map((a) => argValue(a, shared!, row.okState));
          for (const [i, v] of bad.set) args[i] = v;
          expect(h.hvc(row.nr, args, 0), bad.why).toBe(bad.errno);
          expect(h.halts(mark).length, `${bad.why}: a kcore-halt event`).toBe(1);
          expect(h.diff(before), bad.why).toEqual([]);
        });
      }
      it('(and the good arguments still succeed)', () => {
        const w = shared ?? build(row.okState);
        runCase(w, row, row.okState, outcomeOf(row, row.okState));
        shared = null;
      });
    });
  }
});

describe('host stage-2 faults (HOST_ACCESS)', () => {
  let shared: World | null = null;
  for (const a of HOST_ACCESS) {
    it(`host access to a ${a.page} page: ${a.outcome}`, () => {
      shared ??= build({ vm: 'VERIFIED', vcpu: 'READY', page: 'vm-shared' });
      const { h, b } = shared;
      const pfn = b.pages[a.page]!;
      const pa = pfn * 4096;
      const before = h.snapshot();
      const mark = h.mark();
      if (a.outcome === 'emulated') {
        expect(h.mmio(Number(SMMU_BASE) + GR0_IDR0, 4, false), a.cite).toBe(h.sys.smmus[0]!.read(GR0_IDR0));
        expect(h.hostTranslate(Number(SMMU_BASE)), 'the SMMU is never mapped for the host').toBeNull();
        expect(h.halts(mark)).toEqual([]);
        return;
      }
      if (a.outcome === 'mapped-device') {
        expect(h.mmio(pa, 4, false), a.cite).not.toBeNull();
      } else {
        const v = h.hostRead64(pa);
        if (a.outcome === 'mapped-ram') expect(v, a.cite).toBe(h.m.read64(BigInt(pa)));
        else expect(v, a.cite).toBeNull();
      }
      if (a.outcome === 'refused') {
        expect(h.halts(mark).map((e) => e.code), a.cite).toEqual(['ownership']);
        expect(h.hostTranslate(pa), 'no host translation').toBeNull();
        expect(h.hostMapped(pa)).toBe(false);
        expect(h.diff(before)).toEqual([]);
      } else {
        expect(h.halts(mark)).toEqual([]);
        expect(h.hostTranslate(pa), a.cite).toBe(pa);
      }
    });
  }
});

describe('the matrix catches injected KCore bugs (src/kcore/kcore.ts KcoreBug)', () => {
  const probes: [KcoreBug, number, AbstractState, string?][] = [
    ['register-vcpu-weak-check', HVC.REGISTER_VCPU, { vm: 'VERIFIED', vcpu: 'UNUSED' }],
    ['decrypt-buf-no-owner-check', HVC.DECRYPT_BUF, { vm: 'READY', page: 'other-vm' }],
    ['remap-after-verified', HVC.REMAP_VM_IMAGE, { vm: 'VERIFIED', page: 'host', image: 'signed' }],
    ['assign-no-owner-check', HVC.VERIFY_VM_IMAGES, { vm: 'READY', image: 'foreign' }],
    ['smmu-map-vm-page-for-host', HVC.SMMU_LPAE_MAP, { bank: 'host', vm: 'VERIFIED', page: 'vm-shared' }],
    ['clear-vm-page-no-scrub', HVC.CLEAR_VM_S2_RANGE, { vm: 'POWEROFF', vcpu: 'READY', page: 'vm' }],
    ['clear-pfn-host-no-tlbi', HVC.CLEAR_VM_S2_RANGE, { vm: 'POWEROFF', vcpu: 'READY', page: 'vm-shared' }],
  ];
  for (const [bug, nr, s] of probes) {
    it(`${bug}: the case ${HVC_NAME.get(nr)} in ${label(s)} fails`, () => {
      const row = rowsOf(nr)[0]!;
      expect(() => runCase(build(s, true, [bug]), row, s, outcomeOf(row, s))).toThrow();
      // …and passes without the bug.
      runCase(build(s, true), row, s, outcomeOf(row, s));
    });
  }
});

describe("onViolation 'halt'", () => {
  it('a violation halts KCore: the failed call returns its errno, every later call -1 and changes nothing', () => {
    const h = new KcoreHarness({ onViolation: 'halt' });
    const f = h.readyVm();
    const mark = h.mark();
    // Running a READY (unverified) VM is a violation.
    expect(h.hvc(HVC.VCPU_RUN, [BigInt(f.vmid), 0n])).toBe(KERR.EINVAL);
    expect(h.halts(mark).map((e) => e.mode)).toEqual(['halt']);
    expect(h.k.halted?.code).toBe('bad-state');
    const before = h.snapshot();
    expect(h.hvc(HVC.REGISTER_KVM, [])).toBe(-1n);
    expect(h.hvc(HVC.VERIFY_VM_IMAGES, [BigInt(f.vmid)])).toBe(-1n);
    expect(h.diff(before)).toEqual([]);
    expect(h.vmState(f.vmid)).toBe(VM_STATE.READY);
    expect(h.sys.hyp.halted()).toMatch(/vcpu_run/);
  });
});

