/**
 * Differential test: random unallocated/UNDEFINED integer encodings (gen/unallocated.ts) must
 * raise SIGILL under qemu-aarch64 and end our core's run with a SIGILL fault.
 *
 * A SIGILL ends the process, so each word gets its own tiny program: the word, then exit(0).
 * The programs are built directly as ELF bytes (no assembler needed). qemu must SIGILL on
 * every word, which checks the generator's encoding rules; our core must agree.
 *
 * Environment: ORACLE_UNDEF (number of words, default 8 per group), ORACLE_SEED.
 */
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { haveTool, QEMU_USER } from '../support/tools.js';
import { simpleExec, words, A64 } from '../loader/build-elf.js';
import { Prng } from './gen/prng.js';
import { undefinedWords, GROUP_COUNT, type UndefinedWord } from './gen/unallocated.js';
import { loadCore } from './harness/core.js';
import { mapPool, referenceRun, tempDir } from './harness/toolchain.js';
import { compareOutcomes, describeStatus, type Outcome } from './harness/outcome.js';

const SEED = process.env.ORACLE_SEED ?? 'oracle-1';
const COUNT = Number(process.env.ORACLE_UNDEF ?? 8 * GROUP_COUNT);

const wordHex = (w: number): string => `0x${w.toString(16).padStart(8, '0')}`;

describe('unallocated encodings: our core vs qemu-aarch64', () => {
  it(`raise SIGILL on both (seed ${SEED})`, async () => {
    if (!haveTool(QEMU_USER)) return;
    const started = performance.now();
    const core = await loadCore();
    const cases = undefinedWords(new Prng(`${SEED}/undefined`), COUNT);
    const tmp = tempDir('oracle-undef-');
    try {
      const problems = await mapPool(cases, async (c, i) => {
        const elf = simpleExec(words(c.word, ...A64.exit(0)));
        const path = join(tmp.dir, `w${i}`);
        writeFileSync(path, elf, { mode: 0o755 });
        const ref = await referenceRun(path);
        return checkWord(c, ref, core ? await core(elf, 1000n) : null);
      });
      const failures = problems.filter((p): p is string => p !== null);
      console.log(`unallocated encodings (seed ${SEED}): ${cases.length} words in ${GROUP_COUNT} groups, ` +
        `${core ? 'compared with our core' : 'qemu only (NO CORE)'}, ${failures.length} failures, ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(failures.slice(0, 30).join('\n')).toBe('');
    } finally {
      tmp.remove();
    }
  }, 300_000);
});

/** A description of what went wrong with this word, or null. */
function checkWord(c: UndefinedWord, ref: Outcome, ours: Outcome | null): string | null {
  const what = `${wordHex(c.word)} (${c.group})`;
  if (ref.status.kind !== 'signal' || ref.status.signal !== 'SIGILL') {
    return `generator bug: qemu does not treat ${what} as UNDEFINED: ${describeStatus(ref.status)}`;
  }
  if (!ours) return null;
  const diffs = compareOutcomes(ref, ours);
  return diffs.length ? `${what}: ${diffs.join('; ')}` : null;
}
