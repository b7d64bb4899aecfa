/**
 * An Arm SMMUv2-style IOMMU (the part SeKVM relies on, sekvm.md §2.2.5/§2.3): global registers
 * sCR0 / sCR2, context bank attribute registers CBAR<n>, and per context bank SCTLR, TTBR0,
 * TCR, CONTEXTIDR, FSR/FAR. Devices DMA through a fixed context bank (stream matching is not
 * modelled: each DMA device is wired to one bank). Translation walks the bank's table in
 * physical memory with the stage-2 descriptor format (40-bit input, two concatenated level-1
 * root tables, as SeKVM's SMMU tables), S2AP permissions.
 *
 * Bypass: when sCR0.CLIENTPD = 1, or sCR0 bit 21 (SMCFCFG, as sekvm.md §2.3 names it) = 0,
 * streams are not translated — DMA reaches physical memory directly. A bank with SCTLR.M = 0
 * faults every access (no per-bank bypass in this model).
 *
 * Register map of one SMMU (4 KB pages): GR0 at +0x0000, GR1 at +0x1000, context bank n at
 * +0x10000 + n × 0x1000. Size 0x20000.
 */
import type { Machine } from '../machine/machine.js';
import { lookupLeaf, stage2Geometry } from '../arch/pgwalk.js';
import { S2AP_R, S2AP_W } from '../arch/desc.js';

export const SMMU_BASE = 0x0905_0000n;
export const SMMU_SIZE = 0x2_0000n;
export const SMMU_BANKS = 8;

export const GR0_SCR0 = 0x000;
export const GR0_SCR2 = 0x008;
export const GR0_IDR0 = 0x020;
export const GR1_CBAR = 0x1000;           // + 4n
export const CB_BASE = 0x1_0000;
export const CB_STRIDE = 0x1000;
export const CB_SCTLR = 0x000;
export const CB_TTBR0 = 0x020;
export const CB_TCR = 0x030;
export const CB_CONTEXTIDR = 0x034;
export const CB_FSR = 0x058;
export const CB_FAR = 0x060;

export const SCR0_CLIENTPD = 1;
export const SCR0_SMCFCFG = 1 << 21;

export class Smmu {
  /** Register file (byte offset → value); 64-bit registers are stored whole. */
  readonly regs = new Map<number, bigint>();
  /** DMA accesses translated / faulted / bypassed, for summaries and tests. */
  readonly stats = { translated: 0, faults: 0, bypassed: 0 };

  constructor(readonly index: number, readonly base: bigint, private readonly m: Machine) {
    this.regs.set(GR0_SCR0, BigInt(SCR0_SMCFCFG));      // reset: translate, no bypass
    this.regs.set(GR0_IDR0, 0x0800_0000n | BigInt(SMMU_BANKS));
  }

  owns(pa: bigint): boolean {
    return pa >= this.base && pa < this.base + SMMU_SIZE;
  }

  read(off: number): bigint {
    return this.regs.get(off) ?? 0n;
  }

  write(off: number, v: bigint): void {
    this.regs.set(off, v);
  }

  bankReg(cb: number, off: number): bigint {
    return this.read(CB_BASE + cb * CB_STRIDE + off);
  }

  /** Whether unmatched streams bypass translation (the configuration KCore must never allow). */
  bypassing(): boolean {
    const scr0 = Number(this.read(GR0_SCR0));
    return (scr0 & SCR0_CLIENTPD) !== 0 || (scr0 & SCR0_SMCFCFG) === 0;
  }

  /**
   * Translates a DMA access by a device wired to bank `cb`: returns the physical address, or
   * null with FSR/FAR of the bank set (a fault).
   */
  translate(cb: number, iova: bigint, write: boolean): bigint | null {
    if (this.bypassing()) {
      this.stats.bypassed++;
      return iova;
    }
    const fail = (): null => {
      this.stats.faults++;
      this.write(CB_BASE + cb * CB_STRIDE + CB_FSR, 2n);
      this.write(CB_BASE + cb * CB_STRIDE + CB_FAR, iova);
      return null;
    };
    if (cb < 0 || cb >= SMMU_BANKS || (this.bankReg(cb, CB_SCTLR) & 1n) === 0n) return fail();
    if (iova >= 1n << 40n) return fail();
    const root = this.bankReg(cb, CB_TTBR0) & 0x0000_ffff_ffff_e000n;
    if (!this.m.inRam(root, 8192)) return fail();
    const m = this.m;
    const leaf = lookupLeaf((a) => (m.inRam(a, 8) ? m.read64(a) : 0n), stage2Geometry(root), iova);
    if (leaf === null) return fail();
    const pte = leaf.desc;
    const need = write ? S2AP_W : S2AP_R;
    if ((pte & need) === 0n) return fail();
    this.stats.translated++;
    return leaf.outBase | (iova - leaf.inBase);
  }
}


/**
 * A DMA-capable device behind an SMMU context bank: copies bytes between a host-side buffer and
 * guest-physical/IO virtual addresses, translated page by page. Returns false if any page faulted
 * (nothing after the fault is transferred).
 */
export class DmaDevice {
  constructor(readonly name: string, readonly smmu: Smmu, readonly bank: number, private readonly m: Machine) {}

  read(iova: bigint, len: number): Uint8Array | null {
    const out = new Uint8Array(len);
    for (let off = 0; off < len; ) {
      const a = iova + BigInt(off);
      const n = Math.min(len - off, 4096 - Number(a & 4095n));
      const pa = this.smmu.translate(this.bank, a, false);
      if (pa === null || !this.m.inRam(pa, n)) return null;
      out.set(this.m.readPhys(pa, n), off);
      off += n;
    }
    return out;
  }

  write(iova: bigint, bytes: Uint8Array): boolean {
    for (let off = 0; off < bytes.length; ) {
      const a = iova + BigInt(off);
      const n = Math.min(bytes.length - off, 4096 - Number(a & 4095n));
      const pa = this.smmu.translate(this.bank, a, true);
      if (pa === null || !this.m.inRam(pa, n)) return false;
      this.m.writePhys(pa, bytes.subarray(off, off + n));
      off += n;
    }
    return true;
  }
}
