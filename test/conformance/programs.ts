/**
 * The conformance programs (guests/conformance/*.s): listing, header options, and assembling
 * each one together with the shared library (guests/conformance/lib/*.s).
 *
 * The assembler has no `.include`, so a program is assembled as one source: the library
 * files in LIB_FILES order, then `test_start:` in .text, then the program. Assembler messages
 * are mapped back to the file and line they came from.
 *
 * Header lines (comments at the top of a program, before its first statement):
 *   // smp: N                        CPUs (QEMU -smp N, runBare cpus: N); default 1
 *   // max-insns: N                  instruction budget for our simulator; default 20,000,000
 *   // qemu-imprecise: /RE/ reason   lines of QEMU's transcript matching RE may differ from
 *                                    ours, provided ours matches RE too (compare.ts); the
 *                                    program's comments give the Arm ARM rule
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assemble, toElf } from '../../src/asm/index.js';
import { REPO } from '../support/guests.js';

export const CONFORMANCE_DIR = join(REPO, 'guests', 'conformance');
export const EXPECTED_DIR = join(REPO, 'test', 'conformance', 'expected');
/** Library files in assembly order: defs.s first (constants used by the others). */
export const LIB_FILES = ['defs.s', 'boot.s', 'print.s', 'vectors.s', 'mmu.s', 'gic.s', 'psci.s', 'guest.s'] as const;
/** Where the image is linked and loaded (QEMU's -kernel ELF loader honours it; so does ours). */
export const LINK_BASE = 0x4008_0000n;

export interface Imprecision {
  readonly re: RegExp;
  readonly reason: string;
}

export interface Program {
  /** File name without `.s`, e.g. `s2-block-1g`. */
  readonly name: string;
  readonly path: string;
  readonly source: string;
  readonly smp: number;
  readonly maxInsns: bigint;
  readonly imprecise: readonly Imprecision[];
}

/** Parses the header comment block of a program (see the module comment). */
export function parseHeader(name: string, source: string): Pick<Program, 'smp' | 'maxInsns' | 'imprecise'> {
  let smp = 1;
  let maxInsns = 20_000_000n;
  const imprecise: Imprecision[] = [];
  for (const line of source.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    if (!t.startsWith('//')) break;
    const m = /^\/\/\s*(smp|max-insns|qemu-imprecise):\s*(.*)$/.exec(t);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'smp') smp = Number(value);
    else if (key === 'max-insns') maxInsns = BigInt(value.replace(/_/g, ''));
    else {
      const r = /^\/(.+?)\/\s+(\S.*)$/.exec(value);
      if (!r) throw new Error(`${name}: qemu-imprecise needs "/regex/ reason": ${value}`);
      imprecise.push({ re: new RegExp(r[1]!), reason: r[2]! });
    }
  }
  if (!Number.isInteger(smp) || smp < 1 || smp > 4) throw new Error(`${name}: smp must be 1-4`);
  return { smp, maxInsns, imprecise };
}

/** Every program, sorted by name. */
export function listPrograms(): Program[] {
  return readdirSync(CONFORMANCE_DIR)
    .filter((f) => f.endsWith('.s'))
    .sort()
    .map((f) => {
      const path = join(CONFORMANCE_DIR, f);
      const source = readFileSync(path, 'utf8');
      const name = f.slice(0, -2);
      return { name, path, source, ...parseHeader(name, source) };
    });
}

interface Piece {
  readonly file: string;
  readonly firstLine: number;
  readonly lines: number;
}

/** The library + program as one source, and which file each line range came from. */
export function combinedSource(p: Program): { text: string; pieces: Piece[] } {
  const parts: { file: string; text: string }[] = LIB_FILES.map((f) => ({
    file: `guests/conformance/lib/${f}`,
    text: readFileSync(join(CONFORMANCE_DIR, 'lib', f), 'utf8'),
  }));
  parts.push({ file: '<harness>', text: '.text\n.balign 16\ntest_start:\n' });
  parts.push({ file: `guests/conformance/${p.name}.s`, text: p.source });
  const pieces: Piece[] = [];
  let line = 1;
  let text = '';
  for (const part of parts) {
    const body = part.text.endsWith('\n') ? part.text : `${part.text}\n`;
    const n = body.split('\n').length - 1;
    pieces.push({ file: part.file, firstLine: line, lines: n });
    text += body;
    line += n;
  }
  return { text, pieces };
}

/** The program's ELF image; throws with every assembler message, at its original file:line. */
export function buildElf(p: Program): Uint8Array {
  const { text, pieces } = combinedSource(p);
  const r = assemble(text, { file: p.name, base: LINK_BASE });
  if (!r.ok) {
    const where = (line: number): string => {
      const piece = pieces.find((x) => line >= x.firstLine && line < x.firstLine + x.lines);
      return piece ? `${piece.file}:${line - piece.firstLine + 1}` : `${p.name}:${line}`;
    };
    throw new Error(r.error.map((e) => `${where(e.line)}:${e.column}: ${e.message}`).join('\n'));
  }
  return toElf(r.value);
}
