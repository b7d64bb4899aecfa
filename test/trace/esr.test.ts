/**
 * The ESR decoder (src/arch/esr.ts) on real syndromes. Expected values are worked out from the
 * field layout in ../shared/spec/arm.md §3.2–3.5, not taken from the decoder.
 */
import { describe, it, expect } from 'vitest';
import {
  describeEsr, decodeAbortIss, decodeSysIss, sysIssInsn, esrEc, esrIss, ecName, fscName, hpfarIpa, EC,
} from '../../src/arch/esr.js';

/** A trapped MSR/MRS/SYS syndrome built field by field (arm.md §3.2, EC 0x18, IL = 1). */
function sysEsr(op0: number, op1: number, crn: number, crm: number, op2: number, rt: number, read: boolean): number {
  const iss = (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0);
  return ((EC.SYS64 << 26) | (1 << 25) | iss) >>> 0;
}

describe('ESR fields', () => {
  it('EC is bits 31:26 and ISS bits 24:0', () => {
    expect(esrEc(0x5a000000)).toBe(0x16);
    expect(esrIss(0x93c08046)).toBe(0x1c08046);
  });

  it('names the classes of arm.md §3.1 and falls back to the number', () => {
    expect(ecName(0x24)).toBe('DABT_LOW');
    expect(ecName(0x1a)).toBe('ERET');
    expect(ecName(0x12)).toBe('HVC32');
    expect(ecName(0x3f)).toBe('EC_0x3f');
  });

  it('keeps the existing fault-status wording', () => {
    expect(fscName(0x07)).toBe('translation fault, level 3');
    expect(fscName(0x0e)).toBe('permission fault, level 2');
    expect(fscName(0x0b)).toBe('access flag fault, level 3');
    expect(fscName(0x10)).toBe('synchronous external abort');
    expect(fscName(0x15)).toBe('synchronous external abort on walk, level 1');
    expect(fscName(0x21)).toBe('alignment fault');
    expect(fscName(0x3f)).toBe('fault status 0x3f');
  });

  it('HPFAR_EL2 FIPA (bits 43:4) is IPA[47:12]', () => {
    expect(hpfarIpa(0x90000n)).toBe(0x9000000n);
    expect(hpfarIpa(0x400a40n)).toBe(0x400a4000n);
    // bits 3:0 are RES0 and bit 63 (NS) is not part of the address
    expect(hpfarIpa((1n << 63n) | 0x400a4fn)).toBe(0x400a4000n);
  });
});

describe('describeEsr', () => {
  it('HVC64 with imm16 0 (0x5a000000)', () => {
    expect(describeEsr(0x5a000000)).toBe('ESR=0x5a000000 EC=0x16 HVC64 imm=0');
    expect(describeEsr(0x5a000000, 'ESR_EL2')).toBe('ESR_EL2=0x5a000000 EC=0x16 HVC64 imm=0');
  });

  it('SVC, SMC and BRK show their imm16 in hex', () => {
    expect(describeEsr(0x56000001)).toBe('ESR=0x56000001 EC=0x15 SVC64 imm=0x1');
    expect(describeEsr(0x5e00002a)).toBe('ESR=0x5e00002a EC=0x17 SMC64 imm=0x2a');
    expect(describeEsr(0xf2000800)).toBe('ESR=0xf2000800 EC=0x3c BRK64 imm=0x800');
  });

  it('0x93c08046: STR X0 to an unmapped IPA (ISV, 64-bit write, stage-2 translation fault level 2)', () => {
    // 0x93c08046 = EC 100100 (DABT_LOW), IL 1, ISV 1, SAS 11, SSE 0, SRT 00000, SF 1, AR 0,
    // FnV/EA/CM/S1PTW 0, WnR 1, DFSC 000110.
    expect(decodeAbortIss(esrIss(0x93c08046))).toEqual({
      isv: true, sas: 3, sse: false, srt: 0, sf: true, ar: false, fnv: false, ea: false, cm: false, s1ptw: false, wnr: true, fsc: 0x06,
    });
    expect(describeEsr(0x93c08046, 'ESR_EL2')).toBe(
      'ESR_EL2=0x93c08046 EC=0x24 DABT_LOW ISV=1 SAS=3 SSE=0 SRT=0 SF=1 AR=0 WnR=1 S1PTW=0 DFSC=0x06 ' +
      '(64-bit write from X0, translation fault, level 2)');
  });

  it('a 32-bit MMIO store (0x93820045: STR W2, translation fault level 1)', () => {
    expect(describeEsr(0x93820045)).toBe(
      'ESR=0x93820045 EC=0x24 DABT_LOW ISV=1 SAS=2 SSE=0 SRT=2 SF=0 AR=0 WnR=1 S1PTW=0 DFSC=0x05 ' +
      '(32-bit write from W2, translation fault, level 1)');
  });

  it('a sign-extending byte load and a load-acquire into XZR', () => {
    // ISV, SAS 00, SSE 1, SRT 3, SF 1, read, translation level 3
    expect(describeEsr(0x93238007)).toContain('(8-bit sign-extending read into X3, translation fault, level 3)');
    // ISV, SAS 11, SRT 31, SF 1, AR 1, read, access flag level 3
    expect(describeEsr(0x93dfc00b)).toContain('AR=1 WnR=0 S1PTW=0 DFSC=0x0b (64-bit acquire read into XZR, access flag fault, level 3)');
  });

  it('a stage-2 translation fault with ISV=0 (LDP/STP, writeback) has no access fields', () => {
    expect(describeEsr(0x92000007)).toBe('ESR=0x92000007 EC=0x24 DABT_LOW ISV=0 WnR=0 S1PTW=0 DFSC=0x07 (read, translation fault, level 3)');
    expect(describeEsr(0x92000047)).toBe('ESR=0x92000047 EC=0x24 DABT_LOW ISV=0 WnR=1 S1PTW=0 DFSC=0x07 (write, translation fault, level 3)');
  });

  it('permission fault, S1PTW, external abort and FnV', () => {
    expect(describeEsr(0x9200004e)).toContain('DFSC=0x0e (write, permission fault, level 2)');
    expect(describeEsr(0x92000087)).toBe(
      'ESR=0x92000087 EC=0x24 DABT_LOW ISV=0 WnR=0 S1PTW=1 DFSC=0x07 (read, on a stage-1 table walk, translation fault, level 3)');
    expect(describeEsr(0x92000610)).toBe(
      'ESR=0x92000610 EC=0x24 DABT_LOW ISV=0 WnR=0 S1PTW=0 EA=1 FnV=1 DFSC=0x10 (read, FAR not valid, synchronous external abort)');
  });

  it('instruction aborts show S1PTW and IFSC only', () => {
    expect(describeEsr(0x82000005)).toBe('ESR=0x82000005 EC=0x20 IABT_LOW S1PTW=0 IFSC=0x05 (translation fault, level 1)');
    expect(describeEsr(0x8600000f)).toBe('ESR=0x8600000f EC=0x21 IABT_CUR S1PTW=0 IFSC=0x0f (permission fault, level 3)');
  });

  it('SYS64: a trapped MRS of an ID register (HCR_EL2.TID3)', () => {
    const esr = sysEsr(3, 0, 0, 7, 0, 2, true);
    expect(esr).toBe(0x6230004f);
    expect(decodeSysIss(esrIss(esr))).toEqual({ op0: 3, op1: 0, crn: 0, crm: 7, op2: 0, rt: 2, read: true });
    expect(describeEsr(esr)).toBe('ESR=0x6230004f EC=0x18 SYS64 op0=3 op1=0 CRn=0 CRm=7 op2=0 Rt=2 read (MRS X2, ID_AA64MMFR0_EL1)');
  });

  it('SYS64: a trapped MSR ICC_SGI1R_EL1 (0x623a3056, seen in the smp guest)', () => {
    expect(describeEsr(0x623a3056)).toBe('ESR=0x623a3056 EC=0x18 SYS64 op0=3 op1=0 CRn=12 CRm=11 op2=5 Rt=2 write (MSR ICC_SGI1R_EL1, X2)');
  });

  it('SYS64: unknown registers keep the generic name; XZR; system instructions by alias', () => {
    expect(sysIssInsn(decodeSysIss(esrIss(sysEsr(3, 0, 15, 2, 0, 31, true))))).toBe('MRS XZR, S3_0_C15_C2_0');
    expect(sysIssInsn(decodeSysIss(esrIss(sysEsr(3, 4, 1, 1, 0, 1, false))))).toBe('MSR HCR_EL2, X1');
    expect(sysIssInsn(decodeSysIss(esrIss(sysEsr(1, 3, 7, 14, 1, 0, false))))).toBe('DC CIVAC, X0');
    expect(sysIssInsn(decodeSysIss(esrIss(sysEsr(1, 0, 8, 7, 0, 31, false))))).toBe('TLBI VMALLE1');
    expect(sysIssInsn(decodeSysIss(esrIss(sysEsr(1, 0, 15, 0, 0, 4, false))))).toBe('SYS #0, C15, C0, #0, X4');
    expect(sysIssInsn(decodeSysIss(esrIss(sysEsr(1, 0, 15, 0, 0, 4, true))))).toBe('SYSL X4, #0, C15, C0, #0');
  });

  it('WFx: TI tells WFI from WFE (CV/COND do not matter)', () => {
    expect(describeEsr(0x06000000)).toBe('ESR=0x06000000 EC=0x01 WFx WFI');
    expect(describeEsr(0x06000001)).toBe('ESR=0x06000001 EC=0x01 WFx WFE');
    expect(describeEsr(0x07e00000)).toBe('ESR=0x07e00000 EC=0x01 WFx WFI');
  });

  it('classes without a decoder show the raw ISS when there is one', () => {
    expect(describeEsr(0x02000000)).toBe('ESR=0x02000000 EC=0x00 UNKNOWN');
    expect(describeEsr(0x3a000000)).toBe('ESR=0x3a000000 EC=0x0e ILL');
    expect(describeEsr(0xbe000011)).toBe('ESR=0xbe000011 EC=0x2f SERROR ISS=0x11');
  });

  it('accepts a negative int (a syndrome that went through | or <<)', () => {
    expect(describeEsr(0x93c08046 | 0)).toBe(describeEsr(0x93c08046));
  });
});
