/**
 * Line-by-line comparison of two conformance transcripts, with exactly two kinds of allowed
 * difference, both visible in the program source:
 *
 * 1. "~ " lines: `~ <text> {a|b|…} = <value>`. The program prints these where the architecture
 *    allows several outcomes, e.g. a read through a mapping that changed without a TLBI
 *    (Arm ARM D5.10.2: a TLB may hold a translation until it is invalidated, or drop it at any
 *    time). Both lines must have the same text and set, and each value must be in the set.
 * 2. `// qemu-imprecise: /RE/ reason` header lines: a reference line matching RE may differ,
 *    provided the other line matches RE as well. RE lists the values allowed (QEMU's and the
 *    architectural one), so nothing outside that set passes.
 *
 * Everything else must be identical, and the line counts must agree.
 */
import type { Imprecision } from './programs.js';

const MAYBE = /^~ (.*) \{([^}]*)\} = (.*)$/;

export interface Comparison {
  /** null when the transcripts agree under the rules above. */
  readonly error: string | null;
  /** Indices into `imprecise` of the rules some reference line matched. */
  readonly used: ReadonlySet<number>;
}

function lineOk(ref: string, got: string, imprecise: readonly Imprecision[], used: Set<number>): boolean {
  const a = MAYBE.exec(ref);
  const b = MAYBE.exec(got);
  if (a || b) {
    if (!a || !b || a[1] !== b[1] || a[2] !== b[2]) return false;
    const allowed = a[2]!.split('|');
    return allowed.includes(a[3]!) && allowed.includes(b[3]!);
  }
  let ok = ref === got;
  imprecise.forEach((rule, i) => {
    if (rule.re.test(ref)) {
      used.add(i);
      if (!ok && rule.re.test(got)) ok = true;
    }
  });
  return ok;
}

/**
 * Compares transcript `got` (named `gotName`) with the reference `ref` (`refName`).
 * The error message shows the first differing line with three lines of context.
 */
export function compareTranscripts(ref: string, got: string, imprecise: readonly Imprecision[],
  refName = 'qemu', gotName = 'ours'): Comparison {
  const r = ref.split('\n');
  const g = got.split('\n');
  const used = new Set<number>();
  const n = Math.max(r.length, g.length);
  for (let i = 0; i < n; i++) {
    const rl = r[i];
    const gl = g[i];
    if (rl !== undefined && gl !== undefined && lineOk(rl, gl, imprecise, used)) continue;
    const from = Math.max(0, i - 3);
    const ctx = r.slice(from, i).map((l) => `    ${l}`).join('\n');
    return {
      used,
      error: `transcripts differ at line ${i + 1}:\n${ctx ? `${ctx}\n` : ''}` +
        `  ${refName.padEnd(6)}: ${rl === undefined ? '<end of output>' : JSON.stringify(rl)}\n` +
        `  ${gotName.padEnd(6)}: ${gl === undefined ? '<end of output>' : JSON.stringify(gl)}`,
    };
  }
  return { used, error: null };
}
