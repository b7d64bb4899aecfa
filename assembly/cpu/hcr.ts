// HCR_EL2 bits (../shared/spec/arm.md §4; Arm ARM D13.2.48) and the CPU's interrupt input lines.
// One definition for every module that routes, traps or gates on them.

export const HCR_VM: u64 = 1 << 0;
export const HCR_PTW: u64 = 1 << 2;
export const HCR_FMO: u64 = 1 << 3;
export const HCR_IMO: u64 = 1 << 4;
export const HCR_AMO: u64 = 1 << 5;
export const HCR_VF: u64 = 1 << 6;
export const HCR_VI: u64 = 1 << 7;
export const HCR_VSE: u64 = 1 << 8;
export const HCR_FB: u64 = 1 << 9;
export const HCR_DC: u64 = 1 << 12;
export const HCR_TWI: u64 = 1 << 13;
export const HCR_TWE: u64 = 1 << 14;
export const HCR_TID1: u64 = 1 << 16;
export const HCR_TID2: u64 = 1 << 17;
export const HCR_TID3: u64 = 1 << 18;
export const HCR_TSC: u64 = 1 << 19;
export const HCR_TACR: u64 = 1 << 21;
export const HCR_TSW: u64 = 1 << 22;
export const HCR_TPC: u64 = 1 << 23;
export const HCR_TPU: u64 = 1 << 24;
export const HCR_TTLB: u64 = 1 << 25;
export const HCR_TVM: u64 = 1 << 26;
export const HCR_TGE: u64 = 1 << 27;
export const HCR_TDZ: u64 = 1 << 28;
export const HCR_HCD: u64 = <u64>1 << 29;
export const HCR_TRVM: u64 = <u64>1 << 30;
export const HCR_RW: u64 = <u64>1 << 31;

/** Interrupt lines (CpuHeader.lines): physical IRQ/FIQ/SError and virtual IRQ/FIQ from the GIC. */
export const LINE_IRQ: u32 = 1;
export const LINE_FIQ: u32 = 2;
export const LINE_SERROR: u32 = 4;
export const LINE_VIRQ: u32 = 8;
export const LINE_VFIQ: u32 = 16;
