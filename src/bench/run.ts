/**
 * `npm run bench`: every benchmark of the project, printing its figures. Each figure says what
 * was measured; run `npm run bench -- --only cpu` for one group.
 */
import { benchCpu } from './cpu.js';
import { benchMmu } from './mmu.js';
import { benchHyp } from './hyp.js';
import { benchQemu } from './qemu-ratio.js';
import { benchFuzz } from './fuzz.js';

const GROUPS: Record<string, (log: (l: string) => void) => Promise<unknown>> = {
  cpu: benchCpu,
  mmu: benchMmu,
  hyp: benchHyp,
  qemu: benchQemu,
  fuzz: benchFuzz,
};

async function main(): Promise<void> {
  const i = process.argv.indexOf('--only');
  const only = i >= 0 ? process.argv[i + 1] : undefined;
  if (only !== undefined && !(only in GROUPS)) {
    process.stderr.write(`unknown benchmark group '${only}' (groups: ${Object.keys(GROUPS).join(', ')})\n`);
    process.exitCode = 2;
    return;
  }
  for (const [name, fn] of Object.entries(GROUPS)) {
    if (only !== undefined && only !== name) continue;
    process.stdout.write(`== ${name} ==\n`);
    await fn((l) => process.stdout.write(l + '\n'));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
