/** The `asm` and `disasm` subcommands, run in-process. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { command as asm } from '../../src/cli/asm.js';
import { command as disasm } from '../../src/cli/disasm.js';
import { UsageError } from '../../src/cli/command.js';

let dir: string;
let out: string;
let err: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sekvm-cli-'));
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('sekvm-sim asm', () => {
  it('writes an executable ELF', async () => {
    const src = file('a.s', '_start: mov x0, #1\nret\n');
    const dst = join(dir, 'a.elf');
    expect(await asm.run([src, '-o', dst])).toBe(0);
    const elf = readFileSync(dst);
    expect([...elf.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(statSync(dst).mode & 0o111).not.toBe(0);
    expect(err).toBe('');
  });

  it('writes a flat binary at --base', async () => {
    const src = file('b.s', 'adr x0, .\nnop\n');
    const dst = join(dir, 'b.bin');
    expect(await asm.run([src, '--flat', '--base', '0x40080000', '-o', dst])).toBe(0);
    expect([...readFileSync(dst)]).toEqual([0x00, 0x00, 0x00, 0x10, 0x1f, 0x20, 0x03, 0xd5]);
  });

  it('prints every error as file:line:col: error: msg and exits 1', async () => {
    const src = file('bad.s', 'nop\nmov x0, w1\nfrob\n');
    expect(await asm.run([src, '-o', join(dir, 'bad.elf')])).toBe(1);
    expect(err).toBe(`${src}:2:9: error: expected a 64-bit register, got 'w1'\n${src}:3:1: error: unknown instruction 'frob'\n`);
    expect(existsSync(join(dir, 'bad.elf'))).toBe(false);
  });

  it('says clearly when the input is missing', async () => {
    expect(await asm.run([join(dir, 'nope.s')])).toBe(1);
    expect(err).toMatch(/cannot read '.*nope\.s': no such file/);
    await expect(asm.run([])).rejects.toThrow(UsageError);
  });

  it('defaults the output name from the input', async () => {
    const src = file('c.s', 'nop\n');
    expect(await asm.run([src])).toBe(0);
    expect(existsSync(join(dir, 'c.elf'))).toBe(true);
  });
});

describe('sekvm-sim disasm', () => {
  it('lists the executable segments of an ELF with symbols', async () => {
    const src = file('d.s', '.global _start\n_start: mov x0, x2\nloop: b.ne loop\n.data\n.word 5\n');
    const elf = join(dir, 'd.elf');
    expect(await asm.run([src, '-o', elf])).toBe(0);
    expect(await disasm.run([elf])).toBe(0);
    expect(out).toBe('\n0000000000400000 <_start>:\n  400000: aa0203e0  mov x0, x2\n\n0000000000400004 <loop>:\n  400004: 54000001  b.ne 0x400004\n');
  });

  it('lists a flat binary at --base', async () => {
    const bin = join(dir, 'e.bin');
    writeFileSync(bin, Uint8Array.from([0x1f, 0x20, 0x03, 0xd5, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(await disasm.run([bin, '--base', '0x1000'])).toBe(0);
    expect(out).toBe('    1000: d503201f  nop\n    1004: ffffffff  .inst 0xffffffff\n    1008: 01  (trailing bytes)\n');
  });

  it('says clearly when the input is missing', async () => {
    expect(await disasm.run([join(dir, 'nope.elf')])).toBe(1);
    expect(err).toMatch(/cannot read '.*nope\.elf': no such file/);
  });
});
