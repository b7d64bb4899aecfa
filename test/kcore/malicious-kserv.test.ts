/**
 * A malicious KServ against KCore (the issue's cases). Each attack must fail, be recorded (a
 * kcore-halt event with KCore's reason), and leave the system consistent: KCore's memory is
 * unchanged by a refused call, SeKVM's isolation invariants hold (harness.isolationViolations:
 * host_iso, vm_iso, core_iso, smmu_iso, smmu_count), and the victim keeps working.
 */
import { describe, it, expect } from 'vitest';
import {
  KcoreHarness, GUEST_IPA, TOUCH_IPA, VM_PAGE_OFFSET, tamperedImage, FREE_IOVA,
} from '../support/kcore-harness.js';
import {
  HVC, VM_STATE, VCPU_STATE, HOSTVISOR, V, ARM_EXCEPTION,
} from '../../src/kcore/constants.js';
import { KERR } from '../../src/kcore/errors.js';
import { HOST_HYPERCALLS } from '../../src/kcore/transitions.js';
import { EC } from '../../src/arch/esr.js';
import {
  SMMU_BASE, GR0_SCR0, GR0_SCR2, GR1_CBAR, CB_BASE, CB_STRIDE, CB_TTBR0, CB_CONTEXTIDR, SCR0_CLIENTPD, SCR0_SMCFCFG,
} from '../../src/board/smmu.js';

/** Asserts a refused call: its errno, one kcore-halt with `code`, KCore unchanged, invariants intact. */
function expectRefused(h: KcoreHarness, call: () => bigint | null | boolean, code: string, errno?: bigint): void {
  const before = h.snapshot();
  const mark = h.mark();
  const r = call();
  if (errno !== undefined) expect(r).toBe(errno);
  expect(h.halts(mark).map((e) => e.code), 'one kcore-halt event with KCore\'s reason').toEqual([code]);
  expect(h.diff(before), 'KCore\'s memory is unchanged').toEqual([]);
  expect(h.isolationViolations()).toEqual([]);
}

describe('mapping a VM page or a KCore page into the host stage 2', () => {
  it('host accesses to a VM\'s private page, another VM\'s page and KCore\'s memory fault into KCore, which refuses to map them', () => {
    const h = new KcoreHarness({ cpus: 2 });
    const a = h.verifiedVm();
    const b = h.verifiedVm();
    const secret = (a.blockPfn + VM_PAGE_OFFSET) * 4096;
    h.m.write64(BigInt(secret), 0x5ec7e7n);
    const targets: [string, number][] = [
      ['VM A\'s private page', secret],
      ['VM A\'s image', a.blockPfn * 4096],
      ['VM B\'s page', (b.blockPfn + 7) * 4096],
      ['KCore\'s s2page array', Number(h.lay.s2pages)],
      ['KCore\'s vm_info', Number(h.lay.vmInfo)],
      ['the host stage-2 table itself', Number(h.lay.hostPool)],
      ['VM A\'s stage-2 table', Number(h.lay.vmPools)],
      ['KCore\'s EL2 table', Number(h.lay.corePool)],
      ['the SMMU tables', Number(h.lay.smmuPool)],
    ];
    for (const [what, pa] of targets) {
      for (const cpu of [0, 1]) {
        expectRefused(h, () => h.hostRead64(pa, cpu), 'ownership');
        expect(h.hostRead64(pa, cpu), `${what}: read from pCPU ${cpu}`).toBeNull();
        expect(h.hostWrite64(pa, 0xbadn, cpu), `${what}: write`).toBe(false);
        expect(h.hostTranslate(pa, cpu), `${what}: no translation on pCPU ${cpu}`).toBeNull();
      }
      expect(h.hostMapped(pa), what).toBe(false);
    }
    expect(h.m.read64(BigInt(secret))).toBe(0x5ec7e7n);
    // The host cannot reach its own stage-2 table to add the mapping itself either: the victim
    // still runs, and its page is still its own.
    expect(h.run(0, a.vmid, 0)).toBe(2n);
    expect(h.s2page(secret / 4096).owner).toBe(a.vmid);
  });

  it('the host loses the image pages at verification, with no stale TLB entry on any pCPU', () => {
    const h = new KcoreHarness({ cpus: 2 });
    const f = h.readyVm();
    const pa = f.imagePfns[0]! * 4096;
    expect(h.hostRead64(pa, 1)).not.toBeNull();        // pCPU 1 caches the translation too
    expect(h.hostTranslate(pa, 0)).toBe(pa);
    expect(h.verify(f.vmid)).toBe(1n);
    for (const cpu of [0, 1]) expect(h.hostTranslate(pa, cpu), `pCPU ${cpu}`).toBeNull();
    expectRefused(h, () => h.hostWrite64(pa, 0n, 1), 'ownership');   // the host cannot patch the verified image
    expect(h.run(0, f.vmid, 0)).toBe(2n);
  });
});

describe('walk_result: KServ proposes the page that backs a faulting guest address', () => {
  function faulted(h: KcoreHarness): { vmid: number; other: number } {
    const other = h.verifiedVm();
    const f = h.verifiedVm({ entry: 'touch' });
    expect(h.run(0, f.vmid, 0)).toBe(BigInt(ARM_EXCEPTION.TRAP));
    expect(Number(h.exitInfo(f.vmid, 0).esr >> 26n)).toBe(EC.DABT_LOW);
    return { vmid: f.vmid, other: other.blockPfn };
  }

  /** KServ proposes `pfn` at `level`; KCore must refuse the run and keep everything as it was. */
  function refusedProposal(h: KcoreHarness, vmid: number, pfn: number, level: number, code: string, errno: bigint): void {
    const before = [...Array(level === 2 ? 512 : 1).keys()].map((i) => h.s2page(Math.floor(pfn / (level === 2 ? 512 : 1)) * (level === 2 ? 512 : 1) + i));
    h.proposeWalk(vmid, 0, pfn, level as 2 | 3);
    const mark = h.mark();
    expect(h.hvc(HVC.VCPU_RUN, [BigInt(vmid), 0n])).toBe(errno);
    expect(h.halts(mark).map((e) => e.code)).toEqual([code]);
    const after = [...Array(before.length).keys()].map((i) => h.s2page(Math.floor(pfn / before.length) * before.length + i));
    expect(after, 'no page changed hands').toEqual(before);
    expect(h.vmTranslate(vmid, TOUCH_IPA), 'nothing mapped at the faulting IPA').toBeNull();
    expect(h.vcpuState(vmid, 0), 'the vCPU is not stuck ACTIVE').toBe(VCPU_STATE.READY);
    expect(h.m.getSysRaw(0, 'VTTBR_EL2'), 'the pCPU is back on the host stage 2').toBe(h.core('HOST_VTTBR'));
    expect(h.perCpu(0, 'VMID'), 'KCore knows the pCPU runs the host').toBe(BigInt(HOSTVISOR));
    expect(h.isolationViolations()).toEqual([]);
    // The guest faults again at the same address (the refused proposal is forgotten).
    expect(h.run(0, vmid, 0)).toBe(2n);
    expect(Number(h.exitInfo(vmid, 0).hpfar >> 4n) * 4096).toBe(TOUCH_IPA);
  }

  it('another VM\'s page, a KCore page, a DMA-mapped host page, the VM\'s own page at another gfn, or a device page: refused', () => {
    const h = new KcoreHarness();
    const { vmid, other } = faulted(h);
    const smmuPage = h.hostSmmuPage({ index: 1, cbndx: 3 }).pfn;
    const own = h.vmTranslate(vmid, GUEST_IPA)! / 4096 + 3;
    refusedProposal(h, vmid, other + 5, 3, 'ownership', KERR.EPERM);
    refusedProposal(h, vmid, h.kcorePfn(), 3, 'ownership', KERR.EPERM);
    refusedProposal(h, vmid, smmuPage, 3, 'ownership', KERR.EPERM);
    refusedProposal(h, vmid, own, 3, 'ownership', KERR.EPERM);
    refusedProposal(h, vmid, 0x0a00_0000 / 4096, 3, 'ownership', KERR.EPERM);
    // An honest proposal still works afterwards.
    const good = h.allocPage(0x42);
    h.proposeWalk(vmid, 0, good, 3);
    expect(h.run(0, vmid, 0)).toBe(2n);
    expect(h.vmTranslate(vmid, TOUCH_IPA)).toBe(good * 4096);
    expect(h.shadow(vmid, 0, 5)).toBe(0x4242_4242_4242_4242n);
  });

  it('a 2 MB proposal with one bad page in the middle changes no page at all (check, then commit)', () => {
    const h = new KcoreHarness();
    const { vmid } = faulted(h);
    const blk = h.alloc2m();
    // Page 100 of the block is DMA-mapped by the host (count 1): assign_pfn_to_vm refuses it.
    expect(h.hvc(HVC.SMMU_ALLOC_PGD, [3n, 0n, 1n])).toBe(0n);
    expect(h.hvc(HVC.SMMU_LPAE_MAP, [FREE_IOVA, BigInt(blk + 100) << 12n, 0xc0n, 3n, 1n])).toBe(0n);
    refusedProposal(h, vmid, blk, 2, 'ownership', KERR.EPERM);
    for (let i = 0; i < 512; i++) expect(h.s2page(blk + i).owner, `page ${i}`).toBe(HOSTVISOR);
    // A clean 2 MB block is taken whole and mapped as a block.
    const blk2 = h.alloc2m();
    h.proposeWalk(vmid, 0, blk2, 2);
    expect(h.run(0, vmid, 0)).toBe(2n);
    expect(h.s2Leaf(vmid, TOUCH_IPA)?.level).toBe(2);
    for (const i of [0, 255, 511]) expect(h.s2page(blk2 + i)).toEqual({ owner: vmid, count: 0, gfn: BigInt(TOUCH_IPA / 4096 + i) });
    expect(h.isolationViolations()).toEqual([]);
  });

  it('the same host page proposed to two VMs at once, interleaved at every KCore access: one VM gets it (5 seeds)', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const h = new KcoreHarness({ cpus: 2, seed, switchProbability: 1 });
      const a = h.verifiedVm({ entry: 'touch' });
      const b = h.verifiedVm({ entry: 'touch' });
      expect(h.run(0, a.vmid, 0)).toBe(2n);
      expect(h.run(1, b.vmid, 0)).toBe(2n);
      const p = h.allocPage(0x31);
      h.proposeWalk(a.vmid, 0, p);
      h.proposeWalk(b.vmid, 0, p);
      const mark = h.mark();
      const r = h.concurrently([
        { cpu: 0, nr: HVC.VCPU_RUN, args: [BigInt(a.vmid), 0n] },
        { cpu: 1, nr: HVC.VCPU_RUN, args: [BigInt(b.vmid), 0n] },
      ]);
      expect([...r].sort(), `seed ${seed}`).toEqual([KERR.EPERM, 2n].sort());
      const winner = r[0] === 2n ? a.vmid : b.vmid;
      expect(h.s2page(p)).toEqual({ owner: winner, count: 0, gfn: BigInt(TOUCH_IPA / 4096) });
      expect(h.vmTranslate(winner === a.vmid ? b.vmid : a.vmid, TOUCH_IPA), 'the loser maps nothing').toBeNull();
      expect(h.halts(mark).map((e) => e.code)).toEqual(['ownership']);
      expect(h.isolationViolations()).toEqual([]);
    }
  });

  it('a level other than 2 or 3 is refused', () => {
    const h = new KcoreHarness();
    const { vmid } = faulted(h);
    refusedProposal(h, vmid, h.allocPage(), 1, 'bad-argument', KERR.EINVAL);
  });
});

describe('changing a VM that already runs', () => {
  it('REMAP_VM_IMAGE, SET_BOOT_INFO, DECRYPT_BUF, PHYS_ADDR_IOREMAP and SMMU attach into a VERIFIED VM are refused', () => {
    const h = new KcoreHarness();
    const f = h.verifiedVm();
    const evil = h.allocPage(0xcc);
    const el2Before = h.el2Translate(Number(h.loadInfo(f.vmid, 0).remapVa) + 4096);
    expectRefused(h, () => h.hvc(HVC.REMAP_VM_IMAGE, [BigInt(f.vmid), BigInt(evil), 0n]), 'bad-state', KERR.EINVAL);
    expectRefused(h, () => h.hvc(HVC.SET_BOOT_INFO, [BigInt(f.vmid), 0x4080_0000n, 4096n]), 'bad-state', KERR.EINVAL);
    expectRefused(h, () => h.hvc(HVC.DECRYPT_BUF, [BigInt(f.vmid), BigInt(evil) << 12n, 4096n]), 'bad-state', KERR.EINVAL);
    expectRefused(h, () => h.hvc(HVC.PHYS_ADDR_IOREMAP, [BigInt(f.vmid), 0x4040_0000n, 0x0a00_0000n, 4096n]), 'bad-state', KERR.EINVAL);
    expectRefused(h, () => h.hvc(HVC.SMMU_ALLOC_PGD, [0n, BigInt(f.vmid), 0n]), 'bad-state', KERR.EINVAL);
    expect(h.el2Translate(Number(h.loadInfo(f.vmid, 0).remapVa) + 4096)).toBe(el2Before);
    expect(h.s2page(evil).owner).toBe(HOSTVISOR);
    expect(h.hostRead64(evil * 4096)).toBe(0xcccc_cccc_cccc_ccccn);
    expect(h.run(0, f.vmid, 0)).toBe(2n);
  });
});

describe('device mappings (PHYS_ADDR_IOREMAP)', () => {
  it('a device range the VM\'s stage-2 pool cannot hold is refused before any of it is mapped', () => {
    const h = new KcoreHarness();
    const f = h.readyVm();
    // 256 MB of device space: one level-3 table per 2 MB — far more than a VM's 64-page pool.
    const base = 0x1_0000_0000n, gpa = 0x1000_0000n;
    expectRefused(h, () => h.hvc(HVC.PHYS_ADDR_IOREMAP, [BigInt(f.vmid), gpa, base, 0x1000_0000n]), 'pool-exhausted', KERR.ENOMEM);
    for (const off of [0, 0x20_0000, 0x0ff0_0000]) expect(h.vmTranslate(f.vmid, Number(gpa) + off), `gpa + 0x${off.toString(16)}`).toBeNull();
    // A range that fits is mapped whole, every page to its device page.
    expect(h.hvc(HVC.PHYS_ADDR_IOREMAP, [BigInt(f.vmid), gpa, base, 0x40_0000n])).toBe(0n);
    for (const off of [0, 0x1000, 0x20_0000, 0x3f_f000]) expect(h.vmTranslate(f.vmid, Number(gpa) + off)).toBe(Number(base) + off);
    expect(h.vmTranslate(f.vmid, Number(gpa) + 0x40_0000)).toBeNull();
  });
});

describe('running a VM that is not verified', () => {
  it('a READY VM never runs: nothing executes, the pCPU stays on the host', () => {
    const h = new KcoreHarness();
    const f = h.readyVm();
    const insns = h.m.insns(0);
    expectRefused(h, () => h.hvc(HVC.VCPU_RUN, [BigInt(f.vmid), 0n]), 'bad-state', KERR.EINVAL);
    expect(h.m.insns(0)).toBe(insns);
    expect(h.m.el(0)).toBe(1);
    expect(h.m.getSysRaw(0, 'VTTBR_EL2')).toBe(h.core('HOST_VTTBR'));
    expect(h.s2page(f.imagePfns[0]!).owner, 'the image is still the host\'s').toBe(HOSTVISOR);
  });

  for (const [what, load] of [
    ['a tampered image', (h: KcoreHarness, vmid: number) => h.loadImage(vmid, tamperedImage())],
    ['an image whose pages are not the ones the VM would map', (h: KcoreHarness, vmid: number) => h.loadImageVariant(vmid, 'scattered')],
    ['an image that is only partly remapped', (h: KcoreHarness, vmid: number) => h.loadImageVariant(vmid, 'partial')],
  ] as const) {
    it(`${what}: verification fails, the VM is stopped and never runs; its memory is reclaimable`, () => {
      const h = new KcoreHarness();
      const vmid = h.registerVm();
      h.registerVcpu(vmid, 0);
      h.setBootPc(vmid, 0, 'exit');
      load(h, vmid);
      const mark = h.mark();
      expect(h.verify(vmid)).toBe(KERR.EPERM);
      expect(h.halts(mark).map((e) => e.code)).toEqual(['verification-failed']);
      expect(h.vmState(vmid)).toBe(VM_STATE.POWEROFF);
      const insns = h.m.insns(0);
      expectRefused(h, () => h.hvc(HVC.VCPU_RUN, [BigInt(vmid), 0n]), 'bad-state', KERR.EINVAL);
      expectRefused(h, () => h.verify(vmid), 'bad-state', KERR.EINVAL);
      expect(h.m.insns(0), 'no guest instruction ran').toBe(insns);
      expect(h.vmTranslate(vmid, GUEST_IPA + 4096) === null || h.s2page(h.vmTranslate(vmid, GUEST_IPA + 4096)! / 4096).owner === vmid).toBe(true);
      expect(h.clearVm(vmid)).toBe(0n);
      const first = Number(h.lay.ramBase / 4096n);
      for (let p = first; p < first + h.lay.ramPages; p++) expect(h.s2page(p).owner === vmid, `pfn ${p}`).toBe(false);
      expect(h.isolationViolations()).toEqual([]);
    });
  }
});

describe('one vCPU on two pCPUs at once', () => {
  it('a second VCPU_RUN of an ACTIVE vCPU is refused; the first run is undisturbed', () => {
    const h = new KcoreHarness({ cpus: 2 });
    const f = h.verifiedVm({ entry: 'spin' });
    const run = h.startRun(1, f.vmid, 0);
    expect(h.vcpuState(f.vmid, 0)).toBe(VCPU_STATE.ACTIVE);
    const shadowPc = h.shadow(f.vmid, 0, V.PC);
    expectRefused(h, () => h.hvc(HVC.VCPU_RUN, [BigInt(f.vmid), 0n], 0), 'bad-state', KERR.EINVAL);
    expect(h.m.el(0)).toBe(1);
    expect(h.shadow(f.vmid, 0, V.PC)).toBe(shadowPc);
    expect(h.finishRun(run)).toBe(2n);
    expect(h.vcpuState(f.vmid, 0)).toBe(VCPU_STATE.READY);
    expect(h.run(0, f.vmid, 0), 'and now it may run on pCPU 0').toBe(2n);
  });

  it('two pCPUs racing to run the same vCPU, interleaved at every KCore access: exactly one wins (5 seeds)', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const h = new KcoreHarness({ cpus: 2, seed, switchProbability: 1 });
      const f = h.verifiedVm({ entry: 'spin' });
      const mark = h.mark();
      const r = h.concurrently([0, 1].map((cpu) => ({ cpu, nr: HVC.VCPU_RUN, args: [BigInt(f.vmid), 0n] })));
      expect([...r].sort(), `seed ${seed}`).toEqual([KERR.EINVAL, 2n].sort());
      expect(h.halts(mark).map((e) => e.code)).toEqual(['bad-state']);
      expect(h.since(mark).filter((e) => e.kind === 'vcpu-state' && e.state === 'ACTIVE').length, 'admitted once').toBe(1);
      expect(h.vcpuState(f.vmid, 0)).toBe(VCPU_STATE.READY);
    }
  });
});

describe('reclaiming a VM too early', () => {
  it('CLEAR_VM_S2_RANGE is refused while a vCPU of the powered-off VM still executes; it succeeds once that vCPU exits', () => {
    const h = new KcoreHarness({ cpus: 2 });
    const f = h.readyVm({ vcpus: 2, entry: 'spin' });
    h.setBootPc(f.vmid, 1, 'off');
    expect(h.verify(f.vmid)).toBe(1n);
    const spinning = h.startRun(1, f.vmid, 0);              // vCPU 0 executes on pCPU 1…
    expect(h.run(0, f.vmid, 1)).toBe(2n);                    // …while vCPU 1 powers the VM off
    expect(h.vmState(f.vmid)).toBe(VM_STATE.POWEROFF);
    const page = f.blockPfn + VM_PAGE_OFFSET;
    h.m.writePhys(BigInt(page) << 12n, new Uint8Array(4096).fill(0x99));
    const clear = (): bigint => h.clearVm(f.vmid);
    expectRefused(h, clear, 'bad-state', KERR.EINVAL);
    // The running vCPU still reaches its pages through its stage 2: they are still the VM's.
    expect(h.s2page(page).owner).toBe(f.vmid);
    expect(h.vmTranslate(f.vmid, GUEST_IPA + VM_PAGE_OFFSET * 4096)).toBe(page * 4096);
    expect(h.finishRun(spinning)).toBe(2n);
    expect(h.hvc(HVC.VCPU_RUN, [BigInt(f.vmid), 0n])).toBe(KERR.EINVAL);
    expect(clear()).toBe(0n);
    expect(h.s2page(page)).toEqual({ owner: HOSTVISOR, count: 0, gfn: 0n });
    expect(h.m.readPhys(BigInt(page) << 12n, 4096).every((x) => x === 0)).toBe(true);
    expect(h.isolationViolations()).toEqual([]);
  });
});

describe('SMMU bypass: the host programs the SMMU registers directly', () => {
  const SMMU0 = Number(SMMU_BASE);
  const cbReg = (cb: number, reg: number): number => SMMU0 + CB_BASE + cb * CB_STRIDE + reg;

  it('writes that would disable translation, set a bypass VMID, retarget a VM\'s bank or rename a context are refused', () => {
    const h = new KcoreHarness();
    const f = h.readyVm();
    expect(h.hvc(HVC.SMMU_ALLOC_PGD, [2n, BigInt(f.vmid), 0n])).toBe(0n);
    const dev = h.sys.smmus[0]!;
    const attacks: [string, number, bigint][] = [
      ['sCR0.CLIENTPD = 1 (every stream bypasses)', SMMU0 + GR0_SCR0, BigInt(SCR0_SMCFCFG | SCR0_CLIENTPD)],
      ['sCR0.SMCFCFG = 0 (unmatched streams bypass)', SMMU0 + GR0_SCR0, 0n],
      ['sCR2.BPVMID = 5', SMMU0 + GR0_SCR2, 5n],
      ['CBAR2: the VM\'s bank as a bypass context', SMMU0 + GR1_CBAR + 2 * 4, (1n << 16n) | BigInt(f.vmid)],
      ['CBAR2: the VM\'s bank under another VMID', SMMU0 + GR1_CBAR + 2 * 4, BigInt(f.vmid + 1)],
      ['CONTEXTIDR of bank 2', cbReg(2, CB_CONTEXTIDR), 7n],
    ];
    for (const [what, pa, v] of attacks) {
      const off = pa - SMMU0;
      const old = dev.read(off);
      expectRefused(h, () => h.mmio(pa, 4, true, v), 'ownership');
      expect(dev.read(off), what).toBe(old);
    }
    expect(dev.bypassing()).toBe(false);
    // Legitimate writes go through.
    expect(h.mmio(SMMU0 + GR0_SCR0, 4, true, BigInt(SCR0_SMCFCFG) | 0x400n)).toBe(0n);
    expect(dev.read(GR0_SCR0)).toBe(BigInt(SCR0_SMCFCFG) | 0x400n);
    expect(h.mmio(SMMU0 + GR1_CBAR + 2 * 4, 4, true, BigInt(f.vmid))).toBe(0n);
    expect(h.halts(0).length).toBe(attacks.length);
  });

  it('a bank\'s TTBR0 always points at KCore\'s table: a host-built table mapping KCore or a VM is never used', () => {
    const h = new KcoreHarness();
    const victim = h.verifiedVm();
    const target = (victim.blockPfn + VM_PAGE_OFFSET) * 4096;
    // The host builds its own SMMU table mapping IOVA 0 → the victim's page (level 1 → 2 → 3).
    const [l1, l2, l3] = [h.allocPage(0), h.allocPage(0), h.allocPage(0)];
    h.hostWrite64(l1 * 4096, BigInt(l2 * 4096) | 3n);
    h.hostWrite64(l2 * 4096, BigInt(l3 * 4096) | 3n);
    h.hostWrite64(l3 * 4096, BigInt(target) | 0x4c3n);
    expect(h.hvc(HVC.SMMU_ALLOC_PGD, [4n, 0n, 0n])).toBe(0n);
    expect(h.mmio(cbReg(4, CB_TTBR0), 8, true, BigInt(l1 * 4096))).toBe(0n);
    expect(h.sys.smmus[0]!.bankReg(4, CB_TTBR0), 'KCore substituted its own table').toBe(BigInt(h.smmuRoot(0, 4)));
    expect(h.mmio(cbReg(4, 0), 4, true, 1n)).toBe(0n);
    expect(h.smmuTranslate(0, 4, 0n)).toBeNull();
    // Mapping the victim's page or KCore's page through the hypercall is refused as well.
    expectRefused(h, () => h.hvc(HVC.SMMU_LPAE_MAP, [0n, BigInt(target), 0xc0n, 4n, 0n]), 'ownership', KERR.EPERM);
    expectRefused(h, () => h.hvc(HVC.SMMU_LPAE_MAP, [0n, h.lay.s2pages, 0xc0n, 4n, 0n]), 'ownership', KERR.EPERM);
    expect(h.smmuTranslate(0, 4, 0n)).toBeNull();
  });

  it('the SMMU\'s registers cannot be handed to a VM as a device (PHYS_ADDR_IOREMAP)', () => {
    const h = new KcoreHarness();
    const f = h.readyVm();
    expectRefused(h, () => h.hvc(HVC.PHYS_ADDR_IOREMAP, [BigInt(f.vmid), 0x0905_0000n, SMMU_BASE, 0x2_0000n]), 'ownership', KERR.EPERM);
    expect(h.vmTranslate(f.vmid, 0x0905_0000)).toBeNull();
  });

  it('mapping an IOVA that is already mapped in a VM\'s bank does not take the host page', () => {
    const h = new KcoreHarness();
    const f = h.readyVm();
    expect(h.hvc(HVC.SMMU_ALLOC_PGD, [5n, BigInt(f.vmid), 0n])).toBe(0n);
    const p1 = h.allocPage(), p2 = h.allocPage();
    expect(h.hvc(HVC.SMMU_LPAE_MAP, [FREE_IOVA, BigInt(p1) << 12n, 0xc0n, 5n, 0n])).toBe(0n);
    expect(h.s2page(p1).owner).toBe(f.vmid);
    expectRefused(h, () => h.hvc(HVC.SMMU_LPAE_MAP, [FREE_IOVA, BigInt(p2) << 12n, 0xc0n, 5n, 0n]), 'existing-mapping', KERR.EPERM);
    expect(h.s2page(p2)).toEqual({ owner: HOSTVISOR, count: 0, gfn: 0n });
    expect(h.hostRead64(p2 * 4096)).not.toBeNull();
  });

  it('a powered-off VM\'s bank cannot be cleared to lower the count of a page a host bank still maps', () => {
    const h = new KcoreHarness();
    // VM X maps host page P through its bank at IOVA I while READY, then boots and powers off.
    const x = h.readyVm({ vcpus: 1, entry: 'off' });
    expect(h.hvc(HVC.SMMU_ALLOC_PGD, [1n, BigInt(x.vmid), 0n])).toBe(0n);
    const p = h.allocPage();
    expect(h.hvc(HVC.SMMU_LPAE_MAP, [FREE_IOVA, BigInt(p) << 12n, 0xc0n, 1n, 0n])).toBe(0n);
    expect(h.verify(x.vmid)).toBe(1n);
    expect(h.run(0, x.vmid, 0)).toBe(2n);
    expect(h.vmState(x.vmid)).toBe(VM_STATE.POWEROFF);
    expect(h.clearVm(x.vmid)).toBe(0n);
    // P is the host's again; a host bank DMA-maps it (count 1).
    expect(h.s2page(p).owner).toBe(HOSTVISOR);
    expect(h.hvc(HVC.SMMU_ALLOC_PGD, [0n, 0n, 1n])).toBe(0n);
    expect(h.hvc(HVC.SMMU_LPAE_MAP, [0x7000_0000n, BigInt(p) << 12n, 0xc0n, 0n, 1n])).toBe(0n);
    expect(h.s2page(p).count).toBe(1);
    // Clearing X's stale mapping of P would drop P's count to 0 (Coq: refused once X is VERIFIED or later).
    expectRefused(h, () => h.hvc(HVC.SMMU_CLEAR, [FREE_IOVA, 1n, 0n]), 'bad-state', KERR.EINVAL);
    expect(h.s2page(p).count).toBe(1);
    // So P cannot be handed to a VM while the host can DMA into it.
    const y = h.verifiedVm({ entry: 'touch' });
    expect(h.run(0, y.vmid, 0)).toBe(2n);
    h.proposeWalk(y.vmid, 0, p, 3);
    expect(h.hvc(HVC.VCPU_RUN, [BigInt(y.vmid), 0n])).toBe(KERR.EPERM);
    expect(h.s2page(p).owner).toBe(HOSTVISOR);
    expect(h.isolationViolations()).toEqual([]);
  });

  it('once a VM is cleared, its banks no longer reach the pages it gave back (which may go to another VM)', () => {
    const h = new KcoreHarness();
    const x = h.readyVm({ vcpus: 1, entry: 'off' });
    expect(h.hvc(HVC.SMMU_ALLOC_PGD, [1n, BigInt(x.vmid), 0n])).toBe(0n);
    h.enableSmmuBank(0, 1);
    const p = h.allocPage();
    expect(h.hvc(HVC.SMMU_LPAE_MAP, [FREE_IOVA, BigInt(p) << 12n, 0xc0n, 1n, 0n])).toBe(0n);
    expect(h.smmuTranslate(0, 1, FREE_IOVA)).toBe(BigInt(p) << 12n);
    expect(h.verify(x.vmid)).toBe(1n);
    expect(h.run(0, x.vmid, 0)).toBe(2n);
    expect(h.clearVm(x.vmid)).toBe(0n);
    // P goes to VM Y through an honest stage-2 fault.
    const y = h.verifiedVm({ entry: 'touch' });
    expect(h.run(0, y.vmid, 0)).toBe(2n);
    h.proposeWalk(y.vmid, 0, p, 3);
    expect(h.run(0, y.vmid, 0)).toBe(2n);
    expect(h.s2page(p).owner).toBe(y.vmid);
    // A device on X's old bank must not reach Y's page.
    expect(h.smmuTranslate(0, 1, FREE_IOVA)).toBeNull();
    // Nor after the host frees the bank.
    expect(h.hvc(HVC.SMMU_FREE_PGD, [1n, 0n])).toBe(0n);
    expect(h.smmuTranslate(0, 1, FREE_IOVA)).toBeNull();
  });
});

describe('out-of-range arguments on every call', () => {
  const HOSTILE = [1n << 32n, 1n << 44n, (1n << 64n) - 4096n, (1n << 64n) - 1n, 0x1001n];

  it('every argument of every hypercall, set to hostile values, is refused or harmless; KCore never crashes and isolation holds', () => {
    let refused = 0, accepted = 0;
    for (const row of HOST_HYPERCALLS) {
      if (row.args.length === 0 || row.name === 'VCPU_RUN') continue;
      let h = new KcoreHarness();
      let b = h.buildState(row.okState);
      const base = (): bigint[] => row.args.map((a) => {
        switch (a) {
          case 'vmid': return BigInt(b.vmid);
          case 'vcpu': case 'cbndx': case 'index': case 'host-vmid': return 0n;
          case 'pfn': return BigInt(b.pages[row.okState.page!]!);
          case 'pa': return BigInt(b.pages[row.okState.page!]!) << 12n;
          case 'out-pa': return BigInt(b.pages[row.okState.out!]!) << 12n;
          case 'load-idx': return 0n;
          case 'image-ipa': return 0x4060_0000n;
          case 'image-size': case 'page-size': return 4096n;
          case 'iova': return FREE_IOVA;
          case 'mapped-iova': return 0x5000_0000n;
          case 'gpa': return 0x0a00_0000n;
          case 'ram-start': return h.m.ramBase;
          case 'ram-size': return BigInt(h.m.ramBytes);
          case 'prot': return 0xc0n;
          case 'lo': case 'hi': return 1n;
          default: return a as bigint;
        }
      });
      for (let i = 0; i < row.args.length; i++) {
        for (const v of HOSTILE) {
          const args = base();
          args[i] = v;
          const before = h.snapshot();
          const mark = h.mark();
          const what = `${row.name}${row.variant ? ` (${row.variant})` : ''} arg ${i} (${String(row.args[i])}) = 0x${v.toString(16)}`;
          const r = h.hvc(row.nr, args, 0);
          const changed = h.diff(before);
          if (r < 0n) {
            refused++;
            expect(h.halts(mark).length, `${what}: recorded`).toBe(row.name === 'BOOT_FROM_SAVED_VM' ? 0 : 1);
            if (!(row.name === 'VERIFY_VM_IMAGES' && h.halts(mark)[0]?.code === 'verification-failed')) {
              expect(changed, `${what}: nothing changed`).toEqual([]);
            }
          } else {
            accepted++;
            expect(h.halts(mark), `${what}: accepted without a violation`).toEqual([]);
          }
          if (changed.length > 0) expect(h.isolationViolations(), what).toEqual([]);
          if (changed.length > 0) {
            h = new KcoreHarness();
            b = h.buildState(row.okState);
          }
        }
      }
    }
    expect(refused).toBeGreaterThan(200);
    expect(accepted).toBeGreaterThan(0);
  });
});

