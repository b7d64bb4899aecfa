// The decoded-instruction cache: per physical page of code, 1024 entries of {word u32, op u16,
// aux u16}; op 0 means "not decoded yet". Stores to a page held here always take the slow store
// path (the uTLB never caches write permission for it), which clears the decoded entries they hit,
// so self-modifying code and code loading behave as if instruction fetch were coherent.

import { DCACHE_PAGES, DCACHE_PAGE_BYTES } from "../layout";
import { ramBase, PF_CODE, pageFlag, setPageFlag } from "../mem/phys";
import { utlbDropWritesTo } from "../mmu/tlb";

export let dcTags: usize = 0;     // u64 × DCACHE_PAGES: physical page address held by each slot, or MAX
export let dcData: usize = 0;     // DCACHE_PAGES × DCACHE_PAGE_BYTES

/** Decoded entries of the page the CPU is executing (set by the fetch path when the page changes). */
export let execEntries: usize = 0;
export function setExecEntries(p: usize): void { execEntries = p; }

/** The word of the instruction at `pc` on the executing page (for syndromes built during its execution). */
export function execWord(pc: u64): u32 {
  return load<u32>(execEntries + (<usize>((<u32>pc & 0xfff) >> 2) << 3));
}

export function dcacheInit(tags: usize, data: usize): void {
  dcTags = tags;
  dcData = data;
  // Every slot empty (the tags are zero here, which is not "no page": no flag to clear yet).
  for (let i = 0; i < DCACHE_PAGES; i++) store<u64>(dcTags + (<usize>i << 3), u64.MAX_VALUE);
}

export function dcacheFlush(): void {
  for (let i = 0; i < DCACHE_PAGES; i++) {
    const t = load<u64>(dcTags + (<usize>i << 3));
    if (t != u64.MAX_VALUE) setPageFlag(t, pageFlag(t) & ~PF_CODE);
    store<u64>(dcTags + (<usize>i << 3), u64.MAX_VALUE);
  }
}

/** The decoded entries of physical page `pa` (page-aligned), allocating the slot if needed. */
export function dcachePage(pa: u64): usize {
  const page = pa & ~(<u64>0xfff);
  const slot = <usize>(<u32>(page >> 12) & <u32>(DCACHE_PAGES - 1));
  const tagp = dcTags + (slot << 3);
  const data = dcData + slot * DCACHE_PAGE_BYTES;
  const old = load<u64>(tagp);
  if (old == page) return data;
  if (old != u64.MAX_VALUE) setPageFlag(old, pageFlag(old) & ~PF_CODE);
  store<u64>(tagp, page);
  memory.fill(data, 0, DCACHE_PAGE_BYTES);
  setPageFlag(page, pageFlag(page) | PF_CODE);
  utlbDropWritesTo(page);
  return data;
}

/** A store hit [pa, pa+size) on a code page: forget the decoded instructions it overlaps. */
export function dcacheStore(pa: u64, size: u32): void {
  const page = pa & ~(<u64>0xfff);
  const slot = <usize>(<u32>(page >> 12) & <u32>(DCACHE_PAGES - 1));
  if (load<u64>(dcTags + (slot << 3)) != page) return;
  const data = dcData + slot * DCACHE_PAGE_BYTES;
  const first = <u32>(pa & 0xfff) >> 2;
  let last = (<u32>(pa & 0xfff) + size - 1) >> 2;
  if (last > 1023) last = 1023;
  for (let i = first; i <= last; i++) store<u32>(data + (<usize>i << 3), 0, 4);
}

/** Host writes to RAM (loading images) must call this for the range they wrote. */
export function dcacheInvalidateRange(pa: u64, size: u64): void {
  let p = pa & ~(<u64>0xfff);
  const end = pa + size;
  while (p < end) {
    const slot = <usize>(<u32>(p >> 12) & <u32>(DCACHE_PAGES - 1));
    const tagp = dcTags + (slot << 3);
    if (load<u64>(tagp) == p) {
      store<u64>(tagp, u64.MAX_VALUE);
      setPageFlag(p, pageFlag(p) & ~PF_CODE);
    }
    p += 4096;
  }
}

export function isCodePage(pa: u64): bool {
  return pa - ramBase < (<u64>1 << 40) && (pageFlag(pa) & PF_CODE) != 0;
}
