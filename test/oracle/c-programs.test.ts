/**
 * Differential test: small freestanding C programs (test/oracle/c/*.c, no libc; start.S and
 * rt.c provide _start, write/exit_group and a printf subset) compiled by aarch64-linux-gnu-gcc
 * at -O0, -O2 and -Os, run under qemu-aarch64 and our core. Standard output, standard error and
 * the exit status must be identical.
 *
 * Every build of one program must also behave identically under qemu: that checks the programs
 * themselves are free of undefined behaviour that an optimisation level could expose. The
 * atomics program is also built for armv8-a (LDXR/STXR loops) and armv8.1-a (LSE).
 * Binaries are compiled into a temporary directory; nothing is cached.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { haveTool, GNU_GCC, QEMU_USER } from '../support/tools.js';
import { loadCore, type CoreRunner } from './harness/core.js';
import { compileC, mapPool, referenceRun, tempDir } from './harness/toolchain.js';
import { compareOutcomes, describeStatus, sameBytes, sameStatus, type Outcome } from './harness/outcome.js';

const C_DIR = join(dirname(fileURLToPath(import.meta.url)), 'c');
const PROGRAMS = ['sort', 'hash', 'bignum', 'format', 'recursion', 'switch', 'funcptr', 'bitfield', 'int128', 'strings', 'primes', 'atomics'];
const OPT_LEVELS = ['-O0', '-O2', '-Os'];
const COMMON_FLAGS = [
  '-nostdlib', '-static', '-no-pie', '-ffreestanding', '-fno-builtin', '-mgeneral-regs-only', '-fno-stack-protector',
  '-fno-strict-aliasing', '-mno-outline-atomics', '-Wl,--build-id=none', '-Wall', '-Wextra', `-I${C_DIR}`,
];

interface Variant {
  readonly program: string;
  readonly name: string;
  readonly flags: readonly string[];
}

function variants(): Variant[] {
  return PROGRAMS.flatMap((program) => {
    const arches = program === 'atomics' ? ['armv8-a', 'armv8.1-a'] : ['armv8-a'];
    return arches.flatMap((arch) => OPT_LEVELS.map((opt) => ({
      program,
      name: `${program} ${opt} -march=${arch}`,
      flags: [...COMMON_FLAGS, opt, `-march=${arch}`],
    })));
  });
}

interface Built {
  readonly elf: Uint8Array;
  readonly ref: Outcome;
}

const VARIANTS = variants();
const built = new Map<string, Built>();
let core: CoreRunner | null = null;
let ready = false;
let started = 0;
let tmp: { dir: string; remove: () => void } | undefined;

describe('C programs: our core vs qemu-aarch64', () => {
  beforeAll(async () => {
    if (!haveTool(GNU_GCC, QEMU_USER)) return;
    started = performance.now();
    core = await loadCore();
    tmp = tempDir('oracle-c-');
    const dir = tmp.dir;
    await mapPool(VARIANTS, async (v, i) => {
      const sources = [join(C_DIR, 'start.S'), join(C_DIR, 'rt.c'), join(C_DIR, `${v.program}.c`)];
      const path = await compileC(dir, `prog${i}`, sources, v.flags);
      built.set(v.name, { elf: new Uint8Array(readFileSync(path)), ref: await referenceRun(path) });
    });
    ready = true;
  }, 300_000);

  afterAll(() => {
    tmp?.remove();
    if (!ready) return;
    console.log(`C programs: ${PROGRAMS.length} programs, ${VARIANTS.length} builds, ` +
      `${core ? 'compared with our core' : 'qemu only (NO CORE)'}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  for (const program of PROGRAMS) {
    it(`${program}: every build behaves the same under qemu`, () => {
      if (!ready) return;
      const runs = VARIANTS.filter((v) => v.program === program).map((v) => ({ v, ref: built.get(v.name)!.ref }));
      const first = runs[0]!.ref;
      expect(first.status.kind, `${program} under qemu: ${describeStatus(first.status)}`).toBe('exit');
      expect(first.stdout.length).toBeGreaterThan(800);
      for (const { v, ref } of runs.slice(1)) {
        expect(sameStatus(ref.status, first.status) && sameBytes(ref.stdout, first.stdout) && sameBytes(ref.stderr, first.stderr),
          `${v.name} differs from ${runs[0]!.v.name} under qemu`).toBe(true);
      }
    });
  }

  for (const v of VARIANTS) {
    it(`${v.name}: our core matches qemu`, async () => {
      if (!ready || !core) return;
      const { elf, ref } = built.get(v.name)!;
      const ours = await core(elf);
      expect(compareOutcomes(ref, ours).join('\n')).toBe('');
    });
  }
});
