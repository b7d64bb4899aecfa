/**
 * Our CPU core as an oracle subject: loads `src/user/run.ts` (`runUserProgram`) if it exists
 * and adapts its result to `Outcome`.
 *
 * While the core is being written the module may be missing. Then `loadCore` returns null
 * after a loud warning, and the oracle tests only validate their programs against qemu. Under
 * CI=true a missing core is a failure: CI must really compare.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Outcome } from './outcome.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const RUN_MODULE = join(ROOT, 'src/user/run.ts');

/** The subset of src/user/run.ts this harness relies on (see the API). */
type UserRunResult =
  | { kind: 'exit'; exitCode: number; stdout: Uint8Array; stderr: Uint8Array; insns: bigint }
  | { kind: 'fault'; signal: string; exitCode: number; message: string; stdout: Uint8Array; stderr: Uint8Array; insns: bigint }
  | { kind: 'limit'; exitCode: number; message: string; stdout: Uint8Array; stderr: Uint8Array; insns: bigint }
  | { kind: 'load-error'; exitCode: number; message: string };

interface RunModule {
  runUserProgram(elf: Uint8Array, opts?: { argv?: readonly string[]; maxInsns?: bigint }): UserRunResult | Promise<UserRunResult>;
}

export type CoreRunner = (elf: Uint8Array, maxInsns?: bigint) => Promise<Outcome>;

/** Converts the core's result; a fault's `message` is kept for reports. */
export function toOutcome(r: UserRunResult): Outcome & { message?: string } {
  const empty = new Uint8Array(0);
  switch (r.kind) {
    case 'exit': return { status: { kind: 'exit', code: r.exitCode }, stdout: r.stdout, stderr: r.stderr, insns: r.insns };
    case 'fault': return { status: { kind: 'signal', signal: r.signal }, stdout: r.stdout, stderr: r.stderr, insns: r.insns, message: r.message };
    case 'limit': return { status: { kind: 'error', message: `instruction limit: ${r.message}` }, stdout: r.stdout, stderr: r.stderr, insns: r.insns };
    case 'load-error': return { status: { kind: 'error', message: `load error: ${r.message}` }, stdout: empty, stderr: empty };
    default: {
      const never: never = r;
      return never;
    }
  }
}

/** The core's runner, or null (after a loud warning; an error under CI=true) if it is not there yet. */
export async function loadCore(): Promise<CoreRunner | null> {
  if (!existsSync(RUN_MODULE)) {
    const msg = `src/user/run.ts does not exist yet: the oracle checks its programs against qemu only and ` +
      `DOES NOT COMPARE our core`;
    if (process.env.CI === 'true') throw new Error(`${msg}; under CI=true this is a failure`);
    console.warn(`\n!!!!!!!! ${msg} !!!!!!!!\n`);
    return null;
  }
  const mod = (await import(/* @vite-ignore */ pathToFileURL(RUN_MODULE).href)) as RunModule;
  return async (elf, maxInsns = 200_000_000n) => toOutcome(await mod.runUserProgram(elf, { maxInsns }));
}
