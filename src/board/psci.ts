/**
 * PSCI firmware (Arm DEN0022), answered by the host as QEMU's built-in PSCI does on the virt
 * board: with `virtualization=on` and no EL3, QEMU uses the SMC conduit (hw/arm/virt.c picks
 * SMC when the guest owns EL2, since HVC would trap to the guest's own hypervisor), so here an
 * SMC that EL2 does not trap exits to the host as a "firmware" call.
 * Function IDs and return codes: ../shared/spec/arm.md §7.
 */
export const PSCI = {
  VERSION: 0x8400_0000,
  CPU_SUSPEND_32: 0x8400_0001,
  CPU_SUSPEND_64: 0xc400_0001,
  CPU_OFF: 0x8400_0002,
  CPU_ON_32: 0x8400_0003,
  CPU_ON_64: 0xc400_0003,
  AFFINITY_INFO_32: 0x8400_0004,
  AFFINITY_INFO_64: 0xc400_0004,
  MIGRATE_INFO_TYPE: 0x8400_0006,
  SYSTEM_OFF: 0x8400_0008,
  SYSTEM_RESET: 0x8400_0009,
  FEATURES: 0x8400_000a,
} as const;

export const PSCI_RET = {
  SUCCESS: 0,
  NOT_SUPPORTED: -1,
  INVALID_PARAMETERS: -2,
  DENIED: -3,
  ALREADY_ON: -4,
  ON_PENDING: -5,
  INTERNAL_FAILURE: -6,
  NOT_PRESENT: -7,
  DISABLED: -8,
  INVALID_ADDRESS: -9,
} as const;

/** PSCI 1.1, as QEMU 7.x reports. */
export const PSCI_VERSION_VALUE = 0x0001_0001;

/** What the board must do after a PSCI call. */
export type PsciAction =
  | { readonly kind: 'return'; readonly x0: bigint }
  | { readonly kind: 'cpu-on'; readonly target: number; readonly entry: bigint; readonly context: bigint }
  | { readonly kind: 'cpu-off' }
  | { readonly kind: 'system-off' }
  | { readonly kind: 'system-reset' };

export interface PsciBoard {
  /** CPU index for an MPIDR affinity value, or -1. */
  cpuOfMpidr(mpidr: bigint): number;
  isOn(cpu: number): boolean;
}

const SUPPORTED = new Set<number>(Object.values(PSCI));

function ret(v: number): PsciAction {
  return { kind: 'return', x0: BigInt.asUintN(64, BigInt(v)) };
}

/** Decodes and performs the checks of one PSCI call; the board applies the action. */
export function psciCall(board: PsciBoard, fid: number, x1: bigint, x2: bigint, x3: bigint): PsciAction {
  switch (fid) {
    case PSCI.VERSION:
      return ret(PSCI_VERSION_VALUE);
    case PSCI.CPU_SUSPEND_32:
    case PSCI.CPU_SUSPEND_64:
      return ret(PSCI_RET.SUCCESS);
    case PSCI.CPU_OFF:
      return { kind: 'cpu-off' };
    case PSCI.CPU_ON_32:
    case PSCI.CPU_ON_64: {
      const target = board.cpuOfMpidr(fid === PSCI.CPU_ON_32 ? x1 & 0xffff_ffffn : x1);
      if (target < 0) return ret(PSCI_RET.INVALID_PARAMETERS);
      if (board.isOn(target)) return ret(PSCI_RET.ALREADY_ON);
      return { kind: 'cpu-on', target, entry: fid === PSCI.CPU_ON_32 ? x2 & 0xffff_ffffn : x2, context: x3 };
    }
    case PSCI.AFFINITY_INFO_32:
    case PSCI.AFFINITY_INFO_64: {
      if (x2 !== 0n) return ret(PSCI_RET.INVALID_PARAMETERS);
      const target = board.cpuOfMpidr(x1);
      if (target < 0) return ret(PSCI_RET.INVALID_PARAMETERS);
      return ret(board.isOn(target) ? 0 : 1);
    }
    case PSCI.MIGRATE_INFO_TYPE:
      return ret(2);   // no Trusted OS: migration not required
    case PSCI.SYSTEM_OFF:
      return { kind: 'system-off' };
    case PSCI.SYSTEM_RESET:
      return { kind: 'system-reset' };
    case PSCI.FEATURES:
      return ret(SUPPORTED.has(Number(x1 & 0xffff_ffffn)) ? PSCI_RET.SUCCESS : PSCI_RET.NOT_SUPPORTED);
    default:
      return ret(PSCI_RET.NOT_SUPPORTED);
  }
}
