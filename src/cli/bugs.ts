/** `--bug NAME`: KCore bugs to inject (src/kcore/kcore.ts KCORE_BUGS), shared by fuzz and run. */
import { UsageError } from './command.js';
import { KCORE_BUGS, type KcoreBug } from '../kcore/kcore.js';

/** The --bug values of argv (repeated and/or comma-separated), checked against KCORE_BUGS. */
export function bugFlags(argv: readonly string[]): KcoreBug[] {
  return parseBugs(argv.flatMap((a, i) => (a === '--bug' ? [argv[i + 1] ?? ''] : a.startsWith('--bug=') ? [a.slice(6)] : [])));
}

export function parseBugs(values: readonly string[]): KcoreBug[] {
  const out: KcoreBug[] = [];
  for (const v of values.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean)) {
    if (!(KCORE_BUGS as readonly string[]).includes(v)) throw new UsageError(`--bug: unknown bug '${v}' (known: ${KCORE_BUGS.join(', ')})`);
    out.push(v as KcoreBug);
  }
  return out;
}
