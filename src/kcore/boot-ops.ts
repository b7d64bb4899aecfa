/**
 * BootCore / BootOps (SeKVM layers; BootCore.c, BootOps.c, BootAux.c): the VM and vCPU
 * lifecycles and verified boot.
 *
 *   VM:   UNUSED ─REGISTER_KVM→ READY ─VERIFY_VM_IMAGES→ VERIFIED ─guest SYSTEM_OFF→ POWEROFF
 *                                 └─ verification fails → POWEROFF (never runs; memory reclaimable)
 *   vCPU: UNUSED ─REGISTER_VCPU→ READY ⇄ ACTIVE (VCPU_RUN entry/exit)
 *
 * In READY the host may set boot info, remap images, ioremap devices, decrypt pages, load
 * encrypted vCPUs and attach SMMU banks; only VERIFIED vCPUs run.
 */
import type { Gen } from '../sim/task.js';
import { type Pa, pfn as toPfn, hex } from '../arch/addr.js';
import { PAGE_HYP, PAGE_S2_DEVICE_RW, PTE_MARK, isValid, D_ADDR_MASK } from '../arch/desc.js';
import type { Kcore } from './kcore.js';
import {
  MAX_VM_NUM, HYPSEC_MAX_VCPUS, VM_STATE, VCPU_STATE, MAX_LOAD_INFO_NUM, INVALID64, COREVISOR, INVALID_MEM,
  V, vmStateName,
} from './constants.js';
import { CORE_LOCK, vmLock, nptLock, S2PAGE_LOCK } from './locks.js';
import { mmapS2pt, walkS2pt, poolHolds } from './npt-ops.js';
import { protAndMapVmS2pt } from './mem-manager.js';
import { getPfnOwner } from './page-manager.js';
import { violation, KcoreViolation, KERR } from './errors.js';
import { bug } from '../util/result.js';
import { ed25519PublicKey, ed25519Verify } from './crypto.js';
import { kvmAt, KVM } from './shared-abi.js';

/** EL2 VA window for remapped boot images: [EL2_REMAP_START, EL2_PAGE_OFFSET). */
export const EL2_REMAP_START = 0x1_0000_0000;
export const EL2_PAGE_OFFSET = 0x400_0000_0000;

/** is_vm: a VM id KCore can hold (1..MAX_VM_NUM). */
export function isVm(vmid: number): boolean {
  return Number.isInteger(vmid) && vmid >= 1 && vmid <= MAX_VM_NUM;
}

/** is_vcpu: a vCPU index inside the shadow-context stride. */
export function isVcpu(vcpuid: number): boolean {
  return Number.isInteger(vcpuid) && vcpuid >= 0 && vcpuid < HYPSEC_MAX_VCPUS;
}

export function checkVm(where: string, vmid: number): void {
  if (!isVm(vmid)) violation('bad-argument', where, `vmid ${vmid} out of range 1..${MAX_VM_NUM}`);
}

export function checkVcpu(where: string, vcpuid: number): void {
  if (!isVcpu(vcpuid)) violation('bad-argument', where, `vcpuid ${vcpuid} out of range 0..${HYPSEC_MAX_VCPUS - 1}`);
}

function* vmState(k: Kcore, cpu: number, vmid: number): Gen<number> {
  return Number(yield* k.am.getVmInfo(cpu, vmid, 'STATE'));
}

function* setVmState(k: Kcore, cpu: number, vmid: number, s: number): Gen {
  yield* k.am.setVmInfo(cpu, vmid, 'STATE', BigInt(s));
  k.event({ kind: 'vm-state', cpu, vmid, state: vmStateName(s) });
}

/** Thrown (and reported as an error return, never a halt) when the VMIDs are used up. */
export class VmidExhausted extends KcoreViolation {
  constructor() {
    super('vmid-exhausted', 'gen_vmid', `all ${MAX_VM_NUM} VMIDs are used (they are never recycled)`, KERR.EINVAL);
  }
}

/** gen_vmid (BootCore.c): the next VMID under the core lock; VMIDs are never recycled. */
export function* genVmid(k: Kcore, cpu: number): Gen<number> {
  const am = k.am;
  yield* am.acquire(cpu, CORE_LOCK);
  const vmid = Number(yield* am.getCore(cpu, 'NEXT_VMID'));
  if (vmid > MAX_VM_NUM) {
    yield* am.release(cpu, CORE_LOCK);
    throw new VmidExhausted();
  }
  yield* am.setCore(cpu, 'NEXT_VMID', BigInt(vmid + 1));
  yield* am.release(cpu, CORE_LOCK);
  return vmid;
}

/** register_kvm (HVC_REGISTER_KVM 13): a new VM in state READY; returns its vmid. */
export function* registerKvm(k: Kcore, cpu: number): Gen<bigint> {
  const vmid = yield* genVmid(k, cpu);
  const am = k.am;
  yield* am.acquire(cpu, vmLock(vmid));
  const state = yield* vmState(k, cpu, vmid);
  if (state !== VM_STATE.UNUSED) violation('bad-state', 'register_kvm', `VM ${vmid} is ${vmStateName(state)}, not UNUSED`);
  yield* setVmState(k, cpu, vmid, VM_STATE.READY);
  yield* am.setVmInfo(cpu, vmid, 'INC_EXE', 0n);
  yield* am.setVmInfo(cpu, vmid, 'LOAD_INFO_CNT', 0n);
  yield* am.setVmBytes(cpu, vmid, 'key', k.cfg.publicKey);
  yield* am.release(cpu, vmLock(vmid));
  return BigInt(vmid);
}

/**
 * register_vcpu (HVC_REGISTER_VCPU 14): the Coq check — VM READY **and** vCPU UNUSED (the C
 * artifact's `or` is the injected bug 'register-vcpu-weak-check'). The shadow context's dirty
 * word becomes INVALID64: "reset on first run".
 */
export function* registerVcpu(k: Kcore, cpu: number, vmid: number, vcpuid: number): Gen<bigint> {
  checkVm('register_vcpu', vmid);
  checkVcpu('register_vcpu', vcpuid);
  const am = k.am;
  yield* am.acquire(cpu, vmLock(vmid));
  const vs = yield* vmState(k, cpu, vmid);
  const cs = Number(yield* am.getVcpuField(cpu, vmid, vcpuid, 'STATE'));
  const ok = k.bug('register-vcpu-weak-check')
    ? vs === VM_STATE.READY || cs === VCPU_STATE.UNUSED
    : vs === VM_STATE.READY && cs === VCPU_STATE.UNUSED;
  if (!ok) violation('bad-state', 'register_vcpu', `VM ${vmid} is ${vmStateName(vs)} and vCPU ${vcpuid} is in state ${cs}`);
  yield* am.setVcpuField(cpu, vmid, vcpuid, 'STATE', BigInt(VCPU_STATE.READY));
  yield* am.setVcpuField(cpu, vmid, vcpuid, 'FIRST_RUN', 0n);
  yield* am.setShadowCtxt(cpu, vmid, vcpuid, V.DIRTY, INVALID64);
  yield* am.release(cpu, vmLock(vmid));
  k.event({ kind: 'vcpu-state', cpu, vmid, vcpu: vcpuid, state: 'READY' });
  return 0n;
}

/**
 * set_boot_info (HVC_SET_BOOT_INFO 10): records a boot image {load_addr, size} and reserves
 * ceil(size/4K) pages of KCore's EL2 remap window for it; the signature is read from the
 * host's struct kvm (an oracle read). Returns the load index.
 */
export function* setBootInfo(k: Kcore, cpu: number, vmid: number, loadAddr: bigint, size: bigint): Gen<bigint> {
  checkVm('set_boot_info', vmid);
  const am = k.am;
  const pages = (size + 4095n) / 4096n;
  if (size <= 0n || size > 1n << 30n) violation('bad-argument', 'set_boot_info', `image size ${size} is not in 1..1 GiB`);
  if (loadAddr >= 1n << 40n || (loadAddr & 0xfffn) !== 0n) violation('bad-argument', 'set_boot_info', `load address ${hex(loadAddr)} is not a page-aligned 40-bit IPA`);
  yield* am.acquire(cpu, vmLock(vmid));
  const vs = yield* vmState(k, cpu, vmid);
  if (vs !== VM_STATE.READY) violation('bad-state', 'set_boot_info', `VM ${vmid} is ${vmStateName(vs)}, not READY`);
  const idx = Number(yield* am.getVmInfo(cpu, vmid, 'LOAD_INFO_CNT'));
  if (idx >= MAX_LOAD_INFO_NUM) violation('bad-state', 'set_boot_info', `VM ${vmid} already has ${MAX_LOAD_INFO_NUM} boot images`);
  yield* am.acquire(cpu, CORE_LOCK);
  const remap = yield* am.getCore(cpu, 'NEXT_REMAP_PTR');
  if (remap + pages * 4096n >= BigInt(EL2_PAGE_OFFSET)) violation('pool-exhausted', 'set_boot_info', 'EL2 remap window exhausted');
  yield* am.setCore(cpu, 'NEXT_REMAP_PTR', remap + pages * 4096n);
  yield* am.release(cpu, CORE_LOCK);
  yield* am.setLoadInfo(cpu, vmid, idx, 0, loadAddr);
  yield* am.setLoadInfo(cpu, vmid, idx, 1, size);
  yield* am.setLoadInfo(cpu, vmid, idx, 2, remap);
  yield* am.setLoadInfo(cpu, vmid, idx, 3, 0n);
  // The signature comes from KServ's struct kvm in shared memory (it provided the image).
  const sig = new Uint8Array(64);
  const at = kvmAt(k.cfg.sharedBase, vmid) + KVM.SIGNATURE + idx * 64;
  for (let i = 0; i < 64; i += 8) {
    const wv = yield* am.ld(cpu, (at + i) as Pa);
    for (let b = 0; b < 8; b++) sig[i + b] = Number((wv >> BigInt(8 * b)) & 0xffn);
  }
  yield* am.setVmBytes(cpu, vmid, idx, sig);
  yield* am.setVmInfo(cpu, vmid, 'LOAD_INFO_CNT', BigInt(idx + 1));
  yield* am.release(cpu, vmLock(vmid));
  return BigInt(idx);
}

/**
 * remap_vm_image (HVC_REMAP_VM_IMAGE 11): maps host page `pfn` into KCore's EL2 table at the
 * image's next remap slot (write-once: the slot must be empty). Ownership does not change yet.
 * Extra pages beyond the image size are ignored, as in SeKVM.
 */
export function* remapVmImage(k: Kcore, cpu: number, vmid: number, f: number, loadIdx: number): Gen<bigint> {
  checkVm('remap_vm_image', vmid);
  const am = k.am;
  if (!am.isRamPfn(toPfn(f))) violation('bad-argument', 'remap_vm_image', `pfn ${hex(f)} is not RAM`);
  yield* am.acquire(cpu, vmLock(vmid));
  const vs = yield* vmState(k, cpu, vmid);
  const okState = vs === VM_STATE.READY || (k.bug('remap-after-verified') && vs === VM_STATE.VERIFIED);
  if (!okState) violation('bad-state', 'remap_vm_image', `VM ${vmid} is ${vmStateName(vs)}, not READY`);
  const cnt = Number(yield* am.getVmInfo(cpu, vmid, 'LOAD_INFO_CNT'));
  if (!Number.isInteger(loadIdx) || loadIdx < 0 || loadIdx >= cnt) violation('bad-argument', 'remap_vm_image', `load index ${loadIdx} not in 0..${cnt - 1}`);
  const size = yield* am.getLoadInfo(cpu, vmid, loadIdx, 1);
  const mapped = yield* am.getLoadInfo(cpu, vmid, loadIdx, 3);
  if (mapped < (size + 4095n) / 4096n) {
    const va = Number((yield* am.getLoadInfo(cpu, vmid, loadIdx, 2)) + mapped * 4096n);
    yield* am.acquire(cpu, nptLock(COREVISOR));
    const r = yield* mmapS2pt(am, cpu, COREVISOR, va, 3, BigInt(f * 4096) | PAGE_HYP | 3n);
    yield* am.release(cpu, nptLock(COREVISOR));
    if (r === 'existing') violation('existing-mapping', 'remap_vm_image', `EL2 VA ${hex(va)} is already mapped (write-once kernel mapping)`);
    if (r === 'no-memory') violation('pool-exhausted', 'remap_vm_image', "KCore's EL2 table pool is exhausted");
    yield* am.setLoadInfo(cpu, vmid, loadIdx, 3, mapped + 1n);
  }
  yield* am.release(cpu, vmLock(vmid));
  return 0n;
}

/** The physical page behind KCore's EL2 VA (its remap window), or null if unmapped. */
function* el2Lookup(k: Kcore, cpu: number, va: number): Gen<number | null> {
  const am = k.am;
  yield* am.acquire(cpu, nptLock(COREVISOR));
  const leaf = yield* walkS2pt(am, cpu, COREVISOR, va);
  yield* am.release(cpu, nptLock(COREVISOR));
  return isValid(leaf.pte) ? Number(leaf.pte & D_ADDR_MASK) : null;
}

/**
 * verify_and_load_images (HVC_VERIFY_VM_IMAGES 12): for each boot image, moves its pages from
 * the host to the VM in 2 MB steps (prot_and_map_vm_s2pt level 2: all 512 pages of each block
 * must be host-owned with count 0), then checks the Ed25519 signature over the image as now
 * mapped (so the host can no longer change it). Success: READY → VERIFIED. A bad signature or
 * an image that is not remapped stops the VM: → POWEROFF, so it never runs.
 */
export function* verifyAndLoadImages(k: Kcore, cpu: number, vmid: number): Gen<bigint> {
  checkVm('verify_vm_images', vmid);
  const am = k.am;
  yield* am.acquire(cpu, vmLock(vmid));
  const vs = yield* vmState(k, cpu, vmid);
  if (vs !== VM_STATE.READY) violation('bad-state', 'verify_vm_images', `VM ${vmid} is ${vmStateName(vs)}, not READY`);
  const cnt = Number(yield* am.getVmInfo(cpu, vmid, 'LOAD_INFO_CNT'));
  const key = ed25519PublicKey(yield* am.getVmBytes(cpu, vmid, 'key'));
  let failure: string | null = cnt === 0 ? 'no boot image was registered' : null;
  try {
    failure = failure ?? (yield* loadAndVerify(k, cpu, vmid, cnt, key));
  } catch (e) {
    // An ownership violation while moving the image: the VM is unusable; stop it, then report.
    if (e instanceof KcoreViolation) {
      yield* setVmState(k, cpu, vmid, VM_STATE.POWEROFF);
      yield* am.release(cpu, vmLock(vmid));
    }
    throw e;
  }
  if (failure !== null) {
    yield* setVmState(k, cpu, vmid, VM_STATE.POWEROFF);
    yield* am.release(cpu, vmLock(vmid));
    violation('verification-failed', 'verify_vm_images', `VM ${vmid}: ${failure}; the VM will never run`);
  }
  yield* setVmState(k, cpu, vmid, VM_STATE.VERIFIED);
  yield* am.release(cpu, vmLock(vmid));
  return 1n;
}

/** unmap_and_load_vm_image + verify_image for every image; returns a failure description or null. */
function* loadAndVerify(k: Kcore, cpu: number, vmid: number, cnt: number, key: ReturnType<typeof ed25519PublicKey>): Gen<string | null> {
  const am = k.am;
  for (let i = 0; i < cnt; i++) {
    const load = Number(yield* am.getLoadInfo(cpu, vmid, i, 0));
    const size = Number(yield* am.getLoadInfo(cpu, vmid, i, 1));
    const remap = Number(yield* am.getLoadInfo(cpu, vmid, i, 2));
    const mapped = Number(yield* am.getLoadInfo(cpu, vmid, i, 3));
    const pages = Math.ceil(size / 4096);
    if (mapped < pages) return `image ${i}: only ${mapped} of ${pages} pages were remapped`;
    // unmap_and_load_vm_image: 2 MB steps over the image's IPA range.
    const first2m = Math.floor(load / 0x20_0000) * 0x20_0000;
    const blocks: { blk: number; pfn2m: number }[] = [];
    for (let blk = first2m; blk < load + size; blk += 0x20_0000) {
      const probe = Math.max(blk, load);
      const pa = yield* el2Lookup(k, cpu, remap + (probe - load));
      if (pa === null) return `image ${i}: remapped page for IPA ${hex(probe)} missing`;
      const pfn2m = pa - (probe - blk);
      if (pfn2m % 0x20_0000 !== 0) return `image ${i}: host pages for IPA ${hex(blk)} are not a 2 MB-aligned block`;
      blocks.push({ blk, pfn2m });
    }
    // Every remapped page must be the page the VM's stage 2 will map at its IPA (its block's
    // base + its offset): otherwise the bytes verified below are not the bytes the VM runs
    // (sekvm.md §4.2: KServ may not choose the VM's boot code; it must be the verified image).
    // Checked before any page changes hands.
    for (let p = 0; p < pages; p++) {
      const ipa = load + p * 4096;
      const b = blocks[Math.floor(ipa / 0x20_0000) - first2m / 0x20_0000]!;
      const want = b.pfn2m + (ipa - b.blk);
      const pa = yield* el2Lookup(k, cpu, remap + p * 4096);
      if (pa !== want) return `image ${i}: page ${p} (IPA ${hex(ipa)}) was remapped from ${pa === null ? 'nothing' : hex(pa)}, but the VM would map ${hex(want)} there`;
    }
    for (const b of blocks) yield* protAndMapVmS2pt(k, cpu, vmid, b.blk, BigInt(b.pfn2m), 2);
    // verify_image: the signature over the bytes now owned by the VM, read through the remap window.
    const bytes = new Uint8Array(size);
    for (let p = 0; p < pages; p++) {
      const pa = yield* el2Lookup(k, cpu, remap + p * 4096);
      if (pa === null) return `image ${i}: page ${p} not remapped`;
      const page = yield* am.readPage(cpu, toPfn(pa / 4096));
      bytes.set(page.subarray(0, Math.min(4096, size - p * 4096)), p * 4096);
      am.count(cpu, 'sha512_page');
    }
    const sig = yield* am.getVmBytes(cpu, vmid, i);
    am.count(cpu, 'ed25519_verify');
    if (!ed25519Verify(key, bytes, sig)) return `image ${i} (${size} bytes at IPA ${hex(load)}): Ed25519 signature does not verify`;
  }
  return null;
}

/**
 * map_io (HVC_PHYS_ADDR_IOREMAP 28): device mappings (Device-nGnRE, RW, XN) of [pa, pa+size)
 * at [gpa, …) in a READY VM's stage 2. Pages that are RAM (owner not INVALID) are skipped.
 */
export function* physAddrIoremap(k: Kcore, cpu: number, vmid: number, gpa: bigint, pa: bigint, size: bigint): Gen<bigint> {
  checkVm('phys_addr_ioremap', vmid);
  // Both ranges must end inside their address spaces (not only start there): a range running
  // past 2^40 would otherwise be mapped in part and silently truncated.
  if (size <= 0n || size > 1n << 30n || gpa + size > 1n << 40n || pa + size > 1n << 44n) {
    violation('bad-argument', 'phys_addr_ioremap', `range gpa ${hex(gpa)} pa ${hex(pa)} size ${hex(size)} is out of bounds`);
  }
  // The SMMU's registers are not a device a VM may drive: KCore owns the SMMU configuration
  // and emulates every access to it (sekvm.md §1 "DMA", §2.3); mapping them into a VM would let
  // it program DMA around KCore's checks.
  for (let off = 0n; off < size; off += 4096n) {
    const page = Number((pa + off) & ~0xfffn);
    if (k.smmu !== null && k.smmu.owns(page)) violation('ownership', 'phys_addr_ioremap', `pa ${hex(page)} is an SMMU register page`);
  }
  const am = k.am;
  yield* am.acquire(cpu, vmLock(vmid));
  const vs = yield* vmState(k, cpu, vmid);
  if (vs !== VM_STATE.READY) violation('bad-state', 'phys_addr_ioremap', `VM ${vmid} is ${vmStateName(vs)}, not READY`);
  // Check, then commit: SeKVM panics when the pool runs out part-way; refusing instead, KCore
  // first finds the device pages (RAM pages are skipped, as SeKVM's loop does) and makes sure
  // the pool holds every table they need — 2 MB at a time, so a range far too large for the
  // pool is refused after the first pool's worth of it is looked at — then maps them all.
  const devices: { gpa: number; page: number }[] = [];
  const missing = new Set<number>();
  for (let off = 0n; off < size;) {
    const chunk: number[] = [];
    do {
      const page = Number((pa + off) & ~0xfffn);
      yield* am.acquire(cpu, S2PAGE_LOCK);
      const owner = yield* getPfnOwner(am, cpu, toPfn(page / 4096));
      yield* am.release(cpu, S2PAGE_LOCK);
      if (owner === INVALID_MEM) {
        devices.push({ gpa: Number((gpa + off) & ~0xfffn), page });
        chunk.push(Number((gpa + off) & ~0xfffn));
      }
      off += 4096n;
    } while (off < size && ((gpa + off) & 0x1f_ffffn) !== 0n);
    yield* am.acquire(cpu, nptLock(vmid));
    const fits = yield* poolHolds(am, cpu, vmid, chunk, 3, missing);
    yield* am.release(cpu, nptLock(vmid));
    if (!fits) violation('pool-exhausted', 'phys_addr_ioremap', `stage-2 pool of VM ${vmid} cannot hold the tables for device range gpa ${hex(gpa)} size ${hex(size)}`);
  }
  yield* am.acquire(cpu, nptLock(vmid));
  for (const d of devices) {
    // (vm_lock is held and the VM is READY, so nothing else changes its stage 2 meanwhile.)
    const r = yield* mmapS2pt(am, cpu, vmid, d.gpa, 3, BigInt(d.page) | PAGE_S2_DEVICE_RW | PTE_MARK | 3n);
    if (r === 'no-memory') bug(`phys_addr_ioremap: the pool check passed but VM ${vmid}'s pool ran out`);
  }
  yield* am.release(cpu, nptLock(vmid));
  yield* am.release(cpu, vmLock(vmid));
  return 0n;
}

/** set_vm_poweroff: the guest asked PSCI SYSTEM_OFF (VERIFIED → POWEROFF). */
export function* setVmPoweroff(k: Kcore, cpu: number, vmid: number): Gen {
  const am = k.am;
  yield* am.acquire(cpu, vmLock(vmid));
  yield* setVmState(k, cpu, vmid, VM_STATE.POWEROFF);
  yield* am.release(cpu, vmLock(vmid));
}

/** search_load_info: whether `addr` lies inside one of the VM's registered boot images. */
export function* searchLoadInfo(k: Kcore, cpu: number, vmid: number, addr: bigint): Gen<boolean> {
  const am = k.am;
  const cnt = Number(yield* am.getVmInfo(cpu, vmid, 'LOAD_INFO_CNT'));
  for (let i = 0; i < cnt; i++) {
    const base = yield* am.getLoadInfo(cpu, vmid, i, 0);
    const size = yield* am.getLoadInfo(cpu, vmid, i, 1);
    if (addr >= base && addr < base + size) return true;
  }
  return false;
}
