// Physical memory: guest RAM inside wasm linear memory, device (MMIO) ranges that exit to the host,
// and a per-page flag map used to keep the decoded-instruction cache coherent with stores.

/** Guest-physical base and size of RAM, and where it lives in linear memory. */
export let ramBase: u64 = 0;
export let ramSize: u64 = 0;
export let ramHost: usize = 0;
/** One byte per RAM page: PF_CODE when the decoded-instruction cache holds the page. */
export let pageFlags: usize = 0;
/**
 * One byte per 2^DIRTY_GROUP_SHIFT RAM pages: non-zero when a page of the group was written or
 * had its flags changed since the last dirtyReset, so finding the dirty pages and restoring the
 * flags costs the groups touched, not the size of RAM.
 */
export let dirtyGroups: usize = 0;
export const DIRTY_GROUP_SHIFT: u32 = 6;

export const PF_CODE: u8 = 1;
/** Written since the last dirtyReset (machine snapshots restore only these RAM pages). */
export const PF_DIRTY: u8 = 2;

const MAX_MMIO: i32 = 32;
const mmioBase = memory.data(MAX_MMIO * 8, 8);
const mmioSize = memory.data(MAX_MMIO * 8, 8);
export let mmioCount: i32 = 0;

export function setRam(base: u64, size: u64, host: usize, flags: usize, groups: usize): void {
  ramBase = base;
  ramSize = size;
  ramHost = host;
  pageFlags = flags;
  dirtyGroups = groups;
}

/** Bytes of the dirty-group map for `ramBytes` of RAM. */
export function dirtyGroupBytes(ramBytes: u64): usize {
  return <usize>(((ramBytes >>> 12) + (1 << DIRTY_GROUP_SHIFT) - 1) >>> DIRTY_GROUP_SHIFT);
}


/** Host pointer of physical address pa if it is RAM, else 0. */
@inline export function paToHost(pa: u64): usize {
  const off = pa - ramBase;
  return off < ramSize ? ramHost + <usize>off : 0;
}

/** Registers a device range: physical accesses inside it exit to the host (ExitReason.Mmio). */
export function addMmio(base: u64, size: u64): bool {
  if (mmioCount >= MAX_MMIO) return false;
  store<u64>(mmioBase + (<usize>mmioCount << 3), base);
  store<u64>(mmioSize + (<usize>mmioCount << 3), size);
  mmioCount++;
  return true;
}

export function clearMmio(): void {
  mmioCount = 0;
}

/** True if pa lies in a registered device range. */
export function isMmio(pa: u64): bool {
  for (let i = 0; i < mmioCount; i++) {
    const b = load<u64>(mmioBase + (<usize>i << 3));
    if (pa - b < load<u64>(mmioSize + (<usize>i << 3))) return true;
  }
  return false;
}

@inline export function pageFlag(pa: u64): u8 {
  return load<u8>(pageFlags + <usize>((pa - ramBase) >>> 12));
}

/** Sets a page's flags and marks its dirty group (restore then looks at the group). */
@inline export function setPageFlag(pa: u64, f: u8): void {
  const page = <usize>((pa - ramBase) >>> 12);
  store<u8>(pageFlags + page, f);
  store<u8>(dirtyGroups + (page >>> DIRTY_GROUP_SHIFT), 1);
}
