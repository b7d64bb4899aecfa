#!/usr/bin/env node
/**
 * The `sekvm-sim` command. Each subcommand lives in src/cli/<name>.ts and is loaded on demand,
 * so `sekvm-sim --help` stays fast and a broken subcommand cannot break the others.
 */
import type { Command } from './cli/command.js';
import { UsageError } from './cli/command.js';

/** Subcommands in help order: name → module path and one-line summary. */
const COMMANDS: ReadonlyArray<readonly [string, string, string]> = [
  ['demo', './cli/demo.js', 'run the demonstration: SeKVM with two VMs (what `npm start` shows)'],
  ['run', './cli/run.js', 'run KCore, KServ and VMs from a scenario file or flags, then report'],
  ['user', './cli/user.js', 'run a static AArch64 Linux executable at EL0 (write/exit syscalls)'],
  ['bare', './cli/bare.js', 'boot a bare-metal ELF on the QEMU virt board at EL2 (PL011, PSCI, semihosting)'],
  ['asm', './cli/asm.js', 'assemble GNU-syntax A64 assembly into an ELF64 or flat binary'],
  ['disasm', './cli/disasm.js', 'disassemble an ELF or flat binary of A64 code'],
  ['bench', './cli/bench.js', 'micro-benchmarks and application workloads in simulated cycles: KVM vs SeKVM'],
  ['nonint', './cli/nonint.js', 'noninterference by two runs: integrity of a victim VM, confidentiality against KServ'],
  ['fuzz', './cli/fuzz.js', 'fuzz KCore as a malicious KServ with live isolation checks; shrunk JSON reproducers'],
  ['replay', './cli/replay.js', 'replay a fuzz reproducer step by step with a text trace'],
];

function help(): string {
  const w = Math.max(...COMMANDS.map((c) => c[0].length));
  return [
    'usage: sekvm-sim <command> [options]',
    '',
    'A simulator of SeKVM (the verified KVM for Arm) on an Armv8-A machine model.',
    '',
    'commands:',
    ...COMMANDS.map(([n, , s]) => `  ${n.padEnd(w)}  ${s}`),
    '',
    'Run `sekvm-sim <command> --help` for the options of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write('sekvm-sim 0.1.0\n');
    return 0;
  }
  const entry = COMMANDS.find((c) => c[0] === name);
  if (!entry) {
    process.stderr.write(`sekvm-sim: unknown command '${name}'\n\n${help()}\n`);
    return 2;
  }
  const mod = (await import(entry[1])) as { command: Command };
  const cmd = mod.command;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`sekvm-sim ${name}: ${e.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`sekvm-sim: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 70;
  },
);
