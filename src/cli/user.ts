import { readFileSync } from 'node:fs';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { parseArgs, intOption } from './args.js';
import { runUserProgram, setDisassembler } from '../user/run.js';

const USAGE = `usage: sekvm-sim user [options] prog.elf [args...]

Runs a static AArch64 Linux executable at EL0 on the simulated CPU, with the simulator as the
EL1 kernel. Syscalls write, writev, exit, exit_group, brk, mmap (anonymous) and munmap are
implemented; any other returns -ENOSYS. The program's stdout/stderr are passed through and its
exit status becomes ours (a fault ends it as a Linux signal would: 128 + signal number).

options:
  --max-insns N   stop after N instructions (exit status 124)
  --ram MiB       RAM size in MiB (default 256)
  --trace         print every executed instruction with its disassembly (to stderr)
  --stats         print instructions executed and MIPS to stderr at the end`;

export const command: Command = {
  name: 'user',
  summary: 'run a static AArch64 Linux executable at EL0',
  usage: USAGE,
  async run(argv) {
    // Options come before the program; everything after it belongs to the program.
    const specs = [
      { name: 'max-insns', kind: 'string' },
      { name: 'ram', kind: 'string' },
      { name: 'trace', kind: 'flag' },
      { name: 'stats', kind: 'flag' },
    ] as const;
    const takesValue = new Set<string>(specs.filter((o) => o.kind === 'string').map((o) => `--${o.name}`));
    let firstPos = -1;
    for (let i = 0; i < argv.length; i++) {
      if (!argv[i]!.startsWith('--')) { firstPos = i; break; }
      if (takesValue.has(argv[i]!)) i++;   // `--ram 512`: the next word is the option's value
    }
    const optArgs = firstPos < 0 ? argv : argv.slice(0, firstPos);
    const args = parseArgs(optArgs, specs);
    if (firstPos < 0) throw new UsageError('missing the program to run');
    const prog = argv[firstPos]!;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(prog);
    } catch (e) {
      process.stderr.write(`sekvm-sim user: cannot read ${prog}: ${(e as Error).message}\n`);
      return 2;
    }
    const maxInsns = args.options.has('max-insns') ? intOption(args, 'max-insns', 0n, 1n) : undefined;
    const ramMiB = Number(intOption(args, 'ram', 256n, 1n, 3072n));
    if (args.options.has('trace')) {
      const { disassemble } = await import('../disasm/index.js');
      setDisassembler(disassemble);
    }
    const t0 = process.hrtime.bigint();
    const r = runUserProgram(bytes, {
      argv: [prog, ...argv.slice(firstPos + 1)],
      ...(maxInsns !== undefined ? { maxInsns } : {}),
      ramBytes: ramMiB * 1048576,
      ...(args.options.has('trace') ? { trace: (l: string) => process.stderr.write(l + '\n') } : {}),
      onStdout: (b) => process.stdout.write(b),
      onStderr: (b) => process.stderr.write(b),
    });
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.kind === 'load-error') {
      process.stderr.write(`sekvm-sim user: ${prog}: ${r.message}\n`);
      return r.exitCode;
    }
    if (r.kind === 'fault') process.stderr.write(`sekvm-sim user: ${prog}: killed by ${r.signal}: ${r.message}\n`);
    if (r.kind === 'limit') process.stderr.write(`sekvm-sim user: ${prog}: ${r.message}\n`);
    if (args.options.has('stats')) {
      process.stderr.write(`sekvm-sim user: ${r.insns} instructions in ${secs.toFixed(3)} s ` +
        `(${(Number(r.insns) / secs / 1e6).toFixed(1)} MIPS)\n`);
    }
    return r.exitCode;
  },
};
