/** The `asm` and `disasm` subcommands, run in-process. */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command as asm } from '../../src/cli/asm.js';
import { command as disasm } from '../../src/cli/disasm.js';
import { UsageError } from '../../src/cli/command.js';
import { captureCliIo } from '../support/cli-io.js';

const io = captureCliIo('sekvm-cli-');

const file = (name: string, text: string): string => {
  const p = join(io.dir, name);
  writeFileSync(p, text);
  return p;
};

describe('sekvm-sim asm', () => {
  it('writes an executable ELF', async () => {
    const src = file('a.s', '_start: mov x0, #1\nret\n');
    const dst = join(io.dir, 'a.elf');
    expect(await asm.run([src, '-o', dst])).toBe(0);
    const elf = readFileSync(dst);
    expect([...elf.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(statSync(dst).mode & 0o111).not.toBe(0);
    expect(io.err).toBe('');
  });

  it('writes a flat binary at --base', async () => {
    const src = file('b.s', 'adr x0, .\nnop\n');
    const dst = join(io.dir, 'b.bin');
    expect(await asm.run([src, '--flat', '--base', '0x40080000', '-o', dst])).toBe(0);
    expect([...readFileSync(dst)]).toEqual([0x00, 0x00, 0x00, 0x10, 0x1f, 0x20, 0x03, 0xd5]);
  });

  it('prints every error as file:line:col: error: msg and exits 1', async () => {
    const src = file('bad.s', 'nop\nmov x0, w1\nfrob\n');
    expect(await asm.run([src, '-o', join(io.dir, 'bad.elf')])).toBe(1);
    expect(io.err).toBe(`${src}:2:9: error: expected a 64-bit register, got 'w1'\n${src}:3:1: error: unknown instruction 'frob'\n`);
    expect(existsSync(join(io.dir, 'bad.elf'))).toBe(false);
  });

  it('says clearly when the input is missing', async () => {
    expect(await asm.run([join(io.dir, 'nope.s')])).toBe(1);
    expect(io.err).toMatch(/cannot read '.*nope\.s': no such file/);
    await expect(asm.run([])).rejects.toThrow(UsageError);
  });

  it('defaults the output name from the input', async () => {
    const src = file('c.s', 'nop\n');
    expect(await asm.run([src])).toBe(0);
    expect(existsSync(join(io.dir, 'c.elf'))).toBe(true);
  });
});

describe('sekvm-sim disasm', () => {
  it('lists the executable segments of an ELF with symbols', async () => {
    const src = file('d.s', '.global _start\n_start: mov x0, x2\nloop: b.ne loop\n.data\n.word 5\n');
    const elf = join(io.dir, 'd.elf');
    expect(await asm.run([src, '-o', elf])).toBe(0);
    expect(await disasm.run([elf])).toBe(0);
    expect(io.out).toBe('\n0000000000400000 <_start>:\n  400000: aa0203e0  mov x0, x2\n\n0000000000400004 <loop>:\n  400004: 54000001  b.ne 0x400004\n');
  });

  it('lists a flat binary at --base', async () => {
    const bin = join(io.dir, 'e.bin');
    writeFileSync(bin, Uint8Array.from([0x1f, 0x20, 0x03, 0xd5, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(await disasm.run([bin, '--base', '0x1000'])).toBe(0);
    expect(io.out).toBe('    1000: d503201f  nop\n    1004: ffffffff  .inst 0xffffffff\n    1008: 01  (trailing bytes)\n');
  });

  it('says clearly when the input is missing', async () => {
    expect(await disasm.run([join(io.dir, 'nope.elf')])).toBe(1);
    expect(io.err).toMatch(/cannot read '.*nope\.elf': no such file/);
  });
});
