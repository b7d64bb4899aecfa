// The architectural state of the active CPU, kept in wasm globals and one static register file so
// the interpreter's hot paths compile to single loads and stores. Other CPUs' state rests in their
// CPU blocks (layout.ts) and is swapped in by activate().

import { CpuHeader, ExitRecord, EXIT_OFF, SYS_OFF, SAVEDX_OFF, UTLB_OFF, UTLB_ARRAY_BYTES, CPU_BLOCK_SIZE } from "../layout";

/** X0..X30 of the active CPU; slot 31 always holds 0, so reading register 31 as XZR needs no branch. */
export const XREGS: usize = memory.data(32 * 8, 64);

export let pc: u64 = 0;
/** The stack pointer selected by PSTATE (SP_EL0 or SP_ELx); the other banks rest in the header. */
export let sp: u64 = 0;
/** PSTATE.NZCV as a 4-bit value: N = 8, Z = 4, C = 2, V = 1. */
export let nzcv: u32 = 0;
/** PSTATE.EL. */
export let el: u32 = 0;
/** PSTATE.SP. */
export let spsel: u32 = 0;
/** PSTATE.{D,A,I,F} in their SPSR positions (bits 9:6). */
export let daif: u32 = 0;

/** Index of the active CPU, or -1. */
export let curCpu: i32 = -1;
/** Header of the active CPU. */
export let cpuBase: usize = 0;
/** System registers of the active CPU (u64 per SR_* id). */
export let sysBase: usize = 0;
/** uTLB arrays of the active CPU at its current EL: read, write and execute. */
export let utlbRd: usize = 0;
export let utlbWr: usize = 0;
export let utlbEx: usize = 0;
/** Translation context of the active CPU, pre-shifted into uTLB tag bits 63:52. */
export let ctxTag: u64 = 0;

/** Base of the CPU blocks and the number of CPUs (set by machine.create). */
export let cpuBlocks: usize = 0;
export let numCpus: i32 = 0;

// ---- general-purpose registers ----

/** Reads Xr with r = 31 as XZR. */
@inline export function getX(r: u32): u64 {
  return load<u64>(XREGS + (<usize>r << 3));
}

/** Reads Wr (zero-extended) with r = 31 as WZR. */
@inline export function getW(r: u32): u64 {
  return <u64>load<u32>(XREGS + (<usize>r << 3));
}

/** Writes Xr; a write to register 31 (XZR) is discarded. */
@inline export function setX(r: u32, v: u64): void {
  store<u64>(XREGS + (<usize>r << 3), v);
  store<u64>(XREGS + 31 * 8, 0);
}

/** Writes Wr: the upper 32 bits of Xr become zero (Arm ARM B1.2.1). */
@inline export function setW(r: u32, v: u64): void {
  setX(r, v & 0xffffffff);
}

/** Reads Xr with r = 31 as SP (base registers, ADD/SUB immediate). */
@inline export function getXsp(r: u32): u64 {
  return r == 31 ? sp : load<u64>(XREGS + (<usize>r << 3));
}

/** Writes Xr with r = 31 as SP. */
@inline export function setXsp(r: u32, v: u64): void {
  if (r == 31) sp = v;
  else store<u64>(XREGS + (<usize>r << 3), v);
}

// ---- system registers (storage) ----

@inline export function sysGet(id: i32): u64 {
  return load<u64>(sysBase + (<usize>id << 3));
}

@inline export function sysSet(id: i32, v: u64): void {
  store<u64>(sysBase + (<usize>id << 3), v);
}

@inline export function hdr(): CpuHeader {
  return changetype<CpuHeader>(cpuBase);
}

export function cpuHeader(cpu: i32): CpuHeader {
  return changetype<CpuHeader>(cpuBlocks + <usize>cpu * CPU_BLOCK_SIZE);
}

export function exitRecord(cpu: i32): ExitRecord {
  return changetype<ExitRecord>(cpuBlocks + <usize>cpu * CPU_BLOCK_SIZE + EXIT_OFF);
}

@inline export function curExit(): ExitRecord {
  return changetype<ExitRecord>(cpuBase + EXIT_OFF);
}

// ---- PSTATE.EL / SP selection ----

/** Address of the banked SP slot for (el, spsel) in the active header. */
@inline function spSlot(e: u32, s: u32): usize {
  const h = cpuBase;
  if (s == 0 || e == 0) return h + offsetof<CpuHeader>("spEl0");
  if (e == 1) return h + offsetof<CpuHeader>("spEl1");
  return h + offsetof<CpuHeader>("spEl2");
}

/** Points the uTLB globals at the arrays of the current EL. */
@inline export function selectUtlb(): void {
  const base = cpuBase + UTLB_OFF + <usize>el * 3 * UTLB_ARRAY_BYTES;
  utlbRd = base;
  utlbWr = base + UTLB_ARRAY_BYTES;
  utlbEx = base + 2 * UTLB_ARRAY_BYTES;
}

/** Changes PSTATE.EL and PSTATE.SP, banking the stack pointer (Arm ARM D1.7.2). */
export function setElSp(newEl: u32, newSpsel: u32): void {
  store<u64>(spSlot(el, spsel), sp);
  el = newEl;
  spsel = newSpsel;
  sp = load<u64>(spSlot(el, spsel));
  selectUtlb();
}

/** Reads the banked SP_ELn (n = 0, 1, 2) whether or not it is the active one. */
export function getSpEl(n: u32): u64 {
  const activeSlot = spSlot(el, spsel);
  const slot = n == 0 ? cpuBase + offsetof<CpuHeader>("spEl0")
    : n == 1 ? cpuBase + offsetof<CpuHeader>("spEl1") : cpuBase + offsetof<CpuHeader>("spEl2");
  return slot == activeSlot ? sp : load<u64>(slot);
}

/** Writes the banked SP_ELn. */
export function setSpEl(n: u32, v: u64): void {
  const activeSlot = spSlot(el, spsel);
  const slot = n == 0 ? cpuBase + offsetof<CpuHeader>("spEl0")
    : n == 1 ? cpuBase + offsetof<CpuHeader>("spEl1") : cpuBase + offsetof<CpuHeader>("spEl2");
  if (slot == activeSlot) sp = v;
  else store<u64>(slot, v);
}

/** PSTATE as an SPSR value (AArch64 format, ../shared/spec/arm.md §3.3). */
export function pstateToSpsr(): u64 {
  const m: u32 = (el << 2) | spsel;
  return <u64>((nzcv << 28) | daif | (hdr().il << 20) | m);
}

// ---- CPU switching ----

/** Makes `cpu` the active CPU: saves the current one's hot state and loads the new one's. */
export function activate(cpu: i32): void {
  if (cpu == curCpu) return;
  if (curCpu >= 0) deactivate();
  curCpu = cpu;
  cpuBase = cpuBlocks + <usize>cpu * CPU_BLOCK_SIZE;
  sysBase = cpuBase + SYS_OFF;
  const h = hdr();
  memory.copy(XREGS, cpuBase + SAVEDX_OFF, 31 * 8);
  store<u64>(XREGS + 31 * 8, 0);
  pc = h.pc;
  nzcv = h.nzcv;
  el = h.el;
  spsel = h.spsel;
  daif = h.daif;
  sp = load<u64>(spSlot(el, spsel));
  ctxTag = <u64>h.ctx << 52;
  selectUtlb();
}

/** Saves the active CPU's hot state into its block; no CPU is active afterwards. */
export function deactivate(): void {
  if (curCpu < 0) return;
  const h = hdr();
  memory.copy(cpuBase + SAVEDX_OFF, XREGS, 32 * 8);
  h.pc = pc;
  h.nzcv = nzcv;
  h.el = el;
  h.spsel = spsel;
  h.daif = daif;
  store<u64>(spSlot(el, spsel), sp);
  curCpu = -1;
}

export function setCpuBlocks(base: usize, n: i32): void {
  cpuBlocks = base;
  numCpus = n;
  curCpu = -1;
}
