/**
 * Where sections go in memory, like GNU ld's default for a static executable: code first at
 * the base address, then read-only data (one R+X segment), then, from the next page, writable
 * data followed by .bss (one R+W segment). Non-allocated sections get no address.
 */
import type { SectionFlags } from './directives.js';

export interface LayoutInput {
  readonly flags: SectionFlags;
  readonly nobits: boolean;
  readonly size: number;
  /** Alignment in bytes (a power of two). */
  readonly align: number;
}

/** The segment a section belongs to: 'rx', 'rw' or null (not loaded). */
export function segmentOf(s: LayoutInput): 'rx' | 'rw' | null {
  if (!s.flags.alloc) return null;
  return s.flags.write ? 'rw' : 'rx';
}

const alignUp = (v: bigint, a: bigint): bigint => (v + a - 1n) / a * a;

/**
 * Address of each section (index-parallel to `sections`). `base` must be `pageSize`-aligned.
 * Order inside the R+X segment: executable sections, then read-only data; inside R+W:
 * PROGBITS, then NOBITS. Within a group, the order of first appearance in the source.
 */
export function layoutSections(sections: readonly LayoutInput[], base: bigint, pageSize: bigint): bigint[] {
  const addrs = sections.map(() => 0n);
  const groups: number[][] = [[], [], [], []];
  sections.forEach((s, i) => {
    const seg = segmentOf(s);
    if (seg === 'rx') groups[s.flags.exec ? 0 : 1]!.push(i);
    else if (seg === 'rw') groups[s.nobits ? 3 : 2]!.push(i);
  });
  let at = base;
  groups.forEach((g, gi) => {
    if (gi === 2 && (groups[2]!.length > 0 || groups[3]!.length > 0) && at !== base) at = alignUp(at, pageSize);
    for (const i of g) {
      const s = sections[i]!;
      at = alignUp(at, BigInt(Math.max(1, s.align)));
      addrs[i] = at;
      at += BigInt(s.size);
    }
  });
  return addrs;
}
