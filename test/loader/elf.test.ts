/**
 * Unit tests for src/loader/elf.ts, one claim each. Files are built byte by byte
 * (build-elf.ts); the last group also links real programs with GNU ld when it is installed.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseElf, placeElf, type ElfImage, type MemRange } from '../../src/loader/elf.js';
import type { Result } from '../../src/util/result.js';
import { haveTool, GNU_AS, GNU_LD } from '../support/tools.js';
import {
  buildElf, simpleExec, words, A64, dynamicTable, dynFile, type ElfSpec, type PhdrSpec,
  PT_LOAD, PT_DYNAMIC, PT_INTERP, PF_R, PF_W, PF_X, TEXT_BASE, DATA_BASE, CODE_OFFSET,
} from './build-elf.js';

const CODE = words(...A64.exit(7));
const RAM: readonly MemRange[] = [{ base: 0x400000n, size: 0x100000n }];

function value<T>(r: Result<T, string>): T {
  if (!r.ok) throw new Error(`expected success, got: ${r.error}`);
  return r.value;
}

function error<T>(r: Result<T, string>): string {
  if (r.ok) throw new Error('expected an error, got success');
  return r.error;
}

const textPhdr = (over: Partial<PhdrSpec> = {}): PhdrSpec =>
  ({ type: PT_LOAD, flags: PF_R | PF_X, offset: 0n, vaddr: TEXT_BASE, filesz: 0x200n, memsz: 0x200n, ...over });

/** A one-segment executable with `over` applied to the header. */
function oneSegment(over: Partial<ElfSpec> = {}, phdr: Partial<PhdrSpec> = {}): Uint8Array {
  return buildElf({ entry: TEXT_BASE + 0x100n, phdrs: [textPhdr(phdr)], size: 0x200, ...over });
}

/** A fake parsed image, for placeElf tests. */
function image(type: 'exec' | 'dyn', ...segs: [bigint, bigint, number][]): ElfImage {
  return {
    type,
    entry: segs[0]![0],
    segments: segs.map(([vaddr, memsz, flags]) => ({ vaddr, memsz, filesz: 0n, flags, data: new Uint8Array(0) })),
  };
}

describe('parseElf accepts', () => {
  it('a minimal ET_EXEC, reporting its entry point', () => {
    expect(value(parseElf(simpleExec(CODE))).entry).toBe(TEXT_BASE + BigInt(CODE_OFFSET));
  });

  it('ET_EXEC as type "exec"', () => {
    expect(value(parseElf(simpleExec(CODE))).type).toBe('exec');
  });

  it('every PT_LOAD in program-header order', () => {
    const segs = value(parseElf(simpleExec(CODE))).segments;
    expect(segs.map((s) => s.flags)).toEqual([PF_R | PF_X, PF_R | PF_W]);
  });

  it('segment data that is exactly the file bytes at p_offset', () => {
    const file = simpleExec(CODE);
    const text = value(parseElf(file)).segments[0]!;
    expect(text.data.subarray(CODE_OFFSET)).toEqual(CODE);
  });

  it('a segment with p_filesz < p_memsz, keeping data.length === filesz', () => {
    const data = value(parseElf(simpleExec(CODE, new Uint8Array(8), 0x100n))).segments[1]!;
    expect([data.data.length, data.filesz, data.memsz]).toEqual([8, 8n, 0x108n]);
  });

  it('a zero-filesz segment whose p_offset points past the end of the file', () => {
    const file = buildElf({
      entry: TEXT_BASE + 0x100n, size: 0x200,
      phdrs: [textPhdr(), { type: PT_LOAD, flags: PF_R | PF_W, offset: 0xffffffffn, vaddr: DATA_BASE, filesz: 0n, memsz: 0x1000n }],
    });
    expect(value(parseElf(file)).segments[1]!.data.length).toBe(0);
  });

  it('ET_DYN without a PT_DYNAMIC as type "dyn"', () => {
    expect(value(parseElf(oneSegment({ type: 3 }))).type).toBe('dyn');
  });

  it('ET_DYN whose dynamic section lists DT_RELA with DT_RELASZ = 0', () => {
    const dyn = dynamicTable([7n, 0x100n], [8n, 0n], [0n, 0n]);
    expect(parseElf(dynFile(dyn)).ok).toBe(true);
  });

  it('program headers other than PT_LOAD, ignoring them', () => {
    const note = { type: 4, flags: PF_R, offset: 0x100n, vaddr: 0n, filesz: 4n, memsz: 4n };
    expect(value(parseElf(buildElf({ entry: TEXT_BASE + 0x100n, phdrs: [note, textPhdr()], size: 0x200 }))).segments.length).toBe(1);
  });
});

describe('parseElf rejects, saying why,', () => {
  it('an empty file as truncated, with the sizes expected and found', () => {
    expect(error(parseElf(new Uint8Array(0)))).toBe('truncated ELF file: the ELF64 header needs 64 bytes, found 0');
  });

  it('a file cut inside the ELF header, with the sizes expected and found', () => {
    expect(error(parseElf(oneSegment().subarray(0, 40)))).toContain('needs 64 bytes, found 40');
  });

  it('bad magic, quoting the bytes found', () => {
    const file = oneSegment();
    file[3] = 0x47;
    expect(error(parseElf(file))).toContain('bad magic 7f 45 4c 47');
  });

  it('a short non-ELF file as bad magic rather than truncated', () => {
    expect(error(parseElf(new TextEncoder().encode('#!/bin/sh\n')))).toMatch(/^not an ELF file/);
  });

  it('ELF32', () => {
    expect(error(parseElf(oneSegment({ ident: [1, 1, 1, 0] })))).toContain('ELF32');
  });

  it('an invalid EI_CLASS', () => {
    expect(error(parseElf(oneSegment({ ident: [3, 1, 1, 0] })))).toContain('bad EI_CLASS 3');
  });

  it('big-endian', () => {
    expect(error(parseElf(oneSegment({ ident: [2, 2, 1, 0] })))).toContain('big-endian');
  });

  it('an invalid EI_DATA', () => {
    expect(error(parseElf(oneSegment({ ident: [2, 0, 1, 0] })))).toContain('bad EI_DATA 0');
  });

  it('a bad EI_VERSION', () => {
    expect(error(parseElf(oneSegment({ ident: [2, 1, 2, 0] })))).toContain('bad EI_VERSION 2');
  });

  it('a bad e_version', () => {
    expect(error(parseElf(oneSegment({ version: 0 })))).toContain('bad e_version 0');
  });

  it('the wrong machine, naming the e_machine found and AArch64 = 183', () => {
    expect(error(parseElf(oneSegment({ machine: 62 })))).toBe('wrong machine: e_machine=62 (x86-64); AArch64 is 183 (EM_AARCH64)');
  });

  it('ET_REL', () => {
    expect(error(parseElf(oneSegment({ type: 1 })))).toContain('(ET_REL)');
  });

  it('ET_CORE', () => {
    expect(error(parseElf(oneSegment({ type: 4 })))).toContain('(ET_CORE)');
  });

  it('ET_NONE as an unsupported type', () => {
    expect(error(parseElf(oneSegment({ type: 0 })))).toContain('e_type=0');
  });

  it('a bad e_phentsize', () => {
    expect(error(parseElf(oneSegment({ phentsize: 32 })))).toContain('bad e_phentsize 32');
  });

  it('e_phoff = 0', () => {
    expect(error(parseElf(oneSegment({ phoffField: 0n })))).toContain('bad e_phoff 0x0');
  });

  it('e_phnum = 0', () => {
    expect(error(parseElf(oneSegment({ phnum: 0 })))).toContain('e_phnum = 0');
  });

  it('extended numbering (e_phnum = PN_XNUM)', () => {
    expect(error(parseElf(oneSegment({ phnum: 0xffff })))).toContain('PN_XNUM');
  });

  it('a program header table that runs past the end of the file, with the sizes', () => {
    expect(error(parseElf(oneSegment({ phnum: 20 })))).toContain('(20 × 56 bytes) needs 1184 bytes, found 512');
  });

  it('a program header table at a huge e_phoff', () => {
    expect(error(parseElf(oneSegment({ phoffField: 0xffffffffffffff00n })))).toContain('program header table');
  });

  it('a segment whose file range lies outside the file', () => {
    expect(error(parseElf(oneSegment({}, { offset: 0x180n })))).toBe(
      'PT_LOAD (program header 0): file range [0x180, 0x380) lies outside the file (512 bytes)');
  });

  it('p_filesz > p_memsz', () => {
    expect(error(parseElf(oneSegment({}, { memsz: 0x100n })))).toContain('p_filesz 0x200 is larger than p_memsz 0x100');
  });

  it('p_memsz above 4 GiB as absurd', () => {
    expect(error(parseElf(oneSegment({}, { memsz: 0x100000001n })))).toContain('absurd');
  });

  it('p_vaddr + p_memsz past 2^64', () => {
    expect(error(parseElf(oneSegment({}, { vaddr: 0xffffffffffffff00n })))).toContain('overflows past 2^64');
  });

  it('an entry point inside a non-executable segment', () => {
    expect(error(parseElf(oneSegment({}, { flags: PF_R })))).toBe(
      'entry point 0x400100 is not inside an executable (PF_X) PT_LOAD segment');
  });

  it('an entry point outside every segment', () => {
    expect(error(parseElf(oneSegment({ entry: 0x1000n })))).toContain('entry point 0x1000');
  });

  it('a file with no PT_LOAD', () => {
    expect(error(parseElf(oneSegment({}, { type: 4 })))).toContain('no PT_LOAD');
  });

  it('PT_INTERP as dynamically linked', () => {
    const interp = { type: PT_INTERP, flags: PF_R, offset: 0x100n, vaddr: 0n, filesz: 8n, memsz: 8n };
    const file = buildElf({ entry: TEXT_BASE + 0x100n, phdrs: [interp, textPhdr()], size: 0x200 });
    expect(error(parseElf(file))).toContain('dynamically linked executables are not supported');
  });

  it('DT_NEEDED as dynamically linked', () => {
    expect(error(parseElf(dynFile(dynamicTable([1n, 1n], [0n, 0n]))))).toContain('dynamically linked executables are not supported');
  });

  it('ET_DYN with DT_RELASZ > 0, naming the relocation table', () => {
    expect(error(parseElf(dynFile(dynamicTable([7n, 0x100n], [8n, 48n], [0n, 0n]))))).toContain('(DT_RELA, 48 bytes)');
  });

  it('ET_DYN with DT_REL present', () => {
    expect(error(parseElf(dynFile(dynamicTable([17n, 0x100n], [0n, 0n]))))).toContain('DT_REL,');
  });

  it('ET_DYN with PLT relocations', () => {
    expect(error(parseElf(dynFile(dynamicTable([23n, 0x100n], [2n, 24n], [0n, 0n]))))).toContain('DT_JMPREL');
  });

  it('a PT_DYNAMIC outside the file', () => {
    const dyn = { type: PT_DYNAMIC, flags: PF_R, offset: 0x1f0n, vaddr: 0n, filesz: 0x20n, memsz: 0x20n };
    const file = buildElf({ type: 3, entry: 0x100n, phdrs: [textPhdr({ vaddr: 0n }), dyn], size: 0x200 });
    expect(error(parseElf(file))).toContain('PT_DYNAMIC (program header 1)');
  });
});

describe('placeElf', () => {
  it('accepts an ET_EXEC whose segments lie inside RAM, unchanged', () => {
    const img = image('exec', [0x400000n, 0x1000n, PF_X], [0x410000n, 0x2000n, PF_W]);
    expect(value(placeElf(img, RAM))).toEqual(img);
  });

  it('rejects a segment outside RAM, giving its range and the RAM ranges', () => {
    const img = image('exec', [0x400000n, 0x1000n, PF_X], [0x600000n, 0x10n, PF_W]);
    expect(error(placeElf(img, RAM))).toBe('PT_LOAD #1 [0x600000, 0x600010) is outside RAM (RAM: [0x400000, 0x500000))');
  });

  it('rejects a segment that straddles two adjacent RAM ranges', () => {
    const ram = [{ base: 0x400000n, size: 0x1000n }, { base: 0x401000n, size: 0x1000n }];
    expect(error(placeElf(image('exec', [0x400800n, 0x1000n, PF_X]), ram))).toContain('outside RAM');
  });

  it('says "none" when no RAM ranges are given', () => {
    expect(error(placeElf(image('exec', [0x400000n, 0x10n, PF_X]), []))).toContain('(RAM: none)');
  });

  it('rejects overlapping segments, naming both', () => {
    const img = image('exec', [0x400000n, 0x2000n, PF_X], [0x401000n, 0x2000n, PF_W]);
    expect(error(placeElf(img, RAM))).toBe('PT_LOAD #0 [0x400000, 0x402000) and PT_LOAD #1 [0x401000, 0x403000) overlap');
  });

  it('finds an overlap between segments listed out of address order', () => {
    const img = image('exec', [0x408000n, 0x1000n, PF_X], [0x400000n, 0x1000n, PF_W], [0x400800n, 0x10n, PF_W]);
    expect(error(placeElf(img, RAM))).toContain('PT_LOAD #1 [0x400000, 0x401000) and PT_LOAD #2');
  });

  it('accepts segments that touch without overlapping', () => {
    const img = image('exec', [0x400000n, 0x1000n, PF_X], [0x401000n, 0x1000n, PF_W]);
    expect(placeElf(img, RAM).ok).toBe(true);
  });

  it('ignores empty segments when checking RAM', () => {
    const img = image('exec', [0x400000n, 0x1000n, PF_X], [0x900000n, 0n, PF_W]);
    expect(placeElf(img, RAM).ok).toBe(true);
  });

  it('adds the load bias of an ET_DYN to every vaddr', () => {
    const img = image('dyn', [0n, 0x1000n, PF_X], [0x10000n, 0x100n, PF_W]);
    expect(value(placeElf(img, RAM, 0x400000n)).segments.map((s) => s.vaddr)).toEqual([0x400000n, 0x410000n]);
  });

  it('adds the load bias of an ET_DYN to the entry point', () => {
    expect(value(placeElf(image('dyn', [0x40n, 0x1000n, PF_X]), RAM, 0x400000n)).entry).toBe(0x400040n);
  });

  it('rejects a load bias for an ET_EXEC', () => {
    expect(error(placeElf(image('exec', [0x400000n, 0x10n, PF_X]), RAM, 0x1000n))).toContain('ET_EXEC');
  });

  it('rejects a load bias that is not page-aligned', () => {
    expect(error(placeElf(image('dyn', [0n, 0x10n, PF_X]), RAM, 0x400010n))).toContain('not a multiple of 4 KiB');
  });

  it('rejects a load bias that pushes a segment past 2^64', () => {
    expect(error(placeElf(image('dyn', [0x1000n, 0x2000n, PF_X]), RAM, 0xfffffffffffff000n))).toContain('overflows past 2^64');
  });
});

describe('parseElf on files linked by GNU ld', () => {
  const source = [
    '.text', '.global _start', '_start:', '  adr x1, msg', '  mov x0, #1', '  mov x2, #3', '  mov x8, #64', '  svc #0',
    '  mov x0, #0', '  mov x8, #93', '  svc #0', '.data', 'msg: .ascii "hi\\n"', '.balign 8', 'ptr: .quad PTR', '.bss', 'buf: .space 64',
  ].join('\n');

  /** Assembles `source` (with PTR defined) and links it with `ldArgs`; returns the file. */
  function link(ptr: string, ldArgs: string[]): Uint8Array {
    const dir = mkdtempSync(join(tmpdir(), 'elf-test-'));
    try {
      writeFileSync(join(dir, 'a.s'), source.replace('PTR', ptr) + '\n');
      const as = spawnSync(GNU_AS, ['-o', join(dir, 'a.o'), join(dir, 'a.s')], { encoding: 'utf8' });
      expect(as.stderr).toBe('');
      const ld = spawnSync(GNU_LD, [...ldArgs, '-o', join(dir, 'a'), join(dir, 'a.o')], { encoding: 'utf8' });
      expect(ld.stderr).toBe('');
      return readFileSync(join(dir, 'a'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('accepts a static ET_EXEC and places it in RAM', () => {
    if (!haveTool(GNU_AS, GNU_LD)) return;
    const img = value(parseElf(link('0', ['-static'])));
    expect(placeElf(img, RAM).ok).toBe(true);
  });

  it('accepts a static PIE without relocations and places it at a bias', () => {
    if (!haveTool(GNU_AS, GNU_LD)) return;
    const img = value(parseElf(link('0', ['-static', '-pie', '--no-dynamic-linker'])));
    expect(value(placeElf(img, RAM, 0x400000n)).type).toBe('dyn');
  });

  it('rejects a static PIE that needs a relative relocation', () => {
    if (!haveTool(GNU_AS, GNU_LD)) return;
    const file = link('_start', ['-static', '-pie', '--no-dynamic-linker']);
    expect(error(parseElf(file))).toContain('needs dynamic relocations (DT_RELA');
  });
});
