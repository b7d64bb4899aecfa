/**
 * Exit records, decoded (STYLE rule 14): what `run(cpu, budget)` reports, as a discriminated
 * union in the shape of KVM_RUN's exit reasons. Every `switch` on `Exit['kind']` ends with a
 * `never` check (see `assertNever`).
 */

export type ExceptionKind = 'sync' | 'irq' | 'fiq' | 'serror';
const EXC_KINDS: readonly ExceptionKind[] = ['sync', 'irq', 'fiq', 'serror'];

export function exceptionKindOf(n: number): ExceptionKind {
  return EXC_KINDS[n & 3]!;
}

export type Exit =
  /** The instruction budget ran out. */
  | { readonly kind: 'budget'; readonly insns: number }
  /**
   * An exception was taken to an EL the host implements. `targetEl` 3 is the firmware (an SMC
   * that no EL2 trapped); the CPU has already advanced past it.
   */
  | {
      readonly kind: 'exception';
      readonly targetEl: number;
      readonly exc: ExceptionKind;
      readonly esr: number;
      readonly far: bigint;
      readonly hpfar: bigint;
      readonly insns: number;
    }
  /** A physical access to a device range; complete it with `mmioComplete`. */
  | { readonly kind: 'mmio'; readonly pa: bigint; readonly size: number; readonly write: boolean; readonly data: bigint; readonly insns: number }
  /** WFI/WFE with nothing pending. */
  | { readonly kind: 'idle'; readonly insns: number }
  /** Semihosting call (HLT #0xF000): operation in W0, parameter block in X1. */
  | { readonly kind: 'semihost'; readonly op: number; readonly arg: bigint; readonly insns: number }
  /** The CPU is powered off. */
  | { readonly kind: 'off'; readonly insns: number };

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
