/**
 * VM guests (guests/vm): every guest assembles with the library, defines replace `.equ`
 * values, and assembler errors name the library or guest file and line.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildVmGuest, VM_GUESTS, VM_LIB_FILES } from '../../src/guests/build.js';
import { parseElf } from '../../src/loader/elf.js';
import { REPO } from '../support/guests.js';

const VM_DIR = join(REPO, 'guests', 'vm');

describe('VM guests: build', () => {
  it('VM_GUESTS lists exactly the guest sources, and VM_LIB_FILES exactly the library', () => {
    const guests = readdirSync(VM_DIR).filter((f) => f.endsWith('.s')).map((f) => f.slice(0, -2)).sort();
    expect([...VM_GUESTS].sort()).toEqual(guests);
    const lib = readdirSync(join(VM_DIR, 'lib')).filter((f) => f.endsWith('.s')).sort();
    expect([...VM_LIB_FILES].sort()).toEqual(lib);
  });

  for (const name of VM_GUESTS) {
    it(`${name} assembles into an ELF entered at 0x40080000`, () => {
      const elf = buildVmGuest(name);
      const p = parseElf(elf);
      expect(p.ok).toBe(true);
      if (!p.ok) return;
      expect(p.value.entry).toBe(0x4008_0000n);
      // Everything fits in the first 16 MiB of RAM, below memtouch's region.
      for (const s of p.value.segments) expect(s.vaddr + s.memsz).toBeLessThanOrEqual(0x4100_0000n);
    });
  }

  it('a define replaces the value of the guest\'s .equ line', () => {
    const a = buildVmGuest('bench-hvc', { defines: { ITERS: 64 } });
    const b = buildVmGuest('bench-hvc', { defines: { ITERS: 64n } });
    const c = buildVmGuest('bench-hvc');
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('a define that matches no .equ line is an error', () => {
    expect(() => buildVmGuest('hello', { defines: { ITERS: 64 } })).toThrow(/define ITERS must match exactly one/);
  });

  it('an unknown guest is an error that lists the guests', () => {
    expect(() => buildVmGuest('nope')).toThrow(/unknown guest "nope".*hello/);
  });

  it('assembler errors point into the file they came from', () => {
    // MIB too large: memtouch's .error fires in guests/vm/memtouch.s
    expect(() => buildVmGuest('memtouch', { defines: { MIB: 64 } })).toThrow(/guests\/vm\/memtouch\.s:\d+:\d+: .*past the 64 MiB/);
  });
});
