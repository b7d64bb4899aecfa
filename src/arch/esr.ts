/**
 * ESR_ELx decoding for traces, exits and error messages (../shared/spec/arm.md §3.1–3.4).
 * Names follow Linux `esr.h` (`ESR_ELx_EC_*`) so the text reads like a kernel log.
 */

/** Exception classes (EC, bits 31:26). */
export const EC = {
  UNKNOWN: 0x00,
  WFx: 0x01,
  FP_ASIMD: 0x07,
  ILL: 0x0e,
  SVC64: 0x15,
  HVC64: 0x16,
  SMC64: 0x17,
  SYS64: 0x18,
  IABT_LOW: 0x20,
  IABT_CUR: 0x21,
  PC_ALIGN: 0x22,
  DABT_LOW: 0x24,
  DABT_CUR: 0x25,
  SP_ALIGN: 0x26,
  SERROR: 0x2f,
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

/** Text for a DFSC/IFSC value, e.g. `translation fault, level 3`. */
export function fscName(fsc: number): string {
  const kind = FSC_KIND[fsc & 0x3c];
  if (kind !== undefined && fsc < 0x10) return `${kind}, level ${fsc & 3}`;
  if (fsc === 0x10) return 'synchronous external abort';
  if (fsc >= 0x14 && fsc <= 0x17) return `synchronous external abort on walk, level ${fsc & 3}`;
  if (fsc === 0x21) return 'alignment fault';
  if (fsc === 0x30) return 'TLB conflict abort';
  return `fault status 0x${fsc.toString(16)}`;
}

/** One-line decoding of an ESR value: `ESR=0x5a000000 EC=0x16 HVC64 imm=0`. */
export function describeEsr(esr: number): string {
  const ec = esrEc(esr);
  const iss = esrIss(esr);
  const head = `ESR=0x${(esr >>> 0).toString(16).padStart(8, '0')} EC=0x${ec.toString(16).padStart(2, '0')} ${ecName(ec)}`;
  switch (ec) {
    case EC.SVC64:
    case EC.HVC64:
    case EC.SMC64:
    case EC.BRK64:
      return `${head} imm=0x${(iss & 0xffff).toString(16)}`;
    case EC.DABT_LOW:
    case EC.DABT_CUR: {
      const parts = [fscName(iss & 0x3f), iss & (1 << 6) ? 'write' : 'read'];
      if (iss & (1 << 24)) {
        parts.push(`ISV SAS=${(iss >> 22) & 3} SSE=${(iss >> 21) & 1} SRT=${(iss >> 16) & 31} SF=${(iss >> 15) & 1} AR=${(iss >> 14) & 1}`);
      }
      if (iss & (1 << 7)) parts.push('S1PTW');
      if (iss & (1 << 8)) parts.push('CM');
      if (iss & (1 << 9)) parts.push('EA');
      return `${head} ${parts.join(', ')}`;
    }
    case EC.IABT_LOW:
    case EC.IABT_CUR:
      return `${head} ${fscName(iss & 0x3f)}${iss & (1 << 7) ? ', S1PTW' : ''}`;
    case EC.SYS64: {
      const op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
      const crn = (iss >> 10) & 15, rt = (iss >> 5) & 31, crm = (iss >> 1) & 15;
      return `${head} ${iss & 1 ? 'MRS' : 'MSR'} S${op0}_${op1}_C${crn}_C${crm}_${op2} Rt=${rt}`;
    }
    case EC.WFx:
      return `${head} ${['WFI', 'WFE', 'WFIT', 'WFET'][iss & 3]}`;
    default:
      return head;
  }
}
