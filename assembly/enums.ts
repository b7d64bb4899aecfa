// Codes shared with the TypeScript host. They reach TS as wasm exports ("ExitReason.Budget"), read
// once by src/machine/view.ts, so the numbers have one source (STYLE rule 12).

/** Why run(cpu, budget) returned: the shape of KVM_RUN's exit_reason. */
export enum ExitReason {
  /** The instruction budget ran out; the CPU can simply be run again. */
  Budget = 1,
  /** An exception was taken to an EL that the host implements (host mode, e.g. EL2 = KCore). */
  Exception = 2,
  /** A physical access to a device (MMIO) range registered by the host; complete it and run again. */
  Mmio = 3,
  /** The CPU executed WFI/WFE with nothing pending; it waits for an event or interrupt. */
  Idle = 4,
  /** Semihosting call (HLT #0xF000); the host performs it and runs again. */
  Semihost = 5,
  /** The CPU is powered off (PSCI CPU_OFF or never started). */
  Off = 6,
}

/** Exception classes (ESR_ELx.EC), Arm ARM D17.2.37; ../shared/spec/arm.md §3.1. */
export enum Ec {
  Unknown = 0x00,
  Wfx = 0x01,
  FpAccess = 0x07,
  IllegalState = 0x0e,
  Svc64 = 0x15,
  Hvc64 = 0x16,
  Smc64 = 0x17,
  Sys64 = 0x18,
  IabtLow = 0x20,
  IabtCur = 0x21,
  PcAlign = 0x22,
  DabtLow = 0x24,
  DabtCur = 0x25,
  SpAlign = 0x26,
  SError = 0x2f,
  Brk64 = 0x3c,
}

/** Fault status codes (DFSC/IFSC), ../shared/spec/arm.md §3.4. Level is added for walk faults. */
export enum Fsc {
  AddressSize = 0x00,
  Translation = 0x04,
  AccessFlag = 0x08,
  Permission = 0x0c,
  SyncExternal = 0x10,
  SyncExternalWalk = 0x14,
  Alignment = 0x21,
  TlbConflict = 0x30,
}

/** Exception kinds, selecting the vector offset within a group (Arm ARM D1.10.2). */
export enum ExcKind {
  Sync = 0,
  Irq = 1,
  Fiq = 2,
  SError = 3,
}

/** Kinds of memory access, for translation and faults. */
export enum Access {
  Read = 0,
  Write = 1,
  Exec = 2,
}
