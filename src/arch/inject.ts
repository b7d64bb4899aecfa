/**
 * Exception injection into an AArch64 guest at EL1: what a hypervisor writes into the guest's
 * EL1 state so that, on the next entry, the guest runs its own handler as if the hardware had
 * taken the exception (Arm ARM D1.10: ELR/SPSR/ESR/FAR of the target EL, PSTATE with DAIF masked,
 * PC = VBAR_EL1 + the vector offset). The same rules as KVM's `inject_fault.c` (enter_exception64,
 * inject_abt64, inject_undef64), written from the Arm ARM.
 *
 * Both hypervisors use it: KCore for the injections KServ may request, the KVM baseline for its own.
 */
import { EC } from './esr.js';

/** What a hypervisor may inject (the shared vCPU struct's INJECT field holds one of these). */
export const INJECT = {
  NONE: 0n,
  /** UNDEFINED instruction (EC 0x00), e.g. for a trapped SMC. */
  UNDEF: 1n,
  /** Synchronous external data abort (DFSC 0x10) at the faulting address, e.g. an IPA outside RAM and devices. */
  DABT: 2n,
  /** Synchronous external instruction abort (IFSC 0x10). */
  IABT: 3n,
} as const;

/** The guest's state before the injection. */
export interface GuestExcState {
  readonly pc: bigint;
  readonly pstate: bigint;
  readonly vbarEl1: bigint;
  /** The faulting virtual address (aborts only). */
  readonly far: bigint;
}

/** The guest's state after the injection; far is null when FAR_EL1 is left unchanged. */
export interface InjectedState {
  readonly pc: bigint;
  readonly pstate: bigint;
  readonly elrEl1: bigint;
  readonly spsrEl1: bigint;
  readonly esrEl1: bigint;
  readonly farEl1: bigint | null;
}

/** PSTATE on exception entry to EL1: EL1h, D/A/I/F masked. */
const PSTATE_EL1H_MASKED = 0x3c5n;
const IL = 1n << 25n;
const FSC_EXTABT = 0x10n;

/** Returns the EL1 state after injecting `kind` (not NONE) into a guest in `s`. */
export function injectException(kind: bigint, s: GuestExcState): InjectedState {
  const fromEl1 = (s.pstate & 0xcn) === 0x4n;
  // Vector offset: current EL with SP_EL0 (0x000) or SP_EL1 (0x200), lower EL AArch64 (0x400); sync = +0.
  const vector = fromEl1 ? ((s.pstate & 1n) ? 0x200n : 0n) : 0x400n;
  let esr: bigint;
  let far: bigint | null = null;
  switch (kind) {
    case INJECT.UNDEF:
      esr = (BigInt(EC.UNKNOWN) << 26n) | IL;
      break;
    case INJECT.DABT:
      esr = (BigInt(fromEl1 ? EC.DABT_CUR : EC.DABT_LOW) << 26n) | IL | FSC_EXTABT;
      far = s.far;
      break;
    case INJECT.IABT:
      esr = (BigInt(fromEl1 ? EC.IABT_CUR : EC.IABT_LOW) << 26n) | IL | FSC_EXTABT;
      far = s.far;
      break;
    default:
      throw new RangeError(`injectException: unknown kind ${kind}`);
  }
  return {
    pc: (s.vbarEl1 & ~0x7ffn) + vector,
    pstate: PSTATE_EL1H_MASKED,
    elrEl1: s.pc,
    spsrEl1: s.pstate,
    esrEl1: esr,
    farEl1: far,
  };
}

/** Whether `v` names an injection (INJECT.UNDEF/DABT/IABT). */
export function isInjectKind(v: bigint): boolean {
  return v === INJECT.UNDEF || v === INJECT.DABT || v === INJECT.IABT;
}
