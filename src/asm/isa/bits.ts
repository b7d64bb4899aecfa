/** Bit-field helpers for 32-bit instruction words (kept as unsigned JS numbers). */

/** Parses an Arm ARM style pattern of 32 `0`/`1`/`x` characters (spaces ignored) into bits and mask. */
export function pattern(p: string): { bits: number; mask: number } {
  const s = p.replace(/[\s_]/g, '');
  if (s.length !== 32 || /[^01x]/.test(s)) throw new Error(`bad bit pattern '${p}'`);
  let bits = 0;
  let mask = 0;
  for (let i = 0; i < 32; i++) {
    const c = s[i];
    const bit = 31 - i;
    if (c !== 'x') {
      mask |= 1 << bit;
      if (c === '1') bits |= 1 << bit;
    }
  }
  return { bits: bits >>> 0, mask: mask >>> 0 };
}

/** Bits [pos+len-1 : pos] of `w`. */
export function field(w: number, pos: number, len: number): number {
  return len >= 32 ? w >>> 0 : (w >>> pos) & ((1 << len) - 1);
}

/** `v` placed at bit `pos` (v must already fit in its field). */
export function put(v: number, pos: number): number {
  return (v << pos) >>> 0;
}

/** Sign-extends the low `bits` bits of `v`. */
export function sext(v: number, bits: number): number {
  const shift = 32 - bits;
  return (v << shift) >> shift;
}

/** Hex with 0x prefix for non-negative bigint or number. */
export function hex(v: bigint | number): string {
  return '0x' + v.toString(16);
}
