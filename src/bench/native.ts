/**
 * Bare metal, for the application benchmarks' baseline (sekvm.md §7.3: "KVM, SeKVM and bare
 * metal"): a VM guest of guests/vm run as the machine's own kernel — at EL1 with no stage 2 and
 * nothing trapped, its GIC and timers in the core, its devices (PL011, the block device)
 * reached directly — on the same cost model: guest instructions at one cycle, the walker's
 * descriptor reads at `walk_step`, each device register access at `device_access`, and each
 * firmware call (PSCI over HVC) at one exception entry and return. No hypervisor, no exits.
 *
 * The pCPUs advance in clock order (a discrete-event schedule like the Scheduler's 'ordered'
 * timing), so a CPU woken by another's SGI starts at the sender's time. Adapted from the test
 * stand-in host (test/guests/flat-host.ts), without grants: bare metal has nothing to grant.
 */
import { Machine } from '../machine/machine.js';
import { assertNever } from '../machine/exit.js';
import type { BootImage } from '../kserv/image.js';
import { VmUart, VirtioBlock, VM_UART, VM_VIRTIO, VIRTIO_SLOT, VIRTIO_SLOTS, type GuestMem } from '../kserv/devices.js';
import { VIRT } from '../board/virt.js';
import { PSCI, PSCI_RET } from '../board/psci.js';
import { KVM_HVC_NOOP } from '../kcore/constants.js';
import { EC } from '../arch/esr.js';
import type { CostTable } from '../cost/model.js';
import { runToEnd } from '../sim/task.js';

export interface NativeRun {
  readonly lines: readonly string[];
  readonly end: 'system-off' | 'limit' | 'hang' | 'error';
  readonly why: string;
  /** Largest CPU clock at the end. */
  readonly cycles: bigint;
  readonly insns: bigint;
  readonly seconds: number;
}

const RAM = 0x4000_0000n;
/** A CPU runs at most this many instructions past the next running CPU's clock (as apps.ts). */
const WINDOW = 1000;
const QUANTUM = 10_000;

interface Native {
  readonly m: Machine;
  readonly cpus: number;
  readonly uart: VmUart;
  readonly virtio: VirtioBlock[];
  readonly mem: GuestMem;
  readonly costs: CostTable;
  stopped: { end: NativeRun['end']; why: string } | null;
}

/**
 * Runs `image` (linked for guest RAM at 0x4000_0000) on `cpus` CPUs of bare metal until PSCI
 * SYSTEM_OFF, a hang (every CPU waits with nothing to wake it), an unexpected exception, or
 * `maxInsns` instructions in all.
 */
export function runNative(image: BootImage, cpus: number, costs: CostTable, ramMiB = 64, maxInsns = 2_000_000_000n): NativeRun {
  const t0 = process.hrtime.bigint();
  const m = Machine.create({ cpus, ramBase: RAM, ramBytes: ramMiB << 20 });
  m.setHostEls([2, 3]);
  m.enableGic(VIRT.GICD, VIRT.GICR);
  m.addMmio(BigInt(VM_UART), 0x1000n);
  m.addMmio(BigInt(VM_VIRTIO), BigInt(VIRTIO_SLOT * VIRTIO_SLOTS));
  m.setWalkCost(costs.walk_step.cycles);
  const uart = new VmUart(() => {});
  const mem: GuestMem = {
    *read(ipa, len) { return m.inRam(BigInt(ipa), len) ? m.readPhys(BigInt(ipa), len) : null; },
    *write(ipa, bytes) {
      if (!m.inRam(BigInt(ipa), bytes.length)) return false;
      m.writePhys(BigInt(ipa), bytes);
      return true;
    },
  };
  const n: Native = { m, cpus, uart, virtio: [new VirtioBlock(0, 2), new VirtioBlock(1, 1)], mem, costs, stopped: null };
  m.writePhys(BigInt(image.ipa), image.bytes);
  startCpu(m, 0, image.entry, 0n);
  let insns = 0n;
  while (n.stopped === null) {
    if (insns >= maxInsns) { n.stopped = { end: 'limit', why: `stopped after ${insns} instructions` }; break; }
    const cpu = nextCpu(n);
    if (cpu < 0) { n.stopped = { end: 'hang', why: 'every CPU is off or waits with nothing to wake it' }; break; }
    insns += BigInt(slice(n, cpu));
  }
  uart.flush();
  let cycles = 0n;
  for (let c = 0; c < cpus; c++) if (m.cycles(c) > cycles) cycles = m.cycles(c);
  return { lines: uart.lines, end: n.stopped.end, why: n.stopped.why, cycles, insns, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/** PSCI CPU_ON's effect (and the primary's boot): EL1h, DAIF masked, MMU off, x0 = context. */
function startCpu(m: Machine, cpu: number, entry: bigint, x0: bigint): void {
  const now = m.cycles(0);
  m.resetCpu(cpu);
  m.setSysRaw(cpu, 'HCR_EL2', 1n << 31n);   // EL1 AArch64; nothing trapped, no stage 2
  m.setPstate(cpu, 0x3c5n);
  m.setPc(cpu, entry);
  m.setX(cpu, 0, x0);
  m.setOn(cpu, true);
  m.advanceCycles(cpu, now);
}

/** Charges `c` cycles to `cpu`'s clock. */
function charge(m: Machine, cpu: number, c: number): void {
  if (c >= 1) m.addCycles(cpu, BigInt(Math.round(c)));
}

/**
 * The CPU to run next: the running CPU with the smallest clock. Waiting CPUs follow the earliest
 * running clock (their timers fire meanwhile); if every CPU waits, time jumps to the earliest
 * timer deadline. Returns -1 when nothing can run.
 */
function nextCpu(n: Native): number {
  const { m, cpus } = n;
  const on: number[] = [];
  for (let c = 0; c < cpus; c++) if (m.isOn(c)) on.push(c);
  const runnable = (c: number): boolean => m.waiting(c) === 0 || m.getLines(c) !== 0;
  let best = -1;
  for (const c of on) if (runnable(c) && (best < 0 || m.cycles(c) < m.cycles(best))) best = c;
  if (best >= 0) {
    for (const c of on) if (!runnable(c)) m.advanceCycles(c, m.cycles(best));
    // A waiting CPU whose timer fired while it caught up may now be earlier than `best`.
    for (const c of on) if (m.waiting(c) !== 0 && m.getLines(c) !== 0 && m.cycles(c) < m.cycles(best)) best = c;
    return best;
  }
  let next: bigint | null = null;
  for (const c of on) {
    const d = m.nextTimerCycles(c);
    if (d !== null && (next === null || d < next)) next = d;
  }
  if (next === null) return -1;
  for (const c of on) m.advanceCycles(c, next);
  for (const c of on) if (runnable(c)) return c;
  return -1;
}

/** Instructions for this slice: up to the next running CPU's clock plus WINDOW. */
function sliceBudget(n: Native, cpu: number): number {
  const { m } = n;
  let gap: bigint | null = null;
  for (let c = 0; c < n.cpus; c++) {
    if (c === cpu || !m.isOn(c) || m.waiting(c) !== 0) continue;
    const g = m.cycles(c) - m.cycles(cpu);
    if (gap === null || g < gap) gap = g;
  }
  if (gap === null) return QUANTUM;
  return Math.min(QUANTUM, (gap > 0n ? Number(gap) : 0) + WINDOW);
}

/** Runs `cpu` for one slice, handling its exits; returns instructions retired. */
function slice(n: Native, cpu: number): number {
  const { m } = n;
  const budget = sliceBudget(n, cpu);
  let done = 0;
  while (done < budget && n.stopped === null) {
    const e = m.run(cpu, budget - done);
    done += e.insns;
    switch (e.kind) {
      case 'budget': case 'idle': case 'off': return done;
      case 'mmio': mmio(n, cpu, Number(e.pa), e.write, e.data); break;
      case 'exception':
        if (e.targetEl === 2 && e.esr >>> 26 === EC.HVC64) firmware(n, cpu);
        else n.stopped = { end: 'error', why: `CPU ${cpu}: exception to EL${e.targetEl}, ESR 0x${e.esr.toString(16)} FAR 0x${e.far.toString(16)}` };
        break;
      case 'semihost': n.stopped = { end: 'error', why: 'semihosting call' }; break;
      default: assertNever(e);
    }
  }
  return done;
}

/** A device register access: it reaches the device (PL011 or a block-device slot). */
function mmio(n: Native, cpu: number, pa: number, write: boolean, data: bigint): void {
  const { m } = n;
  charge(m, cpu, n.costs.device_access.cycles);
  let v = 0n;
  if (pa >= VM_UART && pa < VM_UART + 0x1000) {
    if (write) n.uart.write(pa - VM_UART, data);
    else v = n.uart.read(pa - VM_UART);
  } else {
    const slot = Math.floor((pa - VM_VIRTIO) / VIRTIO_SLOT);
    const off = (pa - VM_VIRTIO) % VIRTIO_SLOT;
    const dev = n.virtio[slot];
    if (dev !== undefined) {
      if (!write) v = dev.read(off);
      else runToEnd(dev.write(off, data, n.mem));
    }
  }
  m.mmioComplete(cpu, v);
}

/** PSCI over HVC (the firmware's part on bare metal) and the NOOP call; others NOT_SUPPORTED. */
function firmware(n: Native, cpu: number): void {
  const { m } = n;
  charge(m, cpu, n.costs.exc_entry.cycles + n.costs.eret.cycles);
  const fid = Number(m.getX(cpu, 0) & 0xffff_ffffn);
  const x1 = m.getX(cpu, 1), x2 = m.getX(cpu, 2), x3 = m.getX(cpu, 3);
  let r = BigInt.asUintN(64, BigInt(PSCI_RET.NOT_SUPPORTED));
  switch (fid) {
    case PSCI.VERSION: r = 0x1_0000n; break;
    case PSCI.CPU_ON_64:
    case PSCI.CPU_ON_32:
      if (x1 >= BigInt(n.cpus)) r = BigInt.asUintN(64, BigInt(PSCI_RET.INVALID_PARAMETERS));
      else if (m.isOn(Number(x1))) r = BigInt.asUintN(64, BigInt(PSCI_RET.ALREADY_ON));
      else { startCpu(m, Number(x1), x2, x3); m.advanceCycles(Number(x1), m.cycles(cpu)); r = 0n; }
      break;
    case PSCI.CPU_OFF: m.setOn(cpu, false); return;
    case PSCI.AFFINITY_INFO_64:
    case PSCI.AFFINITY_INFO_32:
      r = x1 < BigInt(n.cpus) ? (m.isOn(Number(x1)) ? 0n : 1n) : BigInt.asUintN(64, BigInt(PSCI_RET.INVALID_PARAMETERS));
      break;
    case PSCI.SYSTEM_OFF: n.stopped = { end: 'system-off', why: 'PSCI SYSTEM_OFF' }; return;
    case KVM_HVC_NOOP: r = 0n; break;
    default: break;
  }
  m.setX(cpu, 0, r);
  m.eret(cpu);
}
