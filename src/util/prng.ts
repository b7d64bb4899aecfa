/**
 * A small deterministic PRNG (SplitMix64, Steele et al. 2014), so every seeded choice in the
 * simulator (scheduling, fuzzing, generated tests) replays exactly from its seed.
 */
export class Prng {
  private s: bigint;
  constructor(seed: number | bigint) {
    this.s = BigInt.asUintN(64, BigInt(seed));
  }

  /** Next 64-bit value. */
  next64(): bigint {
    this.s = BigInt.asUintN(64, this.s + 0x9e3779b97f4a7c15n);
    let z = this.s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }

  /** Uniform integer in [0, n) for n ≤ 2^32. */
  below(n: number): number {
    return Number((this.next64() >> 32n) % BigInt(n));
  }
}
