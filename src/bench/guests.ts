/**
 * Benchmark guests: A64 sources under guests/bench, assembled with the project's assembler.
 */
import { readFileSync } from 'node:fs';
import { assemble, toElf } from '../asm/index.js';
import { repoPath } from '../util/repo.js';

/**
 * Assembles guests/<rel> into an ELF linked at `base` (default: GNU ld's 0x400000 for user
 * programs; bare-metal and VM images use 0x40080000); throws with every assembler message on error.
 */
export function buildGuestElf(rel: string, base?: bigint): Uint8Array {
  const file = repoPath('guests', rel);
  const r = assemble(readFileSync(file, 'utf8'), { file: `guests/${rel}`, ...(base !== undefined ? { base } : {}) });
  if (!r.ok) throw new Error(r.error.map((e) => e.format()).join('\n'));
  return toElf(r.value);
}
