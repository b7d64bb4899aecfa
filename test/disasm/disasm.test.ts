/**
 * The disassembler: objdump-style text for known words (../shared/spec/arm.md §8 examples),
 * total (never throws), and for any word it decodes, text that re-assembles to that word.
 * With GNU objdump available, agreement on random words is measured too.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import { disassemble } from '../../src/disasm/index.js';
import { GNU_AS, GNU_LD, GNU_OBJDUMP, haveTool } from '../support/tools.js';
import { words } from '../asm/elf-read.js';
import { gnuBuild } from '../asm/gnu.js';

/** A deterministic stream of 32-bit words (LCG). */
function randomWords(seed: number, n: number): number[] {
  let s = seed >>> 0;
  const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  return Array.from({ length: n }, () => (next() ^ (next() << 16)) >>> 0);
}

function reassemble(text: string, pc: bigint): number | string {
  const r = assemble(text, { base: pc });
  if (!r.ok) return r.error.map((e) => e.message).join('; ');
  return words(r.value.sections[0]!.data)[0]!;
}

describe('disassemble', () => {
  const pc = 0x400000n;
  const cases: [number, string][] = [
    [0x92800003, 'mov x3, #0xffffffffffffffff'],
    [0xd2a24681, 'mov x1, #0x12340000'],
    [0xf2f7dde2, 'movk x2, #0xbeef, lsl #48'],
    [0xd10043ff, 'sub sp, sp, #0x10'],
    [0xf100103f, 'cmp x1, #0x4'],
    [0x8b020c20, 'add x0, x1, x2, lsl #3'],
    [0xeb02003f, 'cmp x1, x2'],
    [0x92401c20, 'and x0, x1, #0xff'],
    [0xd200f020, 'eor x0, x1, #0x5555555555555555'],
    [0xaa0203e0, 'mov x0, x2'],
    [0xea02003f, 'tst x1, x2'],
    [0xd37df020, 'lsl x0, x1, #3'],
    [0xd343fc20, 'lsr x0, x1, #3'],
    [0x9343fc20, 'asr x0, x1, #3'],
    [0x9b027c20, 'mul x0, x1, x2'],
    [0x9ac20820, 'udiv x0, x1, x2'],
    [0x9a820020, 'csel x0, x1, x2, eq'],
    [0x9a9f17e0, 'cset x0, eq'],
    [0x14000002, 'b 0x400008'],
    [0x54ffffe1, 'b.ne 0x3ffffc'],
    [0xb4000040, 'cbz x0, 0x400008'],
    [0xb6080040, 'tbz x0, #33, 0x400008'],
    [0xd65f03c0, 'ret'],
    [0xd69f03e0, 'eret'],
    [0xf9400420, 'ldr x0, [x1, #8]'],
    [0xf81f0fe0, 'str x0, [sp, #-16]!'],
    [0xf8410420, 'ldr x0, [x1], #16'],
    [0xb862c820, 'ldr w0, [x1, w2, sxtw]'],
    [0xa9bf7bfd, 'stp x29, x30, [sp, #-16]!'],
    [0xc8027c20, 'stxr w2, x0, [x1]'],
    [0xc8dffc20, 'ldar x0, [x1]'],
    [0xf8bfc020, 'ldapr x0, [x1]'],
    [0xd5033bbf, 'dmb ish'],
    [0xd5033a9f, 'dsb ishst'],
    [0xd5033fdf, 'isb'],
    [0xd503201f, 'nop'],
    [0xd503207f, 'wfi'],
    [0xd4024682, 'hvc #0x1234'],
    [0xd5384240, 'mrs x0, currentel'],
    [0xd53c1100, 'mrs x0, hcr_el2'],
    [0xd51c1100, 'msr hcr_el2, x0'],
    [0xd50c83df, 'tlbi vmalls12e1is'],
    [0xd50c8020, 'tlbi ipas2e1is, x0'],
    [0xd50342ff, 'msr daifclr, #0x2'],
    [0xf820003f, 'stadd x0, [x1]'],
    [0xc8a07c41, 'cas x0, x1, [x2]'],
    [0x00000000, 'udf #0'],
  ];
  for (const [w, text] of cases) {
    it(`${w.toString(16).padStart(8, '0')} is '${text}'`, () => {
      expect(disassemble(w, pc)).toBe(text);
    });
  }

  it('prints words no form accepts as .inst', () => {
    expect(disassemble(0xffffffff, pc)).toBe('.inst 0xffffffff');
    expect(disassemble(0x4e201c00, pc)).toBe('.inst 0x4e201c00'); // SIMD AND: not in the integer table
  });

  it('prints non-canonical should-be-one fields as .inst with the instruction as a comment', () => {
    // LDXR with Rs = 0 instead of 0b11111: the hardware ignores the field.
    expect(disassemble(0xc8407c20, pc)).toBe('.inst 0xc8407c20 // ldxr x0, [x1]');
  });

  it('never throws, and every decoded random word re-assembles to itself', () => {
    const bad: string[] = [];
    let decoded = 0;
    for (const w of randomWords(2024, 60000)) {
      const text = disassemble(w, pc);
      if (text.startsWith('.inst') && !text.includes('//')) continue;
      decoded++;
      const back = reassemble(text, pc);
      if (back !== w) bad.push(`${w.toString(16)} '${text}' -> ${typeof back === 'number' ? back.toString(16) : back}`);
    }
    expect(decoded).toBeGreaterThan(10000);
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it('is fast enough for per-instruction tracing', () => {
    const ws = randomWords(7, 200000);
    const t0 = performance.now();
    let n = 0;
    for (const w of ws) n += disassemble(w, 0x1000n).length;
    const ms = performance.now() - t0;
    console.log(`disassembled ${ws.length} random words in ${ms.toFixed(0)} ms (${((ws.length / ms) * 1000).toFixed(0)} words/s)`);
    expect(n).toBeGreaterThan(0);
    expect(ms).toBeLessThan(10000);
  });
});

describe.runIf(haveTool(GNU_AS, GNU_LD, GNU_OBJDUMP))('disassemble vs objdump on random words', () => {
  it('agrees with objdump on (almost) every word both decode', () => {
    const ws = randomWords(777, 100000);
    const g = gnuBuild('.text\n' + ws.map((w) => `.inst 0x${w.toString(16)}`).join('\n') + '\n');
    let both = 0;
    let same = 0;
    const diffs: string[] = [];
    ws.forEach((w, i) => {
      const pc = 0x400000n + BigInt(4 * i);
      const full = disassemble(w, pc);
      const ours = full.includes(' // ') ? full.split(' // ')[1]! : full;
      const theirs = (g.objdump.get(pc) ?? '').replace(/\s*\/\/.*$/, '').replace(/\s*<[^>]*>/g, '').replace(/\s+/g, ' ').trim();
      if (ours.startsWith('.inst') || theirs.startsWith('.inst')) return;
      both++;
      const mine = /^(b|bl|b\..*|cbn?z|tbn?z|adrp?|ldr|ldrsw|prfm)$/.test(ours.split(' ')[0]!) ? ours.replace(/0x([0-9a-f]+)$/, '$1') : ours;
      if (mine === theirs) same++;
      else diffs.push(`${w.toString(16).padStart(8, '0')} ours: ${mine}  objdump: ${theirs}`);
    });
    console.log(`random words both decode: ${both}; identical text: ${same} (${((100 * same) / both).toFixed(2)}%)`);
    if (diffs.length) console.log(diffs.slice(0, 10).join('\n'));
    expect(same / both).toBeGreaterThan(0.99);
  });
});
