// DecodeBitMasks (Arm ARM J1, shared/functions/…/DecodeBitMasks; ../shared/spec/arm.md §8):
// the logical-immediate and bitfield masks. Logical immediates are precomputed into a table of
// 8192 entries indexed by N:immr:imms, so executing AND/ORR/EOR #imm is one load.

const TABLE = memory.data(8192 * 8, 16);
let built = false;

function highestSetBit7(x: u32): i32 {
  return x == 0 ? -1 : 31 - <i32>clz(x);
}

/** Whether N:imms:immr is a valid logical immediate for the register size (sf). */
export function bitmaskValid(n: u32, imms: u32, immr: u32, sf: u32): bool {
  const len = highestSetBit7((n << 6) | (~imms & 0x3f));
  if (len < 1) return false;
  if (len == 6 && sf == 0) return false;
  const levels: u32 = (1 << <u32>len) - 1;
  if ((imms & levels) == levels) return false;   // S = esize − 1 is reserved for immediates
  return true;
}

/** wmask of DecodeBitMasks for size 64 (immediate = true semantics not enforced here). */
export function decodeWmask(n: u32, imms: u32, immr: u32): u64 {
  const len = highestSetBit7((n << 6) | (~imms & 0x3f));
  if (len < 1) return 0;
  const esize: u32 = 1 << <u32>len;
  const levels: u32 = esize - 1;
  const s = imms & levels, r = immr & levels;
  const welem: u64 = s + 1 == 64 ? u64.MAX_VALUE : (<u64>1 << (s + 1)) - 1;
  // rotate right within esize
  let rot: u64 = r == 0 ? welem : ((welem >> r) | (welem << (esize - r)));
  if (esize < 64) rot &= (<u64>1 << esize) - 1;
  // replicate
  let out: u64 = 0;
  for (let i: u32 = 0; i < 64; i += esize) out |= rot << i;
  return out;
}

export function buildBitmaskTable(): void {
  if (built) return;
  for (let i: u32 = 0; i < 8192; i++) {
    const n = i >> 12, immr = (i >> 6) & 63, imms = i & 63;
    store<u64>(TABLE + (<usize>i << 3), decodeWmask(n, imms, immr));
  }
  built = true;
}

/** The logical immediate of an AND/ORR/EOR/ANDS (immediate) word (bits 22:10 = N:immr:imms). */
@inline export function logicalImm(w: u32): u64 {
  return load<u64>(TABLE + (<usize>((w >> 10) & 0x1fff) << 3));
}
