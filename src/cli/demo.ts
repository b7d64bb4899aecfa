import type { Command } from './command.js';
import { runUserProgram } from '../user/run.js';
import { buildGuestElf } from '../bench/guests.js';

const USAGE = `usage: sekvm-sim demo

Assembles guests/user/primes.s with the project's assembler and runs it at EL0 on the
simulated Armv8-A CPU, printing its output and how many instructions it executed.`;

export const command: Command = {
  name: 'demo',
  summary: 'run the demonstration',
  usage: USAGE,
  async run() {
    const elf = buildGuestElf('user/primes.s');
    process.stdout.write('sekvm-sim demo: guests/user/primes.s assembled by src/asm, run at EL0 (sekvm-sim user)\n\n');
    const t0 = process.hrtime.bigint();
    const r = runUserProgram(elf, { argv: ['primes'], onStdout: (b) => process.stdout.write(b) });
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.kind === 'load-error') {
      process.stderr.write(`demo: ${r.message}\n`);
      return 1;
    }
    process.stdout.write(`\n${r.kind === 'exit' ? `exit status ${r.exitCode}` : r.kind}, ` +
      `${r.insns} instructions in ${(secs * 1000).toFixed(1)} ms\n`);
    return r.exitCode;
  },
};
