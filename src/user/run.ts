/**
 * `sekvm-sim user`: runs a static AArch64 Linux executable at EL0 on one CPU, with TypeScript
 * as the EL1 kernel (the core exits to the host on every exception to EL1). Implemented
 * syscalls: write (64), writev (66), exit (93), exit_group (94), brk (214), mmap (222,
 * anonymous only) and munmap (215, a no-op); any other returns -ENOSYS. Faults end the program
 * as Linux would kill it with a signal.
 */
import { Machine } from '../machine/machine.js';
import { parseElf, placeElf } from '../loader/elf.js';
import { userLayout, buildUserPageTables, GUARD_BYTES, type UserLayout } from './layout.js';
import { EC, esrEc, esrIss, describeEsr } from '../arch/esr.js';

export interface UserRunOptions {
  /** argv (argv[0] is the program name). */
  readonly argv?: readonly string[];
  /** Stop after this many instructions (kind 'limit'). */
  readonly maxInsns?: bigint;
  /** RAM size in bytes (default 256 MiB). */
  readonly ramBytes?: number;
  /** Called with one line per executed instruction (slow: single-steps the CPU). */
  readonly trace?: (line: string) => void;
  /** Streams program output as it is written (default: only collected). */
  readonly onStdout?: (b: Uint8Array) => void;
  readonly onStderr?: (b: Uint8Array) => void;
}

export type UserRunResult =
  | { kind: 'exit'; exitCode: number; stdout: Uint8Array; stderr: Uint8Array; insns: bigint }
  | { kind: 'fault'; signal: string; exitCode: number; message: string; stdout: Uint8Array; stderr: Uint8Array; insns: bigint }
  | { kind: 'limit'; exitCode: number; message: string; stdout: Uint8Array; stderr: Uint8Array; insns: bigint }
  | { kind: 'load-error'; exitCode: number; message: string };

const ENOSYS = 38n, EBADF = 9n, EFAULT = 14n, ENOMEM = 12n, EINVAL = 22n;
const SYS_WRITE = 64, SYS_WRITEV = 66, SYS_EXIT = 93, SYS_EXIT_GROUP = 94, SYS_MUNMAP = 215, SYS_BRK = 214, SYS_MMAP = 222;
const SIGNALS = { SIGILL: 4, SIGTRAP: 5, SIGBUS: 7, SIGSEGV: 11 } as const;
const CHUNK = 1_000_000;
const DEFAULT_RAM = 256 << 20;

class Output {
  private chunks: Uint8Array[] = [];
  constructor(private readonly sink?: (b: Uint8Array) => void) {}
  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.sink?.(b);
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

function neg(e: bigint): bigint {
  return BigInt.asUintN(64, -e);
}

/** The stack Linux builds at exec: argc, argv[], NULL, envp[] (empty), NULL, auxv, AT_NULL. */
function buildStack(m: Machine, lay: UserLayout, argv: readonly string[], entry: bigint): bigint {
  let p = lay.stackTop;
  const putBytes = (b: Uint8Array): bigint => {
    p -= BigInt(b.length);
    m.writePhys(p, b);
    return p;
  };
  const argPtrs = argv.map((a) => putBytes(Buffer.from(a + '\0', 'utf8')));
  // AT_RANDOM: 16 bytes; fixed so runs are deterministic.
  const random = putBytes(Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff));
  p &= ~15n;
  const HWCAP_ATOMICS = 1n << 8n, HWCAP_CPUID = 1n << 11n;
  const auxv: bigint[] = [6n, 4096n, 16n, HWCAP_ATOMICS | HWCAP_CPUID, 17n, 100n, 9n, entry, 25n, random, 0n, 0n];
  const words = [BigInt(argv.length), ...argPtrs, 0n, 0n, ...auxv];
  if (words.length % 2 === 1) words.push(0n);
  p -= BigInt(words.length * 8);
  words.forEach((w, i) => m.write64(p + BigInt(i * 8), w));
  return p;
}

/** Reads guest memory [va, va+len) as EL0 would; null if any byte is not readable at EL0. */
function readUser(m: Machine, va: bigint, len: number): Uint8Array | null {
  if (len === 0) return new Uint8Array(0);
  for (let page = va & ~4095n; page < va + BigInt(len); page += 4096n) {
    if (m.translate(0, page, 0, true) === null) return null;
  }
  return m.readPhys(va, len);
}

export function runUserProgram(elf: Uint8Array, opts: UserRunOptions = {}): UserRunResult {
  const parsed = parseElf(elf);
  if (!parsed.ok) return { kind: 'load-error', exitCode: 126, message: parsed.error };
  const ramBytes = opts.ramBytes ?? DEFAULT_RAM;
  const lay = userLayout(ramBytes);
  const loadable = { base: GUARD_BYTES, size: lay.stackBottom - GUARD_BYTES };
  const placed = placeElf(parsed.value, [loadable], parsed.value.type === 'dyn' ? 0x400000n : 0n);
  if (!placed.ok) return { kind: 'load-error', exitCode: 126, message: placed.error };
  const image = placed.value;

  const m = Machine.create({ cpus: 1, ramBase: 0n, ramBytes });
  let brkStart = GUARD_BYTES;
  for (const s of image.segments) {
    if (s.memsz === 0n) continue;
    m.writePhys(s.vaddr, s.data);
    const end = s.vaddr + s.memsz;
    if (end > brkStart) brkStart = end;
  }
  brkStart = (brkStart + 4095n) & ~4095n;
  let brk = brkStart;
  let mmapTop = lay.stackBottom - 0x10000n;

  buildUserPageTables(m, lay);
  m.setHostEls([1]);
  m.setPstate(0, 0n);   // EL0t, DAIF clear
  m.setSp(0, 0, buildStack(m, lay, opts.argv ?? ['prog'], image.entry));
  m.setPc(0, image.entry);
  m.setOn(0, true);

  const stdout = new Output(opts.onStdout);
  const stderr = new Output(opts.onStderr);
  const limit = opts.maxInsns ?? (1n << 62n);
  let insns = 0n;
  const done = (r: { kind: 'exit'; exitCode: number } | { kind: 'fault'; signal: keyof typeof SIGNALS; message: string } | { kind: 'limit'; message: string }): UserRunResult => {
    const out = stdout.bytes(), errb = stderr.bytes();
    if (r.kind === 'exit') return { kind: 'exit', exitCode: r.exitCode, stdout: out, stderr: errb, insns };
    if (r.kind === 'limit') return { kind: 'limit', exitCode: 124, message: r.message, stdout: out, stderr: errb, insns };
    return { kind: 'fault', signal: r.signal, exitCode: 128 + SIGNALS[r.signal], message: r.message, stdout: out, stderr: errb, insns };
  };

  const traceStep = opts.trace ? makeTracer(m, opts.trace) : null;
  for (;;) {
    const left = limit - insns;
    if (left <= 0n) return done({ kind: 'limit', message: `stopped after ${insns} instructions (--max-insns)` });
    if (traceStep) traceStep();
    const budget = traceStep ? 1 : Number(left < BigInt(CHUNK) ? left : BigInt(CHUNK));
    const ex = m.run(0, budget);
    insns += BigInt(ex.insns);
    if (ex.kind === 'budget' || ex.kind === 'idle') continue;
    if (ex.kind !== 'exception') {
      return done({ kind: 'fault', signal: 'SIGSEGV', message: `unexpected ${ex.kind} exit at pc 0x${m.getPc(0).toString(16)}` });
    }
    const esr = ex.esr;
    const ec = esrEc(esr);
    const pc = m.readSys(0, 'ELR_EL1');
    if (ec === EC.SVC64) {
      const nr = Number(m.getX(0, 8));
      const a = [0, 1, 2, 3, 4, 5].map((i) => m.getX(0, i));
      let ret: bigint;
      switch (nr) {
        case SYS_EXIT:
        case SYS_EXIT_GROUP:
          return done({ kind: 'exit', exitCode: Number(a[0]! & 0xffn) });
        case SYS_WRITE:
          ret = sysWrite(m, a[0]!, a[1]!, a[2]!, stdout, stderr);
          break;
        case SYS_WRITEV: {
          let total = 0n;
          ret = 0n;
          for (let i = 0n; i < a[2]!; i++) {
            const iov = readUser(m, a[1]! + i * 16n, 16);
            if (!iov) { ret = neg(EFAULT); break; }
            const dv = new DataView(iov.buffer, iov.byteOffset, 16);
            const r = sysWrite(m, a[0]!, dv.getBigUint64(0, true), dv.getBigUint64(8, true), stdout, stderr);
            if (r >= 1n << 63n) { ret = r; break; }
            total += r;
            ret = total;
          }
          break;
        }
        case SYS_BRK: {
          const want = a[0]!;
          if (want >= brkStart && want < mmapTop) brk = want;
          ret = brk;
          break;
        }
        case SYS_MMAP: {
          const len = (a[1]! + 4095n) & ~4095n;
          const MAP_ANONYMOUS = 0x20n;
          if ((a[3]! & MAP_ANONYMOUS) === 0n) { ret = neg(ENOSYS); break; }
          if (len === 0n) { ret = neg(EINVAL); break; }
          if (mmapTop - len < brk) { ret = neg(ENOMEM); break; }
          mmapTop -= len;
          m.zeroPhys(mmapTop, Number(len));
          ret = mmapTop;
          break;
        }
        case SYS_MUNMAP:
          ret = 0n;
          break;
        default:
          ret = neg(ENOSYS);
      }
      m.setX(0, 0, ret);
      m.eret(0);
      continue;
    }
    const where = `pc 0x${pc.toString(16)}`;
    switch (ec) {
      case EC.UNKNOWN:
        return done({ kind: 'fault', signal: 'SIGILL', message: `illegal instruction 0x${m.read32(pc).toString(16).padStart(8, '0')} at ${where}` });
      case EC.BRK64:
        return done({ kind: 'fault', signal: 'SIGTRAP', message: `breakpoint (brk #0x${(esrIss(esr) & 0xffff).toString(16)}) at ${where}` });
      case EC.PC_ALIGN:
      case EC.SP_ALIGN:
        return done({ kind: 'fault', signal: 'SIGBUS', message: `${ec === EC.PC_ALIGN ? 'PC' : 'SP'} alignment fault at ${where}` });
      case EC.DABT_LOW:
      case EC.IABT_LOW: {
        const far = m.readSys(0, 'FAR_EL1');
        const sig = (esrIss(esr) & 0x3f) === 0x21 ? 'SIGBUS' : 'SIGSEGV';
        return done({ kind: 'fault', signal: sig, message: `${ec === EC.DABT_LOW ? 'data' : 'instruction'} abort at ${where}, address 0x${far.toString(16)} (${describeEsr(esr)})` });
      }
      default:
        return done({ kind: 'fault', signal: 'SIGILL', message: `unexpected exception at ${where} (${describeEsr(esr)})` });
    }
  }
}

function sysWrite(m: Machine, fd: bigint, buf: bigint, len: bigint, stdout: Output, stderr: Output): bigint {
  if (fd !== 1n && fd !== 2n) return neg(EBADF);
  if (len > 1n << 30n) return neg(EINVAL);
  const bytes = readUser(m, buf, Number(len));
  if (!bytes) return neg(EFAULT);
  (fd === 1n ? stdout : stderr).push(bytes);
  return len;
}

function makeTracer(m: Machine, out: (line: string) => void): () => void {
  let disasm: ((w: number, pc: bigint) => string) | null = null;
  return () => {
    const pc = m.getPc(0);
    const pa = m.translate(0, pc, 2, m.el(0) === 0);
    const word = pa === null ? null : m.read32(pa);
    if (word === null) {
      out(`${pc.toString(16).padStart(16, '0')}: <unmapped>`);
      return;
    }
    disasm ??= loadDisassembler();
    out(`${pc.toString(16).padStart(16, '0')}: ${word.toString(16).padStart(8, '0')}  ${disasm(word, pc)}`);
  };
}

let disassembler: ((w: number, pc: bigint) => string) | undefined;
export function setDisassembler(d: (w: number, pc: bigint) => string): void {
  disassembler = d;
}
function loadDisassembler(): (w: number, pc: bigint) => string {
  return disassembler ?? ((w) => `.inst 0x${w.toString(16).padStart(8, '0')}`);
}
