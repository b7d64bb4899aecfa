/**
 * KServ's physical page allocator over host memory (Linux's buddy allocator, reduced to what
 * KVM/QEMU need here): single 4 KB pages for guest RAM faults and host buffers, and 2 MB-aligned
 * runs of 512 pages for boot images (SeKVM moves images to a VM in 2 MB blocks, so QEMU backs
 * them with huge pages). Deterministic: lowest free page first; 2 MB runs from the top.
 */
export class PageAllocator {
  private readonly used: Uint8Array;
  private readonly first: number;
  private cursor = 0;
  free: number;

  /** Manages pfns [firstPfn, endPfn). */
  constructor(firstPfn: number, endPfn: number) {
    this.first = firstPfn;
    this.used = new Uint8Array(Math.max(0, endPfn - firstPfn));
    this.free = this.used.length;
  }

  /** One page, or null when host memory is exhausted. */
  alloc(): number | null {
    const n = this.used.length;
    for (let i = 0; i < n; i++) {
      const j = (this.cursor + i) % n;
      if (this.used[j] === 0) {
        this.used[j] = 1;
        this.cursor = j + 1;
        this.free--;
        return this.first + j;
      }
    }
    return null;
  }

  /** 512 contiguous pages starting at a 2 MB-aligned pfn, or null. */
  alloc2m(): number | null {
    const startAligned = Math.ceil(this.first / 512) * 512;
    for (let base = Math.floor((this.first + this.used.length - 512) / 512) * 512; base >= startAligned; base -= 512) {
      const off = base - this.first;
      let ok = true;
      for (let i = 0; i < 512 && ok; i++) if (this.used[off + i] !== 0) ok = false;
      if (!ok) continue;
      this.used.fill(1, off, off + 512);
      this.free -= 512;
      return base;
    }
    return null;
  }

  /** Returns a page (after VM teardown hands it back). Freeing an unused page is a KServ bug. */
  release(pfn: number): void {
    const j = pfn - this.first;
    if (j < 0 || j >= this.used.length || this.used[j] === 0) throw new Error(`kserv: freeing pfn 0x${pfn.toString(16)} that is not allocated`);
    this.used[j] = 0;
    this.free++;
  }

  owns(pfn: number): boolean {
    const j = pfn - this.first;
    return j >= 0 && j < this.used.length;
  }
}
