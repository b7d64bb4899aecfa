/**
 * Register values for random sequences, biased towards the edges where integer instructions
 * go wrong: zero, one, all-ones, the signed limits of 32 and 64 bits, powers of two, small
 * shift counts, and 32-bit values with garbage in the upper half.
 */
import type { Prng } from './prng.js';

export const MASK64 = (1n << 64n) - 1n;

const EDGES: readonly bigint[] = [
  0n, 1n, 2n, 3n, MASK64, MASK64 - 1n,
  0x7fffffffffffffffn, 0x8000000000000000n, 0x8000000000000001n,
  0xffffffffn, 0x7fffffffn, 0x80000000n, 0x80000001n, 0x100000000n, 0xffffffff00000000n,
  0xffffffff80000000n, 0x00000000ffff0000n, 0xffffn, 0x8000n, 0xffn, 0x80n, 0x7fn,
];

/** A 64-bit value (as an unsigned bigint) drawn from an edge-heavy mix. */
export function edgeValue(rng: Prng): bigint {
  const kind = rng.int(10);
  if (kind <= 2) return rng.pick(EDGES);
  if (kind === 3) return BigInt(rng.int(65));
  if (kind === 4) return MASK64 - BigInt(rng.int(64));
  if (kind === 5) {
    const k = BigInt(rng.int(64));
    return rng.chance(0.5) ? 1n << k : (1n << k) - 1n;
  }
  if (kind === 6) return BigInt(rng.u32());
  if (kind === 7) return (BigInt(rng.u32()) << 32n) | BigInt(rng.pick([0, 1, 0x7fffffff, 0x80000000, 0xffffffff]));
  return rng.u64();
}

/** Renders a value as unsigned 64-bit hex. */
export function hex(v: bigint): string {
  return `0x${(v & MASK64).toString(16)}`;
}

/**
 * Instructions that put `value` in register `name` (an `x` register) using MOVZ or MOVN plus
 * MOVK: the simplest instructions, so a broken load or add cannot corrupt the setup.
 */
export function loadConstant(name: string, value: bigint): string[] {
  const v = value & MASK64;
  const chunks = [0, 1, 2, 3].map((i) => Number((v >> BigInt(16 * i)) & 0xffffn));
  const invert = chunks.filter((c) => c === 0xffff).length > chunks.filter((c) => c === 0).length;
  const skip = invert ? 0xffff : 0;
  const first = Math.max(0, chunks.findIndex((c) => c !== skip));
  const firstImm = invert ? chunks[first]! ^ 0xffff : chunks[first]!;
  const lines = [`${invert ? 'movn' : 'movz'} ${name}, #0x${firstImm.toString(16)}, lsl #${16 * first}`];
  chunks.forEach((c, i) => {
    if (i !== first && c !== skip) lines.push(`movk ${name}, #0x${c.toString(16)}, lsl #${16 * i}`);
  });
  return lines;
}
