/**
 * `user` and `bare` accept --ram up to 3072 MiB: the largest sizes work (they used to be
 * computed as `ramMiB << 20`, which is negative from 2048 MiB on, and the machine refused them).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command as user } from '../../src/cli/user.js';
import { command as bare } from '../../src/cli/bare.js';
import { assemble, toElf } from '../../src/asm/index.js';
import { captureCliIo } from '../support/cli-io.js';

const io = captureCliIo('sekvm-ram-');

function elf(source: string, base: bigint): string {
  const r = assemble(source, { file: 'ram.s', base });
  if (!r.ok) throw new Error(r.error.map((e) => e.format()).join('\n'));
  const path = join(io.dir, 'prog.elf');
  writeFileSync(path, toElf(r.value));
  return path;
}

describe('the largest --ram sizes', () => {
  it('user --ram 3072 runs a program (the option\'s value is not taken for the program)', async () => {
    const prog = elf(`
.text
.global _start
_start:
    mov x0, #1
    adr x1, msg
    mov x2, #3
    mov x8, #64          // write
    svc #0
    mov x0, #7
    mov x8, #93          // exit
    svc #0
msg: .ascii "hi\\n"
`, 0x40_0000n);
    expect(await user.run(['--ram', '3072', prog])).toBe(7);
    expect(io.out).toBe('hi\n');
  });

  it('bare --ram 3072 boots an image and it exits through semihosting', async () => {
    const img = elf(`
.text
.global _start
_start:
    ldr x1, =0x00000000deadbeef
    adr x2, block
    str x1, [x2]         // a store into the top of the 3 GiB machine's RAM map
    mov x0, #0x18        // SYS_EXIT
    adr x1, block
    ldr x3, =0x20026     // ADP_Stopped_ApplicationExit
    str x3, [x1]
    str xzr, [x1, #8]
    hlt #0xf000
.balign 8                // (the MMU is off: Device memory, no unaligned access)
block: .quad 0, 0
`, 0x4008_0000n);
    expect(await bare.run(['--ram', '3072', '--max-insns', '100000', img])).toBe(0);
  });
});
