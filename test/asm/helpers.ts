/** Test helpers: assemble and read back words or bytes, or the error list. */
import { expect } from 'vitest';
import { assemble, type AsmObject } from '../../src/asm/index.js';
import { words } from './elf-read.js';

export function ok(src: string, base = 0n): AsmObject {
  const r = assemble(src, { file: 't.s', base });
  if (!r.ok) throw new Error(r.error.map((e) => e.format()).join('\n'));
  return r.value;
}

/** Words of the named section (default .text). */
export function wordsOf(src: string, section = '.text', base = 0n): number[] {
  const s = ok(src, base).sections.find((x) => x.name === section);
  return s ? words(s.data) : [];
}

export function bytesOf(src: string, section: string, base = 0n): number[] {
  const s = ok(src, base).sections.find((x) => x.name === section);
  return s ? [...s.data] : [];
}

/** The formatted errors of a source that must fail. */
export function errors(src: string): string[] {
  const r = assemble(src, { file: 't.s' });
  expect(r.ok, 'expected assembly to fail').toBe(false);
  return r.ok ? [] : r.error.map((e) => e.format());
}
