/**
 * MemHandler (SeKVM layer; MemHandler.c, el1.c): reclaiming a dead VM's memory
 * (HVC_CLEAR_VM_S2_RANGE) and the confidential snapshot/restore calls (ENCRYPT_BUF,
 * DECRYPT_BUF, SAVE_CRYPT_VCPU, LOAD_CRYPT_VCPU) with AES from node:crypto.
 */
import type { Gen } from '../sim/task.js';
import { type Pa, pfn as toPfn, hex } from '../arch/addr.js';
import type { Kcore } from './kcore.js';
import { VM_STATE, VCPU_STATE, HOSTVISOR, INVALID64, V, HYPSEC_MAX_VCPUS, vmStateName } from './constants.js';
import { vmLock, S2PAGE_LOCK } from './locks.js';
import { violation } from './errors.js';
import { checkVm, checkVcpu } from './boot-ops.js';
import { clearVmPage, clearPfnHost } from './mem-manager.js';
import { getPfnOwner, getPfnCount, setPfnOwner, setPfnMap } from './page-manager.js';
import { aesEncrypt, aesDecrypt } from './crypto.js';
import { emptySmmuBanksOf } from './smmu.js';
import { CTXT_SYSREGS } from './ctxt-switch.js';
import { vcpuAt, VCPU, VCPU_CRYPT_BYTES } from './shared-abi.js';

/** Largest range one CLEAR_VM_S2_RANGE may cover (all of a 44-bit PA space is never RAM here). */
const MAX_CLEAR_BYTES = 1n << 36n;

/**
 * clear_vm_range (HVC_CLEAR_VM_S2_RANGE 9): every page of `vmid` in [start, start+size) is
 * scrubbed and returned to the host (clear_vm_page). Only for a powered-off VM (the Coq check;
 * the C artifact's power flag is never set, §9.3 #2); otherwise a no-op. Refused while a vCPU
 * of the VM is still ACTIVE. The VM's SMMU banks are emptied first.
 */
export function* clearVmS2Range(k: Kcore, cpu: number, vmid: number, start: bigint, size: bigint): Gen<bigint> {
  checkVm('clear_vm_s2_range', vmid);
  if (size > MAX_CLEAR_BYTES || start >= 1n << 44n) violation('bad-argument', 'clear_vm_s2_range', `range ${hex(start)}+${hex(size)} is out of bounds`);
  const am = k.am;
  yield* am.acquire(cpu, vmLock(vmid));
  const vs = Number(yield* am.getVmInfo(cpu, vmid, 'STATE'));
  // A powered-off VM may still have a vCPU executing on another pCPU until its next exit (the
  // vCPU that ran SYSTEM_OFF is not the only one): its stage 2 still maps the VM's pages, so
  // they may not be scrubbed and handed back yet. The Coq model lets no POWEROFF VM touch
  // memory (sekvm.md §4.2, §4.3 "a POWEROFF VM can never run again"); this check makes it so.
  if (vs === VM_STATE.POWEROFF) {
    for (let v = 0; v < HYPSEC_MAX_VCPUS; v++) {
      if (Number(yield* am.getVcpuField(cpu, vmid, v, 'STATE')) === VCPU_STATE.ACTIVE) {
        violation('bad-state', 'clear_vm_s2_range', `VM ${vmid} is off but its vCPU ${v} is still running`);
      }
    }
  }
  yield* am.release(cpu, vmLock(vmid));
  if (vs !== VM_STATE.POWEROFF) return 0n;
  // The VM's SMMU banks stop translating before its pages are returned (smmu.ts emptyBank).
  yield* emptySmmuBanksOf(k, cpu, vmid);
  let last = Number((start + size) >> 12n);
  if (k.bug('clear-vm-s2-range-off-by-one')) last -= 1;
  // Only RAM pfns have s2page entries (the range may cover 2^24 pages of anything).
  const ram = am.ramPfns;
  for (let f = Math.max(Number(start >> 12n), ram.first); f < Math.min(last, ram.end); f++) {
    yield* clearVmPage(k, cpu, vmid, toPfn(f));
  }
  return 0n;
}

/**
 * __el2_encrypt_buf (HVC_ENCRYPT_BUF 20): encrypts VM page `in` into host page `out` (through
 * KCore's temporary page). Requires owner(in) = vmid and owner(out) = HOST.
 */
export function* encryptBuf(k: Kcore, cpu: number, vmid: number, inPa: bigint, outPa: bigint): Gen<bigint> {
  checkVm('encrypt_buf', vmid);
  const am = k.am;
  const fin = toPfn(Number(inPa >> 12n)), fout = toPfn(Number(outPa >> 12n));
  yield* am.acquire(cpu, S2PAGE_LOCK);
  const oin = yield* getPfnOwner(am, cpu, fin);
  const oout = yield* getPfnOwner(am, cpu, fout);
  if (oin !== vmid || oout !== HOSTVISOR) {
    violation('ownership', 'encrypt_buf', `input pfn ${hex(fin)} is owned by ${k.principalName(oin)} and output pfn ${hex(fout)} by ${k.principalName(oout)}`);
  }
  const plain = yield* am.readPage(cpu, fin);
  const cipher = aesEncrypt(k.cfg.aesKey, k.cfg.aesIv, plain);
  am.count(cpu, 'aes_page');
  yield* am.writePage(cpu, toPfn(Number(k.lay.tmpPage >> 12n)), cipher);
  yield* am.writePage(cpu, fout, cipher);
  yield* am.release(cpu, S2PAGE_LOCK);
  return 0n;
}

/**
 * __el2_decrypt_buf (HVC_DECRYPT_BUF 21): the host pages [pa, pa+len) become the VM's (gfn not
 * yet known: INVALID64), leave the host stage 2, and are decrypted in place. The Coq checks:
 * VM READY; each page host-owned with count 0 (the C artifact skips the ownership check, §9.3
 * #4 — the injected bug 'decrypt-buf-no-owner-check').
 */
export function* decryptBuf(k: Kcore, cpu: number, vmid: number, pa: bigint, len: bigint): Gen<bigint> {
  checkVm('decrypt_buf', vmid);
  if (len <= 0n || len > 1n << 24n || (pa & 0xfffn) !== 0n) violation('bad-argument', 'decrypt_buf', `buffer ${hex(pa)}+${hex(len)} is not page-aligned or too large`);
  const am = k.am;
  const pages = Number((len + 4095n) / 4096n);
  const first = Number(pa >> 12n);
  yield* am.acquire(cpu, vmLock(vmid));
  const vs = Number(yield* am.getVmInfo(cpu, vmid, 'STATE'));
  if (vs !== VM_STATE.READY) violation('bad-state', 'decrypt_buf', `VM ${vmid} is ${vmStateName(vs)}, not READY`);
  yield* am.acquire(cpu, S2PAGE_LOCK);
  for (let i = 0; i < pages; i++) {
    const f = toPfn(first + i);
    const owner = yield* getPfnOwner(am, cpu, f);
    const count = yield* getPfnCount(am, cpu, f);
    const ok = k.bug('decrypt-buf-no-owner-check') ? am.isRamPfn(f) : owner === HOSTVISOR && count === 0;
    if (!ok) violation('ownership', 'decrypt_buf', `pfn ${hex(f)} is owned by ${k.principalName(owner)} with count ${count}`);
  }
  for (let i = 0; i < pages; i++) {
    const f = toPfn(first + i);
    yield* clearPfnHost(k, cpu, f);
    yield* setPfnOwner(am, cpu, f, vmid);
    yield* setPfnMap(am, cpu, f, INVALID64);
    const plain = aesDecrypt(k.cfg.aesKey, k.cfg.aesIv, yield* am.readPage(cpu, f));
    am.count(cpu, 'aes_page');
    yield* am.writePage(cpu, f, plain);
    k.event({ kind: 'owner', cpu, pfn: f, from: HOSTVISOR, to: vmid, gfn: INVALID64 });
  }
  yield* am.release(cpu, S2PAGE_LOCK);
  yield* am.release(cpu, vmLock(vmid));
  return 0n;
}

/** The shadow slots a vCPU snapshot carries: GPRs, SP, PC, PSTATE, SP_EL1, and the EL1 system registers. */
const CRYPT_SLOTS = [...Array(V.SP_EL1 + 1).keys(), ...CTXT_SYSREGS.map((_, i) => V.SYSREGS_START + i)];
const CRYPT_BYTES = Math.ceil((CRYPT_SLOTS.length * 8) / 16) * 16;
if (CRYPT_BYTES > VCPU_CRYPT_BYTES) throw new Error(`the vCPU snapshot (${CRYPT_BYTES} bytes) does not fit the shared crypt area (${VCPU_CRYPT_BYTES})`);

/** SAVE_CRYPT_VCPU (22): the shadow registers, AES-encrypted, into KServ's vCPU (KVM_ARM_PRE_VCPU). */
export function* saveCryptVcpu(k: Kcore, cpu: number, vmid: number, vcpu: number): Gen<bigint> {
  checkVm('save_crypt_vcpu', vmid);
  checkVcpu('save_crypt_vcpu', vcpu);
  const am = k.am;
  const plain = new Uint8Array(CRYPT_BYTES);
  const dv = new DataView(plain.buffer);
  for (let i = 0; i < CRYPT_SLOTS.length; i++) dv.setBigUint64(i * 8, yield* am.getShadowCtxt(cpu, vmid, vcpu, CRYPT_SLOTS[i]!), true);
  const cipher = aesEncrypt(k.cfg.aesKey, k.cfg.aesIv, plain);
  am.count(cpu, 'aes_page');
  const at = vcpuAt(k.cfg.sharedBase, vmid, vcpu) + VCPU.CRYPT;
  const cdv = new DataView(cipher.buffer, cipher.byteOffset, cipher.byteLength);
  for (let i = 0; i < CRYPT_BYTES; i += 8) yield* am.st(cpu, (at + i) as Pa, cdv.getBigUint64(i, true));
  return 0n;
}

/**
 * LOAD_CRYPT_VCPU (29): decrypts KServ's copy into the shadow context, zeroes KServ's copy and
 * sets inc_exe (the first VCPU_RUN then keeps these registers). Coq checks: VM READY, vCPU READY.
 */
export function* loadCryptVcpu(k: Kcore, cpu: number, vmid: number, vcpu: number): Gen<bigint> {
  checkVm('load_crypt_vcpu', vmid);
  checkVcpu('load_crypt_vcpu', vcpu);
  const am = k.am;
  yield* am.acquire(cpu, vmLock(vmid));
  const vs = Number(yield* am.getVmInfo(cpu, vmid, 'STATE'));
  const cs = Number(yield* am.getVcpuField(cpu, vmid, vcpu, 'STATE'));
  if (vs !== VM_STATE.READY || cs !== VCPU_STATE.READY) violation('bad-state', 'load_crypt_vcpu', `VM ${vmid} is ${vmStateName(vs)}, vCPU state ${cs}: both must be READY`);
  const at = vcpuAt(k.cfg.sharedBase, vmid, vcpu) + VCPU.CRYPT;
  const cipher = new Uint8Array(CRYPT_BYTES);
  const cdv = new DataView(cipher.buffer);
  for (let i = 0; i < CRYPT_BYTES; i += 8) cdv.setBigUint64(i, yield* am.ld(cpu, (at + i) as Pa), true);
  const plain = aesDecrypt(k.cfg.aesKey, k.cfg.aesIv, cipher);
  am.count(cpu, 'aes_page');
  const dv = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  for (let i = 0; i < CRYPT_SLOTS.length; i++) yield* am.setShadowCtxt(cpu, vmid, vcpu, CRYPT_SLOTS[i]!, dv.getBigUint64(i * 8, true));
  for (let i = 0; i < CRYPT_BYTES; i += 8) yield* am.st(cpu, (at + i) as Pa, 0n);
  yield* am.setVmInfo(cpu, vmid, 'INC_EXE', 1n);
  yield* am.release(cpu, vmLock(vmid));
  return 0n;
}
