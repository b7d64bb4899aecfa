/**
 * Logical ("bitmask") immediates of AND/ORR/EOR/ANDS (Arm ARM C6.2, DecodeBitMasks in J1;
 * ../shared/spec/arm.md §8): a run of S+1 ones rotated right by R inside an element of
 * 2, 4, …, 64 bits, repeated to fill the register. Encoded as N:immr:imms.
 */

export interface BitmaskFields {
  readonly n: number;
  readonly immr: number;
  readonly imms: number;
}

const ones = (k: number): bigint => (1n << BigInt(k)) - 1n;

/** Rotates the low `e` bits of `x` left by `r`. */
function rol(x: bigint, r: number, e: number): bigint {
  if (r === 0) return x;
  const m = ones(e);
  return ((x << BigInt(r)) | (x >> BigInt(e - r))) & m;
}

/**
 * Encodes `value` (the low `size` bits are used; higher bits must be a sign- or zero-extension)
 * as a bitmask immediate for a `size`-bit register, or null if it cannot be encoded.
 * Only canonical encodings are produced (immr < element size).
 */
export function encodeBitmask(value: bigint, size: 32 | 64): BitmaskFields | null {
  let v = BigInt.asUintN(size, value);
  if (size === 32) v |= v << 32n;
  if (v === 0n || v === ones(64)) return null;
  let e = 64;
  // The element is the shortest repeating unit of the 64-bit pattern.
  while (e > 2) {
    const half = e / 2;
    if ((v & ones(half)) !== ((v >> BigInt(half)) & ones(half))) break;
    e = half;
  }
  const elem = v & ones(e);
  let k = 0;
  for (let i = 0; i < e; i++) if ((elem >> BigInt(i)) & 1n) k++;
  const run = ones(k);
  for (let r = 0; r < e; r++) {
    if (rol(elem, r, e) === run) {
      const imms = e === 64 ? k - 1 : (64 - 2 * e) | (k - 1);
      return { n: e === 64 ? 1 : 0, immr: r, imms };
    }
  }
  return null;
}

/**
 * The value of N:immr:imms for a `size`-bit register, or null for reserved encodings and, when
 * `strict`, for non-canonical ones (immr bits above the element size, which the hardware
 * ignores), so that a decoded value re-encodes to the same bits.
 */
export function decodeBitmask(n: number, immr: number, imms: number, size: 32 | 64, strict = true): bigint | null {
  if (size === 32 && n !== 0) return null;
  const combined = (n << 6) | (~imms & 0x3f);
  let len = -1;
  for (let b = 6; b >= 0; b--) {
    if ((combined >> b) & 1) {
      len = b;
      break;
    }
  }
  if (len < 1) return null;
  const e = 1 << len;
  const levels = e - 1;
  const s = imms & levels;
  const r = immr & levels;
  if (s === levels || (strict && immr !== r)) return null;
  let elem = ones(s + 1);
  if (r !== 0) elem = rol(elem, e - r, e);
  let v = 0n;
  for (let i = 0; i < size; i += e) v |= elem << BigInt(i);
  return v;
}
