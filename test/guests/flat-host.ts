/**
 * A stand-in host for testing the VM guests (guests/vm) on our own CPU model before the real
 * hypervisor runs them: TypeScript plays EL2 (host-implemented EL2, no stage 2, so IPA = PA and
 * nothing is isolated), and provides the guest-visible platform of guests/vm/README.md: PSCI and
 * the pvops over HVC, the PL011, the in-core GICv3 and timers, and the block device with its
 * request protocol. In mode 'sekvm' the device honours grants (KVM_SET_DESC_PFN share counts,
 * per page) as SeKVM's host would be forced to; in mode 'kvm' it reaches all of RAM and the
 * pvops are unknown calls.
 *
 * It is NOT the hypervisor and checks none of SeKVM's properties: it exists so the guests'
 * own logic (the I/O loop, the attacker's fault handling, SMP, timers) is exercised by a test,
 * and as a reference for the device protocol.
 */
import { parseElf } from '../../src/loader/elf.js';
import { Machine } from '../../src/machine/machine.js';
import { assertNever } from '../../src/machine/exit.js';

export type FlatMode = 'kvm' | 'sekvm';

export interface FlatOptions {
  readonly cpus?: number;
  readonly mode?: FlatMode;
  /** Instructions in all (default 300M). */
  readonly maxInsns?: bigint;
  /** Instructions per scheduling slice (default 1000). */
  readonly quantum?: number;
}

export interface FlatRun {
  readonly output: string;
  /** 'system-off' is the only good end. */
  readonly end: 'system-off' | 'limit' | 'hang' | 'host-error';
  readonly why: string;
  readonly insns: bigint;
  /** Pages still granted at the end (sekvm mode). */
  readonly granted: number;
}

const RAM = 0x4000_0000n;
const RAM_BYTES = 64 << 20;
const GICD = 0x0800_0000n;
const GICR = 0x080a_0000n;
const UART = 0x0900_0000n;
const VIRTIO = 0x0a00_0000n;
const VIRTIO_SLOT = 0x200n;
const VIRTIO_SLOTS = 32n;

const PSCI_VERSION = 0x8400_0000;
const PSCI_CPU_OFF = 0x8400_0002;
const PSCI_CPU_ON = 0xc400_0003;
const PSCI_AFFINITY_INFO = 0xc400_0004;
const PSCI_SYSTEM_OFF = 0x8400_0008;
const KVM_SET_DESC_PFN = 0x81000;
const KVM_UNSET_DESC_PFN = 0x82000;
const HVC_NOOP = 0x4b00_0000;
const EC_HVC64 = 0x16;
const NOT_SUPPORTED = BigInt.asUintN(64, -1n);
const INVALID_PARAMETERS = BigInt.asUintN(64, -2n);
const ALREADY_ON = BigInt.asUintN(64, -4n);

/** The block device: default contents, persistent writes, grant-checked guest access. */
class BlockDevice {
  private readonly sectors = new Map<bigint, Uint8Array>();
  private reqAddr = 0n;
  isr = 0;

  constructor(private readonly m: Machine, private readonly canAccess: (ipa: bigint, len: number) => boolean) {}

  read(slot: bigint, off: number): bigint {
    switch (off) {
      case 0x000: return 0x7472_6976n;
      case 0x004: return 2n;
      case 0x008: return slot === 0n ? 2n : slot === 1n ? 1n : 0n;
      case 0x00c: return 0x554d_4551n;
      case 0x060: return slot === 0n ? BigInt(this.isr) : 0n;
      default: return 0n;
    }
  }

  write(slot: bigint, off: number, v: bigint): void {
    if (slot !== 0n) return;
    if (off === 0x100) this.reqAddr = (this.reqAddr & ~0xffff_ffffn) | (v & 0xffff_ffffn);
    else if (off === 0x104) this.reqAddr = (this.reqAddr & 0xffff_ffffn) | ((v & 0xffff_ffffn) << 32n);
    else if (off === 0x064) this.isr &= ~Number(v & 1n);
    else if (off === 0x050) this.execute();
  }

  private sector(s: bigint): Uint8Array {
    let d = this.sectors.get(s);
    if (!d) {
      d = new Uint8Array(512);
      for (let i = 0; i < 512; i++) d[i] = Number((s * 31n + BigInt(i)) & 0xffn);
    }
    return d;
  }

  /** One request; nothing happens if the request block is out of reach. */
  private execute(): void {
    const req = this.reqAddr;
    if (req % 64n !== 0n || !this.canAccess(req, 32)) return;
    const b = this.m.readPhys(req, 32);
    const dv = new DataView(b.buffer, b.byteOffset, 32);
    const type = dv.getUint32(0, true);
    const sector = dv.getBigUint64(8, true);
    const data = dv.getBigUint64(16, true);
    const len = dv.getUint32(24, true);
    let status = 0;
    if ((type !== 0 && type !== 1) || len > 4096 || len % 512 !== 0 || data % 4096n !== 0n) status = 1;
    else if (!this.canAccess(data, len)) status = 2;
    else if (type === 0) {
      const out = new Uint8Array(len);
      for (let i = 0; i < len / 512; i++) out.set(this.sector(sector + BigInt(i)), i * 512);
      this.m.writePhys(data, out);
    } else {
      const inp = this.m.readPhys(data, len);
      for (let i = 0; i < len / 512; i++) this.sectors.set(sector + BigInt(i), inp.slice(i * 512, (i + 1) * 512));
    }
    const st = new Uint8Array(4);
    new DataView(st.buffer).setUint32(0, status, true);
    this.m.writePhys(req + 4n, st);
    this.isr |= 1;
  }
}

/** Everything one run shares: the machine, the device, grants, console bytes, the stop reason. */
interface Host {
  readonly m: Machine;
  readonly cpus: number;
  readonly mode: FlatMode;
  readonly dev: BlockDevice;
  /** Share count per granted RAM page (sekvm mode). */
  readonly grants: Map<bigint, number>;
  readonly out: number[];
  stopped: { end: FlatRun['end']; why: string } | null;
}

/** Runs a guest ELF to SYSTEM_OFF (or the instruction limit, or a hang). */
export function runFlatVm(elf: Uint8Array, opts: FlatOptions = {}): FlatRun {
  const image = parseElf(elf);
  if (!image.ok) throw new Error(image.error);
  const h = createHost(opts.cpus ?? 1, opts.mode ?? 'sekvm');
  for (const s of image.value.segments) if (s.memsz > 0n) h.m.writePhys(s.vaddr, s.data);
  startCpu(h.m, 0, image.value.entry, 0n);
  const maxInsns = opts.maxInsns ?? 300_000_000n;
  const quantum = opts.quantum ?? 1000;
  let insns = 0n;
  let turn = 0;
  while (!h.stopped) {
    if (insns >= maxInsns) { h.stopped = { end: 'limit', why: `stopped after ${insns} instructions` }; break; }
    const ready = runnable(h);
    if (ready.length === 0) { h.stopped = { end: 'hang', why: 'every vCPU is off or waiting with nothing to wake it' }; break; }
    insns += BigInt(slice(h, ready[turn++ % ready.length]!, quantum));
  }
  const end = h.stopped as { end: FlatRun['end']; why: string };
  return { output: Buffer.from(h.out).toString('latin1'), end: end.end, why: end.why, insns, granted: h.grants.size };
}

function createHost(cpus: number, mode: FlatMode): Host {
  const m = Machine.create({ cpus, ramBase: RAM, ramBytes: RAM_BYTES });
  m.setHostEls([2, 3]);
  m.enableGic(GICD, GICR);
  m.addMmio(UART, 0x1000n);
  m.addMmio(VIRTIO, VIRTIO_SLOT * VIRTIO_SLOTS);
  const grants = new Map<bigint, number>();
  // The device reaches RAM only: in sekvm mode, only pages with a share count.
  const canAccess = (ipa: bigint, len: number): boolean => {
    if (!m.inRam(ipa, len)) return false;
    for (let p = ipa & ~0xfffn; mode === 'sekvm' && p < ipa + BigInt(len); p += 0x1000n) if (!grants.get(p)) return false;
    return true;
  };
  return { m, cpus, mode, dev: new BlockDevice(m, canAccess), grants, out: [], stopped: null };
}

/** PSCI CPU_ON's effect (and the primary's boot): EL1h, DAIF masked, MMU off, x0 = context. */
function startCpu(m: Machine, cpu: number, entry: bigint, x0: bigint): void {
  m.resetCpu(cpu);
  m.setSysRaw(cpu, 'HCR_EL2', 1n << 31n);             // EL1 is AArch64; nothing trapped, no stage 2
  m.setPstate(cpu, 0x3c5n);
  m.setPc(cpu, entry);
  m.setX(cpu, 0, x0);
  m.setOn(cpu, true);
}

/** Grant (+1) or revoke (-1) every RAM page of [ipa, ipa+size), like SeKVM's share counts. */
function share(h: Host, ipa: bigint, size: bigint, delta: 1 | -1): void {
  if (size === 0n || ipa < RAM || ipa + size > RAM + BigInt(RAM_BYTES)) return;
  for (let p = ipa & ~0xfffn; p < ipa + size; p += 0x1000n) {
    const n = (h.grants.get(p) ?? 0) + delta;
    if (n > 0) h.grants.set(p, n);
    else h.grants.delete(p);
  }
}

/** An HVC from the guest: PSCI, the pvops (sekvm mode), the NOOP call; others NOT_SUPPORTED. */
function hvc(h: Host, cpu: number): void {
  const { m } = h;
  const fid = Number(m.getX(cpu, 0) & 0xffff_ffffn);
  const [x1, x2, x3] = [m.getX(cpu, 1), m.getX(cpu, 2), m.getX(cpu, 3)];
  let r = NOT_SUPPORTED;
  switch (fid) {
    case PSCI_VERSION: r = 0x1_0001n; break;
    case PSCI_CPU_ON:
      if (x1 >= BigInt(h.cpus)) r = INVALID_PARAMETERS;
      else if (m.isOn(Number(x1))) r = ALREADY_ON;
      else { startCpu(m, Number(x1), x2, x3); r = 0n; }
      break;
    case PSCI_CPU_OFF: m.setOn(cpu, false); return;
    case PSCI_AFFINITY_INFO: r = x1 < BigInt(h.cpus) ? (m.isOn(Number(x1)) ? 0n : 1n) : INVALID_PARAMETERS; break;
    case PSCI_SYSTEM_OFF: h.stopped = { end: 'system-off', why: 'PSCI SYSTEM_OFF' }; return;
    case HVC_NOOP: r = 0n; break;
    case KVM_SET_DESC_PFN:
    case KVM_UNSET_DESC_PFN:
      if (h.mode === 'sekvm') { share(h, x1, x2, fid === KVM_SET_DESC_PFN ? 1 : -1); r = 1n; }
      break;
    default: break;
  }
  m.setX(cpu, 0, r);
  m.eret(cpu);
}

/** A device access: the PL011 (UARTDR writes print, UARTFR reads 0x90) or a virtio slot. */
function mmio(h: Host, cpu: number, pa: bigint, write: boolean, data: bigint): void {
  let v = 0n;
  if (pa >= UART && pa < UART + 0x1000n) {
    const off = Number(pa - UART);
    if (write && off === 0) h.out.push(Number(data & 0xffn));
    else if (!write && off === 0x18) v = 0x90n;
  } else {
    const slot = (pa - VIRTIO) / VIRTIO_SLOT;
    const off = Number((pa - VIRTIO) % VIRTIO_SLOT);
    if (write) h.dev.write(slot, off, data);
    else v = h.dev.read(slot, off);
  }
  h.m.mmioComplete(cpu, v);
}

/** Runs `cpu` for up to `budget` instructions, handling its exits; returns instructions retired. */
function slice(h: Host, cpu: number, budget: number): number {
  let done = 0;
  while (done < budget && !h.stopped) {
    const e = h.m.run(cpu, budget - done);
    done += e.insns;
    switch (e.kind) {
      case 'budget': case 'idle': case 'off': return done;
      case 'mmio': mmio(h, cpu, e.pa, e.write, e.data); break;
      case 'exception':
        if (e.targetEl === 2 && e.esr >>> 26 === EC_HVC64) hvc(h, cpu);
        else h.stopped = { end: 'host-error', why: `vCPU ${cpu}: exception to EL${e.targetEl}, ESR 0x${e.esr.toString(16)} FAR 0x${e.far.toString(16)}` };
        break;
      case 'semihost': h.stopped = { end: 'host-error', why: 'semihosting call' }; break;
      default: assertNever(e);
    }
  }
  return done;
}

/**
 * vCPUs that can run. Waiting vCPUs follow the latest clock (their timers fire meanwhile); if
 * every vCPU waits in WFI, time jumps to the earliest timer deadline (as src/board does).
 */
function runnable(h: Host): number[] {
  const { m, cpus } = h;
  const on = [...Array(cpus).keys()].filter((c) => m.isOn(c));
  const now = on.reduce((t, c) => (m.cycles(c) > t ? m.cycles(c) : t), 0n);
  const ready: number[] = [];
  let waiting = 0;
  for (const c of on) {
    const w = m.waiting(c);
    if (w !== 0) { m.advanceCycles(c, now); waiting++; }
    if (w === 0 || m.getLines(c) !== 0 || w === 2) ready.push(c);
  }
  if (ready.length > 0 || waiting === 0) return ready;
  const deadlines = on.map((c) => m.nextTimerCycles(c)).filter((d): d is bigint => d !== null);
  if (deadlines.length === 0) return ready;
  const next = deadlines.reduce((a, b) => (b < a ? b : a));
  for (const c of on) m.advanceCycles(c, next);
  return on.filter((c) => m.getLines(c) !== 0);
}
