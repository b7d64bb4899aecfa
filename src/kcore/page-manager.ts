/**
 * PageManager (SeKVM layer `PageManager`, PageMgmt.c): the s2page accessors `get/set_pfn_owner`,
 * `get/set_pfn_count`, `get/set_pfn_map`. A pfn outside RAM reads as owner INVALID_MEM. Callers
 * hold s2pages_lock (DRF-Kernel; the wDRF monitor checks it).
 */
import type { Gen } from '../sim/task.js';
import type { Pfn } from '../arch/addr.js';
import type { AbstractMachine } from './abstract-machine.js';
import { INVALID_MEM } from './constants.js';

export function* getPfnOwner(am: AbstractMachine, cpu: number, f: Pfn): Gen<number> {
  if (!am.isRamPfn(f)) return INVALID_MEM;
  return Number((yield* am.getS2PageWord(cpu, f)) >> 32n);
}

export function* setPfnOwner(am: AbstractMachine, cpu: number, f: Pfn, vmid: number): Gen {
  const w = yield* am.getS2PageWord(cpu, f);
  yield* am.setS2PageWord(cpu, f, (BigInt(vmid >>> 0) << 32n) | (w & 0xffff_ffffn));
}

/** count (the C `int count`; INVALID_MEM marks a VM page assigned through the SMMU). */
export function* getPfnCount(am: AbstractMachine, cpu: number, f: Pfn): Gen<number> {
  if (!am.isRamPfn(f)) return 0;
  return Number((yield* am.getS2PageWord(cpu, f)) & 0xffff_ffffn);
}

export function* setPfnCount(am: AbstractMachine, cpu: number, f: Pfn, count: number): Gen {
  const w = yield* am.getS2PageWord(cpu, f);
  yield* am.setS2PageWord(cpu, f, (w & 0xffff_ffff_0000_0000n) | BigInt(count >>> 0));
}

/** gfn the page is mapped at in its owner VM (INVALID64 = not yet known; 0 for host pages, as C). */
export function* getPfnMap(am: AbstractMachine, cpu: number, f: Pfn): Gen<bigint> {
  if (!am.isRamPfn(f)) return 0n;
  return yield* am.getS2PageGfn(cpu, f);
}

export function* setPfnMap(am: AbstractMachine, cpu: number, f: Pfn, g: bigint): Gen {
  yield* am.setS2PageGfn(cpu, f, g);
}
