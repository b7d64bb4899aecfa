/**
 * Whole programs compared with GNU as + ld: a hand-written file exercising literal pools,
 * local labels, sections, alignment, data directives and expressions, and the assembly gcc
 * emits for a C file. GNU ld links with a script that puts every section at the address our
 * assembler chose, so every byte (including ADRP/:lo12: targets and pool contents) must match.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, type AsmObject } from '../../src/asm/index.js';
import { disassemble } from '../../src/disasm/index.js';
import { GNU_AS, GNU_GCC, GNU_LD, haveTool } from '../support/tools.js';
import { readSections, words } from './elf-read.js';

const here = new URL('.', import.meta.url).pathname;

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** GNU as + ld with every section placed where `obj` has it; returns the linked file. */
function gnuLink(source: string, obj: AsmObject): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'sekvm-prog-'));
  try {
    writeFileSync(join(dir, 'p.s'), source);
    run(GNU_AS, ['-o', join(dir, 'p.o'), join(dir, 'p.s')]);
    const script = ['SECTIONS {', ...obj.sections.map((s) => `  ${s.name} 0x${s.addr.toString(16)} : { *(${s.name}) }`), '  /DISCARD/ : { *(.note.GNU-stack) *(.comment) }', '}'];
    writeFileSync(join(dir, 'link.ld'), script.join('\n'));
    run(GNU_LD, ['-T', join(dir, 'link.ld'), '-e', '_start', '-o', join(dir, 'p.elf'), join(dir, 'p.o')]);
    return new Uint8Array(readFileSync(join(dir, 'p.elf')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compareWithGnu(source: string, file: string): void {
  const r = assemble(source, { file });
  if (!r.ok) throw new Error(r.error.map((e) => e.format()).join('\n'));
  const obj = r.value;
  const elf = gnuLink(source, obj);
  const theirs = readSections(elf);
  for (const s of obj.sections) {
    const t = theirs.find((x) => x.name === s.name);
    expect(t, `section ${s.name} in GNU output`).toBeDefined();
    expect(t!.addr, `address of ${s.name}`).toBe(s.addr);
    expect(t!.size, `size of ${s.name}`).toBe(s.size);
    if (s.nobits) continue;
    const gnu = elf.subarray(t!.offset, t!.offset + t!.size);
    if (s.flags.exec) {
      const [a, b] = [words(s.data), words(gnu)];
      const bad = a.flatMap((w, i) => (w === b[i] ? [] : [`${(s.addr + BigInt(4 * i)).toString(16)}: ours ${w.toString(16)} (${disassemble(w, s.addr + BigInt(4 * i))}) gnu ${b[i]!.toString(16)} (${disassemble(b[i]!, s.addr + BigInt(4 * i))})`]));
      expect(bad, `code in ${s.name}`).toEqual([]);
    }
    expect(Buffer.from(s.data).toString('hex'), `bytes of ${s.name}`).toBe(Buffer.from(gnu).toString('hex'));
  }
}

describe.runIf(haveTool(GNU_AS, GNU_LD))('whole programs vs GNU as + ld', () => {
  it('features.s: pools, labels, sections, alignment, data directives, expressions', () => {
    compareWithGnu(readFileSync(join(here, 'programs/features.s'), 'utf8'), 'features.s');
  });

  it('macros.s: .macro, .rept, .irp, .irpc, .if and friends', () => {
    compareWithGnu(readFileSync(join(here, 'programs/macros.s'), 'utf8'), 'macros.s');
  });

  it.runIf(haveTool(GNU_GCC))('gcc -S output of a C file (jump tables, strings, globals, LSE atomics)', () => {
    const asm = run(GNU_GCC, ['-S', '-o', '-', '-O2', '-march=armv8.1-a', '-mgeneral-regs-only', '-fno-pic', '-fno-pie',
      '-ffreestanding', '-fno-asynchronous-unwind-tables', '-fno-merge-constants', '-fno-stack-protector', join(here, 'programs/gcc-input.c')]);
    expect(asm).toContain('ldadd');
    compareWithGnu(asm, 'gcc-input.s');
  });
});
