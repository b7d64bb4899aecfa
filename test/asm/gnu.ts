/**
 * Test helper: runs GNU binutils once on a whole source file — `as`, then `ld` at a fixed
 * address (so ADRP, `:lo12:` and literal pools are resolved) and `objdump -d` — and returns the
 * linked executable and objdump's text per address.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GNU_AS, GNU_LD, GNU_OBJDUMP } from '../support/tools.js';

export interface GnuBuild {
  readonly elf: Uint8Array;
  /** objdump -d text (mnemonic and operands, tab-separated as objdump prints) by address. */
  readonly objdump: Map<bigint, string>;
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** Assembles and links `source` with GNU tools, .text at `textAddr`. */
export function gnuBuild(source: string, textAddr = 0x400000n, entry = '0x400000'): GnuBuild {
  const dir = mkdtempSync(join(tmpdir(), 'sekvm-asm-'));
  try {
    const s = join(dir, 'in.s');
    const o = join(dir, 'in.o');
    const e = join(dir, 'in.elf');
    writeFileSync(s, source);
    run(GNU_AS, ['-o', o, s]);
    run(GNU_LD, [`-Ttext=0x${textAddr.toString(16)}`, '-e', entry, '-o', e, o]);
    const objdump = new Map<bigint, string>();
    for (const line of run(GNU_OBJDUMP, ['-d', '--no-show-raw-insn', e]).split('\n')) {
      const m = /^\s*([0-9a-f]+):\s+(.*)$/.exec(line);
      if (m) objdump.set(BigInt('0x' + m[1]), m[2]!.trim());
    }
    return { elf: new Uint8Array(readFileSync(e)), objdump };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
