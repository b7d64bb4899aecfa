/**
 * MemManager and MemoryOps (SeKVM layers `MemManager`, `MemoryOps`; MemAux.c, MemOps.c): every
 * change of page ownership and every stage-2 mapping KCore makes. Each function locks, reads
 * the s2page state, decides, writes, and releases — the checks come before any update, so a
 * violation never half-applies (STYLE rule 2). State tables are in transitions.ts.
 */
import type { Gen } from '../sim/task.js';
import { type Pfn, type Pa, pfn as toPfn, hex } from '../arch/addr.js';
import { PAGE_S2_KERNEL, PAGE_S2_DEVICE_RW, PMD_MARK, PTE_MARK, D_ADDR_MASK, isValid } from '../arch/desc.js';
import type { AbstractMachine } from './abstract-machine.js';
import { HOSTVISOR, INVALID_MEM, INVALID64, MAX_SHARE_COUNT } from './constants.js';
import { S2PAGE_LOCK, nptLock } from './locks.js';
import { getPfnOwner, setPfnOwner, getPfnCount, setPfnCount, getPfnMap, setPfnMap } from './page-manager.js';
import { mmapS2pt, walkS2pt, clearS2pt } from './npt-ops.js';
import { violation } from './errors.js';
import type { Kcore } from './kcore.js';

/** Identity leaf for the host (PAGE_S2_KERNEL for RAM, device RW otherwise), 4 KB, marked. */
function hostPte(addr: number, device: boolean): bigint {
  return BigInt(addr) | (device ? PAGE_S2_DEVICE_RW : PAGE_S2_KERNEL) | PTE_MARK | 3n;
}

/**
 * map_page_host (MemAux.c; host stage-2 fault): maps the 4 KB page at `addr` identity into the
 * host stage-2 if the host may access it.
 *   owner INVALID (not RAM) → device mapping;  owner HOST, or count > 0 (granted) → RAM mapping;
 *   otherwise (a VM's or KCore's page) → violation.
 * A page already mapped with the same entry (a concurrent fault on another pCPU) is left as is.
 */
export function* mapPageHost(k: Kcore, cpu: number, addr: number): Gen {
  const am = k.am;
  const f = toPfn(Math.floor(addr / 4096));
  const page = f * 4096;
  yield* am.acquire(cpu, S2PAGE_LOCK);
  const owner = yield* getPfnOwner(am, cpu, f);
  const count = yield* getPfnCount(am, cpu, f);
  let pte: bigint;
  if (owner === INVALID_MEM) pte = hostPte(page, true);
  else if (owner === HOSTVISOR || (count > 0 && count !== INVALID_MEM)) pte = hostPte(page, false);
  else violation('ownership', 'map_page_host', `host access to pfn ${hex(f)} owned by ${k.principalName(owner)} (count ${count})`);
  if (k.bug('map-page-host-nolock')) yield* am.release(cpu, S2PAGE_LOCK);
  yield* am.acquire(cpu, nptLock(HOSTVISOR));
  const cur = yield* walkS2pt(am, cpu, HOSTVISOR, page);
  if (isValid(cur.pte) && cur.pte === pte) {
    // Another pCPU mapped it first.
  } else {
    const r = yield* mmapS2pt(am, cpu, HOSTVISOR, page, 3, pte);
    if (r === 'no-memory') violation('pool-exhausted', 'map_page_host', 'host stage-2 pool exhausted');
    if (r === 'existing') violation('existing-mapping', 'map_page_host', `host stage-2 already maps ${hex(page)} differently`);
  }
  yield* am.release(cpu, nptLock(HOSTVISOR));
  if (!k.bug('map-page-host-nolock')) yield* am.release(cpu, S2PAGE_LOCK);
  k.event({ kind: 'host-map', cpu, pfn: f, device: owner === INVALID_MEM });
}

/**
 * clear_pfn_host: removes the host's mapping of pfn and invalidates it from every TLB
 * (kvm_tlb_flush_vmid_ipa_host: DSB ISHST; TLBI IPAS2E1IS; DSB ISH; TLBI VMALLE1IS; DSB ISH;
 * ISB, with VTTBR switched to the host's). Caller holds s2pages_lock.
 */
export function* clearPfnHost(k: Kcore, cpu: number, f: Pfn): Gen {
  const am = k.am;
  yield* am.acquire(cpu, nptLock(HOSTVISOR));
  const old = yield* clearS2pt(am, cpu, HOSTVISOR, f * 4096);
  if (isValid(old) && !k.bug('clear-pfn-host-no-tlbi')) yield* k.flushHostIpa(cpu, f * 4096);
  yield* am.release(cpu, nptLock(HOSTVISOR));
  if (isValid(old)) k.event({ kind: 'host-unmap', cpu, pfn: f });
}

/**
 * assign_pfn_to_vm (MemAux.c; Coq local_assign_pfn_to_vm): gives pfn to VM `vmid` at `gfn`.
 *   owner HOST, count 0   → owner := vmid, gfn recorded, host mapping removed (TLBI), D-cache cleaned
 *   owner HOST, count > 0 → violation (the page is DMA-mapped for the host)
 *   owner vmid            → allowed if the recorded gfn is this gfn or INVALID64 (loaded by
 *                           decrypt_buf); an SMMU-assigned count marker (INVALID_MEM) becomes 0
 *   other owner           → violation
 * Caller holds s2pages_lock.
 */
export function* assignPfnToVm(k: Kcore, cpu: number, vmid: number, gfn: bigint, f: Pfn): Gen {
  const am = k.am;
  const owner = yield* getPfnOwner(am, cpu, f);
  const count = yield* getPfnCount(am, cpu, f);
  if (owner === HOSTVISOR && !k.bug('assign-no-owner-check')) {
    if (count !== 0) violation('ownership', 'assign_pfn_to_vm', `pfn ${hex(f)} is host-owned with count ${count} (SMMU-mapped)`);
    yield* clearPfnHost(k, cpu, f);
    yield* setPfnOwner(am, cpu, f, vmid);
    yield* setPfnMap(am, cpu, f, gfn);
    am.count(cpu, 'dcache_clean_4k');
    k.event({ kind: 'owner', cpu, pfn: f, from: HOSTVISOR, to: vmid, gfn });
  } else if (owner === vmid) {
    const cur = yield* getPfnMap(am, cpu, f);
    if (cur !== gfn && cur !== INVALID64) {
      violation('ownership', 'assign_pfn_to_vm', `pfn ${hex(f)} of VM ${vmid} is already at gfn ${hex(cur)}, not ${hex(gfn)}`);
    }
    if (cur === INVALID64) yield* setPfnMap(am, cpu, f, gfn);
    if (count === INVALID_MEM) yield* setPfnCount(am, cpu, f, 0);
  } else if (k.bug('assign-no-owner-check') && owner !== INVALID_MEM) {
    // Injected bug: takes any RAM page, whoever owns it.
    yield* clearPfnHost(k, cpu, f);
    yield* setPfnOwner(am, cpu, f, vmid);
    yield* setPfnMap(am, cpu, f, gfn);
    k.event({ kind: 'owner', cpu, pfn: f, from: owner, to: vmid, gfn });
  } else {
    violation('ownership', 'assign_pfn_to_vm', `pfn ${hex(f)} is owned by ${k.principalName(owner)}, not the host or VM ${vmid}`);
  }
}

/**
 * The check half of assign_pfn_to_vm (same rules, nothing written): raises the violation
 * assign_pfn_to_vm would raise for this page. Caller holds s2pages_lock.
 */
export function* checkAssignPfnToVm(k: Kcore, cpu: number, vmid: number, gfn: bigint, f: Pfn): Gen {
  const am = k.am;
  const owner = yield* getPfnOwner(am, cpu, f);
  const count = yield* getPfnCount(am, cpu, f);
  if (owner === HOSTVISOR && !k.bug('assign-no-owner-check')) {
    if (count !== 0) violation('ownership', 'assign_pfn_to_vm', `pfn ${hex(f)} is host-owned with count ${count} (SMMU-mapped)`);
  } else if (owner === vmid) {
    const cur = yield* getPfnMap(am, cpu, f);
    if (cur !== gfn && cur !== INVALID64) {
      violation('ownership', 'assign_pfn_to_vm', `pfn ${hex(f)} of VM ${vmid} is already at gfn ${hex(cur)}, not ${hex(gfn)}`);
    }
  } else if (!(k.bug('assign-no-owner-check') && owner !== INVALID_MEM)) {
    violation('ownership', 'assign_pfn_to_vm', `pfn ${hex(f)} is owned by ${k.principalName(owner)}, not the host or VM ${vmid}`);
  }
}

/** map_pfn_vm: installs a VM stage-2 leaf (PAGE_S2_KERNEL, RWX whatever KServ asked) under the VM's table lock. */
export function* mapPfnVm(k: Kcore, cpu: number, vmid: number, addr: number, f: Pfn, level: 2 | 3): Gen {
  const am = k.am;
  const pte = BigInt(f * 4096) | PAGE_S2_KERNEL | (level === 2 ? PMD_MARK | 1n : PTE_MARK | 3n);
  yield* am.acquire(cpu, nptLock(vmid));
  const r = yield* mmapS2pt(am, cpu, vmid, addr, level, pte);
  yield* am.release(cpu, nptLock(vmid));
  if (r === 'no-memory') violation('pool-exhausted', 'map_pfn_vm', `stage-2 pool of VM ${vmid} exhausted`);
  if (r === 'existing') violation('existing-mapping', 'map_pfn_vm', `VM ${vmid} already maps IPA ${hex(addr)}`);
  k.event({ kind: 's2-map', cpu, vmid, ipa: addr, pfn: f, level });
}

/**
 * prot_and_map_vm_s2pt (MemOps.c): assigns the page (level 3) or the 512 pages of a 2 MB block
 * (level 2, gfn and pfn aligned down to 512) to the VM, then maps them.
 */
export function* protAndMapVmS2pt(k: Kcore, cpu: number, vmid: number, addr: number, pte: bigint, level: number): Gen {
  const am = k.am;
  if (level !== 2 && level !== 3) violation('bad-argument', 'prot_and_map_vm_s2pt', `level ${level} is not 2 or 3`);
  const pa = Number(pte & D_ADDR_MASK);
  const n = level === 2 ? 512 : 1;
  const gfn0 = Math.floor(addr / 4096 / n) * n;
  const pfn0 = Math.floor(pa / 4096 / n) * n;
  yield* am.acquire(cpu, S2PAGE_LOCK);
  for (let i = 0; i < n; i++) {
    if (!am.isRamPfn(toPfn(pfn0 + i))) violation('ownership', 'prot_and_map_vm_s2pt', `pfn ${hex(pfn0 + i)} is not RAM`);
  }
  // Check, then commit (STYLE rule 2): every page of a 2 MB block, and the VM's stage-2 slot,
  // before the first page changes hands — a refused proposal must not leave some of its
  // pages given to the VM but never mapped.
  for (let i = 0; i < n; i++) yield* checkAssignPfnToVm(k, cpu, vmid, BigInt(gfn0 + i), toPfn(pfn0 + i));
  yield* am.acquire(cpu, nptLock(vmid));
  const slot = yield* walkS2pt(am, cpu, vmid, gfn0 * 4096);
  yield* am.release(cpu, nptLock(vmid));
  if (isValid(slot.pte) || slot.level > level) violation('existing-mapping', 'prot_and_map_vm_s2pt', `VM ${vmid} already maps IPA ${hex(gfn0 * 4096)}`);
  for (let i = 0; i < n; i++) yield* assignPfnToVm(k, cpu, vmid, BigInt(gfn0 + i), toPfn(pfn0 + i));
  yield* am.release(cpu, S2PAGE_LOCK);
  yield* mapPfnVm(k, cpu, vmid, gfn0 * 4096, toPfn(pfn0), level);
}

/**
 * grant_vm_page (KVM_SET_DESC_PFN): a VM lets the host map one of its pages.
 *   owner vmid, count < MAX_SHARE_COUNT → count++ (the host maps it on its next fault)
 */
export function* grantVmPage(k: Kcore, cpu: number, vmid: number, f: Pfn): Gen {
  const am = k.am;
  yield* am.acquire(cpu, S2PAGE_LOCK);
  const owner = yield* getPfnOwner(am, cpu, f);
  const count = yield* getPfnCount(am, cpu, f);
  const bound = k.bug('grant-no-share-bound') ? Number.MAX_SAFE_INTEGER : MAX_SHARE_COUNT;
  if (owner === vmid && count < bound) {
    yield* setPfnCount(am, cpu, f, count + 1);
    k.event({ kind: 'grant', cpu, vmid, pfn: f, count: count + 1 });
  }
  yield* am.release(cpu, S2PAGE_LOCK);
}

/**
 * revoke_vm_page (KVM_UNSET_DESC_PFN): owner vmid, count > 0 → count--; at 1 → 0 the host
 * mapping is removed with a TLB flush (clear_pfn_host).
 */
export function* revokeVmPage(k: Kcore, cpu: number, vmid: number, f: Pfn): Gen {
  const am = k.am;
  yield* am.acquire(cpu, S2PAGE_LOCK);
  const owner = yield* getPfnOwner(am, cpu, f);
  const count = yield* getPfnCount(am, cpu, f);
  if (owner === vmid && count > 0 && count !== INVALID_MEM) {
    yield* setPfnCount(am, cpu, f, count - 1);
    if (count === 1 && !k.bug('revoke-no-unmap')) yield* clearPfnHost(k, cpu, f);
    k.event({ kind: 'revoke', cpu, vmid, pfn: f, count: count - 1 });
  }
  yield* am.release(cpu, S2PAGE_LOCK);
}

/**
 * clear_vm_page (MemAux.c; VM teardown): a page of `vmid` returns to the host — its host
 * mapping is removed, owner := HOST, count := 0, gfn := 0, and it is zeroed and cleaned to PoC
 * before the s2pages lock is released, so the host never sees the VM's data.
 */
export function* clearVmPage(k: Kcore, cpu: number, vmid: number, f: Pfn): Gen {
  const am = k.am;
  yield* am.acquire(cpu, S2PAGE_LOCK);
  const owner = yield* getPfnOwner(am, cpu, f);
  if (owner === vmid) {
    yield* clearPfnHost(k, cpu, f);
    yield* setPfnOwner(am, cpu, f, HOSTVISOR);
    yield* setPfnCount(am, cpu, f, 0);
    yield* setPfnMap(am, cpu, f, 0n);
    if (!k.bug('clear-vm-page-no-scrub')) yield* am.zeroPage(cpu, f);
    k.event({ kind: 'owner', cpu, pfn: f, from: vmid, to: HOSTVISOR, gfn: 0n });
  }
  yield* am.release(cpu, S2PAGE_LOCK);
}

export function pfnOfPa(a: Pa): Pfn {
  return toPfn(Math.floor(a / 4096));
}
