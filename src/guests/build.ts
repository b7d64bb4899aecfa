/**
 * VM guests: the bare-metal AArch64 kernels under guests/vm/ that run inside VMs (on our
 * hypervisor, or on QEMU's `virt` board as the oracle), assembled with the project's
 * assembler. It does not run them.
 *
 * The assembler has no `.include`, so a guest is assembled as ONE source: the library files
 * in {@link VM_LIB_FILES} order (defs.s first: the constants; boot.s second, so `_start` is the
 * first instruction, at the link base; print.s third: the macros every later file uses), then
 * guests/vm/<name>.s. Assembler messages are mapped back to the file
 * and line they came from. See guests/vm/README.md for the platform the guests expect.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble, toElf } from '../asm/index.js';

/** Where VM images are linked and loaded; the entry point is `_start`. */
export const VM_LINK_BASE = 0x4008_0000n;

/** Library files, in assembly order. */
export const VM_LIB_FILES: readonly string[] = [
  'defs.s', 'boot.s', 'print.s', 'vectors.s', 'mmu.s', 'gic.s', 'timer.s', 'psci.s', 'pvops.s', 'virtio.s', 'pmu.s',
];

/** Every guest under guests/vm/ (file name without `.s`). */
export const VM_GUESTS: readonly string[] = [
  'hello', 'smp', 'timer', 'memtouch', 'virtio', 'attacker',
  'bench-hvc', 'bench-mmio-user', 'bench-mmio-vgic', 'bench-eoi', 'bench-ipi',
  'app', 'hackbench',
  'nonint-victim',
];

export interface BuildVmGuestOptions {
  /**
   * Values for `.equ NAME, value` lines of the guest (e.g. `{ ITERS: 64 }`): each NAME must be
   * defined by exactly one `.equ` line of the guest or of the library, whose value is replaced.
   */
  readonly defines?: Readonly<Record<string, number | bigint>>;
}

const VM_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'guests', 'vm');

interface Part {
  readonly file: string;
  text: string;
}

/** Replaces the value of `.equ name, …` in exactly one part; throws if there is not exactly one. */
function applyDefine(parts: Part[], name: string, value: number | bigint): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`buildVmGuest: bad define name ${JSON.stringify(name)}`);
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error(`buildVmGuest: ${name} must be an integer`);
  const re = new RegExp(`^(\\s*\\.equ\\s+${name}\\s*,)[^\\n]*$`, 'gm');
  const hits = parts.filter((p) => (p.text.match(re) ?? []).length > 0);
  const count = parts.reduce((n, p) => n + (p.text.match(re) ?? []).length, 0);
  if (count !== 1) throw new Error(`buildVmGuest: define ${name} must match exactly one ".equ ${name}, …" line (found ${count})`);
  const part = hits[0]!;
  part.text = part.text.replace(re, (_m, head: string) => `${head} ${value.toString()}`);
}

/**
 * Assembles guests/vm/<name>.s with the library into an ELF linked at 0x4008_0000.
 *
 * Throws: if `name` is not in {@link VM_GUESTS}; if a define does not match exactly one `.equ`
 * line; with every assembler message (as `file:line:col: message`) if assembly fails.
 */
export function buildVmGuest(name: string, opts: BuildVmGuestOptions = {}): Uint8Array {
  if (!VM_GUESTS.includes(name)) throw new Error(`buildVmGuest: unknown guest ${JSON.stringify(name)} (have: ${VM_GUESTS.join(', ')})`);
  const parts: Part[] = [...VM_LIB_FILES.map((f) => `lib/${f}`), `${name}.s`].map((rel) => ({
    file: `guests/vm/${rel}`,
    text: readFileSync(join(VM_DIR, rel), 'utf8'),
  }));
  for (const [k, v] of Object.entries(opts.defines ?? {})) applyDefine(parts, k, v);
  const pieces: { file: string; first: number; lines: number }[] = [];
  let text = '';
  let line = 1;
  for (const p of parts) {
    const body = p.text.endsWith('\n') ? p.text : `${p.text}\n`;
    const n = body.split('\n').length - 1;
    pieces.push({ file: p.file, first: line, lines: n });
    text += body;
    line += n;
  }
  const r = assemble(text, { file: `guests/vm/${name}.s`, base: VM_LINK_BASE });
  if (!r.ok) {
    const where = (l: number): string => {
      const piece = pieces.find((x) => l >= x.first && l < x.first + x.lines);
      return piece ? `${piece.file}:${l - piece.first + 1}` : `guests/vm/${name}.s:${l}`;
    };
    throw new Error(r.error.map((e) => `${where(e.line)}:${e.column}: ${e.message}`).join('\n'));
  }
  return toElf(r.value);
}
