/**
 * `sekvm-sim asm FILE.s -o OUT [--flat] [--base ADDR]`: assembles GNU-syntax A64 assembly into
 * an ELF64 executable (default) or a flat binary image.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { assemble, DEFAULT_BASE, toElf, toFlat } from '../asm/index.js';
import { intOption, parseArgs } from './args.js';
import { UsageError, type Command } from './command.js';

const usage = `usage: sekvm-sim asm FILE.s [-o OUT] [--flat] [--base ADDR]

Assembles GNU as syntax (AArch64, Armv8.0-A integer instructions, v8.1 LSE atomics and the
system instructions) into an ELF64 executable, or with --flat a raw binary image.

options:
  -o, --output OUT   output file (default: FILE with .elf, or .bin with --flat)
  --flat             write a flat binary from the base address (no .bss)
  --base ADDR        address of the first section (default 0x${DEFAULT_BASE.toString(16)};
                     the bare-metal board loads at 0x40080000)

Errors are printed as file:line:col: error: message; the exit status is then 1.`;

function describeReadError(file: string, e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return `cannot read '${file}': no such file`;
  if (code === 'EISDIR') return `cannot read '${file}': it is a directory`;
  return `cannot read '${file}': ${e instanceof Error ? e.message : String(e)}`;
}

export const command: Command = {
  name: 'asm',
  summary: 'assemble GNU-syntax A64 assembly into an ELF64 or flat binary',
  usage,
  async run(argv) {
    const args = parseArgs(argv.map((a) => (a === '-o' ? '--output' : a)), [
      { name: 'output', kind: 'string' },
      { name: 'flat', kind: 'flag' },
      { name: 'base', kind: 'string' },
    ]);
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'missing input file' : 'expected exactly one input file');
    const input = args.positionals[0]!;
    const flat = args.options.get('flat') === true;
    const base = intOption(args, 'base', DEFAULT_BASE);
    const outOpt = args.options.get('output');
    const output = typeof outOpt === 'string' ? outOpt : input.replace(/\.[sS]$/, '') + (flat ? '.bin' : '.elf');
    let source: string;
    try {
      source = readFileSync(input, 'utf8');
    } catch (e) {
      process.stderr.write(`sekvm-sim asm: ${describeReadError(input, e)}\n`);
      return 1;
    }
    const r = assemble(source, { file: input, base });
    if (!r.ok) {
      for (const e of r.error) process.stderr.write(e.format() + '\n');
      return 1;
    }
    for (const w of r.value.warnings) process.stderr.write(w.format() + '\n');
    try {
      writeFileSync(output, flat ? toFlat(r.value) : toElf(r.value));
      if (!flat) chmodSync(output, 0o755); // an executable is made executable, as GNU ld does
    } catch (e) {
      process.stderr.write(`sekvm-sim asm: cannot write '${output}': ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    return 0;
  },
};
