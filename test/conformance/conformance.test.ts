/**
 * The conformance suite (issue "The machine, part 2", item 8): bare-metal programs in
 * guests/conformance/ run under qemu-system-aarch64 (the oracle: virt board, virtualization=on,
 * GICv3, Cortex-A57) and under our board (runBare); their UART transcripts must agree line by
 * line, except for the documented differences that compare.ts allows ("~ " lines where the
 * architecture permits either value, and per-program `// qemu-imprecise:` rules).
 *
 * QEMU's transcripts are also checked in as test/conformance/expected/<name>.txt, so a reader
 * sees what each program prints and a change in QEMU's behaviour shows up in review. Without
 * qemu-system-aarch64 (and not under CI=true) our transcripts are compared with those files.
 *
 * Environment:
 *   CONFORMANCE_FILTER=<regex>  only the programs whose name matches
 *   CONFORMANCE_QEMU_ONLY=1     run under QEMU only, print each transcript, check it against
 *                               the expected file (for writing programs before our simulator
 *                               supports what they test)
 *   CONFORMANCE_UPDATE=1        write QEMU's transcripts to test/conformance/expected/
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBare } from '../../src/bare/run.js';
import { haveTool, QEMU_SYSTEM } from '../support/tools.js';
import { buildElf, listPrograms, EXPECTED_DIR, type Program } from './programs.js';
import { compareTranscripts } from './compare.js';
import { limiter, runQemuAsync, type QemuRun } from './qemu.js';

const FILTER = process.env.CONFORMANCE_FILTER ? new RegExp(process.env.CONFORMANCE_FILTER) : null;
const QEMU_ONLY = process.env.CONFORMANCE_QEMU_ONLY === '1';
const UPDATE = process.env.CONFORMANCE_UPDATE === '1';
/** QEMU processes at once: the CI machine has two cores, and our simulator runs meanwhile. */
const QEMU_PARALLEL = 2;
const QEMU_TIMEOUT_MS = 15_000;

const PROGRAMS = listPrograms().filter((p) => !FILTER || FILTER.test(p.name));

interface Built {
  /** The image, or the assembler's messages. */
  readonly elf: Uint8Array | Error;
  readonly qemu: Promise<QemuRun> | null;
}

function tryBuild(p: Program): Uint8Array | Error {
  try {
    return buildElf(p);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function expectedPath(p: Program): string {
  return join(EXPECTED_DIR, `${p.name}.txt`);
}

function describeQemu(q: QemuRun): string {
  return q.timedOut ? `timed out after ${q.ms} ms` : `exit status ${q.status}`;
}

describe('conformance: guests/conformance/*.s under QEMU and under our board', () => {
  const built = new Map<string, Built>();

  beforeAll(() => {
    const qemu = haveTool(QEMU_SYSTEM);
    const run = limiter(QEMU_PARALLEL);
    for (const p of PROGRAMS) {
      const elf = tryBuild(p);
      const q = qemu && !(elf instanceof Error) ? run(() => runQemuAsync(elf, p.smp, QEMU_TIMEOUT_MS)) : null;
      built.set(p.name, { elf, qemu: q });
    }
  });

  it('has at least 40 programs', () => {
    if (FILTER) return;
    expect(PROGRAMS.length).toBeGreaterThanOrEqual(40);
  });

  for (const p of PROGRAMS) {
    it(p.name, async () => {
      const b = built.get(p.name)!;
      if (b.elf instanceof Error) throw b.elf;
      const elf = b.elf;
      const golden = existsSync(expectedPath(p)) ? readFileSync(expectedPath(p), 'latin1') : null;
      // Start ours while QEMU runs in the background.
      const ours = QEMU_ONLY ? null : runBare(elf, { cpus: p.smp, maxInsns: p.maxInsns });
      const q = b.qemu ? await b.qemu : null;
      if (q) {
        if (QEMU_ONLY) console.log(`==== ${p.name} (qemu: ${describeQemu(q)}, ${q.ms} ms)\n${q.output}`);
        expect(q.timedOut, `${p.name}: QEMU ${describeQemu(q)}; output so far:\n${q.output}`).toBe(false);
        expect(q.status, `${p.name}: QEMU ${describeQemu(q)}; output:\n${q.output}`).toBe(0);
        if (UPDATE) writeFileSync(expectedPath(p), q.output, 'latin1');
        else {
          expect(golden, `${p.name}: no ${expectedPath(p)}; run with CONFORMANCE_UPDATE=1`).not.toBeNull();
          const c = compareTranscripts(golden!, q.output, p.imprecise, 'expect', 'qemu');
          expect(c.error, `${p.name}: QEMU no longer prints test/conformance/expected/${p.name}.txt`).toBeNull();
        }
        // Each qemu-imprecise rule must still describe a line QEMU prints.
        const used = compareTranscripts(q.output, q.output, p.imprecise).used;
        p.imprecise.forEach((rule, i) => {
          expect(used.has(i), `${p.name}: qemu-imprecise ${rule.re} matches no line of QEMU's transcript`).toBe(true);
        });
      }
      if (!ours) return;
      const ref = q?.output ?? golden;
      expect(ref, `${p.name}: neither QEMU nor an expected transcript`).not.toBeNull();
      if (ours.kind === 'load-error') throw new Error(`${p.name}: ${ours.message}`);
      const text = Buffer.from(ours.output).toString('latin1');
      const c = compareTranscripts(ref!, text, p.imprecise, q ? 'qemu' : 'expect', 'ours');
      expect(c.error, `${p.name}: ours (${ours.kind}: ${ours.why}, ${ours.insns} instructions) differs from ${q ? 'QEMU' : 'the expected transcript'}`).toBeNull();
      expect(ours.status, `${p.name}: ours ${ours.kind}: ${ours.why}`).toBe(0);
    });
  }
});
