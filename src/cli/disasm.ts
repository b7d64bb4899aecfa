/**
 * `sekvm-sim disasm FILE [--base ADDR]`: prints `address: word  text` for every word of the
 * executable segments of an ELF file, or of a flat binary loaded at --base.
 */
import { readFileSync } from 'node:fs';
import { disassemble } from '../disasm/index.js';
import { isElf, readElfCode, type CodeSegment } from '../disasm/elf.js';
import { intOption, parseArgs } from './args.js';
import { UsageError, type Command } from './command.js';

const usage = `usage: sekvm-sim disasm FILE [--base ADDR]

Disassembles the executable segments of an ELF64 file, or a whole flat binary image (any
file that is not ELF) loaded at ADDR (default 0). Prints one line per 32-bit word:
address, word in hex, and the instruction in GNU objdump style.`;

/** The listing of one segment, with `<symbol>:` lines before labelled addresses. */
export function listing(seg: CodeSegment, symbols: Map<bigint, string[]>): string[] {
  const lines: string[] = [];
  const dv = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, seg.bytes.byteLength);
  for (let off = 0; off + 4 <= seg.bytes.length; off += 4) {
    const pc = seg.vaddr + BigInt(off);
    for (const name of symbols.get(pc) ?? []) lines.push(`\n${pc.toString(16).padStart(16, '0')} <${name}>:`);
    const w = dv.getUint32(off, true);
    lines.push(`${pc.toString(16).padStart(8, ' ')}: ${w.toString(16).padStart(8, '0')}  ${disassemble(w, pc)}`);
  }
  const rest = seg.bytes.length % 4;
  if (rest !== 0) {
    const pc = seg.vaddr + BigInt(seg.bytes.length - rest);
    const bytes = [...seg.bytes.subarray(seg.bytes.length - rest)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    lines.push(`${pc.toString(16).padStart(8, ' ')}: ${bytes}  (trailing bytes)`);
  }
  return lines;
}

export const command: Command = {
  name: 'disasm',
  summary: 'disassemble an ELF or flat binary of A64 code',
  usage,
  async run(argv) {
    const args = parseArgs(argv, [{ name: 'base', kind: 'string' }]);
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'missing input file' : 'expected exactly one input file');
    const file = args.positionals[0]!;
    let buf: Uint8Array;
    try {
      buf = new Uint8Array(readFileSync(file));
    } catch (e) {
      const code = (e as { code?: string }).code;
      process.stderr.write(`sekvm-sim disasm: cannot read '${file}': ${code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    let segments: CodeSegment[];
    let symbols = new Map<bigint, string[]>();
    if (isElf(buf)) {
      const r = readElfCode(buf);
      if (!r.ok) {
        process.stderr.write(`sekvm-sim disasm: ${file}: ${r.message}\n`);
        return 1;
      }
      segments = r.segments;
      symbols = r.symbols;
    } else {
      segments = [{ vaddr: intOption(args, 'base', 0n), bytes: buf }];
    }
    const out = segments.flatMap((s) => listing(s, symbols));
    process.stdout.write(out.join('\n') + '\n');
    return 0;
  },
};
