/**
 * The one typed view of the wasm core (STYLE rule 13): the only module that knows the core's
 * export names and memory offsets. Everything else uses `Core` from here.
 *
 * Offsets and enum values are read from the module's own exports at load time (the AS enums
 * `ExitReason`, `ExitField`, … are exported as wasm globals), so they have one source.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The raw exports, typed. i64 parameters and results are bigint. */
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  create(ncpu: number, ramBase: bigint, ramBytes: bigint, tlbEntries: number, tlbWays: number, tlbPolicy: number): number;
  resetCpu(cpu: number): void;
  run(cpu: number, budget: number): number;
  addMmio(base: bigint, size: bigint): number;
  clearMmio(): void;
  setHostEls(mask: number): void;
  setSemihosting(on: number): void;
  setCounterRatio(mul: bigint): void;
  dcacheInvalidateRange(pa: bigint, size: bigint): void;
  dcacheFlush(): void;
  mmioComplete(cpu: number, data: bigint): void;
  snoopAll(pa: bigint, size: bigint): void;
  utlbFlushAll(): void;
  ramHostPtr(): number;
  ramBasePa(): bigint;
  ramBytes(): bigint;
  exitRecordPtr(cpu: number): number;
  getX(cpu: number, r: number): bigint;
  setX(cpu: number, r: number, v: bigint): void;
  getPc(cpu: number): bigint;
  setPc(cpu: number, v: bigint): void;
  getSp(cpu: number, n: number): bigint;
  setSp(cpu: number, n: number, v: bigint): void;
  getPstate(cpu: number): bigint;
  setPstate(cpu: number, spsr: bigint): void;
  getSysRaw(cpu: number, id: number): bigint;
  setSysRaw(cpu: number, id: number, v: bigint): void;
  sysReadAs(cpu: number, id: number): bigint;
  sysWriteAs(cpu: number, id: number, v: bigint): void;
  eret(cpu: number): void;
  injectException(cpu: number, target: number, kind: number, esr: bigint, far: bigint, farValid: number, ret: bigint): void;
  setOn(cpu: number, on: number): void;
  isOn(cpu: number): number;
  isWaiting(cpu: number): number;
  setLines(cpu: number, lines: number): void;
  getLines(cpu: number): number;
  cpuInsns(cpu: number): bigint;
  cpuCycles(cpu: number): bigint;
  addCycles(cpu: number, n: bigint): void;
  addCyclesNum(cpu: number, n: number): void;
  setWalkCost(c: bigint): void;
  cpuStall(cpu: number, which: number): bigint;
  getEl(cpu: number): number;
  translateVa(cpu: number, va: bigint, acc: number, asEl0: number, charge: number): bigint;
  lastFsc(): number;
  statTlb(cpu: number, which: number): bigint;
  statTlbValid(cpu: number): number;
  tlbEntriesAddr(cpu: number): number;
  tlbEntriesPerCpu(): number;
  parkCpus(): void;
  pageFlagsAddr(): number;
  dirtyGroupsAddr(): number;
  dirtyGroupShift(): number;
  dirtyReset(): void;
  dcacheTagsAddr(): number;
  dcacheDataAddr(): number;
  dcacheSlots(): number;
  dcacheSlotBytes(): number;
  dynGet(i: number): bigint;
  dynSet(i: number, v: bigint): void;
  flushAllTlbs(): void;
  enableGic(gicd: bigint, gicr: bigint): void;
  setIrqLevel(cpu: number, intid: number, level: number): void;
  nextTimerCycles(cpu: number): bigint;
  advanceCycles(cpu: number, cycles: bigint): void;
  tlbiAs(cpu: number, sid: number, xt: bigint): number;
  physMmio(cpu: number, pa: bigint, size: number, write: number, value: bigint): bigint;
  statTlbi(): bigint;
}

function globalValue(exports: WebAssembly.Exports, name: string): number {
  const g = exports[name];
  if (!(g instanceof WebAssembly.Global)) throw new Error(`core export ${name} is missing: rebuild the core (npm run build:core)`);
  return Number(g.value);
}

/** Names of an exported AS enum, read from the module (e.g. `ExitReason.Budget`). */
function enumFrom<T extends string>(exports: WebAssembly.Exports, enumName: string, names: readonly T[]): Record<T, number> {
  const out = {} as Record<T, number>;
  for (const n of names) out[n] = globalValue(exports, `${enumName}.${n}`);
  return out;
}

const EXIT_REASONS = ['Budget', 'Exception', 'Mmio', 'Idle', 'Semihost', 'Off'] as const;
const EXIT_FIELDS = ['Reason', 'TargetEl', 'Kind', 'Esr', 'Far', 'Hpfar', 'Insns', 'MmioPa', 'MmioData',
  'MmioSize', 'MmioWrite', 'SemiOp', 'SemiArg', 'Size'] as const;
const LINES = ['LINE_IRQ', 'LINE_FIQ', 'LINE_SERROR', 'LINE_VIRQ', 'LINE_VFIQ'] as const;

export type ExitReasonName = (typeof EXIT_REASONS)[number];
export type ExitFieldName = (typeof EXIT_FIELDS)[number];

/** Where the compiled core lives (build/core.wasm, or build/core.debug.wasm with SEKVM_CORE=debug). */
function wasmPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const file = process.env.SEKVM_CORE === 'debug' ? 'core.debug.wasm' : 'core.wasm';
  return join(here, '..', '..', 'build', file);
}

let compiled: WebAssembly.Module | undefined;

/** The compiled core module (compiled once per process). */
export function coreModule(): WebAssembly.Module {
  if (!compiled) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(wasmPath());
    } catch {
      throw new Error(`the wasm core is not built (${wasmPath()} is missing): run \`npm run build\``);
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

/** One instance of the core: a machine with its own linear memory. */
export interface CoreInstance {
  readonly x: CoreExports;
  readonly exitReason: Readonly<Record<ExitReasonName, number>>;
  readonly exitReasonName: ReadonlyMap<number, ExitReasonName>;
  readonly exitField: Readonly<Record<ExitFieldName, number>>;
  readonly lines: Readonly<Record<(typeof LINES)[number], number>>;
  readonly sysregCount: number;
}

/** Instantiates a fresh core (nothing created yet; call x.create). */
export function instantiateCore(): CoreInstance {
  const inst = new WebAssembly.Instance(coreModule(), {
    env: {
      abort(msg: number, file: number, line: number, col: number): never {
        throw new Error(`core assertion failed at ${line}:${col} (debug build)`);
      },
      seed(): number {
        return 0;
      },
    },
  });
  const e = inst.exports;
  const exitReason = enumFrom(e, 'ExitReason', EXIT_REASONS);
  const exitReasonName = new Map<number, ExitReasonName>(EXIT_REASONS.map((n) => [exitReason[n], n]));
  const lines = {} as Record<(typeof LINES)[number], number>;
  for (const l of LINES) lines[l] = globalValue(e, l);
  return {
    x: e as unknown as CoreExports,
    exitReason,
    exitReasonName,
    exitField: enumFrom(e, 'ExitField', EXIT_FIELDS),
    lines,
    sysregCount: globalValue(e, 'SYSREG_COUNT'),
  };
}
