import { UsageError } from './command.js';

/** Declares one option: `--name VALUE` (string) or `--name` (flag). */
export interface OptionSpec {
  readonly name: string;
  readonly kind: 'string' | 'flag';
}

export interface ParsedArgs {
  readonly options: Map<string, string | true>;
  readonly positionals: string[];
}

/**
 * Parses `argv` against `specs`. Accepts `--name value` and `--name=value`; `--` ends options.
 * Throws UsageError naming the bad flag on unknown options or a missing value.
 */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = byName.get(name);
      if (!spec) throw new UsageError(`unknown option --${name}`);
      if (spec.kind === 'flag') {
        if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
        options.set(name, true);
      } else if (eq >= 0) {
        options.set(name, a.slice(eq + 1));
      } else {
        const v = argv[i + 1];
        if (v === undefined) throw new UsageError(`option --${name} needs a value`);
        options.set(name, v);
        i++;
      }
    } else {
      positionals.push(a);
    }
  }
  return { options, positionals };
}

/** Reads an integer option (decimal, 0x hex, or with k/M/G suffix); throws UsageError if malformed. */
export function intOption(args: ParsedArgs, name: string, dflt: bigint, min = 0n, max = (1n << 64n) - 1n): bigint {
  const v = args.options.get(name);
  if (v === undefined) return dflt;
  if (v === true) throw new UsageError(`option --${name} needs a value`);
  const m = /^(0x[0-9a-f_]+|[0-9_]+)([kmg]?)$/i.exec(v.trim());
  if (!m) throw new UsageError(`option --${name}: '${v}' is not an integer`);
  let n = BigInt(m[1]!.replace(/_/g, ''));
  const suffix = m[2]!.toLowerCase();
  if (suffix === 'k') n *= 1000n;
  else if (suffix === 'm') n *= 1000_000n;
  else if (suffix === 'g') n *= 1000_000_000n;
  if (n < min || n > max) throw new UsageError(`option --${name}: ${v} is out of range [${min}, ${max}]`);
  return n;
}
