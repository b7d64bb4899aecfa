/**
 * SmmuCore / SmmuOps / SmmuAux (SeKVM layers): KCore owns the SMMU's translation tables and its
 * configuration. The host programs DMA only through hypercalls (SMMU_ALLOC_PGD, SMMU_LPAE_MAP,
 * SMMU_LPAE_IOVA_TO_PHYS, SMMU_CLEAR, SMMU_FREE_PGD), and every host access to SMMU registers
 * traps (they are never in the host stage 2) and is emulated with checks (sekvm.md §2.2.5, §2.3).
 *
 * Context-bank configuration `smmu_cfg[smmu_id(index, cbndx)] = {vmid, hw_ttbr}`; hw_ttbr is a
 * two-page root table from KCore's SMMU pool, zeroed by SMMU_ALLOC_PGD; lower tables come from
 * the same pool and are never reused. Locks: smmu_lock → vm_lock → s2pages_lock → spt_lock.
 */
import type { Gen } from '../sim/task.js';
import { type Pa, pfn as toPfn, hex } from '../arch/addr.js';
import { D_ADDR_MASK, isValid, S2AP_R, S2AP_W, D_AF, D_SH_INNER, S2_MEMATTR_NORMAL_WB, PTE_MARK } from '../arch/desc.js';
import type { Kcore, KcoreSmmu } from './kcore.js';
import {
  HVC, SMMU_NUM, SMMU_NUM_CTXT_BANKS, EL2_SMMU_CFG_SIZE, V_INVALID, HOSTVISOR, INVALID_MEM, MAX_SMMU_COUNT,
  VM_STATE, MAX_VM_NUM, vmStateName,
} from './constants.js';
import { SMMU_LOCK, SPT_LOCK, S2PAGE_LOCK, vmLock } from './locks.js';
import { violation } from './errors.js';
import { bug } from '../util/result.js';
import { getPfnOwner, getPfnCount, setPfnOwner, setPfnCount, getPfnMap, setPfnMap } from './page-manager.js';
import { clearPfnHost } from './mem-manager.js';
import { s2Geometry, getLeaf, mapLeaf, setLeaf, type PtMem } from './npt.js';
import {
  Smmu, GR0_SCR0, GR0_SCR2, GR1_CBAR, CB_BASE, CB_STRIDE, CB_TTBR0, CB_CONTEXTIDR, SCR0_CLIENTPD, SCR0_SMCFCFG, SMMU_SIZE,
} from '../board/smmu.js';

/** smmu_id(index, cbndx). */
export function smmuId(index: number, cbndx: number): number {
  return index * SMMU_NUM_CTXT_BANKS + cbndx;
}

/** hw_ttbr of configuration `id`: the first 2 × EL2_SMMU_CFG_SIZE pages of the SMMU pool. */
export function hwTtbr(k: Kcore, id: number): Pa {
  return (Number(k.lay.smmuPool) + id * 8192) as Pa;
}

/** Boot-time setup of the SMMU configuration (part of init_el2_data_page). */
export function initSmmuData(k: Kcore): void {
  for (let id = 0; id < EL2_SMMU_CFG_SIZE; id++) {
    k.m.write64(k.lay.smmuCfg + BigInt(id * 16), BigInt(V_INVALID));
    k.m.write64(k.lay.smmuCfg + BigInt(id * 16 + 8), BigInt(hwTtbr(k, id)));
  }
  k.m.write64(k.lay.base + 0x48n, k.lay.smmuPool + BigInt(EL2_SMMU_CFG_SIZE * 8192));
}

function* allocSptPage(k: Kcore, cpu: number): Gen<Pa | null> {
  const next = Number(yield* k.am.getCore(cpu, 'SMMU_POOL_NEXT'));
  const end = Number(k.lay.smmuPool) + k.lay.smmuPoolPages * 4096;
  if (next + 4096 > end) return null;
  yield* k.am.setCore(cpu, 'SMMU_POOL_NEXT', BigInt(next + 4096));
  return next as Pa;
}

function checkCfg(where: string, index: number, cbndx: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= SMMU_NUM) violation('bad-argument', where, `SMMU index ${index} out of range 0..${SMMU_NUM - 1}`);
  if (!Number.isInteger(cbndx) || cbndx < 0 || cbndx >= SMMU_NUM_CTXT_BANKS) violation('bad-argument', where, `context bank ${cbndx} out of range 0..${SMMU_NUM_CTXT_BANKS - 1}`);
  return smmuId(index, cbndx);
}

function* vmStateOf(k: Kcore, cpu: number, vmid: number): Gen<number> {
  yield* k.am.acquire(cpu, vmLock(vmid));
  const s = Number(yield* k.am.getVmInfo(cpu, vmid, 'STATE'));
  yield* k.am.release(cpu, vmLock(vmid));
  return s;
}

/**
 * __el2_alloc_smmu_pgd (SMMU_ALLOC_PGD 24): assigns an unused context bank to `vmid` (the host
 * or a VM that has not been verified yet: no device attach after boot) and zeroes its root.
 * An already assigned bank is silently left as is.
 */
function* allocPgd(k: Kcore, cpu: number, cbndx: number, vmid: number, index: number): Gen<bigint> {
  const id = checkCfg('smmu_alloc_pgd', index, cbndx);
  if (!Number.isInteger(vmid) || vmid < 0 || vmid > MAX_VM_NUM) violation('bad-argument', 'smmu_alloc_pgd', `vmid ${vmid} is not the host or a VM`);
  const am = k.am;
  yield* am.acquire(cpu, SMMU_LOCK);
  const cur = Number(yield* am.getSmmuCfg(cpu, id, 'VMID'));
  if (cur === V_INVALID) {
    if (vmid !== HOSTVISOR) {
      const s = yield* vmStateOf(k, cpu, vmid);
      if (s === VM_STATE.UNUSED || s >= VM_STATE.VERIFIED) violation('bad-state', 'smmu_alloc_pgd', `VM ${vmid} is ${vmStateName(s)}: banks attach only to READY VMs`);
    }
    yield* am.setSmmuCfg(cpu, id, 'VMID', BigInt(vmid));
    yield* am.acquire(cpu, SPT_LOCK);
    const root = hwTtbr(k, id);
    yield* am.ptClear(cpu, root, 1024);   // both root pages
    yield* am.release(cpu, SPT_LOCK);
  }
  yield* am.release(cpu, SMMU_LOCK);
  return 0n;
}

/** __el2_free_smmu_pgd (SMMU_FREE_PGD 23): a VM's bank may be freed only once the VM is powered off; a freed bank's table is emptied. */
function* freePgd(k: Kcore, cpu: number, cbndx: number, index: number): Gen<bigint> {
  const id = checkCfg('smmu_free_pgd', index, cbndx);
  const am = k.am;
  yield* am.acquire(cpu, SMMU_LOCK);
  const vmid = Number(yield* am.getSmmuCfg(cpu, id, 'VMID'));
  if (vmid !== V_INVALID && vmid !== HOSTVISOR) {
    const s = yield* vmStateOf(k, cpu, vmid);
    if (s !== VM_STATE.POWEROFF) violation('bad-state', 'smmu_free_pgd', `bank ${id} belongs to VM ${vmid}, which is ${vmStateName(s)}, not POWEROFF`);
  }
  yield* am.setSmmuCfg(cpu, id, 'VMID', BigInt(V_INVALID));
  yield* emptyBank(k, cpu, id);
  yield* am.release(cpu, SMMU_LOCK);
  return 0n;
}

/**
 * Empties a context bank's table (its two root pages; lower tables are never reused). A bank
 * KCore no longer vouches for — freed, or belonging to a powered-off VM whose pages are being
 * returned — must not keep translating: smmu_iso (sekvm.md §4.1) covers only banks of the host
 * and of VMs not yet powered off, and the board's SMMU walks whatever the table holds, so a
 * stale entry would let DMA reach a page after it was given to the host or to another VM.
 * Caller holds smmu_lock.
 */
function* emptyBank(k: Kcore, cpu: number, id: number): Gen {
  const am = k.am;
  yield* am.acquire(cpu, SPT_LOCK);
  const root = hwTtbr(k, id);
  yield* am.ptClear(cpu, root, 1024);   // both root pages
  yield* am.release(cpu, SPT_LOCK);
}

/** Before a powered-off VM's pages go back to the host: every bank still assigned to it is emptied (see emptyBank). */
export function* emptySmmuBanksOf(k: Kcore, cpu: number, vmid: number): Gen {
  const am = k.am;
  yield* am.acquire(cpu, SMMU_LOCK);
  for (let id = 0; id < EL2_SMMU_CFG_SIZE; id++) {
    if (Number(yield* am.getSmmuCfg(cpu, id, 'VMID')) === vmid) yield* emptyBank(k, cpu, id);
  }
  yield* am.release(cpu, SMMU_LOCK);
}

/**
 * SMMU_LPAE_MAP (25): maps `iova` → `paddr` in the bank's table. smmu_assign_page (for a VM's
 * bank: a host page with count 0 becomes the VM's at gfn iova>>12 with the SMMU count marker)
 * then update_smmu_page: only a non-RAM page, or a page of the bank's owner at gfn iova>>12
 * (host pages: count++, at most MAX_SMMU_COUNT).
 */
function* lpaeMap(k: Kcore, cpu: number, iova: bigint, paddr: bigint, prot: bigint, cbndx: number, index: number): Gen<bigint> {
  const id = checkCfg('smmu_lpae_map', index, cbndx);
  if (iova >= 1n << 40n || (iova & 0xfffn) !== 0n || paddr >= 1n << 44n) violation('bad-argument', 'smmu_lpae_map', `iova ${hex(iova)} / pa ${hex(paddr)} out of range or unaligned`);
  if ((prot & D_ADDR_MASK) !== 0n) violation('bad-argument', 'smmu_lpae_map', `prot ${hex(prot)} has address bits`);
  const am = k.am;
  yield* am.acquire(cpu, SMMU_LOCK);
  const vmid = Number(yield* am.getSmmuCfg(cpu, id, 'VMID'));
  if (vmid === V_INVALID) violation('bad-state', 'smmu_lpae_map', `context bank ${id} is not allocated`);
  const f = toPfn(Number(paddr >> 12n));
  const gfn = iova >> 12n;
  if (vmid !== HOSTVISOR) {
    yield* am.acquire(cpu, vmLock(vmid));
    const s = Number(yield* am.getVmInfo(cpu, vmid, 'STATE'));
    if (s >= VM_STATE.VERIFIED) violation('bad-state', 'smmu_lpae_map', `VM ${vmid} is ${vmStateName(s)}`);
  }
  yield* am.acquire(cpu, S2PAGE_LOCK);
  const owner = yield* getPfnOwner(am, cpu, f);
  const count = yield* getPfnCount(am, cpu, f);
  // Check, then commit (STYLE rule 2): smmu_assign_page's and update_smmu_page's checks and
  // the free IOVA slot all come before the page changes hands, so a refused map never leaves
  // a host page given to the VM but not mapped.
  // smmu_assign_page (check): a VM's bank takes a host page with count 0, or its own page.
  let assign = false;
  if (vmid !== HOSTVISOR && owner !== INVALID_MEM) {
    if (owner === HOSTVISOR) {
      if (count !== 0) violation('ownership', 'smmu_assign_page', `host pfn ${hex(f)} has count ${count}`);
      assign = true;
    } else if (owner !== vmid) {
      violation('ownership', 'smmu_assign_page', `pfn ${hex(f)} belongs to ${k.principalName(owner)}, not VM ${vmid}`);
    }
  }
  // update_smmu_page (check), on the page as smmu_assign_page leaves it.
  const ownerAfter = assign ? vmid : owner;
  const ok = ownerAfter === INVALID_MEM
    || (ownerAfter === vmid && (vmid === HOSTVISOR || assign || (yield* getPfnMap(am, cpu, f)) === gfn))
    || (k.bug('smmu-map-vm-page-for-host') && vmid === HOSTVISOR);
  if (!ok) violation('ownership', 'smmu_map_page', `pfn ${hex(f)} (${k.principalName(owner)}) cannot be mapped at iova ${hex(iova)} for ${k.principalName(vmid)}`);
  if (owner === HOSTVISOR && vmid === HOSTVISOR) {
    if (count >= MAX_SMMU_COUNT) violation('ownership', 'smmu_map_page', `host pfn ${hex(f)} already has ${count} SMMU mappings`);
  }
  // The IOVA must be free in the bank, and the pool must hold the tables the map will need.
  yield* am.acquire(cpu, SPT_LOCK);
  const slot = yield* getLeaf(k.am.ptMem(cpu), s2Geometry(hwTtbr(k, id)), Number(iova));
  if (slot.pte !== 0n) violation('existing-mapping', 'smmu_lpae_map', `iova ${hex(iova)} is already mapped in bank ${id}`);
  const free = Number(k.lay.smmuPool) + k.lay.smmuPoolPages * 4096 - Number(yield* am.getCore(cpu, 'SMMU_POOL_NEXT'));
  if (free < (3 - slot.level) * 4096) violation('pool-exhausted', 'smmu_lpae_map', 'SMMU table pool exhausted');
  yield* am.release(cpu, SPT_LOCK);
  // smmu_assign_page (commit)
  if (assign) {
    yield* clearPfnHost(k, cpu, f);
    yield* setPfnOwner(am, cpu, f, vmid);
    yield* setPfnMap(am, cpu, f, gfn);
    yield* setPfnCount(am, cpu, f, INVALID_MEM);
    k.event({ kind: 'owner', cpu, pfn: f, from: HOSTVISOR, to: vmid, gfn });
  }
  // update_smmu_page (commit)
  yield* am.acquire(cpu, SPT_LOCK);
  const pte = (paddr & D_ADDR_MASK) | (prot & (S2AP_R | S2AP_W)) | S2_MEMATTR_NORMAL_WB | D_AF | D_SH_INNER | PTE_MARK | 3n;
  const r = yield* mapLeaf(k.am.ptMem(cpu), s2Geometry(hwTtbr(k, id)), Number(iova), 3, pte, () => allocSptPage(k, cpu));
  if (r !== 'mapped') bug(`smmu_lpae_map: map of a checked free slot returned ${r}`);
  yield* am.release(cpu, SPT_LOCK);
  if (owner === HOSTVISOR && vmid === HOSTVISOR) yield* setPfnCount(am, cpu, f, count + 1);
  yield* am.release(cpu, S2PAGE_LOCK);
  if (vmid !== HOSTVISOR) yield* am.release(cpu, vmLock(vmid));
  yield* am.release(cpu, SMMU_LOCK);
  return 0n;
}

/** SMMU_LPAE_IOVA_TO_PHYS (26): the PA the bank maps `iova` to, or 0. */
function* iovaToPhys(k: Kcore, cpu: number, iova: bigint, cbndx: number, index: number): Gen<bigint> {
  const id = checkCfg('smmu_lpae_iova_to_phys', index, cbndx);
  if (iova >= 1n << 40n) return 0n;
  const am = k.am;
  yield* am.acquire(cpu, SPT_LOCK);
  const leaf = yield* getLeaf(k.am.ptMem(cpu), s2Geometry(hwTtbr(k, id)), Number(iova));
  yield* am.release(cpu, SPT_LOCK);
  return isValid(leaf.pte) ? (leaf.pte & D_ADDR_MASK) | (iova & 0xfffn) : 0n;
}

/** SMMU_CLEAR (27): unmaps `iova`; a host page's count drops. Only for the host's or a READY VM's bank. */
function* smmuClear(k: Kcore, cpu: number, iova: bigint, cbndx: number, index: number): Gen<bigint> {
  const id = checkCfg('smmu_clear', index, cbndx);
  if (iova >= 1n << 40n) violation('bad-argument', 'smmu_clear', `iova ${hex(iova)} out of range`);
  const am = k.am;
  yield* am.acquire(cpu, SMMU_LOCK);
  const vmid = Number(yield* am.getSmmuCfg(cpu, id, 'VMID'));
  if (vmid === V_INVALID) violation('bad-state', 'smmu_clear', `context bank ${id} is not allocated`);
  if (vmid !== HOSTVISOR) {
    const s = yield* vmStateOf(k, cpu, vmid);
    // Coq: state ≥ VERIFIED (sekvm.md §2.2.5, §9.3 #2). Clearing a powered-off VM's bank would
    // decrement the count of a host page it once mapped even while a host bank still maps it
    // (smmu_count), letting that page go to another VM while DMA-mapped.
    if (s >= VM_STATE.VERIFIED) violation('bad-state', 'smmu_clear', `bank ${id} belongs to VM ${vmid}, which is ${vmStateName(s)}`);
  }
  yield* am.acquire(cpu, S2PAGE_LOCK);
  yield* am.acquire(cpu, SPT_LOCK);
  const old = yield* setLeaf(k.am.ptMem(cpu), s2Geometry(hwTtbr(k, id)), Number(iova), 0n);
  yield* am.release(cpu, SPT_LOCK);
  if (isValid(old)) {
    const f = toPfn(Number((old & D_ADDR_MASK) >> 12n));
    if ((yield* getPfnOwner(am, cpu, f)) === HOSTVISOR) {
      const c = yield* getPfnCount(am, cpu, f);
      if (c > 0) yield* setPfnCount(am, cpu, f, c - 1);
    }
  }
  yield* am.release(cpu, S2PAGE_LOCK);
  yield* am.release(cpu, SMMU_LOCK);
  return 0n;
}

export function* smmuHypercall(k: Kcore, cpu: number, nr: number, a: readonly bigint[]): Gen<bigint> {
  const n = (x: bigint): number => (x > 0xffff_ffffn ? -1 : Number(x));
  switch (nr) {
    case HVC.SMMU_ALLOC_PGD: return yield* allocPgd(k, cpu, n(a[0]!), n(a[1]!), n(a[2]!));
    case HVC.SMMU_FREE_PGD: return yield* freePgd(k, cpu, n(a[0]!), n(a[1]!));
    case HVC.SMMU_LPAE_MAP: return yield* lpaeMap(k, cpu, a[0]!, a[1]!, a[2]!, n(a[3]!), n(a[4]!));
    case HVC.SMMU_LPAE_IOVA_TO_PHYS: return yield* iovaToPhys(k, cpu, a[0]!, n(a[1]!), n(a[2]!));
    case HVC.SMMU_CLEAR: return yield* smmuClear(k, cpu, a[0]!, n(a[1]!), n(a[2]!));
    default: return violation('unsupported', 'smmu', `call ${nr}`);
  }
}

/** KCore's view of the board's SMMUs: range ownership and the trapped-access emulation. */
export class KcoreSmmuImpl implements KcoreSmmu {
  constructor(readonly devices: readonly Smmu[]) {}

  owns(pa: number): boolean {
    return this.devices.some((d) => d.owns(BigInt(pa)));
  }

  /**
   * handle_host_mmio: decode the host's trapped access from ESR_EL2 (ISV, SAS, SRT, WnR), let
   * reads through, check writes (sCR0 keeps translation on, sCR2.BPVMID = 0, CBAR of a VM's
   * bank selects stage-2 translation with that VM's VMID, TTBR0 is replaced by KCore's table,
   * CONTEXTIDR is refused), and skip the host's instruction.
   */
  *emulateHostAccess(k: Kcore, cpu: number, pa: number): Gen {
    const dev = this.devices.find((d) => d.owns(BigInt(pa)))!;
    const esr = Number(k.m.getSysRaw(cpu, 'ESR_EL2') & 0xffff_ffffn);
    const isv = (esr >>> 24) & 1, sas = (esr >>> 22) & 3, srt = (esr >>> 16) & 31, wnr = (esr >>> 6) & 1;
    if (isv === 0 || sas < 2) violation('unsupported', 'handle_host_mmio', `SMMU access at ${hex(pa)} is not a 32/64-bit single-register access`);
    const off = pa - Number(dev.base);
    const am = k.am;
    yield* am.acquire(cpu, SMMU_LOCK);
    if (wnr === 0) {
      const v = dev.read(off);
      if (srt !== 31) k.m.setX(cpu, srt, sas === 2 ? v & 0xffff_ffffn : v);
    } else {
      let v = srt === 31 ? 0n : k.m.getX(cpu, srt);
      if (sas === 2) v &= 0xffff_ffffn;
      v = yield* this.checkWrite(k, cpu, dev, off, v);
      dev.write(off, v);
    }
    yield* am.release(cpu, SMMU_LOCK);
    k.m.setSysRaw(cpu, 'ELR_EL2', k.m.getSysRaw(cpu, 'ELR_EL2') + 4n);
    am.count(cpu, 'mmio_emulate');
  }

  private *checkWrite(k: Kcore, cpu: number, dev: Smmu, off: number, v: bigint): Gen<bigint> {
    if (off === GR0_SCR0) {
      if ((Number(v) & SCR0_SMCFCFG) === 0 || (Number(v) & SCR0_CLIENTPD) !== 0) {
        violation('ownership', 'handle_smmu_global_access', `sCR0 ${hex(v)} would let streams bypass translation`);
      }
      return v;
    }
    if (off === GR0_SCR2) {
      if ((v & 0xffn) !== 0n) violation('ownership', 'handle_smmu_global_access', `sCR2.BPVMID ${hex(v & 0xffn)} must be 0`);
      return v;
    }
    if (off >= GR1_CBAR && off < GR1_CBAR + 4 * SMMU_NUM_CTXT_BANKS) {
      const cb = (off - GR1_CBAR) / 4;
      const vmid = Number(yield* k.am.getSmmuCfg(cpu, smmuId(dev.index, cb), 'VMID'));
      if (vmid !== HOSTVISOR && vmid !== V_INVALID) {
        const type = Number((v >> 16n) & 3n);
        if (type !== 0 || Number(v & 0xffn) !== (vmid & 0xff)) {
          violation('ownership', 'handle_smmu_cb_access', `CBAR${cb} ${hex(v)} must select stage-2 translation with VMID ${vmid}`);
        }
      }
      return v;
    }
    if (off >= CB_BASE && off < Number(SMMU_SIZE)) {
      const cb = Math.floor((off - CB_BASE) / CB_STRIDE);
      const reg = (off - CB_BASE) % CB_STRIDE;
      if (reg === CB_TTBR0) return BigInt(hwTtbr(k, smmuId(dev.index, cb)));
      if (reg === CB_CONTEXTIDR) violation('ownership', 'handle_smmu_cb_access', `CONTEXTIDR of bank ${cb} is not writable by the host`);
    }
    return v;
  }
}
