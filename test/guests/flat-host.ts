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

/** Runs a guest ELF to SYSTEM_OFF (or the instruction limit, or a hang). */
export function runFlatVm(elf: Uint8Array, opts: FlatOptions = {}): FlatRun {
  const cpus = opts.cpus ?? 1;
  const mode = opts.mode ?? 'sekvm';
  const maxInsns = opts.maxInsns ?? 300_000_000n;
  const quantum = opts.quantum ?? 1000;
  const image = parseElf(elf);
  if (!image.ok) throw new Error(image.error);
  const m = Machine.create({ cpus, ramBase: RAM, ramBytes: RAM_BYTES });
  m.setHostEls([2, 3]);
  m.enableGic(GICD, GICR);
  m.addMmio(UART, 0x1000n);
  m.addMmio(VIRTIO, VIRTIO_SLOT * VIRTIO_SLOTS);
  for (const s of image.value.segments) if (s.memsz > 0n) m.writePhys(s.vaddr, s.data);

  const grants = new Map<bigint, number>();
  const inRam = (ipa: bigint, len: number): boolean => len >= 0 && m.inRam(ipa, len);
  const canAccess = (ipa: bigint, len: number): boolean => {
    if (!inRam(ipa, len)) return false;
    if (mode === 'kvm') return true;
    for (let p = ipa & ~0xfffn; p < ipa + BigInt(len); p += 0x1000n) if (!grants.get(p)) return false;
    return true;
  };
  const dev = new BlockDevice(m, canAccess);
  const out: number[] = [];
  let stopped: { end: FlatRun['end']; why: string } | null = null;
  let insns = 0n;

  const startCpu = (cpu: number, entry: bigint, x0: bigint): void => {
    m.resetCpu(cpu);
    m.setSysRaw(cpu, 'HCR_EL2', 1n << 31n);           // EL1 is AArch64; nothing trapped, no stage 2
    m.setPstate(cpu, 0x3c5n);                          // EL1h, DAIF masked
    m.setPc(cpu, entry);
    m.setX(cpu, 0, x0);
    m.setOn(cpu, true);
  };

  /** Grant (+1) or revoke (-1) every RAM page of [ipa, ipa+size), as SeKVM's share counts. */
  const share = (ipa: bigint, size: bigint, delta: 1 | -1): void => {
    if (size === 0n || ipa + size > RAM + BigInt(RAM_BYTES) || ipa < RAM) return;
    for (let p = ipa & ~0xfffn; p < ipa + size; p += 0x1000n) {
      const n = (grants.get(p) ?? 0) + delta;
      if (n > 0) grants.set(p, n);
      else grants.delete(p);
    }
  };

  const hvc = (cpu: number): void => {
    const fid = Number(m.getX(cpu, 0) & 0xffff_ffffn);
    const [x1, x2, x3] = [m.getX(cpu, 1), m.getX(cpu, 2), m.getX(cpu, 3)];
    let r = NOT_SUPPORTED;
    switch (fid) {
      case PSCI_VERSION: r = 0x1_0001n; break;
      case PSCI_CPU_ON: {
        const t = Number(x1 & 0xffn);
        if (x1 >= BigInt(cpus)) r = INVALID_PARAMETERS;
        else if (m.isOn(t)) r = ALREADY_ON;
        else { startCpu(t, x2, x3); r = 0n; }
        break;
      }
      case PSCI_CPU_OFF: m.setOn(cpu, false); return;
      case PSCI_AFFINITY_INFO: r = x1 < BigInt(cpus) ? (m.isOn(Number(x1)) ? 0n : 1n) : INVALID_PARAMETERS; break;
      case PSCI_SYSTEM_OFF: stopped = { end: 'system-off', why: 'PSCI SYSTEM_OFF' }; return;
      case HVC_NOOP: r = 0n; break;
      case KVM_SET_DESC_PFN:
      case KVM_UNSET_DESC_PFN:
        if (mode === 'sekvm') { share(x1, x2, fid === KVM_SET_DESC_PFN ? 1 : -1); r = 1n; }
        break;
      default: break;
    }
    m.setX(cpu, 0, r);
    m.eret(cpu);
  };

  const mmio = (cpu: number, pa: bigint, write: boolean, data: bigint): void => {
    let v = 0n;
    if (pa >= UART && pa < UART + 0x1000n) {
      const off = Number(pa - UART);
      if (write && off === 0) out.push(Number(data & 0xffn));
      else if (!write && off === 0x18) v = 0x90n;
    } else {
      const slot = (pa - VIRTIO) / VIRTIO_SLOT;
      const off = Number((pa - VIRTIO) % VIRTIO_SLOT);
      if (write) dev.write(slot, off, data);
      else v = dev.read(slot, off);
    }
    m.mmioComplete(cpu, v);
  };

  /** One slice of `cpu`; returns instructions retired. */
  const slice = (cpu: number, budget: number): number => {
    let done = 0;
    while (done < budget && !stopped) {
      const e = m.run(cpu, budget - done);
      done += e.insns;
      switch (e.kind) {
        case 'budget': case 'idle': case 'off': return done;
        case 'mmio': mmio(cpu, e.pa, e.write, e.data); break;
        case 'exception':
          if (e.targetEl === 2 && e.esr >>> 26 === EC_HVC64) hvc(cpu);
          else stopped = { end: 'host-error', why: `vCPU ${cpu}: exception to EL${e.targetEl}, ESR 0x${e.esr.toString(16)} FAR 0x${e.far.toString(16)}` };
          break;
        case 'semihost':
          stopped = { end: 'host-error', why: 'semihosting call' };
          break;
      }
    }
    return done;
  };

  /** vCPUs that can run; if all wait in WFI, time jumps to the earliest timer deadline. */
  const runnable = (): number[] => {
    let now = 0n;
    for (let c = 0; c < cpus; c++) if (m.isOn(c) && m.cycles(c) > now) now = m.cycles(c);
    const ready: number[] = [];
    let waiting = 0;
    for (let c = 0; c < cpus; c++) {
      if (!m.isOn(c)) continue;
      const w = m.waiting(c);
      if (w !== 0) { m.advanceCycles(c, now); waiting++; }
      if (w === 0 || m.getLines(c) !== 0 || w === 2) ready.push(c);
    }
    if (ready.length > 0 || waiting === 0) return ready;
    let next: bigint | null = null;
    for (let c = 0; c < cpus; c++) {
      const d = m.isOn(c) ? m.nextTimerCycles(c) : null;
      if (d !== null && (next === null || d < next)) next = d;
    }
    if (next === null) return ready;
    for (let c = 0; c < cpus; c++) if (m.isOn(c)) m.advanceCycles(c, next);
    for (let c = 0; c < cpus; c++) if (m.isOn(c) && m.getLines(c) !== 0) ready.push(c);
    return ready;
  };

  startCpu(0, image.value.entry, 0n);
  let turn = 0;
  while (!stopped) {
    if (insns >= maxInsns) { stopped = { end: 'limit', why: `stopped after ${insns} instructions` }; break; }
    const ready = runnable();
    if (ready.length === 0) { stopped = { end: 'hang', why: 'every vCPU is off or waiting with nothing to wake it' }; break; }
    const cpu = ready[turn++ % ready.length]!;
    insns += BigInt(slice(cpu, quantum));
  }
  const end = stopped as { end: FlatRun['end']; why: string };
  return { output: Buffer.from(out).toString('latin1'), end: end.end, why: end.why, insns, granted: grants.size };
}
