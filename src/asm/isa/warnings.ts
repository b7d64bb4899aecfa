/**
 * Warnings about words that encode but are suspicious, with GNU as's wording: CONSTRAINED
 * UNPREDICTABLE register combinations (Arm ARM K1.2 "Load/store with writeback", "Load
 * pair", "Store-exclusive"), and MRS/MSR of a register that cannot be read or written
 * (access from src/arch/sysregs.ts). The words are emitted unchanged.
 */
import { sysKey, sysRegByKey } from '../../arch/sysregs.js';
import { field } from './bits.js';

const rt = (w: number): number => field(w, 0, 5);
const rn = (w: number): number => field(w, 5, 5);
const rt2 = (w: number): number => field(w, 10, 5);
const rs = (w: number): number => field(w, 16, 5);
const is = (w: number, mask: number, bits: number): boolean => ((w & mask) >>> 0) === bits;

const WRITEBACK = 'unpredictable transfer with writeback';
const PAIR = 'unpredictable load of register pair';

const NEVER = 4;

/** The warning for `w`, or null. */
export function encodingWarning(w: number): string | null {
  return unpredictable(w) ?? sysRegAccess(w);
}

/** MRS of a write-only or MSR of a read-only register (1101010100 L 1 o0 op1 CRn CRm op2 Rt). */
function sysRegAccess(w: number): string | null {
  if (!is(w, 0xffd00000, 0xd5100000)) return null;
  const def = sysRegByKey(sysKey(2 + field(w, 19, 1), field(w, 16, 3), field(w, 12, 4), field(w, 8, 4), field(w, 5, 3)));
  if (def === undefined) return null;
  const read = field(w, 21, 1) === 1;
  if (read && def.readEl >= NEVER) return 'specified register cannot be read from';
  if (!read && def.writeEl >= NEVER) return 'specified register cannot be written to';
  return null;
}

function unpredictable(w: number): string | null {
  // Single register, pre/post-index (size 111 0 00 opc 0 imm9 x1 Rn Rt).
  if (is(w, 0x3f200400, 0x38000400) && rn(w) === rt(w) && rn(w) !== 31) return WRITEBACK;
  // Register pair (opc 101 0 idx L imm7 Rt2 Rn Rt), V = 0.
  if (is(w, 0x3e000000, 0x28000000)) {
    const idx = field(w, 23, 2);
    const load = field(w, 22, 1) === 1;
    if ((idx === 1 || idx === 3) && rn(w) !== 31 && (rn(w) === rt(w) || rn(w) === rt2(w))) return WRITEBACK;
    if (load && rt(w) === rt2(w)) return PAIR;
    return null;
  }
  // Load/store exclusive (size 001000 o2 L o1 Rs o0 Rt2 Rn Rt) with o2 = 0.
  if (is(w, 0x3f800000, 0x08000000)) {
    const load = field(w, 22, 1) === 1;
    const pair = field(w, 21, 1) === 1;
    if (load) return pair && rt(w) === rt2(w) ? PAIR : null;
    if (rs(w) === rt(w) || (pair && rs(w) === rt2(w))) return 'unpredictable: identical transfer and status registers';
    if (rs(w) === rn(w) && rn(w) !== 31) return 'unpredictable: identical base and status registers';
  }
  return null;
}
