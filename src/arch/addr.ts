/**
 * Address kinds as branded numbers (STYLE rule 10, after Hafnium's paddr_t/ipaddr_t): a
 * physical address, an intermediate physical address, a physical or guest frame number. All stay
 * below 2^53, so plain numbers are exact; 64-bit register and descriptor values are bigint.
 * Constructors are the only way in; there is no cross-kind arithmetic.
 */
export type Pa = number & { readonly __kind: 'Pa' };
export type Ipa = number & { readonly __kind: 'Ipa' };
export type Pfn = number & { readonly __kind: 'Pfn' };
export type Gfn = number & { readonly __kind: 'Gfn' };

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;

export function pa(n: number | bigint): Pa {
  return Number(n) as Pa;
}
export function ipa(n: number | bigint): Ipa {
  return Number(n) as Ipa;
}
export function pfn(n: number | bigint): Pfn {
  return Number(n) as Pfn;
}
export function gfn(n: number | bigint): Gfn {
  return Number(n) as Gfn;
}

export function pfnOf(a: Pa): Pfn {
  return Math.floor(a / PAGE_SIZE) as Pfn;
}
export function paOf(f: Pfn): Pa {
  return (f * PAGE_SIZE) as Pa;
}
export function gfnOf(a: Ipa): Gfn {
  return Math.floor(a / PAGE_SIZE) as Gfn;
}
export function ipaOf(g: Gfn): Ipa {
  return (g * PAGE_SIZE) as Ipa;
}
/** pa + bytes (same kind). */
export function paAdd(a: Pa, bytes: number): Pa {
  return (a + bytes) as Pa;
}
export function ipaAdd(a: Ipa, bytes: number): Ipa {
  return (a + bytes) as Ipa;
}

export function hex(n: number | bigint): string {
  return '0x' + n.toString(16);
}
