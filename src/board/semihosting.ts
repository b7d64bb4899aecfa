/**
 * Arm semihosting (ARM DUI0471 / "Semihosting for AArch32 and AArch64"), the subset QEMU's
 * `-semihosting` gives bare-metal test programs: SYS_WRITEC, SYS_WRITE0, SYS_WRITE to the
 * console, SYS_EXIT and SYS_EXIT_EXTENDED. The call is `HLT #0xF000` with the operation in W0
 * and a parameter (or a pointer to a parameter block) in X1; the result goes to X0.
 */
import type { Machine } from '../machine/machine.js';

export const SYS_WRITEC = 0x03;
export const SYS_WRITE0 = 0x04;
export const SYS_WRITE = 0x05;
export const SYS_EXIT = 0x18;
export const SYS_EXIT_EXTENDED = 0x20;
/** ADP_Stopped_ApplicationExit: the "normal exit" reason code. */
export const ADP_STOPPED_APPLICATION_EXIT = 0x20026n;

export type SemihostResult =
  | { readonly kind: 'continue'; readonly x0: bigint }
  | { readonly kind: 'exit'; readonly status: number };

/** Reads guest virtual memory as `cpu` sees it; null if unmapped. */
function readVirt(m: Machine, cpu: number, va: bigint, len: number): Uint8Array | null {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; ) {
    const pa = m.translate(cpu, va + BigInt(i), 0);
    if (pa === null || !m.inRam(pa, 1)) return null;
    const n = Math.min(len - i, 4096 - Number((va + BigInt(i)) & 4095n));
    out.set(m.readPhys(pa, n), i);
    i += n;
  }
  return out;
}

function readU64(m: Machine, cpu: number, va: bigint): bigint | null {
  const b = readVirt(m, cpu, va, 8);
  return b === null ? null : new DataView(b.buffer).getBigUint64(0, true);
}

/** Performs one semihosting call for `cpu`; console bytes go to `out`. */
export function semihost(m: Machine, cpu: number, op: number, arg: bigint, out: (b: Uint8Array) => void): SemihostResult {
  switch (op) {
    case SYS_WRITEC: {
      const b = readVirt(m, cpu, arg, 1);
      if (b) out(b);
      return { kind: 'continue', x0: 0n };
    }
    case SYS_WRITE0: {
      const bytes: number[] = [];
      for (let i = 0n; i < 1n << 20n; i++) {
        const b = readVirt(m, cpu, arg + i, 1);
        if (!b || b[0] === 0) break;
        bytes.push(b[0]!);
      }
      out(Uint8Array.from(bytes));
      return { kind: 'continue', x0: 0n };
    }
    case SYS_WRITE: {
      const blk = readVirt(m, cpu, arg, 24);
      if (!blk) return { kind: 'continue', x0: -1n };
      const dv = new DataView(blk.buffer);
      const handle = dv.getBigUint64(0, true), buf = dv.getBigUint64(8, true), len = dv.getBigUint64(16, true);
      if (handle !== 1n && handle !== 2n || len > 1n << 24n) return { kind: 'continue', x0: len };
      const data = readVirt(m, cpu, buf, Number(len));
      if (!data) return { kind: 'continue', x0: len };
      out(data);
      return { kind: 'continue', x0: 0n };   // bytes not written
    }
    case SYS_EXIT:
    case SYS_EXIT_EXTENDED: {
      // AArch64: X1 points to {reason, subcode}; the application exit code is the subcode.
      const reason = readU64(m, cpu, arg);
      const sub = readU64(m, cpu, arg + 8n);
      if (reason === ADP_STOPPED_APPLICATION_EXIT) return { kind: 'exit', status: Number((sub ?? 0n) & 0xffn) };
      return { kind: 'exit', status: 1 };
    }
    default:
      return { kind: 'continue', x0: -1n };
  }
}
