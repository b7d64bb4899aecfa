/**
 * Output formats: the ELF64 executable (headers checked by hand and with GNU readelf/objdump,
 * and run under qemu-aarch64 when available) and the flat binary.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, toElf, toFlat } from '../../src/asm/index.js';
import { disassemble } from '../../src/disasm/index.js';
import { GNU_OBJDUMP, QEMU_USER, haveTool } from '../support/tools.js';
import { readSections, readSegments, words } from './elf-read.js';
import { ok } from './helpers.js';

const GNU_READELF = 'aarch64-linux-gnu-readelf';

const HELLO = `
    .global _start
    .text
_start:
    mov x0, #1
    adrp x1, msg
    add x1, x1, :lo12:msg
    ldr x2, =len
    mov x8, #64
    svc #0
    ldr x3, =counter
    ldr x4, [x3]
    add x0, x4, #42 - 7
    mov x8, #93
    svc #0
    .section .rodata
msg: .ascii "hello, world\\n"
len = . - msg
    .data
    .align 3
counter: .quad 7
    .bss
buf: .skip 64
`;

function withTmp<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'sekvm-elf-'));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('toElf', () => {
  const obj = ok(HELLO, 0x400000n);
  const elf = toElf(obj);
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);

  it('writes an ELF64 little-endian AArch64 ET_EXEC with the entry at _start', () => {
    expect([...elf.subarray(0, 7)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    expect(dv.getUint16(16, true)).toBe(2); // ET_EXEC
    expect(dv.getUint16(18, true)).toBe(183); // EM_AARCH64
    expect(dv.getBigUint64(24, true)).toBe(0x400000n);
  });

  it('has an R+X segment for code and rodata and an R+W one whose memsz covers .bss', () => {
    const segs = readSegments(elf);
    expect(segs.map((s) => [s.type, s.flags, s.vaddr])).toEqual([[1, 5, 0x400000n], [1, 6, 0x401000n]]);
    const [rx, rw] = segs;
    expect(rx!.filesz).toBe(rx!.memsz);
    expect(rw!.filesz).toBe(8);
    expect(rw!.memsz).toBe(8 + 64);
    for (const s of segs) expect(BigInt(s.offset) % 0x1000n).toBe(s.vaddr % 0x1000n);
  });

  it('has section headers and contents matching the object', () => {
    const secs = readSections(elf);
    for (const s of obj.sections) {
      const h = secs.find((x) => x.name === s.name)!;
      expect(h.addr).toBe(s.addr);
      expect(h.size).toBe(s.size);
      if (!s.nobits) expect([...elf.subarray(h.offset, h.offset + h.size)]).toEqual([...s.data]);
    }
    expect(secs.map((s) => s.name)).toEqual(['', '.text', '.rodata', '.data', '.bss', '.symtab', '.strtab', '.shstrtab']);
  });

  it('lays out again at another base', () => {
    const moved = toElf(obj, { base: 0x40080000n });
    expect(new DataView(moved.buffer).getBigUint64(24, true)).toBe(0x40080000n);
    expect(readSegments(moved)[0]!.vaddr).toBe(0x40080000n);
  });

  it.runIf(haveTool(GNU_READELF))('is accepted by GNU readelf -h -l', () => {
    withTmp((dir) => {
      writeFileSync(join(dir, 'h.elf'), elf);
      const r = spawnSync(GNU_READELF, ['-h', '-l', '-S', '-s', join(dir, 'h.elf')], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/Type:\s+EXEC \(Executable file\)/);
      expect(r.stdout).toMatch(/Machine:\s+AArch64/);
      expect(r.stdout).toMatch(/Entry point address:\s+0x400000/);
      expect(r.stdout).toMatch(/LOAD\s+0x0+1000 0x0+400000 0x0+400000\s+0x[0-9a-f]+ 0x[0-9a-f]+\s+R E\s+0x1000/);
      expect(r.stdout).toMatch(/LOAD\s+0x0+2000 0x0+401000 0x0+401000\s+0x0+8 0x0+48\s+RW\s+0x1000/);
      expect(r.stdout).toMatch(/GLOBAL\s+DEFAULT\s+1 _start/);
    });
  });

  it.runIf(haveTool(GNU_OBJDUMP))('disassembles with objdump -d to the same instructions', () => {
    withTmp((dir) => {
      writeFileSync(join(dir, 'h.elf'), elf);
      const r = spawnSync(GNU_OBJDUMP, ['-d', '--no-show-raw-insn', join(dir, 'h.elf')], { encoding: 'utf8' });
      const text = obj.sections.find((s) => s.name === '.text')!;
      const ws = words(text.data);
      const lines = r.stdout.split('\n').filter((l) => /^\s+[0-9a-f]+:\s/.test(l));
      expect(lines.length).toBe(ws.length);
      expect(lines[0]).toMatch(/400000:\s+mov\s+x0, #0x1/);
      expect(disassemble(ws[0]!, 0x400000n)).toBe('mov x0, #0x1');
    });
  });

  it.runIf(haveTool(QEMU_USER))('runs under qemu-aarch64: prints and exits with the computed status', () => {
    withTmp((dir) => {
      const f = join(dir, 'hello');
      writeFileSync(f, elf);
      chmodSync(f, 0o755);
      const r = spawnSync(QEMU_USER, [f], { encoding: 'utf8' });
      expect(r.stdout).toBe('hello, world\n');
      expect(r.status).toBe(42);
    });
  });
});

describe('toFlat', () => {
  it('is the memory image from the base: code, then data on its page; no .bss', () => {
    const obj = ok('nop\nret\n.data\n.word 0x11223344\n.bss\n.skip 100', 0x40080000n);
    const flat = toFlat(obj);
    expect(flat.length).toBe(0x1000 + 4);
    expect(words(flat.subarray(0, 8))).toEqual([0xd503201f, 0xd65f03c0]);
    expect(words(flat.subarray(0x1000))).toEqual([0x11223344]);
    expect(flat.subarray(8, 0x1000).every((b) => b === 0)).toBe(true);
  });

  it('lays out again when given another base', () => {
    const r = assemble('adr x0, .\nldr x1, =here\nhere: nop');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const a = toFlat(r.value);
    const b = toFlat(r.value, { base: 0x40080000n });
    expect(words(a).slice(0, 3)).toEqual(words(b).slice(0, 3));
    expect(words(b)[4]).toBe(0x40080008);
  });
});
