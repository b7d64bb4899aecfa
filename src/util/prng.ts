/**
 * Deterministic PRNGs, so every seeded choice in the simulator (scheduling, fuzzing, generated
 * tests) replays exactly from its seed.
 *
 * `Prng` is sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG, from PractRand): 32-bit state
 * words in plain numbers, cheap enough to call at every scheduling point. The seed is expanded
 * with SplitMix32-style mixing so nearby seeds give unrelated streams.
 */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | bigint) {
    const s = typeof seed === 'bigint' ? Number(BigInt.asUintN(32, seed) ^ BigInt.asUintN(32, seed >> 32n)) : seed >>> 0;
    this.a = mix32(s ^ 0x9e3779b9);
    this.b = mix32(s + 0x7f4a7c15);
    this.c = mix32(s ^ 0x2545f491);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next32();
  }

  /** Next 32-bit value. */
  next32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Next 64-bit value. */
  next64(): bigint {
    return (BigInt(this.next32()) << 32n) | BigInt(this.next32());
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32. */
  below(n: number): number {
    return Math.floor((this.next32() / 4294967296) * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next32() / 4294967296 < p;
  }

  /** A uniformly chosen element. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)]!;
  }
}
