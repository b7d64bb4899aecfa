/**
 * `sekvm-sim bare`: boots a bare-metal AArch64 ELF on the board, starting at EL2 (there is no
 * EL3; PSCI is answered by the firmware over SMC), as `qemu-system-aarch64 -M
 * virt,virtualization=on,gic-version=3 -cpu cortex-a57 -semihosting -kernel image.elf` would.
 */
import { parseElf, placeElf } from '../loader/elf.js';
import { Board, type BoardConfig, type BoardStop } from '../board/board.js';
import { VIRT } from '../board/virt.js';

export interface BareOptions extends BoardConfig {
  readonly maxInsns?: bigint;
}

export type BareResult =
  | { readonly kind: 'load-error'; readonly message: string; readonly status: number }
  | (BoardStop & { readonly output: Uint8Array; readonly insns: bigint; readonly status: number });

export function runBare(elf: Uint8Array, opts: BareOptions = {}): BareResult {
  const parsed = parseElf(elf);
  if (!parsed.ok) return { kind: 'load-error', message: parsed.error, status: 2 };
  const ramMiB = opts.ramMiB ?? 512;
  const placed = placeElf(parsed.value, [{ base: VIRT.RAM, size: BigInt(ramMiB) << 20n }],
    parsed.value.type === 'dyn' ? VIRT.RAM + 0x80000n : 0n);
  if (!placed.ok) return { kind: 'load-error', message: placed.error, status: 2 };
  const chunks: Uint8Array[] = [];
  const board = new Board({
    ...opts,
    onOutput: (b) => {
      chunks.push(b);
      opts.onOutput?.(b);
    },
  });
  for (const s of placed.value.segments) {
    if (s.memsz === 0n) continue;
    board.m.writePhys(s.vaddr, s.data);
  }
  board.boot(placed.value.entry);
  const stop = board.run(opts.maxInsns);
  const status = stop.kind === 'exit' ? stop.status : stop.kind === 'limit' ? 124 : stop.kind === 'reset' ? 0 : 3;
  return { ...stop, output: Buffer.concat(chunks), insns: board.insns, status };
}
