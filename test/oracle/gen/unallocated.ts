/**
 * Random A64 words that must take the UNDEFINED exception at EL0: encodings the Arm ARM's
 * A64 encoding index lists as unallocated or reserved in the integer (non-FP/SIMD/SVE/SME)
 * space, plus system instructions that are UNDEFINED at EL0 under Linux.
 *
 * Each group names the rule it relies on (field values from the Arm ARM encoding tables, see
 * ../shared/spec/arm.md §8 for the layouts). Groups are chosen to stay unallocated in later
 * architecture versions too (e.g. not the 2-source opcodes FEAT_CSSC took, nor op0=0000 with
 * bit 31 set, which is SME). The oracle test checks that qemu (-cpu max) agrees on every word.
 */
import type { Prng } from './prng.js';

export interface UndefinedWord {
  readonly group: string;
  readonly word: number;
}

type Group = readonly [name: string, gen: (rng: Prng) => number];

const bits = (rng: Prng, n: number): number => (n >= 32 ? rng.u32() : rng.u32() & ((1 << n) - 1)) >>> 0;
/** Register fields Rd/Rn/Rm etc. are free: `base | random bits under mask`. */
const withRandom = (rng: Prng, base: number, free: number): number => (base | (rng.u32() & free)) >>> 0;

const GROUPS: readonly Group[] = [
  // Top level: op1 (bits 28:25) = 0b0000 with bit 31 = 0 is the reserved group; bits 24:16 = 0 is UDF.
  ['UDF #imm16 (permanently undefined)', (rng) => bits(rng, 16)],
  ['reserved group, op0 != 0', (rng) => (((1 + rng.int(0x1ff)) << 16) | bits(rng, 16)) >>> 0],
  // Top level: op1 = 0b0001 and 0b0011 are unallocated.
  ['top-level op1 = 0001', (rng) => ((bits(rng, 32) & ~(0xf << 25)) | (0b0001 << 25)) >>> 0],
  ['top-level op1 = 0011', (rng) => ((bits(rng, 32) & ~(0xf << 25)) | (0b0011 << 25)) >>> 0],
  // Add/subtract (extended register): sf op S 01011 opt:2 1 Rm option imm3 Rn Rd; imm3 > 4 is unallocated.
  ['add/sub extended, imm3 > 4', (rng) => withRandom(rng, 0x0b200000 | ((5 + rng.int(3)) << 10), 0xe01f03ff | (7 << 13))],
  ['add/sub extended, opt != 00', (rng) => withRandom(rng, 0x0b200000 | ((1 + rng.int(3)) << 22), 0xe01fffff)],
  // Add/subtract (shifted register): shift = 11 reserved; sf = 0 with imm6<5> = 1 unallocated.
  ['add/sub shifted, shift = 11', (rng) => withRandom(rng, 0x0bc00000, 0xe01fffff)],
  ['add/sub shifted 32-bit, imm6 >= 32', (rng) => withRandom(rng, 0x0b008000, 0x60df7fff)],
  // Logical (shifted register): sf = 0 with imm6<5> = 1 unallocated.
  ['logical shifted 32-bit, imm6 >= 32', (rng) => withRandom(rng, 0x0a008000, 0x60ff7fff)],
  // Move wide: opc = 01 unallocated; sf = 0 with hw<1> = 1 unallocated.
  ['move wide, opc = 01', (rng) => withRandom(rng, 0x12800000 | (1 << 29), 0x807fffff)],
  ['move wide 32-bit, hw >= 2', (rng) => withRandom(rng, 0x12800000 | (1 << 22), 0x60203fff | 0x1fffe0)],
  // Bitfield: opc = 11 unallocated; N != sf unallocated; 32-bit with immr<5> or imms<5> set UNDEFINED.
  ['bitfield, opc = 11', (rng) => withRandom(rng, 0x73000000, 0x807fffff)],
  ['bitfield, N != sf', (rng) => (rng.chance(0.5) ? withRandom(rng, 0x13400000, 0x603fffff) : withRandom(rng, 0x93000000, 0x603fffff)) >>> 0],
  ['bitfield 32-bit, immr or imms >= 32', (rng) => withRandom(rng, 0x13000000 | (rng.chance(0.5) ? 1 << 21 : 1 << 15), 0x603fffff)],
  // Extract: sf = 0 with imms<5> = 1 UNDEFINED; o0 = 1 unallocated.
  ['extr 32-bit, imms >= 32', (rng) => withRandom(rng, 0x13808000, 0x001f7fff)],
  ['extr, o0 = 1', (rng) => withRandom(rng, 0x13a00000 | (rng.chance(0.5) ? 0x80400000 : 0), 0x001fffff)],
  // Logical (immediate): sf = 0 with N = 1 unallocated; N:imms with no element size (len < 1) UNDEFINED.
  ['logical immediate 32-bit, N = 1', (rng) => withRandom(rng, 0x12400000, 0x603fffff)],
  ['logical immediate, reserved N:imms', (rng) => withRandom(rng, 0x12000000 | (0x3f << 10) | (rng.chance(0.5) ? 0x80000000 : 0), 0x603f03ff)],
  // Conditional compare: S = 0, o2 = 1 or o3 = 1 unallocated. sf op S 11010010 Rm cond o1 o2 Rn o3 nzcv.
  ['conditional compare, S = 0', (rng) => withRandom(rng, 0x1a400000, 0xc01ff3ff | (1 << 11))],
  ['conditional compare, o3 = 1', (rng) => withRandom(rng, 0x3a400010, 0xc01ff3ef | (1 << 11))],
  // Conditional select: S = 1 or op2 = 1x unallocated.
  ['conditional select, S = 1', (rng) => withRandom(rng, 0x3a800000, 0xc01ff7ff)],
  ['conditional select, op2 = 1x', (rng) => withRandom(rng, 0x1a800800, 0xc01ff7ff)],
  // Data-processing (3 source): op54 != 00; op31 = 011/100/111; 32-bit with op31 != 000.
  ['3-source, op54 != 00', (rng) => withRandom(rng, 0x1b000000 | ((1 + rng.int(3)) << 29), 0x80ffffff)],
  ['3-source, op31 = 011/100/111', (rng) => withRandom(rng, 0x9b000000 | (rng.pick([3, 4, 7]) << 21), 0x001fffff)],
  ['3-source 32-bit, op31 != 000', (rng) => withRandom(rng, 0x1b000000 | ((1 + rng.int(7)) << 21), 0x001fffff)],
  // Data-processing (2 source): opcode 1xxxxx unallocated. sf 0 S 11010110 Rm opcode Rn Rd.
  ['2-source, opcode 1xxxxx', (rng) => withRandom(rng, 0x1ac08000, 0x801f7fff)],
  // Data-processing (1 source): S = 1, or opcode2 >= 00010, unallocated. sf 1 S 11010110 opcode2 opcode Rn Rd.
  ['1-source, S = 1', (rng) => withRandom(rng, 0x7ac00000, 0x801fffff)],
  ['1-source, opcode2 >= 2', (rng) => withRandom(rng, 0x5ac00000 | ((2 + rng.int(30)) << 16), 0x8000ffff)],
  // Load/store register (register offset): option<1> = 0 unallocated.
  ['load/store register offset, option<1> = 0', (rng) => withRandom(rng, 0x38200800 | (rng.pick([0, 1, 4, 5]) << 13), 0xc0df13ff)],
  // Load/store (unsigned immediate): size = 1x with opc = 11 unallocated (LDRSW is 10/10, PRFM 11/10).
  ['load/store unsigned offset, size 1x opc 11', (rng) => withRandom(rng, 0xb9c00000, 0x403fffff)],
  // Unconditional branch (register): op2 != 11111 unallocated.
  ['branch register, op2 != 11111', (rng) => withRandom(rng, 0xd6000000 | ((rng.int(31)) << 16), 0x01e0ffff & ~(0x1f << 16))],
  // Exception generation: op2 != 000 unallocated.
  ['exception generation, op2 != 000', (rng) => withRandom(rng, 0xd4000000 | ((1 + rng.int(7)) << 2), 0x001fffe3)],
  // UNDEFINED at EL0: ERET, HVC, SMC, MSR SPSel, EL1/EL2 system registers, TLBI.
  ['EL0: ERET/HVC/SMC/MSR SPSel/TLBI', (rng) => rng.pick([0xd69f03e0, 0xd4000002 | (bits(rng, 16) << 5), 0xd4000003 | (bits(rng, 16) << 5),
    0xd50041bf, 0xd508871f, 0xd50c83df]) >>> 0],
  ['EL0: MRS/MSR of EL1/EL2 registers', (rng) => sysregAccess(rng)],
  // UNDEFINED at EL0: MRS CurrentEL, MSR DAIFSet/DAIFClr (SCTLR_EL1.UMA = 0 under Linux),
  // DC IVAC, IC IALLU, AT S1E1R (EL1-only maintenance).
  ['EL0: CurrentEL/DAIF/DC IVAC/IC IALLU/AT', (rng) => (rng.pick([0xd5384240, 0xd50340df | (rng.int(16) << 8), 0xd50340ff | (rng.int(16) << 8),
    0xd5087620, 0xd508751f, 0xd5087800]) | (rng.int(31) * (rng.chance(0.5) ? 1 : 0))) >>> 0],
];

/** MRS or MSR of a register EL0 may not touch: SCTLR_EL1, TTBR0_EL1, VBAR_EL1, HCR_EL2, VTTBR_EL2, ELR_EL2. */
function sysregAccess(rng: Prng): number {
  const [op0, op1, crn, crm, op2] = rng.pick([[3, 0, 1, 0, 0], [3, 0, 2, 0, 0], [3, 0, 12, 0, 0], [3, 4, 1, 1, 0], [3, 4, 2, 1, 0], [3, 4, 4, 0, 1]] as const);
  const read = rng.chance(0.5);
  return (0xd5000000 | (read ? 1 << 21 : 0) | ((op0 - 2) << 19) | (1 << 20) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rng.int(31)) >>> 0;
}

/** `count` words cycling through the groups. */
export function undefinedWords(rng: Prng, count: number): UndefinedWord[] {
  return Array.from({ length: count }, (_, i) => {
    const [group, gen] = GROUPS[i % GROUPS.length]!;
    return { group, word: gen(rng) };
  });
}

export const GROUP_COUNT = GROUPS.length;
