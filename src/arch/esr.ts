/**
 * ESR_ELx decoding for traces, exits and error messages (../shared/spec/arm.md §3.1–3.5).
 * Names follow Linux `esr.h` (`ESR_ELx_EC_*`) so the text reads like a kernel log.
 * This module only reads syndromes; building them is the core's job (assembly/cpu/exception.ts)
 * and src/arch/inject.ts's.
 */
import { SYSINSNS, sysKey, sysRegByKey } from './sysregs.js';

/** Exception classes (EC, bits 31:26; arm.md §3.1). */
export const EC = {
  UNKNOWN: 0x00,
  WFx: 0x01,
  CP15_32: 0x03,
  CP15_64: 0x04,
  CP14_MR: 0x05,
  CP14_LS: 0x06,
  FP_ASIMD: 0x07,
  CP14_64: 0x0c,
  ILL: 0x0e,
  SVC32: 0x11,
  HVC32: 0x12,
  SMC32: 0x13,
  SVC64: 0x15,
  HVC64: 0x16,
  SMC64: 0x17,
  SYS64: 0x18,
  SVE: 0x19,
  ERET: 0x1a,
  IABT_LOW: 0x20,
  IABT_CUR: 0x21,
  PC_ALIGN: 0x22,
  DABT_LOW: 0x24,
  DABT_CUR: 0x25,
  SP_ALIGN: 0x26,
  SERROR: 0x2f,
  BREAKPT_LOW: 0x30,
  BREAKPT_CUR: 0x31,
  SOFTSTP_LOW: 0x32,
  SOFTSTP_CUR: 0x33,
  WATCHPT_LOW: 0x34,
  WATCHPT_CUR: 0x35,
  BRK64: 0x3c,
} as const;

const EC_NAME = new Map<number, string>(Object.entries(EC).map(([k, v]) => [v, k]));

export function esrEc(esr: number): number {
  return (esr >>> 26) & 0x3f;
}

export function esrIss(esr: number): number {
  return esr & 0x1ffffff;
}

/** Name of an EC value, e.g. `HVC64`, or `EC_0x3f`. */
export function ecName(ec: number): string {
  return EC_NAME.get(ec) ?? `EC_0x${ec.toString(16)}`;
}

const FSC_KIND: Record<number, string> = {
  0x00: 'address size fault',
  0x04: 'translation fault',
  0x08: 'access flag fault',
  0x0c: 'permission fault',
};

/** Text for a DFSC/IFSC value (arm.md §3.4), e.g. `translation fault, level 3`. */
export function fscName(fsc: number): string {
  const kind = FSC_KIND[fsc & 0x3c];
  if (kind !== undefined && fsc < 0x10) return `${kind}, level ${fsc & 3}`;
  if (fsc === 0x10) return 'synchronous external abort';
  if (fsc === 0x11) return 'tag check fault';
  if (fsc >= 0x14 && fsc <= 0x17) return `synchronous external abort on walk, level ${fsc & 3}`;
  if (fsc === 0x21) return 'alignment fault';
  if (fsc === 0x30) return 'TLB conflict abort';
  if (fsc === 0x31) return 'unsupported atomic hardware update';
  return `fault status 0x${fsc.toString(16)}`;
}

/**
 * The ISS of an instruction or data abort (EC 0x20/0x21/0x24/0x25; arm.md §3.2). For an
 * instruction abort only `fnv`, `ea`, `s1ptw` and `fsc` are meaningful; for a data abort the
 * access fields (`sas` … `ar`) only when `isv`.
 */
export interface AbortIss {
  /** ISV, bit 24: bits 23:14 describe the access (a single-register load/store without writeback). */
  readonly isv: boolean;
  /** SAS, bits 23:22: access size is 1 << sas bytes. */
  readonly sas: number;
  /** SSE, bit 21: the load sign-extends. */
  readonly sse: boolean;
  /** SRT, bits 20:16: the transfer register (31 = XZR/WZR). */
  readonly srt: number;
  /** SF, bit 15: the register is 64-bit (X), else 32-bit (W). */
  readonly sf: boolean;
  /** AR, bit 14: acquire/release semantics. */
  readonly ar: boolean;
  /** FnV, bit 10: FAR is not valid. */
  readonly fnv: boolean;
  /** EA, bit 9: external abort. */
  readonly ea: boolean;
  /** CM, bit 8: a cache maintenance or address translation instruction faulted. */
  readonly cm: boolean;
  /** S1PTW, bit 7: the fault is on the stage-2 translation of a stage-1 table walk. */
  readonly s1ptw: boolean;
  /** WnR, bit 6: the access was a write. */
  readonly wnr: boolean;
  /** DFSC/IFSC, bits 5:0 (arm.md §3.4). */
  readonly fsc: number;
}

export function decodeAbortIss(iss: number): AbortIss {
  const bit = (n: number): boolean => ((iss >>> n) & 1) === 1;
  return {
    isv: bit(24),
    sas: (iss >>> 22) & 3,
    sse: bit(21),
    srt: (iss >>> 16) & 31,
    sf: bit(15),
    ar: bit(14),
    fnv: bit(10),
    ea: bit(9),
    cm: bit(8),
    s1ptw: bit(7),
    wnr: bit(6),
    fsc: iss & 0x3f,
  };
}

/** The ISS of a trapped MSR, MRS or SYS instruction (EC 0x18; arm.md §3.2). */
export interface SysIss {
  readonly op0: number;
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
  /** Rt, the general-purpose register (31 = XZR). */
  readonly rt: number;
  /** Direction, bit 0: true for a read (MRS, SYSL), false for a write (MSR, SYS). */
  readonly read: boolean;
}

export function decodeSysIss(iss: number): SysIss {
  return {
    op0: (iss >>> 20) & 3,
    op2: (iss >>> 17) & 7,
    op1: (iss >>> 14) & 7,
    crn: (iss >>> 10) & 15,
    rt: (iss >>> 5) & 31,
    crm: (iss >>> 1) & 15,
    read: (iss & 1) === 1,
  };
}

const sysInsnByKey = new Map(SYSINSNS.map((d) => [sysKey(1, d.op1, d.crn, d.crm, d.op2), d]));

/**
 * The trapped instruction in assembler syntax: `MRS X2, ID_AA64MMFR0_EL1`, `MSR HCR_EL2, X1`,
 * `DC CIVAC, X0`. Registers src/arch/sysregs.ts does not know keep the generic name
 * (`S3_0_C15_C2_0`, `SYS #0, C7, C14, #2, X0`).
 */
export function sysIssInsn(s: SysIss): string {
  const x = s.rt === 31 ? 'XZR' : `X${s.rt}`;
  const key = sysKey(s.op0, s.op1, s.crn, s.crm, s.op2);
  if (s.op0 === 1) {
    const insn = sysInsnByKey.get(key);
    if (insn !== undefined && !s.read) return `${insn.kind.toUpperCase()} ${insn.op}${insn.hasRt ? `, ${x}` : ''}`;
    const ops = `#${s.op1}, C${s.crn}, C${s.crm}, #${s.op2}`;
    return s.read ? `SYSL ${x}, ${ops}` : `SYS ${ops}, ${x}`;
  }
  const reg = sysRegByKey(key)?.name ?? `S${s.op0}_${s.op1}_C${s.crn}_C${s.crm}_${s.op2}`;
  return s.read ? `MRS ${x}, ${reg}` : `MSR ${reg}, ${x}`;
}

/** WFx ISS TI, bits 1:0 (arm.md §3.2). */
const WFX_NAME = ['WFI', 'WFE', 'WFIT', 'WFET'] as const;

/**
 * The faulting IPA's page from HPFAR_EL2 (FIPA, IPA[47:12], sits in bits 43:4; arm.md §3.5).
 * Add FAR_EL2[11:0] for the byte address. Valid for stage-2 translation, access-flag and
 * address-size faults and for any S1PTW fault; UNKNOWN for other permission faults.
 */
export function hpfarIpa(hpfar: bigint): bigint {
  return (hpfar & 0xf_ffff_ffff_fff0n) << 8n;
}

/** `%#x`: 0 → `0`, 26 → `0x1a`. */
function hx(n: number): string {
  return n === 0 ? '0' : `0x${n.toString(16)}`;
}

function describeAbort(ec: number, iss: number): string {
  const a = decodeAbortIss(iss);
  const data = ec === EC.DABT_LOW || ec === EC.DABT_CUR;
  const fields: string[] = [];
  const words: string[] = [];
  if (data) {
    fields.push(`ISV=${+a.isv}`);
    if (a.isv) {
      fields.push(`SAS=${a.sas} SSE=${+a.sse} SRT=${a.srt} SF=${+a.sf} AR=${+a.ar}`);
      const reg = a.srt === 31 ? (a.sf ? 'XZR' : 'WZR') : `${a.sf ? 'X' : 'W'}${a.srt}`;
      const how = `${a.sse ? 'sign-extending ' : ''}${a.ar ? (a.wnr ? 'release ' : 'acquire ') : ''}`;
      words.push(`${8 << a.sas}-bit ${how}${a.wnr ? `write from ${reg}` : `read into ${reg}`}`);
    } else {
      words.push(a.wnr ? 'write' : 'read');
    }
    fields.push(`WnR=${+a.wnr}`);
  }
  fields.push(`S1PTW=${+a.s1ptw}`);
  if (a.s1ptw) words.push('on a stage-1 table walk');
  if (a.ea) fields.push('EA=1');
  if (data && a.cm) fields.push('CM=1');
  if (a.fnv) fields.push('FnV=1');
  if (data && a.cm) words.push('by cache maintenance');
  if (a.fnv) words.push('FAR not valid');
  fields.push(`${data ? 'DFSC' : 'IFSC'}=0x${a.fsc.toString(16).padStart(2, '0')}`);
  words.push(fscName(a.fsc));
  return `${fields.join(' ')} (${words.join(', ')})`;
}

function describeIss(ec: number, iss: number): string {
  switch (ec) {
    case EC.SVC64:
    case EC.HVC64:
    case EC.SMC64:
    case EC.BRK64:
      return `imm=${hx(iss & 0xffff)}`;
    case EC.DABT_LOW:
    case EC.DABT_CUR:
    case EC.IABT_LOW:
    case EC.IABT_CUR:
      return describeAbort(ec, iss);
    case EC.SYS64: {
      const s = decodeSysIss(iss);
      return `op0=${s.op0} op1=${s.op1} CRn=${s.crn} CRm=${s.crm} op2=${s.op2} Rt=${s.rt} ` +
        `${s.read ? 'read' : 'write'} (${sysIssInsn(s)})`;
    }
    case EC.WFx:
      return WFX_NAME[iss & 3];
    default:
      return iss === 0 ? '' : `ISS=0x${iss.toString(16)}`;
  }
}

/**
 * One-line decoding of an ESR value, with the register's name in front (`ESR` unless given):
 *   `ESR_EL2=0x5a000000 EC=0x16 HVC64 imm=0`
 *   `ESR_EL2=0x93c08046 EC=0x24 DABT_LOW ISV=1 SAS=3 SSE=0 SRT=0 SF=1 AR=0 WnR=1 S1PTW=0 DFSC=0x06 (64-bit write from X0, translation fault, level 2)`
 *   `ESR=0x6230004f EC=0x18 SYS64 op0=3 op1=0 CRn=0 CRm=7 op2=0 Rt=2 read (MRS X2, ID_AA64MMFR0_EL1)`
 * Classes without a decoder show the raw ISS when it is not zero.
 */
export function describeEsr(esr: number, reg = 'ESR'): string {
  const ec = esrEc(esr);
  const head = `${reg}=0x${(esr >>> 0).toString(16).padStart(8, '0')} EC=0x${ec.toString(16).padStart(2, '0')} ${ecName(ec)}`;
  const iss = describeIss(ec, esrIss(esr));
  return iss === '' ? head : `${head} ${iss}`;
}
