/**
 * VM and vCPU lifecycles end to end, driven as KServ drives them (sekvm.md §2.6): create →
 * boot info → remap → verify → run (stage-2 faults resolved through walk_result, a page shared
 * and unshared by the guest) → power off → clear → every page back to the host, scrubbed. Then
 * the vCPU state machine, the confidential snapshot/restore path, and the VMID limit: 56 VMs
 * register, the 57th fails with EINVAL (KVM_CREATE_VM → 22, the seed README), and VMIDs are
 * never recycled.
 */
import { describe, it, expect } from 'vitest';
import {
  KcoreHarness, GUEST_IPA, GRANT_IPA, TOUCH_IPA, testImage, VM_PAGE_OFFSET,
} from '../support/kcore-harness.js';
import {
  HVC, VM_STATE, VCPU_STATE, HOSTVISOR, COREVISOR, MAX_VM_NUM, INVALID64, V, ARM_EXCEPTION,
} from '../../src/kcore/constants.js';
import { KERR } from '../../src/kcore/errors.js';
import { EC } from '../../src/arch/esr.js';
import { vcpuAt, VCPU } from '../../src/kcore/shared-abi.js';
import { runToEnd } from '../../src/sim/task.js';

/** Pages (pfns) owned by `owner`, from the s2page array. */
function pagesOf(h: KcoreHarness, owner: number): number[] {
  const first = Number(h.lay.ramBase / 4096n);
  const out: number[] = [];
  for (let f = first; f < first + h.lay.ramPages; f++) if (h.s2page(f).owner === owner) out.push(f);
  return out;
}

describe('VM lifecycle, end to end', () => {
  it('create → boot info → remap → verify → run → share → power off → clear: pages go back to the host scrubbed', () => {
    const h = new KcoreHarness({ cpus: 2 });
    const img = testImage();
    expect(h.isolationViolations()).toEqual([]);
    // KCore protected its own region at the first ENABLE_S2_TRANS.
    expect(h.s2page(h.kcorePfn()).owner).toBe(COREVISOR);

    // KVM_CREATE_VM → REGISTER_KVM: a READY VM.
    const vmid = h.registerVm();
    expect(vmid).toBe(1);
    expect(h.vmState(vmid)).toBe(VM_STATE.READY);

    // KVM_CREATE_VCPU ×3 → REGISTER_VCPU: READY vCPUs whose shadow context resets on first run.
    for (let i = 0; i < 3; i++) {
      h.registerVcpu(vmid, i);
      expect(h.vcpuState(vmid, i)).toBe(VCPU_STATE.READY);
      expect(h.shadow(vmid, i, V.DIRTY)).toBe(INVALID64);
    }
    h.setBootPc(vmid, 0, 'touch');
    h.setBootPc(vmid, 1, 'grant');
    h.setBootPc(vmid, 2, 'off');

    // ROM load → SET_BOOT_INFO + REMAP_VM_IMAGE: mapped into KCore's EL2 window, still the host's.
    const l = h.loadImage(vmid, img);
    expect(h.loadInfo(vmid, l.idx).mapped).toBe(1n);
    expect(h.el2Translate(Number(h.loadInfo(vmid, l.idx).remapVa))).toBe(l.pfns[0]! * 4096);
    expect(h.s2page(l.pfns[0]!).owner).toBe(HOSTVISOR);
    expect(h.hostTranslate(l.pfns[0]! * 4096)).toBe(l.pfns[0]! * 4096);

    // A device for the VM while it is READY (the GIC virtual CPU interface in SeKVM).
    expect(h.hvc(HVC.PHYS_ADDR_IOREMAP, [BigInt(vmid), 0x0801_0000n, 0x0a00_0000n, 4096n])).toBe(0n);
    expect(h.vmTranslate(vmid, 0x0801_0000)).toBe(0x0a00_0000);

    // First KVM_RUN → VERIFY_VM_IMAGES: the image's 2 MB block moves to the VM.
    expect(h.verify(vmid)).toBe(1n);
    expect(h.vmState(vmid)).toBe(VM_STATE.VERIFIED);
    for (const f of [l.blockPfn, l.blockPfn + 511]) {
      expect(h.s2page(f)).toEqual({ owner: vmid, count: 0, gfn: BigInt(GUEST_IPA / 4096 + (f - l.blockPfn)) });
    }
    expect(h.vmTranslate(vmid, GUEST_IPA)).toBe(l.blockPfn * 4096);
    expect(h.hostMapped(l.pfns[0]! * 4096)).toBe(false);
    expect(h.hostTranslate(l.pfns[0]! * 4096), 'no stale host TLB entry for the image').toBeNull();
    expect(h.isolationViolations()).toEqual([]);

    // KVM_RUN → VCPU_RUN: vCPU 0 loads from unmapped RAM and exits with a stage-2 fault.
    expect(h.run(0, vmid, 0)).toBe(BigInt(ARM_EXCEPTION.TRAP));
    const fault = h.exitInfo(vmid, 0);
    expect(Number(fault.esr >> 26n)).toBe(EC.DABT_LOW);
    expect(Number(fault.hpfar >> 4n) * 4096).toBe(TOUCH_IPA);
    expect(h.shadow(vmid, 0, V.FLAGS) & 2n, 'PENDING_FSC_FAULT').toBe(2n);
    // user_mem_abort: KServ proposes a fresh host page; KCore checks and maps it on the next run.
    const backing = h.allocPage(0x77);
    h.proposeWalk(vmid, 0, backing, 3);
    expect(h.run(0, vmid, 0)).toBe(BigInt(ARM_EXCEPTION.TRAP));
    expect(Number(h.exitInfo(vmid, 0).esr >> 26n), 'the load completed; the guest went on to its HVC').toBe(EC.HVC64);
    expect(h.s2page(backing)).toEqual({ owner: vmid, count: 0, gfn: BigInt(TOUCH_IPA / 4096) });
    expect(h.vmTranslate(vmid, TOUCH_IPA)).toBe(backing * 4096);
    expect(h.shadow(vmid, 0, 5), 'x5 holds what the guest loaded').toBe(0x7777_7777_7777_7777n);
    expect(h.hostRead64(backing * 4096), 'the host lost the page').toBeNull();

    // The guest shares GRANT_IPA (KVM_SET_DESC_PFN, handled inside KCore): the host may map it.
    const shared = h.grantPage(vmid, 1);
    expect(h.s2page(shared).count).toBe(1);
    expect(h.hostWrite64(shared * 4096, 0xfeedn)).toBe(true);
    expect(h.isolationViolations()).toEqual([]);

    // PSCI SYSTEM_OFF from vCPU 2: the VM is off and never runs again.
    expect(h.run(0, vmid, 2)).toBe(BigInt(ARM_EXCEPTION.TRAP));
    expect(h.vmState(vmid)).toBe(VM_STATE.POWEROFF);
    expect(h.hvc(HVC.VCPU_RUN, [BigInt(vmid), 0n])).toBe(KERR.EINVAL);

    // VM destruction → CLEAR_VM_S2_RANGE over all RAM: every VM page returns to the host, zeroed.
    const owned = pagesOf(h, vmid);
    expect(owned.length).toBe(512 + 1);
    expect(h.clearVm(vmid)).toBe(0n);
    expect(pagesOf(h, vmid)).toEqual([]);
    for (const f of owned) {
      expect(h.s2page(f)).toEqual({ owner: HOSTVISOR, count: 0, gfn: 0n });
      expect(h.m.readPhys(BigInt(f) << 12n, 4096).every((b) => b === 0), `pfn 0x${f.toString(16)} scrubbed`).toBe(true);
    }
    // The shared page's host mapping was removed before the scrub; the host maps it again on a fault and reads zeros.
    expect(h.hostMapped(shared * 4096)).toBe(false);
    expect(h.hostRead64(shared * 4096)).toBe(0n);
    expect(h.hostRead64(l.pfns[0]! * 4096)).toBe(0n);
    expect(h.isolationViolations()).toEqual([]);
    // The only violations of the run are the two probes above: the host reading the VM's page, and running the VM after it was off.
    expect(h.events.filter((e) => e.kind === 'kcore-halt').map((e) => (e.kind === 'kcore-halt' ? `${e.where}: ${e.code}` : ''))).toEqual(['map_page_host: ownership', 'vcpu_run: bad-state']);
  });

  it('a guest unshares a page: the host mapping goes away with its TLB entries on every pCPU', () => {
    const h = new KcoreHarness({ cpus: 2 });
    const f = h.readyVm({ vcpus: 2, entry: 'grant' });
    h.setBootPc(f.vmid, 1, 'revoke');
    expect(h.verify(f.vmid)).toBe(1n);
    const shared = h.grantPage(f.vmid, 0);
    // Both pCPUs of the host touch the page: each caches the translation.
    expect(h.hostRead64(shared * 4096, 0)).not.toBeNull();
    expect(h.hostRead64(shared * 4096, 1)).not.toBeNull();
    expect(h.hostTranslate(shared * 4096, 1)).toBe(shared * 4096);
    expect(h.run(1, f.vmid, 1)).toBe(2n);
    expect(h.s2page(shared)).toEqual({ owner: f.vmid, count: 0, gfn: BigInt(GRANT_IPA / 4096) });
    expect(h.hostMapped(shared * 4096)).toBe(false);
    for (let c = 0; c < 2; c++) expect(h.hostTranslate(shared * 4096, c), `pCPU ${c}`).toBeNull();
    const mark = h.mark();
    expect(h.hostRead64(shared * 4096)).toBeNull();
    expect(h.halts(mark).map((e) => e.code)).toEqual(['ownership']);
  });
});

describe('vCPU lifecycle', () => {
  it('UNUSED → READY (register) → ACTIVE while it runs → READY at exit; first_run and the reset happen once', () => {
    const h = new KcoreHarness({ cpus: 2 });
    const vmid = h.registerVm();
    expect(h.vcpuState(vmid, 0)).toBe(VCPU_STATE.UNUSED);
    h.registerVcpu(vmid, 0);
    expect(h.vcpuState(vmid, 0)).toBe(VCPU_STATE.READY);
    h.setBootPc(vmid, 0, 'spin', 0x5eedn);
    h.loadImage(vmid);
    expect(h.verify(vmid)).toBe(1n);
    const run = h.startRun(1, vmid, 0);
    expect(run.done).toBe(false);
    expect(h.vcpuState(vmid, 0)).toBe(VCPU_STATE.ACTIVE);
    expect([h.perCpu(1, 'VMID'), h.perCpu(1, 'VCPUID')]).toEqual([BigInt(vmid), 0n]);
    expect(h.shadow(vmid, 0, V.DIRTY), 'reset_gp_regs ran').toBe(0n);
    expect(h.shadow(vmid, 0, 0), 'x0 comes from KServ at the first run').toBe(0x5eedn);
    expect(h.shadow(vmid, 0, V.PC)).toBe(testImage().entries.spin);
    expect(h.finishRun(run)).toBe(2n);
    expect(h.vcpuState(vmid, 0)).toBe(VCPU_STATE.READY);
    expect(h.perCpu(1, 'VMID')).toBe(BigInt(HOSTVISOR));
    const states = h.events.filter((e) => e.kind === 'vcpu-state').map((e) => (e.kind === 'vcpu-state' ? e.state : ''));
    expect(states).toEqual(['READY', 'ACTIVE', 'READY']);
    // A second run resumes where the guest stopped: KServ's boot PC no longer matters.
    h.setBootPc(vmid, 0, 0xdead_0000n);
    expect(h.run(0, vmid, 0)).toBe(2n);
    expect(Number(h.exitInfo(vmid, 0).esr >> 26n)).toBe(EC.HVC64);
  });

  it('the first run refuses a boot PC outside the verified image, and the vCPU stays runnable', () => {
    const h = new KcoreHarness();
    const f = h.readyVm();
    h.setBootPc(f.vmid, 0, 0x4800_0000n);
    expect(h.verify(f.vmid)).toBe(1n);
    const mark = h.mark();
    expect(h.hvc(HVC.VCPU_RUN, [BigInt(f.vmid), 0n])).toBe(KERR.EPERM);
    expect(h.halts(mark).map((e) => e.code)).toEqual(['boot-pc']);
    expect(h.vcpuState(f.vmid, 0)).toBe(VCPU_STATE.READY);
    expect(h.shadow(f.vmid, 0, V.DIRTY), 'still waiting for its reset').toBe(INVALID64);
    expect(h.m.getSysRaw(0, 'VTTBR_EL2'), 'the pCPU is back on the host stage 2').toBe(h.core('HOST_VTTBR'));
    expect(h.perCpu(0, 'VMID'), 'and KCore knows it runs the host').toBe(BigInt(HOSTVISOR));
    h.setBootPc(f.vmid, 0, 'exit');
    expect(h.run(0, f.vmid, 0)).toBe(2n);
  });
});

describe('confidential snapshot and restore (ENCRYPT_BUF, SAVE_CRYPT_VCPU → DECRYPT_BUF, LOAD_CRYPT_VCPU)', () => {
  it('a VM page and a vCPU move to a new VM through KServ only in encrypted form', () => {
    const h = new KcoreHarness();
    const a = h.verifiedVm();
    expect(h.run(0, a.vmid, 0)).toBe(2n);
    const page = a.blockPfn + VM_PAGE_OFFSET;
    h.m.writePhys(BigInt(page) << 12n, new Uint8Array(4096).fill(0x3c));   // the VM's data (the guest's own write, stood in)
    const out = h.allocPage(0);
    expect(h.hvc(HVC.ENCRYPT_BUF, [BigInt(a.vmid), BigInt(page) << 12n, BigInt(out) << 12n])).toBe(0n);
    const cipher = h.hostReadBytes(out * 4096, 4096)!;
    expect(cipher.some((b) => b !== 0x3c)).toBe(true);
    expect(h.hvc(HVC.SAVE_CRYPT_VCPU, [BigInt(a.vmid), 0n])).toBe(0n);
    const crypt = h.hostReadBytes(vcpuAt(h.k.cfg.sharedBase, a.vmid, 0) + VCPU.CRYPT, 1024)!;

    // Restore into a new VM: KServ copies the ciphertexts over, KCore decrypts them inside.
    const b = h.registerVm();
    h.registerVcpu(b, 0);
    expect(h.hvc(HVC.DECRYPT_BUF, [BigInt(b), BigInt(out) << 12n, 4096n])).toBe(0n);
    expect(h.s2page(out)).toEqual({ owner: b, count: 0, gfn: INVALID64 });
    expect(h.m.readPhys(BigInt(out) << 12n, 4096).every((x) => x === 0x3c)).toBe(true);
    expect(h.hostWriteBytes(vcpuAt(h.k.cfg.sharedBase, b, 0) + VCPU.CRYPT, crypt)).toBe(true);
    expect(h.hvc(HVC.LOAD_CRYPT_VCPU, [BigInt(b), 0n])).toBe(0n);
    expect(h.vmField(b, 'INC_EXE')).toBe(1n);
    expect(h.shadow(b, 0, V.PC)).toBe(h.shadow(a.vmid, 0, V.PC));
    h.loadImage(b);
    expect(h.verify(b)).toBe(1n);
    // The first run keeps the restored registers (no reset, no boot-PC check): the guest
    // resumes after its HVC in the exit loop and exits again.
    h.setBootPc(b, 0, 0xdead_0000n);
    expect(h.run(0, b, 0)).toBe(2n);
    expect(Number(h.exitInfo(b, 0).esr >> 26n)).toBe(EC.HVC64);
  });
});

describe('VMIDs', () => {
  it(`${MAX_VM_NUM} VMs register; the next fails with EINVAL (KVM_CREATE_VM → 22) without halting, even in halt mode`, () => {
    const h = new KcoreHarness({ onViolation: 'halt' });
    const ids: number[] = [];
    for (let i = 0; i < MAX_VM_NUM; i++) ids.push(h.registerVm());
    expect(ids).toEqual(Array.from({ length: MAX_VM_NUM }, (_, i) => i + 1));
    for (const v of ids) expect(h.vmState(v)).toBe(VM_STATE.READY);
    const mark = h.mark();
    expect(h.hvc(HVC.REGISTER_KVM, [])).toBe(KERR.EINVAL);
    expect(h.halts(mark).map((e) => [e.code, e.mode])).toEqual([['vmid-exhausted', 'reject']]);
    expect(h.k.halted).toBeNull();
    // KServ's KVM_CREATE_VM fails with errno 22, as the seed README shows ("ioctl(KVM_CREATE_VM) failed: 22").
    const img = testImage();
    const vm = runToEnd(h.sys.kserv.createVm(0, { name: 'vm57', vcpus: 1, image: { ipa: img.ipa, bytes: img.bytes, entry: img.entries.exit, name: 'vm57', signature: img.signature } }));
    expect(vm).toBe(-22n);
    expect(h.core('NEXT_VMID')).toBe(BigInt(MAX_VM_NUM + 1));
  });

  it('are never recycled: a VM that was powered off and cleared does not free its VMID', () => {
    const h = new KcoreHarness();
    const off = h.poweredOffVm();
    expect(h.clearVm(off.vmid)).toBe(0n);
    expect(h.vmState(off.vmid)).toBe(VM_STATE.POWEROFF);
    const ids: number[] = [];
    for (;;) {
      const r = h.hvc(HVC.REGISTER_KVM, []);
      if (r < 0n) {
        expect(r).toBe(KERR.EINVAL);
        break;
      }
      ids.push(Number(r));
    }
    expect(ids.length).toBe(MAX_VM_NUM - 1);
    expect(ids).not.toContain(off.vmid);
    expect(h.hvc(HVC.REGISTER_VCPU, [BigInt(off.vmid), 1n]), 'the old VM cannot be reused either').toBe(KERR.EINVAL);
  });
});
