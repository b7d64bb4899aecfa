/**
 * The physical board: a Machine with QEMU virt's devices (PL011 UART now; the GIC and the timer
 * interrupt wiring join it with the EL2 hardware), PSCI firmware over SMC, Arm semihosting, and
 * a deterministic seeded scheduler that interleaves the pCPUs.
 */
import { Machine } from '../machine/machine.js';
import { assertNever } from '../machine/exit.js';
import { Prng } from '../util/prng.js';
import { VIRT } from './virt.js';
import { Pl011 } from './pl011.js';
import { semihost } from './semihosting.js';
import { psciCall, type PsciBoard } from './psci.js';

/** A memory-mapped device: `read`/`write` get the offset from the device base and the size in bytes. */
export interface MmioDevice {
  readonly name: string;
  readonly base: bigint;
  readonly size: bigint;
  read(offset: number, size: number, cpu: number): bigint;
  write(offset: number, size: number, value: bigint, cpu: number): void;
}

export interface BoardConfig {
  /** pCPUs (1–64). */
  readonly cpus?: number;
  /** RAM in MiB (default 512, as `-m 512M`). */
  readonly ramMiB?: number;
  /** Seed of the scheduler. */
  readonly seed?: number;
  /** Instructions a CPU runs before the scheduler picks again (default 1000; 1 = finest). */
  readonly quantum?: number;
  /** Answer HLT #0xF000 semihosting calls (as QEMU -semihosting). Default true. */
  readonly semihosting?: boolean;
  /** Console output (PL011 and semihosting). */
  readonly onOutput?: (bytes: Uint8Array) => void;
}

export type BoardStop =
  | { readonly kind: 'exit'; readonly status: number; readonly why: string }
  | { readonly kind: 'reset'; readonly why: string }
  | { readonly kind: 'limit'; readonly why: string }
  | { readonly kind: 'hang'; readonly why: string };

export class Board implements PsciBoard {
  readonly m: Machine;
  readonly cpus: number;
  private readonly devices: MmioDevice[] = [];
  private readonly prng: Prng;
  private readonly quantum: number;
  private readonly out: (b: Uint8Array) => void;
  private readonly mpidrs: bigint[] = [];
  private stopped: BoardStop | null = null;
  /** Total instructions retired by all CPUs. */
  insns = 0n;

  constructor(cfg: BoardConfig = {}) {
    this.cpus = cfg.cpus ?? 1;
    const ramMiB = cfg.ramMiB ?? 512;
    this.m = Machine.create({ cpus: this.cpus, ramBase: VIRT.RAM, ramBytes: ramMiB * 1048576 });
    this.prng = new Prng(cfg.seed ?? 1);
    this.quantum = Math.max(1, cfg.quantum ?? 1000);
    this.out = cfg.onOutput ?? (() => {});
    this.m.setHostEls([3]);
    this.m.setSemihosting(cfg.semihosting ?? true);
    this.m.enableGic(VIRT.GICD, VIRT.GICR);
    for (let c = 0; c < this.cpus; c++) this.mpidrs.push(this.m.getSysRaw(c, 'MPIDR_EL1') & 0xff_00ff_ffffn);
    const uart = new Pl011((b) => this.out(Uint8Array.of(b)));
    this.addDevice({
      name: 'pl011', base: VIRT.UART, size: VIRT.UART_SIZE,
      read: (off) => BigInt(uart.read(off)),
      write: (off, _size, v) => uart.write(off, Number(v & 0xffff_ffffn)),
    });
  }

  addDevice(d: MmioDevice): void {
    this.devices.push(d);
    this.m.addMmio(d.base, d.size);
  }

  cpuOfMpidr(mpidr: bigint): number {
    return this.mpidrs.indexOf(mpidr & 0xff_00ff_ffffn);
  }

  isOn(cpu: number): boolean {
    return this.m.isOn(cpu);
  }

  /** Powers CPU `cpu` on at `entry` in the current EL of `like` (PSCI CPU_ON), X0 = context. */
  private cpuOn(cpu: number, entry: bigint, context: bigint, el: number): void {
    this.m.resetCpu(cpu);
    // MMU and caches off, DAIF masked, at the caller's EL with SP_ELx (arm.md §7).
    this.m.setPstate(cpu, BigInt((el << 2) | 1 | 0x3c0));
    if (el === 1) this.m.setSysRaw(cpu, 'HCR_EL2', this.m.getSysRaw(0, 'HCR_EL2'));
    this.m.setPc(cpu, entry);
    this.m.setX(cpu, 0, context);
    this.m.setOn(cpu, true);
  }

  /** Starts CPU 0 at `entry` at EL2h with DAIF masked (the reset state of a board without EL3). */
  boot(entry: bigint, x0 = 0n): void {
    this.m.setPc(0, entry);
    this.m.setX(0, 0, x0);
    this.m.setOn(0, true);
  }

  private stop(s: BoardStop): void {
    if (!this.stopped) this.stopped = s;
  }

  private mmio(cpu: number, pa: bigint, size: number, write: boolean, data: bigint): void {
    const d = this.devices.find((x) => pa >= x.base && pa < x.base + x.size);
    let v = 0n;
    if (d) {
      const off = Number(pa - d.base);
      if (write) d.write(off, size, data, cpu);
      else v = d.read(off, size, cpu);
    }
    this.m.mmioComplete(cpu, v);
  }

  private firmware(cpu: number): void {
    const fid = Number(this.m.getX(cpu, 0) & 0xffff_ffffn);
    const a = psciCall(this, fid, this.m.getX(cpu, 1), this.m.getX(cpu, 2), this.m.getX(cpu, 3));
    switch (a.kind) {
      case 'return':
        this.m.setX(cpu, 0, a.x0);
        return;
      case 'cpu-on':
        this.cpuOn(a.target, a.entry, a.context, this.m.el(cpu));
        this.m.setX(cpu, 0, 0n);
        return;
      case 'cpu-off':
        this.m.setOn(cpu, false);
        if (![...Array(this.cpus).keys()].some((c) => this.m.isOn(c))) this.stop({ kind: 'hang', why: 'every CPU is off (PSCI CPU_OFF)' });
        return;
      case 'system-off':
        this.stop({ kind: 'exit', status: 0, why: 'PSCI SYSTEM_OFF' });
        return;
      case 'system-reset':
        this.stop({ kind: 'reset', why: 'PSCI SYSTEM_RESET' });
        return;
      default:
        assertNever(a);
    }
  }

  /** Runs `cpu` for one quantum and handles its exits. Returns instructions retired. */
  private slice(cpu: number, budget: number): number {
    let done = 0;
    while (done < budget && !this.stopped) {
      const e = this.m.run(cpu, budget - done);
      done += e.insns;
      switch (e.kind) {
        case 'budget':
          return done;
        case 'mmio':
          this.mmio(cpu, e.pa, e.size, e.write, e.data);
          break;
        case 'semihost': {
          const r = semihost(this.m, cpu, e.op, e.arg, this.out);
          if (r.kind === 'exit') this.stop({ kind: 'exit', status: r.status, why: 'semihosting SYS_EXIT' });
          else this.m.setX(cpu, 0, BigInt.asUintN(64, r.x0));
          break;
        }
        case 'exception':
          if (e.targetEl === 3) this.firmware(cpu);
          else this.stop({ kind: 'hang', why: `exception to host-implemented EL${e.targetEl} on a bare board` });
          break;
        case 'idle':
        case 'off':
          return done;
        default:
          assertNever(e);
      }
    }
    return done;
  }

  /** The board's time: the furthest any powered-on CPU's clock has advanced. */
  private boardTime(): bigint {
    let t = 0n;
    for (let c = 0; c < this.cpus; c++) {
      if (this.m.isOn(c)) {
        const cy = this.m.cycles(c);
        if (cy > t) t = cy;
      }
    }
    return t;
  }

  /**
   * CPUs that can run now. Waiting CPUs follow the board's time (their timers fire while they
   * wait); if every CPU waits, time jumps to the earliest timer deadline.
   */
  private runnable(): number[] {
    const now = this.boardTime();
    const out: number[] = [];
    let waiting = 0;
    for (let c = 0; c < this.cpus; c++) {
      if (!this.m.isOn(c)) continue;
      const w = this.m.waiting(c);
      if (w !== 0) {
        this.m.advanceCycles(c, now);
        waiting++;
      }
      if (w === 0 || this.m.getLines(c) !== 0 || w === 2) out.push(c);
    }
    if (out.length > 0 || waiting === 0) return out;
    let next: bigint | null = null;
    for (let c = 0; c < this.cpus; c++) {
      if (!this.m.isOn(c)) continue;
      const d = this.m.nextTimerCycles(c);
      if (d !== null && (next === null || d < next)) next = d;
    }
    if (next === null) return out;
    for (let c = 0; c < this.cpus; c++) {
      if (this.m.isOn(c)) this.m.advanceCycles(c, next);
    }
    for (let c = 0; c < this.cpus; c++) {
      if (this.m.isOn(c) && this.m.getLines(c) !== 0) out.push(c);
    }
    return out;
  }

  /** Runs until the program stops the board or `maxInsns` instructions have run. */
  run(maxInsns = 1n << 62n): BoardStop {
    let idleRounds = 0;
    while (!this.stopped) {
      if (this.insns >= maxInsns) return { kind: 'limit', why: `stopped after ${this.insns} instructions` };
      const runnable = this.runnable();
      if (runnable.length === 0) {
        return { kind: 'hang', why: 'every CPU is off or waiting (WFI/WFE) with no interrupt or timer to wake it' };
      }
      const cpu = runnable[runnable.length === 1 ? 0 : this.prng.below(runnable.length)]!;
      const left = maxInsns - this.insns;
      const n = this.slice(cpu, Number(left < BigInt(this.quantum) ? left : BigInt(this.quantum)));
      this.insns += BigInt(n);
      // CPUs parked in WFE with no event make no progress; give up after many empty rounds.
      idleRounds = n === 0 ? idleRounds + 1 : 0;
      if (idleRounds > 10_000) return { kind: 'hang', why: 'no CPU makes progress (all waiting for an event that never comes)' };
    }
    return this.stopped;
  }
}
