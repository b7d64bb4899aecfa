/**
 * What one run of a test program produced, in the same shape for qemu-aarch64 and for our core,
 * so the two compare field by field.
 */

/** How the program ended. */
export type Status =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: string }
  /** The run did not end like a Linux process would (load error, instruction limit, timeout). */
  | { readonly kind: 'error'; readonly message: string };

export interface Outcome {
  readonly status: Status;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  /** Instructions executed, when the runner counts them (our core does, qemu does not). */
  readonly insns?: bigint;
}

export function describeStatus(s: Status): string {
  switch (s.kind) {
    case 'exit': return `exit ${s.code}`;
    case 'signal': return `killed by ${s.signal}`;
    case 'error': return `error: ${s.message}`;
    default: {
      const never: never = s;
      return never;
    }
  }
}

export function sameStatus(a: Status, b: Status): boolean {
  return describeStatus(a) === describeStatus(b);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Differences between two outcomes, one line each; empty when they agree. */
export function compareOutcomes(ref: Outcome, ours: Outcome): string[] {
  const diffs: string[] = [];
  if (!sameStatus(ref.status, ours.status)) diffs.push(`status: qemu ${describeStatus(ref.status)}, ours ${describeStatus(ours.status)}`);
  for (const stream of ['stdout', 'stderr'] as const) {
    const [a, b] = [ref[stream], ours[stream]];
    if (sameBytes(a, b)) continue;
    const at = firstDifference(a, b);
    diffs.push(`${stream}: qemu ${a.length} bytes, ours ${b.length} bytes; first difference at byte ${at}:\n` +
      `    qemu: ${JSON.stringify(text(a.subarray(Math.max(0, at - 40), at + 40)))}\n` +
      `    ours: ${JSON.stringify(text(b.subarray(Math.max(0, at - 40), at + 40)))}`);
  }
  return diffs;
}

export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
