// Memory layout of the core (STYLE rule 11/12). Everything lives in wasm linear memory:
//
//   0 ─────────────── static data (AS), hot register file XREGS, tables
//   __heap_base ───── (64 KiB aligned) per-CPU blocks: NCPU × CPU_BLOCK_SIZE
//                     ┌──────────────────────────────────────────────────────────────┐
//                     │ CpuHeader (@unmanaged, fields below)                          │
//                     │ ExitRecord (@unmanaged; the host reads it, offsets exported)  │
//                     │ sysregs  u64[SYSREG_COUNT + 1]   indexed by SR_* id           │
//                     │ savedX   u64[32]   X0..X30 while the CPU is not active        │
//                     │ uTLB     3 EL × 3 access × UTLB_ENTRIES × 16 B                │
//                     └──────────────────────────────────────────────────────────────┘
//                     decoded-instruction cache: DCACHE_PAGES × (tag page + 1024 × 8 B)
//                     physical-page flag map: 1 byte per RAM page (code page, dirty bits)
//                     dirty-group map: 1 byte per 64 RAM pages (one of them is dirty)
//   ramHost ───────── guest RAM (ramSize bytes), mapped at physical ramBase
//
// src/machine/view.ts is the only TypeScript that knows these offsets; it reads them from the
// exported enums below (ExitField, CpuField), never from hand-written numbers.

import { SYSREG_COUNT } from "./cpu/sysregs.gen";

/** Per-CPU architectural state that is not in the hot globals while the CPU is active. */
@unmanaged export class CpuHeader {
  // Saved hot state (valid while the CPU is not the active one).
  pc: u64;
  sp: u64;
  nzcv: u32;
  el: u32;
  spsel: u32;
  daif: u32;
  /** PSTATE.IL: set by an illegal exception return (Arm ARM D1.4.4). */
  il: u32;
  /** 1 while the CPU is powered on (PSCI CPU_ON/CPU_OFF). */
  on: u32;
  // Banked stack pointers (Arm ARM D1.7.2). The active one lives in the hot `sp`.
  spEl0: u64;
  spEl1: u64;
  spEl2: u64;
  // Local exclusive monitor (Arm ARM B2.9): valid flag, physical address and size of the reservation.
  exValid: u32;
  exSize: u32;
  exAddr: u64;
  /** WFE event register (Arm ARM D1.16.1). */
  eventReg: u32;
  /** 1 while waiting in WFI/WFE. */
  waiting: u32;
  /** Translation-context id tagging this CPU's uTLB entries; bumped on every context change. */
  ctx: u32;
  /** Interrupt lines into this CPU: bit 0 IRQ, bit 1 FIQ, bit 2 SError (driven by the GIC/host). */
  lines: u32;
  /** Instructions retired, ever. */
  insns: u64;
  /** Simulated cycles (time) of this CPU. */
  cycles: u64;
  // MMIO replay (see mem/phys.ts): accesses already completed by the host for the current instruction.
  replayCount: u32;
  replayIndex: u32;
  replayData0: u64;
  replayData1: u64;
  // Cycle counter (cpu/pmu.ts): cycles up to `pmuSince` are folded into PMCCNTR_EL0 under the
  // counting rules of the EL the CPU was in (`pmuEl`); `pmuDiv` holds cycles towards the next
  // tick when PMCR_EL0.D divides by 64.
  pmuSince: u64;
  pmuEl: u32;
  pmuDiv: u32;
  // Walk stall cycles charged to this CPU (cpu/stall.ts), ever: inside run(), and for the
  // host's charged translations outside it.
  stallRun: u64;
  stallHost: u64;
}

/** The record the host reads after run() returns (STYLE rule 14: decoded by src/machine/exit.ts). */
@unmanaged export class ExitRecord {
  reason: u32;
  /** EL the exception was taken to (Exception exits). */
  targetEl: u32;
  /** ExcKind of the exception. */
  kind: u32;
  pad: u32;
  esr: u64;
  far: u64;
  hpfar: u64;
  /** Instructions retired during this run() call. */
  insns: u64;
  // Device access (Mmio exits).
  mmioPa: u64;
  mmioData: u64;
  mmioSize: u32;
  mmioWrite: u32;
  // Semihosting (Semihost exits): operation (W0) and parameter (X1).
  semiOp: u64;
  semiArg: u64;
}

/** Byte offsets of ExitRecord fields, exported for src/machine/view.ts. */
export enum ExitField {
  Reason = offsetof<ExitRecord>("reason"),
  TargetEl = offsetof<ExitRecord>("targetEl"),
  Kind = offsetof<ExitRecord>("kind"),
  Esr = offsetof<ExitRecord>("esr"),
  Far = offsetof<ExitRecord>("far"),
  Hpfar = offsetof<ExitRecord>("hpfar"),
  Insns = offsetof<ExitRecord>("insns"),
  MmioPa = offsetof<ExitRecord>("mmioPa"),
  MmioData = offsetof<ExitRecord>("mmioData"),
  MmioSize = offsetof<ExitRecord>("mmioSize"),
  MmioWrite = offsetof<ExitRecord>("mmioWrite"),
  SemiOp = offsetof<ExitRecord>("semiOp"),
  SemiArg = offsetof<ExitRecord>("semiArg"),
  Size = offsetof<ExitRecord>(),
}

/** Entries per uTLB array (direct-mapped by virtual page number); a power of two. */
export const UTLB_ENTRIES: i32 = 256;
export const UTLB_MASK: u32 = <u32>UTLB_ENTRIES - 1;
/** One uTLB array: UTLB_ENTRIES × {tag u64, delta u64}. */
export const UTLB_ARRAY_BYTES: usize = <usize>UTLB_ENTRIES * 16;

export const HDR_SIZE: usize = (offsetof<CpuHeader>() + 15) & ~15;
export const EXIT_OFF: usize = HDR_SIZE;
export const SYS_OFF: usize = (EXIT_OFF + offsetof<ExitRecord>() + 15) & ~15;
export const SAVEDX_OFF: usize = SYS_OFF + <usize>(SYSREG_COUNT + 1) * 8;
export const UTLB_OFF: usize = (SAVEDX_OFF + 32 * 8 + 63) & ~63;
export const CPU_BLOCK_SIZE: usize = (UTLB_OFF + 9 * UTLB_ARRAY_BYTES + 4095) & ~4095;

/** Pages held by the decoded-instruction cache (direct-mapped by physical page number). */
export const DCACHE_PAGES: i32 = 1024;
/** Bytes of one decoded page: 1024 entries × {word u32, op u16, aux u16}. */
export const DCACHE_PAGE_BYTES: usize = 1024 * 8;

export const PAGE_SHIFT: u64 = 12;
export const PAGE_SIZE: u64 = 4096;
