/**
 * The fuzzer's world: SeKVM (KCore) on a 2-pCPU machine with two VERIFIED VMs running the
 * `puppet` guest (guests/fuzz/puppet.s), prepared once and then restored from a snapshot before
 * every command sequence, so a sequence — and every shrinking attempt — starts from the same
 * state and costs no boot. The fuzzer plays KServ: it owns the host side of every hypercall,
 * every host memory access and every VM exit, and it lies where it likes.
 *
 * What the world knows about pages is what KServ knows (sekvm.md §4.2: the owner and gfn of
 * every page, its own memory): pools of pfns by kind, which the commands name by index.
 */
import { readFileSync } from 'node:fs';
import { System } from '../sim/system.js';
import { MAX_RAM_BYTES, type Machine, type MachineSnapshot } from '../machine/machine.js';
import type { Kcore, KcoreBug } from '../kcore/kcore.js';
import type { SekvmHost } from '../sim/sekvm-host.js';
import { Scheduler } from '../sim/sched.js';
import type { Gen } from '../sim/task.js';
import { Checker, fullEveryFor, type CheckerIndex } from '../check/monitor.js';
import type { Witness } from '../check/invariants.js';
import { KcoreView } from '../check/view.js';
import { assemble, toFlat } from '../asm/index.js';
import { signImage, loadPrivateKey } from '../sim/keys.js';
import { repoPath } from '../util/repo.js';
import { vcpuAt, kvmAt, VCPU, KVM, SHARED_BYTES, VCPU_CRYPT_BYTES } from '../kcore/shared-abi.js';
import { HOSTVISOR, COREVISOR, INVALID_MEM, HVC, HVC_NAME } from '../kcore/constants.js';
import { EC } from '../arch/esr.js';
import { IPAS } from './ipas.js';
import { SMMU_BASE, DmaDevice } from '../board/smmu.js';
import type { TraceEvent } from '../trace/events.js';
import type { TraceRecord } from '../trace/record.js';

/** Where the puppet is linked and its mailbox (guests/fuzz/puppet.s). */
export const PUPPET_IPA = 0x4008_0000;
export const MBOX = 0x0b00_0000;
/** Guest RAM the puppet's commands name: the image's 2 MB block and pages above it. */
export const VM_RAM = 0x4000_0000;

export interface WorldOptions {
  readonly bugs?: readonly KcoreBug[];
  /** Probability that KCore handlers switch pCPU at an interleaving point (default 0.5). */
  readonly switchProbability?: number;
  /** Full invariant check every N incremental ones (default 512 per 64 MiB of RAM: monitor.ts fullEveryFor). */
  readonly fullEvery?: number;
  /** The machine's RAM in MiB (default DEFAULT_RAM_MIB; at least MIN_RAM_MIB). */
  readonly ramMiB?: number;
}

export const DEFAULT_RAM_MIB = 64;
/** Room for KCore, KServ's shared area, two 16 MiB VMs and the host pages the pools name. */
export const MIN_RAM_MIB = 64;
export const MAX_RAM_MIB = MAX_RAM_BYTES / 1048576;

/** Whether `n` is a RAM size the fuzz world accepts (`--ram`, a reproducer's ramMiB). */
export function isRamMiB(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= MIN_RAM_MIB && n <= MAX_RAM_MIB;
}

/** How KServ boots a VM in a `boot` command (FuzzWorld.bootVm). */
export const BOOT_HOWS = ['honest', 'tampered', 'misplaced', 'partial', 'remap-after', 'from-saved'] as const;
export type BootHow = (typeof BOOT_HOWS)[number];

/** The page pools commands name by index (resolved to a pfn at execution time). */
export interface Pools {
  /** Host pages the fuzzer owns and uses freely. */
  readonly host: readonly number[];
  /** Pages of VM 1 and VM 2 (their verified images' blocks). */
  readonly vm1: readonly number[];
  readonly vm2: readonly number[];
  /** KCore's own pages (its data, its tables). */
  readonly kcore: readonly number[];
  /** Device pages and non-RAM: the UART, the GIC, an SMMU register page, pfn 0, beyond RAM, 2^36. */
  readonly other: readonly number[];
  /** The host pages a `boot` command copies the image into (they move to the new VM when it verifies). */
  readonly boot: readonly number[];
}

export type PageKindName = keyof Pools;

/** A vCPU from the host's point of view: where its last exit left it. */
interface VcpuSide {
  /** The register the guest's pending mailbox read targets, or null if it is not at the mailbox. */
  mboxRt: number | null;
  off: boolean;
}

export interface StepResult {
  /** x0 of each hypercall the step issued (for the trace and the oracle). */
  readonly rets: bigint[];
}

export class FuzzWorld {
  readonly sys: System;
  readonly m: Machine;
  readonly k: Kcore;
  readonly host: SekvmHost;
  readonly view: KcoreView;
  readonly pools: Pools;
  readonly vmids: readonly [number, number];
  /** First pfn of a 2 MB-aligned block of free host pages in the prepared world (for `bootVm`), or null. */
  readonly boot2m: number | null;
  checker!: Checker;
  private sched!: Scheduler;
  private readonly snap: MachineSnapshot;
  /** The checker's indexes of the prepared state (restored with it). */
  private index: CheckerIndex | null = null;
  private readonly smmuSnap: Map<number, bigint>[];
  private readonly sharedBase: number;
  private vcpus = new Map<string, VcpuSide>();
  private readonly vcpusSnap: Map<string, VcpuSide>;
  /** Host pages handed out by honest proposals in this sequence (next index into pools.host). */
  private honestNext = 0;
  private readonly opts: WorldOptions;
  /** A simulator failure (an exception that is not KCore refusing something) in this sequence. */
  crash: string | null = null;
  /** Sees every event (replay's text trace). */
  get traceHook(): ((r: TraceRecord) => void) | null {
    return this.traceSink;
  }

  set traceHook(h: ((r: TraceRecord) => void) | null) {
    this.traceSink = h;
    this.sys.setTrace(h);
  }

  private traceSink: ((r: TraceRecord) => void) | null = null;
  /** Sees every event of the running sequence (the campaign's coverage). */
  eventHook: ((e: TraceEvent) => void) | null = null;

  constructor(opts: WorldOptions = {}) {
    this.opts = opts;
    if (opts.ramMiB !== undefined && !isRamMiB(opts.ramMiB)) throw new Error(`fuzz world: RAM must be a whole number of MiB from ${MIN_RAM_MIB} to ${MAX_RAM_MIB} (got ${opts.ramMiB})`);
    this.sys = new System({
      mode: 'sekvm', cpus: 2, ramMiB: opts.ramMiB ?? DEFAULT_RAM_MIB, seed: 1, vms: [],
      ...(opts.bugs ? { bugs: opts.bugs } : {}),
      onViolation: 'reject',
      onEvent: (e) => this.onEvent(e),
    });
    this.m = this.sys.m;
    this.k = this.sys.kcore!;
    this.host = this.sys.hyp as SekvmHost;
    this.sharedBase = this.k.cfg.sharedBase;
    this.view = new KcoreView(this.m, this.k.lay);
    const image = puppetImage();
    // Boot, create and verify two VMs, and run each vCPU 0 to its first mailbox read.
    const self = this;
    const vmids: number[] = [];
    this.sys.runHost(0, function* (_hyp, kserv) {
      for (const name of ['victim', 'other']) {
        const vm = yield* kserv.createVm(0, { name, image, vcpus: 2, ramMiB: 16 });
        if (typeof vm === 'bigint') throw new Error(`fuzz world: creating a VM failed (${vm})`);
        vmids.push(vm.vmid);
      }
    });
    this.vmids = [vmids[0]!, vmids[1]!];
    // No host timer tick: the fuzzer's exits are its own doing.
    for (let c = 0; c < this.m.cpus; c++) this.m.writeSys(c, 'CNTP_CTL_EL0', 0n);
    this.resetTransient(1);
    for (const v of this.vmids) {
      this.runTask(0, (function* () {
        const r = yield* self.host.firstRun(0, v);
        if (r !== 1n) throw new Error(`fuzz world: VM ${v} did not verify (${r})`);
      })());
      this.vcpus.set(`${v}:0`, { mboxRt: null, off: false });
      this.runTask(0, this.vmStep(0, v, 0, null, null));
    }
    [this.pools, this.boot2m] = this.makePools();
    this.checker.rebuild();
    const found = this.checker.checkFull();
    // (With an injected bug the preparation itself may already break one: the sequences find it.)
    if (found.length && !opts.bugs?.length) throw new Error(`fuzz world: the prepared state breaks ${found[0]!.invariant}: ${found[0]!.message}`);
    this.index = this.checker.exportIndex();
    this.snap = this.m.snapshot();
    this.smmuSnap = this.sys.smmus.map((s) => new Map(s.regs));
    this.vcpusSnap = new Map([...this.vcpus].map(([k, v]) => [k, { ...v }]));
  }

  /** Pools of pfns by kind, from KCore's s2page array (what KServ may observe). */
  private makePools(): [Pools, number | null] {
    const view = this.view;
    // A VM's pages KServ can name: the ones behind the IPAs the puppet's commands use (by gfn,
    // which KServ knows), so "VM 1's page i" and "IPA i" meet often.
    const byGfn = new Map<string, number>();
    for (const pfn of view.ramPfns()) {
      const p = view.s2page(pfn);
      if (p.owner === this.vmids[0] || p.owner === this.vmids[1]) byGfn.set(`${p.owner}:${p.gfn}`, pfn);
    }
    const vmPages = (v: number): number[] => IPAS.map((ipa) => byGfn.get(`${v}:${BigInt(ipa >>> 12)}`)).filter((x): x is number => x !== undefined);
    for (const v of this.vmids) for (const ipa of IPAS) { const f = byGfn.get(`${v}:${BigInt(ipa >>> 12)}`); if (f !== undefined) this.behind.set(`${v}:${ipa}`, f); }
    // Host pages well above KServ's shared area and below the image blocks KServ allocated.
    const first = Math.ceil((this.sharedBase + SHARED_BYTES) / 4096) + 2048;
    const host: number[] = [];
    for (let f = first; host.length < 8; f++) if (view.s2page(f).owner === HOSTVISOR && view.s2page(f).count === 0) host.push(f);
    const kc = view.kcorePfns;
    const kcore = [kc.first, kc.first + 1, kc.first + 2, Number(this.k.lay.s2pages >> 12n), Number(this.k.lay.hostPool >> 12n), Number(this.k.lay.vmPools >> 12n), kc.end - 1];
    const lastRam = Number((this.m.ramBase + BigInt(this.m.ramBytes)) >> 12n);
    const other = [0x09000, 0x08000, Number(SMMU_BASE >> 12n), 0, lastRam, 2 ** 36, 0x0a000, 0x40000 - 1];
    const boot2m = this.freeHostBlock(host);
    const imagePages = Math.ceil(puppetImage().bytes.length / 4096);
    const boot = boot2m === null ? host.slice(0, 1) : Array.from({ length: imagePages }, (_, p) => bootFirstPfn(boot2m) + p);
    return [{ host, vm1: vmPages(this.vmids[0]), vm2: vmPages(this.vmids[1]), kcore, other, boot }, boot2m];
  }

  /** A 2 MB-aligned block of host pages nobody else uses (count 0), highest first. */
  private freeHostBlock(host: readonly number[]): number | null {
    const view = this.view;
    const used = new Set(host);
    const ram = [...view.ramPfns()];
    for (let blk = Math.floor(ram[ram.length - 1]! / 512) * 512 - 512; blk >= ram[0]!; blk -= 512) {
      let free = true;
      for (let p = blk; p < blk + 512 && free; p++) free = view.s2page(p).owner === HOSTVISOR && view.s2page(p).count === 0 && !used.has(p);
      if (free) return blk;
    }
    return null;
  }

  // ---- sequences ----

  /** Puts the world back to the prepared state; `seed` drives this sequence's interleaving. */
  reset(seed: number): void {
    for (let c = 0; c < this.m.cpus; c++) this.k.am.abandonLocks(c);
    this.m.restore(this.snap);
    this.sys.smmus.forEach((s, i) => { s.regs.clear(); for (const [k, v] of this.smmuSnap[i]!) s.regs.set(k, v); });
    this.vcpus = new Map([...this.vcpusSnap].map(([k, v]) => [k, { ...v }]));
    this.resetTransient(seed);
  }

  private resetTransient(seed: number): void {
    this.k.halted = null;
    this.honestNext = 0;
    this.crash = null;
    this.sched = new Scheduler(this.m, { seed, switchProbability: this.opts.switchProbability ?? 0.5 });
    this.k.setScheduler(this.sched);
    this.checker = new Checker(this.m, this.k.lay, {
      sharedBase: this.sharedBase, fullEvery: this.opts.fullEvery ?? fullEveryFor(this.k.lay.ramPages, 512), ...(this.index ? { index: this.index } : {}),
    });
    this.k.am.setObserver(this.checker);
  }

  private onEvent(e: TraceEvent): void {
    this.checker?.onTrace(e);
    this.eventHook?.(e);
  }

  /** Runs host tasks on their pCPUs, interleaved by the scheduler, to completion. */
  runTasks(tasks: readonly { cpu: number; gen: Gen<unknown> }[]): void {
    for (const t of tasks) this.sched.setTask(t.cpu, t.gen as Gen);
    let guard = 0;
    this.sched.runUntil(() => {
      if (++guard > 2_000_000) throw new Error('fuzz world: a step did not finish within 2,000,000 scheduling steps');
      return tasks.every((t) => !this.sched.hasTask(t.cpu));
    });
    for (const t of tasks) if (this.sched.hasTask(t.cpu)) this.sched.setTask(t.cpu, null);
  }

  runTask(cpu: number, gen: Gen<unknown>): void {
    this.runTasks([{ cpu, gen }]);
  }

  /** Witnesses found so far in this sequence (the checker's). */
  get violations(): readonly Witness[] {
    return this.checker.violations;
  }

  // ---- what commands do ----

  pfnOf(kind: PageKindName, i: number): number {
    const pool = this.pools[kind];
    return pool[((i % pool.length) + pool.length) % pool.length]!;
  }

  vmidOf(i: number): number {
    return this.vmids[((i % 2) + 2) % 2]!;
  }

  /** A raw host hypercall. */
  *hvc(cpu: number, nr: number, args: readonly bigint[]): Gen<bigint> {
    return yield* this.host.hvc(cpu, nr, args);
  }

  *hostRead(cpu: number, pa: number): Gen<bigint | null> {
    return yield* this.host.read64(cpu, pa);
  }

  *hostWrite(cpu: number, pa: number, v: bigint): Gen<boolean> {
    return yield* this.host.write64(cpu, pa, v);
  }

  *smmuWrite(cpu: number, pa: number, v: bigint): Gen<bigint | null> {
    return yield* this.host.mmio(cpu, pa, 4, true, v);
  }

  /** A device DMA through SMMU `index`, context bank `bank`: reads or writes 8 bytes at `iova`. */
  dma(index: number, bank: number, iova: bigint, write: boolean): boolean {
    const dev = new DmaDevice('fuzz-dma', this.sys.smmus[index % this.sys.smmus.length]!, bank, this.m);
    return write ? dev.write(iova, new Uint8Array(8).fill(0xdd)) : dev.read(iova, 8) !== null;
  }

  /**
   * One puppet command on (vmid, vcpu), run on pCPU `cpu`: KServ answers the mailbox reads with
   * the words of `cmd` (the op word, then a and b unless they are inline) and handles the exits until the guest asks for its next command (or
   * powers off, or 16 exits pass). Stage-2 faults on guest RAM get `propose` (a pfn — honest or
   * not — or null: a fresh host page) as the walk result. With `cmd` null the vCPU just runs to
   * its next mailbox read.
   */
  *vmStep(cpu: number, vmid: number, vcpu: number, cmd: readonly bigint[] | null, propose: number | null): Gen<bigint[]> {
    const rets: bigint[] = [];
    const key = `${vmid}:${vcpu}`;
    const side = this.vcpus.get(key) ?? { mboxRt: null, off: false };
    this.vcpus.set(key, side);
    const at = vcpuAt(this.sharedBase, vmid, vcpu);
    const words = cmd === null ? [] : [...cmd];
    let consumed = 0;
    for (let exits = 0; exits < 16; exits++) {
      if (side.mboxRt !== null) {
        if (cmd !== null && consumed === cmd.length) return rets;   // the command ran; the guest wants the next
        const w = words.length ? words.shift()! : 0n;
        consumed++;
        yield* this.host.write64(cpu, at + VCPU.REGS + side.mboxRt * 8, w);
        side.mboxRt = null;
      }
      const exit = yield* this.host.vcpuRun(cpu, vmid, vcpu);
      rets.push(exit.code);
      if (exit.code < 0n || exit.code >= 1n << 63n) return rets;   // refused
      if (this.k.halted) return rets;
      const ec = Number((yield* this.host.read64(cpu, at + VCPU.EXIT_EC)) ?? 0n);
      const esr = Number((yield* this.host.read64(cpu, at + VCPU.ESR)) ?? 0n);
      const far = (yield* this.host.read64(cpu, at + VCPU.FAR)) ?? 0n;
      const hpfar = (yield* this.host.read64(cpu, at + VCPU.HPFAR)) ?? 0n;
      const ipa = Number(((hpfar >> 4n) << 12n) | (far & 0xfffn));
      if (ec === EC.DABT_LOW || ec === EC.IABT_LOW) {
        if (ipa >= VM_RAM && ipa < VM_RAM + (16 << 20)) {
          // user_mem_abort: a page for the fault (the fuzzer's choice).
          const pfn = propose ?? this.pools.host[(this.honestNext++) % this.pools.host.length]!;
          yield* this.host.resolveFault(cpu, vmid, vcpu, ipa, pfn, 3);
        } else if (ipa >= MBOX && ipa < MBOX + 0x100 && ((esr >>> 6) & 1) === 0) {
          side.mboxRt = (esr >>> 16) & 31;
          if (cmd === null) return rets;
        } else if (ec === EC.DABT_LOW) {
          // any other MMIO: reads return 0 (KServ writes Rt), writes are ignored
          if (((esr >>> 6) & 1) === 0) yield* this.host.write64(cpu, at + VCPU.REGS + ((esr >>> 16) & 31) * 8, 0n);
        } else {
          yield* this.host.write64(cpu, at + VCPU.INJECT, 3n);   // fetch outside RAM: instruction abort
        }
      } else if (ec === EC.HVC64) {
        const x0 = ((yield* this.host.read64(cpu, at + VCPU.REGS)) ?? 0n) & 0xffff_ffffn;
        if (x0 === 0x8400_0008n) { side.off = true; return rets; }   // SYSTEM_OFF: KCore set POWEROFF
        if (x0 !== 0x4b00_0000n) yield* this.host.write64(cpu, at + VCPU.REGS, 0xffff_ffff_ffff_ffffn);   // NOT_SUPPORTED
      }
      // WFx, IRQ, SYS64: resume.
    }
    return rets;
  }

  /**
   * KServ boots a new VM with the puppet image the way QEMU and KVM do (REGISTER_KVM,
   * REGISTER_VCPU, the signature into struct kvm, the image into a 2 MB host block at its offset,
   * SET_BOOT_INFO, REMAP_VM_IMAGE per page, VERIFY_VM_IMAGES) — or with one lie: a byte changed
   * after signing, the image remapped from pages the VM would not map at its IPA, a page left
   * out, or a page remapped again after verification. Or, 'from-saved', the way a saved VM is
   * restored: KServ has KCore save VM 1's vCPU 0 encrypted (SAVE_CRYPT_VCPU), copies the blob to
   * the new vCPU 0 and has KCore load it (LOAD_CRYPT_VCPU, while both are READY) before the image
   * boot. Returns x0 of each hypercall.
   */
  *bootVm(cpu: number, how: BootHow): Gen<{ nr: number; args: bigint[]; ret: bigint }[]> {
    const calls: { nr: number; args: bigint[]; ret: bigint }[] = [];
    const host = this.host;
    const call = function* (nr: number, args: bigint[]): Gen<bigint> {
      const ret = yield* host.hvc(cpu, nr, args);
      calls.push({ nr, args, ret });
      return ret;
    };
    const refused = (r: bigint): boolean => r >= 1n << 63n;
    if (this.boot2m === null) return calls;
    const saved = this.vmids[0];
    if (how === 'from-saved' && refused(yield* call(HVC.SAVE_CRYPT_VCPU, [BigInt(saved), 0n]))) return calls;
    const vmid = yield* call(HVC.REGISTER_KVM, []);
    if (refused(vmid)) return calls;
    if (refused(yield* call(HVC.REGISTER_VCPU, [vmid, 0n]))) return calls;
    if (how === 'from-saved') {
      const blob = yield* this.host.readBytes(cpu, vcpuAt(this.sharedBase, saved, 0) + VCPU.CRYPT, VCPU_CRYPT_BYTES);
      if (blob === null || !(yield* this.host.writeBytes(cpu, vcpuAt(this.sharedBase, Number(vmid), 0) + VCPU.CRYPT, blob))) return calls;
      if (refused(yield* call(HVC.LOAD_CRYPT_VCPU, [vmid, 0n]))) return calls;
    }
    const img = puppetImage();
    if (!(yield* this.host.writeBytes(cpu, kvmAt(this.sharedBase, Number(vmid)) + KVM.SIGNATURE, img.signature.subarray(0, 64)))) return calls;
    const bytes = img.bytes.slice();
    if (how === 'tampered') bytes[bytes.length >> 1]! ^= 0x01;
    const first = bootFirstPfn(this.boot2m);
    if (!(yield* this.host.writeBytes(cpu, first * 4096, bytes))) return calls;
    const idx = yield* call(HVC.SET_BOOT_INFO, [vmid, BigInt(PUPPET_IPA), BigInt(bytes.length)]);
    if (refused(idx)) return calls;
    const pages = Math.ceil(bytes.length / 4096);
    for (let p = 0; p < (how === 'partial' ? pages - 1 : pages); p++) {
      const pfn = how === 'misplaced' ? this.pools.host[p % this.pools.host.length]! : first + p;
      if (refused(yield* call(HVC.REMAP_VM_IMAGE, [vmid, BigInt(pfn), idx]))) return calls;
    }
    yield* call(HVC.VERIFY_VM_IMAGES, [vmid]);
    if (how === 'remap-after') yield* call(HVC.REMAP_VM_IMAGE, [vmid, BigInt(this.pools.host[0]!), idx]);
    return calls;
  }

  /** The prepared VMs' pages behind the puppet's IPAs ("vmid:ipa" → pfn), as KServ knows them by gfn. */
  private readonly behind = new Map<string, number>();

  /** The host page behind IPA `ipa` of VM `vmid` in the prepared world, if KServ knows one. */
  pfnBehind(vmid: number, ipa: bigint): number | null {
    return this.behind.get(`${vmid}:${ipa}`) ?? null;
  }

  /** What the fuzzer's reports say about a pfn. */
  describePfn(pfn: number): string {
    const p = this.view.s2page(pfn);
    return `pfn 0x${pfn.toString(16)} (${p.owner === INVALID_MEM ? 'not RAM' : this.view.principalName(p.owner)}${p.owner === COREVISOR || p.owner === INVALID_MEM ? '' : `, count ${p.count}`})`;
  }

  hvcName(nr: number): string {
    return HVC_NAME.get(nr) ?? `HVC_${nr}`;
  }
}

/** The pfn a boot copies the image's first page to: its offset in the 2 MB block is its IPA's. */
function bootFirstPfn(boot2m: number): number {
  return boot2m + (PUPPET_IPA % 0x20_0000) / 4096;
}

let cachedPuppet: ReturnType<typeof signImage> | null = null;

/** The puppet guest, assembled by the project's assembler and signed with the demo key. */
export function puppetImage(): ReturnType<typeof signImage> {
  if (cachedPuppet) return cachedPuppet;
  const src = readFileSync(repoPath('guests', 'fuzz', 'puppet.s'), 'utf8');
  const r = assemble(src, { file: 'guests/fuzz/puppet.s', base: BigInt(PUPPET_IPA) });
  if (!r.ok) throw new Error(r.error.map((e) => e.format()).join('\n'));
  cachedPuppet = signImage('puppet', { ipa: PUPPET_IPA, bytes: toFlat(r.value), entry: BigInt(PUPPET_IPA) }, loadPrivateKey());
  return cachedPuppet;
}
