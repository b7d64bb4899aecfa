/** Assembling guest sources from guests/ with the project's assembler, for tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble, toElf } from '../../src/asm/index.js';

export const REPO = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

/** ELF of guests/<rel> linked at `base`; throws with the assembler's messages on error. */
export function guestElf(rel: string, base = 0x4008_0000n): Uint8Array {
  const r = assemble(readFileSync(join(REPO, 'guests', rel), 'utf8'), { file: `guests/${rel}`, base });
  if (!r.ok) throw new Error(r.error.map((e) => e.format()).join('\n'));
  return toElf(r.value);
}
