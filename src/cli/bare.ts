import { readFileSync } from 'node:fs';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { parseArgs, intOption } from './args.js';
import { runBare } from '../bare/run.js';

const USAGE = `usage: sekvm-sim bare [options] image.elf

Boots a bare-metal AArch64 ELF on the simulated QEMU 'virt' board, starting at EL2 (no EL3):
RAM at 0x40000000, PL011 UART at 0x09000000 (to stdout), PSCI answered by the firmware over
SMC, Arm semihosting (HLT #0xF000: SYS_WRITEC/WRITE0/WRITE, SYS_EXIT[_EXTENDED]). Stops on
PSCI SYSTEM_OFF (status 0) or semihosting exit (the program's status).

options:
  --cpus N        number of pCPUs (default 1; CPUs other than 0 start with PSCI CPU_ON)
  --ram MiB       RAM size in MiB (default 512)
  --seed S        seed of the scheduler that interleaves the CPUs (default 1)
  --quantum N     instructions per scheduling slice (default 1000; 1 = finest interleaving)
  --max-insns N   stop after N instructions in total (status 124)
  --stats         print instruction count and MIPS to stderr`;

export const command: Command = {
  name: 'bare',
  summary: 'boot a bare-metal ELF on the virt board at EL2',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, [
      { name: 'cpus', kind: 'string' }, { name: 'ram', kind: 'string' }, { name: 'seed', kind: 'string' },
      { name: 'quantum', kind: 'string' }, { name: 'max-insns', kind: 'string' }, { name: 'stats', kind: 'flag' },
    ]);
    if (args.positionals.length !== 1) throw new UsageError('expected exactly one image.elf');
    const file = args.positionals[0]!;
    let elf: Uint8Array;
    try {
      elf = readFileSync(file);
    } catch (e) {
      process.stderr.write(`sekvm-sim bare: cannot read ${file}: ${(e as Error).message}\n`);
      return 2;
    }
    const t0 = process.hrtime.bigint();
    const r = runBare(elf, {
      cpus: Number(intOption(args, 'cpus', 1n, 1n, 64n)),
      ramMiB: Number(intOption(args, 'ram', 512n, 1n, 3072n)),
      seed: Number(intOption(args, 'seed', 1n, 0n, 0xffff_ffffn)),
      quantum: Number(intOption(args, 'quantum', 1000n, 1n, 100_000_000n)),
      ...(args.options.has('max-insns') ? { maxInsns: intOption(args, 'max-insns', 0n, 1n) } : {}),
      onOutput: (b) => process.stdout.write(b),
    });
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.kind === 'load-error') {
      process.stderr.write(`sekvm-sim bare: ${file}: ${r.message}\n`);
      return r.status;
    }
    if (r.kind !== 'exit') process.stderr.write(`sekvm-sim bare: ${r.why}\n`);
    if (args.options.has('stats')) {
      process.stderr.write(`sekvm-sim bare: ${r.insns} instructions in ${secs.toFixed(3)} s ` +
        `(${(Number(r.insns) / secs / 1e6).toFixed(1)} MIPS), ${r.why}\n`);
    }
    return r.status;
  },
};
