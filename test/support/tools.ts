/**
 * External oracle tools (GNU binutils, gcc, qemu). A test that needs one calls `haveTool`:
 * on a developer machine without the tool the test is skipped with a loud message; under
 * CI=true a missing tool is a failure, so CI always runs the oracle tests.
 */
import { spawnSync } from 'node:child_process';

const cache = new Map<string, boolean>();

function probe(cmd: string): boolean {
  let v = cache.get(cmd);
  if (v === undefined) {
    const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
    v = r.status === 0;
    cache.set(cmd, v);
  }
  return v;
}

/** True if every command exists; otherwise warns loudly (or throws under CI=true) and returns false. */
export function haveTool(...cmds: string[]): boolean {
  const missing = cmds.filter((c) => !probe(c));
  if (missing.length === 0) return true;
  const msg = `oracle tool(s) missing: ${missing.join(', ')} — install them as .ci/run does ` +
    `(apt-get install qemu-user qemu-system-arm gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu)`;
  if (process.env.CI === 'true') throw new Error(`${msg}; under CI=true this is a failure`);
  console.warn(`\n!!!!!!!! SKIPPING: ${msg} !!!!!!!!\n`);
  return false;
}

export const GNU_AS = 'aarch64-linux-gnu-as';
export const GNU_LD = 'aarch64-linux-gnu-ld';
export const GNU_OBJDUMP = 'aarch64-linux-gnu-objdump';
export const GNU_GCC = 'aarch64-linux-gnu-gcc';
export const QEMU_USER = 'qemu-aarch64';
export const QEMU_SYSTEM = 'qemu-system-aarch64';
