/**
 * KCore's failure tiers (STYLE rule 15):
 *  - a failed security check is a `KcoreViolation`: SeKVM calls v_panic() there (the Coq spec
 *    sets `halt`). The dispatcher catches it, records a `kcore-halt` event and, by
 *    configuration, halts the machine (`halt`) or rejects the call with an error code (`reject`).
 *    Handlers check before they update, so a rejected call never half-applies.
 *  - a simulator bug is `bug()` (src/util/result.ts).
 */

/** Error codes returned in x0 for rejected calls (negative errno, as the host kernel expects). */
export const KERR = {
  /** A security or state check failed (EPERM). */
  EPERM: -1n,
  /** Out of page-table pool, VMIDs or similar (ENOMEM). */
  ENOMEM: -12n,
  /** A bad argument: out of range, wrong state (EINVAL). */
  EINVAL: -22n,
  /** The call number is not a host hypercall (SMCCC NOT_SUPPORTED). */
  NOT_SUPPORTED: -1n,
} as const;

export type ViolationCode =
  | 'bad-argument'
  | 'bad-state'
  | 'ownership'
  | 'pool-exhausted'
  | 'vmid-exhausted'
  | 'existing-mapping'
  | 'verification-failed'
  | 'boot-pc'
  | 'unsupported';

export class KcoreViolation extends Error {
  constructor(
    readonly code: ViolationCode,
    readonly where: string,
    readonly detail: string,
    readonly errno: bigint = code === 'pool-exhausted' || code === 'vmid-exhausted' ? KERR.ENOMEM : code === 'bad-argument' || code === 'bad-state' ? KERR.EINVAL : KERR.EPERM,
  ) {
    super(noStack(`${where}: ${detail}`));
    Error.stackTraceLimit = savedStackLimit;
    this.name = 'KcoreViolation';
  }
}

/**
 * A refusal is an expected outcome, not a crash: its stack is never shown, and capturing one
 * per refused hypercall was a visible part of a fuzz campaign's time. `noStack` turns capture
 * off for the Error constructor that runs next (the message is its argument); the constructor
 * turns it back on.
 */
let savedStackLimit = Error.stackTraceLimit;
function noStack(message: string): string {
  savedStackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return message;
}

/** Fails a check: throws the violation (the dispatcher turns it into halt or reject). */
export function violation(code: ViolationCode, where: string, detail: string): never {
  throw new KcoreViolation(code, where, detail);
}
