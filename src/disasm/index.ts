/**
 * The A64 disassembler: one 32-bit word at an address → GNU objdump-style text, using the
 * same Forms as the assembler (src/asm/isa), so everything the assembler produces decodes, and
 * the text re-assembles to the same word at the same address. Aliases are preferred as in the
 * Arm ARM (and objdump). Words no Form accepts print as `.inst 0x…`.
 *
 * Fast path for `--trace`: Forms are bucketed by bits 31:21, so a lookup tries a handful.
 */
import { FORMS } from '../asm/isa/table.js';
import type { DecCtx, Form } from '../asm/isa/types.js';

const BUCKET_BITS = 11;
const SHIFT = 32 - BUCKET_BITS;

function buildBuckets(): Form[][] {
  const buckets: Form[][] = Array.from({ length: 1 << BUCKET_BITS }, () => []);
  const ordered = FORMS.filter((f) => !f.asmOnly);
  // Aliases first (stable, so table order decides among aliases); non-canonical encodings last.
  const canonical = ordered.filter((f) => !f.nonCanonical);
  const sorted = [...canonical.filter((f) => f.alias), ...canonical.filter((f) => !f.alias), ...ordered.filter((f) => f.nonCanonical)];
  for (const f of sorted) {
    const m = f.mask >>> SHIFT;
    const b = f.bits >>> SHIFT;
    const free = ~m & ((1 << BUCKET_BITS) - 1);
    // Every index that agrees with the form's fixed top bits: enumerate subsets of `free`.
    let sub = free;
    for (;;) {
      buckets[b | sub]!.push(f);
      if (sub === 0) break;
      sub = (sub - 1) & free;
    }
  }
  return buckets;
}

const BUCKETS = buildBuckets();

function render(f: Form, word: number, d: DecCtx): string | null {
  if (f.when && !f.when(word)) return null;
  let text = f.mnem;
  let first = true;
  for (const k of f.ops) {
    const s = k.dec(word, d);
    if (s === null) return null;
    if (s === '') continue;
    text += (first ? ' ' : ', ') + s;
    first = false;
  }
  return text;
}

const inst = (w: number): string => `.inst 0x${w.toString(16).padStart(8, '0')}`;

/**
 * Disassembles `word` located at `pc`. Never throws. Unallocated words (and the SIMD/FP and
 * later-architecture instructions this table does not cover) print as `.inst 0x…`; encodings
 * with non-canonical should-be-one fields as `.inst 0x… // text`.
 */
export function disassemble(word: number, pc: bigint): string {
  const w = word >>> 0;
  const d: DecCtx = { pc };
  for (const f of BUCKETS[w >>> SHIFT]!) {
    if (((w & f.mask) >>> 0) !== f.bits) continue;
    const text = render(f, w, d);
    if (text !== null) return f.nonCanonical ? `${inst(w)} // ${text}` : text;
  }
  return inst(w);
}
