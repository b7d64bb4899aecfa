/**
 * The encoding oracle: every line of the corpus (test/asm/corpus.ts) is assembled by GNU as
 * (one invocation, linked by GNU ld at 0x400000) and by our assembler, and the words must be
 * identical. Then every word is disassembled by us and the text re-assembled: it must give
 * the same word. Our text is also compared with objdump's (reported, not required).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import { disassemble } from '../../src/disasm/index.js';
import { evaluate } from '../../src/asm/expr.js';
import { encodeInstruction } from '../../src/asm/isa/encode.js';
import { FORMS } from '../../src/asm/isa/table.js';
import { Mismatch, RANK_VALUE, type Form } from '../../src/asm/isa/types.js';
import { lexLine } from '../../src/asm/lexer.js';
import { parseOperands } from '../../src/asm/operands.js';
import { GNU_AS, GNU_LD, GNU_OBJDUMP, haveTool } from '../support/tools.js';
import { CORPUS_HEADER, corpus, type CorpusLine } from './corpus.js';
import { sectionBytes, words } from './elf-read.js';
import { gnuBuild, type GnuBuild } from './gnu.js';

const lines: CorpusLine[] = corpus();
const source = CORPUS_HEADER + '\n' + lines.map((l) => l.text).join('\n') + '\n';
const hex8 = (w: number): string => w.toString(16).padStart(8, '0');

/** objdump text normalised for comparison: comments, `<sym>` annotations and spacing removed. */
export function normaliseObjdump(text: string): string {
  return text
    .replace(/\s*\/\/.*$/, '')
    .replace(/\s*<[^>]*>/g, '')
    .replace(/\t/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Our text in objdump's spelling of branch targets (objdump prints them without 0x). */
function normaliseOurs(text: string, mnem: string): string {
  const branchy = /^(b|bl|b\..*|cbn?z|tbn?z|adrp?|ldr|ldrsw|prfm)$/.test(mnem);
  return branchy ? text.replace(/0x([0-9a-f]+)$/, '$1') : text;
}

/** The Form the assembler picks for one corpus line (labels resolved as if at corpus_start). */
function formOf(text: string): Form | string {
  const toks = lexLine(text, 1, []);
  const ops = parseOperands(toks.slice(1), text, (label) => label);
  if (!ops.ok) return ops.message;
  const at = { v: 0x400000n, sec: null };
  const r = encodeInstruction(toks[0]!.text.toLowerCase(), ops.operands, {
    pc: 0x400000n,
    literalAddress: null,
    evaluate: (e) => {
      const v = evaluate(e, { symbol: (n) => (n === 'corpus_start' ? at : undefined), dot: () => at });
      return v.ok ? v.value.v : new Mismatch(v.message, RANK_VALUE);
    },
  });
  return r.ok ? r.form : r.message;
}

describe('corpus coverage', () => {
  it('exercises every form of the instruction table (except decode-only non-canonical ones)', () => {
    const used = new Set<Form | string>(lines.map((l) => formOf(l.text)));
    const missing = FORMS.filter((f) => !f.nonCanonical && !used.has(f)).map((f) => `${f.mnem} ${f.bits.toString(16)}`);
    console.log(`instruction table: ${FORMS.length} forms; corpus exercises ${used.size}`);
    expect(missing).toEqual([]);
  });
});

describe.runIf(haveTool(GNU_AS, GNU_LD, GNU_OBJDUMP))('encoding oracle vs GNU as', () => {
  let gnu: GnuBuild;
  let gnuWords: number[];
  let ourWords: number[];
  let base: bigint;
  let ourWarnings: string[];

  beforeAll(() => {
    gnu = gnuBuild(source);
    const text = sectionBytes(gnu.elf, '.text');
    base = text.addr;
    gnuWords = words(text.bytes);
    const r = assemble(source, { file: 'corpus.s', base });
    if (!r.ok) throw new Error(r.error.slice(0, 20).map((e) => e.format()).join('\n'));
    const ours = r.value.sections.find((s) => s.name === '.text')!;
    ourWords = words(ours.data);
    ourWarnings = r.value.warnings.map((w) => w.format());
  });

  it('warns about nothing (GNU as does not warn on the corpus either)', () => {
    expect(ourWarnings).toEqual([]);
  });

  it(`covers at least 1500 lines and 300 distinct forms`, () => {
    const forms = new Set(lines.map((l) => l.form));
    console.log(`corpus: ${lines.length} lines, ${forms.size} distinct instruction forms`);
    expect(lines.length).toBeGreaterThanOrEqual(1500);
    expect(forms.size).toBeGreaterThanOrEqual(300);
  });

  it('assembles every line to the same word as GNU as', () => {
    expect(gnuWords.length).toBe(lines.length);
    expect(ourWords.length).toBe(lines.length);
    const bad: string[] = [];
    lines.forEach((l, i) => {
      if (gnuWords[i] !== ourWords[i]) {
        const at = base + BigInt(4 * i);
        bad.push(`${l.text.padEnd(44)} gnu ${hex8(gnuWords[i]!)} ours ${hex8(ourWords[i]!)}   objdump: ${gnu.objdump.get(at) ?? '?'}`);
      }
    });
    if (bad.length > 0) console.log(`${bad.length} mismatches:\n` + bad.slice(0, 200).join('\n'));
    expect(bad).toEqual([]);
  });

  it('disassembles every word to text that re-assembles to the same word', () => {
    const bad: string[] = [];
    gnuWords.forEach((w, i) => {
      const pc = base + BigInt(4 * i);
      const text = disassemble(w, pc);
      const r = assemble(text, { base: pc });
      const back = r.ok ? words(r.value.sections.find((s) => s.name === '.text')!.data)[0] : undefined;
      if (back !== w) {
        const why = r.ok ? `gives ${back === undefined ? 'nothing' : hex8(back)}` : r.error.map((e) => e.message).join('; ');
        bad.push(`${hex8(w)} (${lines[i]!.text}) -> '${text}' ${why}`);
      }
    });
    if (bad.length > 0) console.log(`${bad.length} round-trip failures:\n` + bad.slice(0, 200).join('\n'));
    expect(bad).toEqual([]);
  });

  it('reports agreement of our disassembly text with objdump', () => {
    let same = 0;
    const diffs: string[] = [];
    gnuWords.forEach((w, i) => {
      const pc = base + BigInt(4 * i);
      const ours = disassemble(w, pc);
      const theirs = normaliseObjdump(gnu.objdump.get(pc) ?? '');
      const mine = normaliseOurs(ours, ours.split(' ')[0]!);
      if (mine === theirs) same++;
      else diffs.push(`${hex8(w)}  ours: ${mine.padEnd(40)} objdump: ${theirs}`);
    });
    const pct = (100 * same) / gnuWords.length;
    console.log(`disassembly text agrees with objdump on ${same}/${gnuWords.length} words (${pct.toFixed(1)}%)`);
    if (diffs.length > 0) console.log('first differences:\n' + diffs.slice(0, 60).join('\n'));
    expect(pct).toBeGreaterThan(90);
  });
});
