/**
 * The encoding-oracle corpus: a deterministic, systematic list of one-instruction lines that
 * covers every instruction form the assembler supports (registers including 31 as SP/ZR
 * where legal, immediate edges, shifts, extends, conditions, addressing modes, sizes, system
 * registers, barrier options, LSE orderings). Each line assembles to exactly one 4-byte word.
 *
 * Branch targets are written relative to `.` (`b .+8`), so GNU as resolves them without
 * relocations; ADRP and `:lo12:` use `corpus_start`, a page-aligned label at the first line,
 * and are resolved by GNU ld when the oracle links at a fixed address.
 */
import { SYSINSNS, SYSREGS } from '../../src/arch/sysregs.js';

export interface CorpusLine {
  readonly text: string;
  /** Instruction form: mnemonic plus encoding class, for counting distinct forms. */
  readonly form: string;
}

/** The header the corpus is assembled under (GNU as needs the architecture extensions enabled). */
export const CORPUS_HEADER = ['.arch armv8.5-a', '.text', '.global corpus_start', 'corpus_start:'].join('\n');

const out: CorpusLine[] = [];
let cursor = 0;
const add = (form: string, text: string): void => void out.push({ form, text });

/** Registers cycled through, so forms see many register numbers without a full product. */
const REGS = [0, 1, 2, 3, 5, 7, 8, 12, 15, 16, 17, 18, 19, 23, 27, 28, 29, 30];
function nextReg(): number {
  cursor = (cursor + 7) % REGS.length;
  return REGS[cursor]!;
}
const r = (size: 32 | 64, n: number): string => (n === 31 ? (size === 64 ? 'xzr' : 'wzr') : `${size === 64 ? 'x' : 'w'}${n}`);
const rsp = (size: 32 | 64, n: number): string => (n === 31 ? (size === 64 ? 'sp' : 'wsp') : r(size, n));
/** A register, or register 31 (as ZR or SP) every `every` calls. */
let tick = 0;
function R(size: 32 | 64, sp = false, every = 4): string {
  tick++;
  if (tick % every === 0) return sp ? rsp(size, 31) : r(size, 31);
  return r(size, nextReg());
}
const hex = (v: bigint | number): string => '0x' + v.toString(16);
const SIZES = [32, 64] as const;

function addSubImm(): void {
  const imms = ['#0', '#1', '#0x7ff', '#0xfff', '#0x1000', '#1, lsl #12', '#0xfff, lsl #12', '#0, lsl #12', '#0xabc000', '#4095', '#-1', '#-0xfff', '#-0x1000', '#0x123, lsl #0'];
  for (const size of SIZES) {
    for (const op of ['add', 'adds', 'sub', 'subs']) {
      for (const imm of imms) add(`${op}-imm`, `${op} ${op.endsWith('s') ? R(size) : R(size, true)}, ${R(size, true)}, ${imm}`);
    }
    for (const op of ['cmp', 'cmn']) for (const imm of imms) add(`${op}-imm`, `${op} ${R(size, true)}, ${imm}`);
    add('mov-sp', `mov ${rsp(size, 31)}, ${r(size, 3)}`);
    add('mov-sp', `mov ${r(size, 4)}, ${rsp(size, 31)}`);
    add('mov-sp', `mov ${rsp(size, 31)}, ${rsp(size, 31)}`);
  }
}

/** Bitmask immediates built independently of the encoder: k ones rotated by rot in an e-bit element. */
function bitmasks(size: 32 | 64): bigint[] {
  const vals: bigint[] = [];
  for (const e of [2, 4, 8, 16, 32, 64]) {
    if (e > size) continue;
    for (const k of [1, 2, e / 2, e - 1]) {
      if (k < 1 || k >= e) continue;
      for (const rot of [0, 1, e - 1, e / 2]) {
        if (rot >= e) continue;
        let el = (1n << BigInt(k)) - 1n;
        const m = (1n << BigInt(e)) - 1n;
        if (rot) el = ((el >> BigInt(rot)) | (el << BigInt(e - rot))) & m;
        let v = 0n;
        for (let i = 0; i < size; i += e) v |= el << BigInt(i);
        if (!vals.includes(v)) vals.push(v);
      }
    }
  }
  return vals;
}

function logicalImm(): void {
  for (const size of SIZES) {
    const masks = bitmasks(size);
    masks.forEach((v, i) => {
      const op = ['and', 'orr', 'eor', 'ands'][i % 4]!;
      add(`${op}-imm`, `${op} ${op === 'ands' ? R(size) : R(size, true)}, ${R(size)}, #${hex(v)}`);
      if (i % 3 === 0) add('tst-imm', `tst ${R(size)}, #${hex(v)}`);
      if (i % 5 === 0) add('bic-imm', `bic ${R(size, true)}, ${R(size)}, #${hex(~v & ((1n << BigInt(size)) - 1n))}`);
    });
    add('and-imm', `and ${r(size, 0)}, ${r(size, 1)}, #0xff`);
    add('and-imm', `and ${rsp(size, 31)}, ${r(size, 1)}, #0xff0`);
    add('tst-imm', `tst ${r(size, 2)}, #1`);
  }
  add('and-imm', 'and w0, w1, #-2');
  add('and-imm', 'and x0, x1, #-2');
  add('eor-imm', 'eor x0, x1, #0x5555555555555555');
  add('ands-imm', 'ands x0, x1, #0xf0');
}

function moveWide(): void {
  for (const size of SIZES) {
    const shifts = size === 64 ? ['', ', lsl #0', ', lsl #16', ', lsl #32', ', lsl #48'] : ['', ', lsl #0', ', lsl #16'];
    for (const op of ['movz', 'movn', 'movk']) {
      for (const imm of ['#0', '#1', '#0x1234', '#0xffff', '#0x8000']) {
        for (const sh of shifts) add(`${op}`, `${op} ${R(size)}, ${imm}${sh}`);
      }
    }
  }
  const mov64 = ['0', '1', '0xffff', '0x10000', '0xffff0000', '0x123400000000', '0xbeef000000000000', '-1', '-2', '-0x10000',
    '0xffffffffffff1234', '0xffff0000ffff0000', '0x5555555555555555', '0xffffffff', '0x7fffffffffffffff', '0x8000000000000000',
    '0xfffffffffffffffe', '0xaaaaaaaaaaaaaaaa', '0x00ff00ff00ff00ff', '0x1ffffffffe'];
  for (const v of mov64) add('mov-imm', `mov ${R(64, false, 1e9)}, #${v}`);
  add('mov-imm', 'mov xzr, #1');
  add('mov-imm', 'mov wzr, #-1');
  add('mov-imm', 'mov sp, #0x5555555555555555');
  add('mov-imm', 'mov wsp, #0xff00ff00');
  const mov32 = ['0', '1', '0xffff', '0x10000', '0xffff0000', '-1', '-2', '0xffffffff', '0xfffffffe', '0x55555555', '0x7fffffff', '0x80000000', '0xffff1234', '0x0ff00ff0'];
  for (const v of mov32) add('mov-imm', `mov ${R(32, false, 1e9)}, #${v}`);
}

function bitfield(): void {
  for (const size of SIZES) {
    const top = size - 1;
    for (const op of ['sbfm', 'bfm', 'ubfm']) {
      for (const [a, b] of [[0, 0], [0, top], [top, 0], [top, top], [1, 5], [5, 1], [size / 2, 3]]) {
        add(op, `${op} ${R(size)}, ${R(size)}, #${a}, #${b}`);
      }
    }
    for (const op of ['asr', 'lsr', 'lsl']) for (const s of [0, 1, 3, size / 2, top]) add(`${op}-imm`, `${op} ${R(size)}, ${R(size)}, #${s}`);
    for (const op of ['sbfiz', 'ubfiz', 'bfi', 'sbfx', 'ubfx', 'bfxil']) {
      for (const [lsb, w] of [[0, 1], [0, size], [1, 1], [1, size - 1], [top, 1], [8, 8], [3, 17]]) {
        add(op, `${op} ${R(size)}, ${R(size)}, #${lsb}, #${w}`);
      }
    }
    for (const [lsb, w] of [[1, 1], [4, 8], [top, 1], [1, size - 1]]) add('bfc', `bfc ${R(size)}, #${lsb}, #${w}`);
    add('sxtb', `sxtb ${R(size)}, ${R(32)}`);
    add('sxth', `sxth ${R(size)}, ${R(32)}`);
  }
  add('sxtw', `sxtw ${R(64)}, ${R(32)}`);
  add('sxtw', 'sxtw x0, wzr');
  add('uxtb', `uxtb ${R(32)}, ${R(32)}`);
  add('uxtb', 'uxtb x3, w4');
  add('uxth', 'uxth x5, w6');
  add('uxth', `uxth ${R(32)}, ${R(32)}`);
}

function extract(): void {
  for (const size of SIZES) {
    for (const s of [0, 1, 7, size - 1]) {
      add('extr', `extr ${R(size)}, ${r(size, 1)}, ${r(size, 2)}, #${s}`);
      add('ror-imm', `ror ${R(size)}, ${R(size)}, #${s}`);
    }
  }
}

function pcRel(): void {
  for (const off of ['.', '.+4', '.-4', '.+0xffffc', '.-0x100000', '.+1', '.+3', '.-1', 'corpus_start', 'corpus_start+0x10']) {
    add('adr', `adr ${R(64)}, ${off}`);
  }
  for (const off of ['.', '.+0x1000', '.-0x1000', '.+0xfffff000', '.-0x100000000', 'corpus_start', 'corpus_start+0x5000', 'corpus_start+0x123456']) {
    add('adrp', `adrp ${R(64)}, ${off}`);
  }
}

function shifted(): void {
  const logical = ['and', 'bic', 'orr', 'orn', 'eor', 'eon', 'ands', 'bics'];
  for (const size of SIZES) {
    const shifts = ['', ', lsl #0', ', lsl #1', `, lsl #${size - 1}`, ', lsr #2', `, lsr #${size - 1}`, ', asr #3', `, asr #${size - 1}`, ', ror #4', `, ror #${size - 1}`];
    logical.forEach((op, i) => {
      for (const sh of shifts.filter((_, j) => (i + j) % 2 === 0 || j === 0)) add(`${op}-sreg`, `${op} ${R(size)}, ${R(size)}, ${R(size)}${sh}`);
    });
    for (const sh of shifts) {
      add('mvn', `mvn ${R(size)}, ${R(size)}${sh}`);
      add('tst-sreg', `tst ${R(size)}, ${R(size)}${sh}`);
    }
    add('mov-reg', `mov ${R(size)}, ${R(size)}`);
    add('mov-reg', `mov ${r(size, 31)}, ${r(size, 31)}`);
    add('mov-reg', `mov ${r(size, 5)}, ${r(size, 31)}`);
    const arith = shifts.filter((s) => !s.includes('ror'));
    for (const op of ['add', 'adds', 'sub', 'subs']) for (const sh of arith) add(`${op}-sreg`, `${op} ${R(size)}, ${R(size)}, ${R(size)}${sh}`);
    for (const op of ['cmp', 'cmn', 'neg', 'negs']) for (const sh of arith) add(`${op}-sreg`, `${op} ${R(size)}, ${R(size)}${sh}`);
  }
}

function extended(): void {
  const ext64 = ['uxtb', 'uxth', 'uxtw', 'sxtb', 'sxth', 'sxtw'];
  for (const op of ['add', 'adds', 'sub', 'subs']) {
    const rd = (size: 32 | 64): string => (op.endsWith('s') ? R(size) : R(size, true, 3));
    for (const e of ext64) for (const amt of ['', ' #0', ' #1', ' #4']) add(`${op}-ext`, `${op} ${rd(64)}, ${R(64, true, 3)}, ${R(32)}, ${e}${amt}`);
    for (const e of ['uxtx', 'sxtx']) for (const amt of ['', ' #2', ' #4']) add(`${op}-ext`, `${op} ${rd(64)}, ${R(64, true, 3)}, ${R(64)}, ${e}${amt}`);
    for (const e of [...ext64, 'uxtx', 'sxtx']) for (const amt of ['', ' #3']) add(`${op}-ext`, `${op} ${rd(32)}, ${R(32, true, 3)}, ${R(32)}, ${e}${amt}`);
    add(`${op}-ext`, `${op} ${op.endsWith('s') ? 'x3' : 'sp'}, sp, x1`);
    add(`${op}-ext`, `${op} ${op.endsWith('s') ? 'x3' : 'sp'}, sp, x1, lsl #2`);
    add(`${op}-ext`, `${op} x4, sp, x5, lsl #4`);
    add(`${op}-ext`, `${op} w4, wsp, w5, lsl #1`);
    add(`${op}-ext`, `${op} ${op.endsWith('s') ? 'w3' : 'wsp'}, w2, w6`);
  }
  // GNU as does not check the index register's width against the extend.
  add('add-ext', 'add x0, x1, x2, uxtw');
  add('add-ext', 'add x0, x1, w2, uxtx');
  for (const op of ['cmp', 'cmn']) {
    add(`${op}-ext`, `${op} sp, x1`);
    add(`${op}-ext`, `${op} sp, x2, lsl #3`);
    add(`${op}-ext`, `${op} x3, w4, sxtw #2`);
    add(`${op}-ext`, `${op} wsp, w5, uxtb`);
    add(`${op}-ext`, `${op} x6, x7, uxtx #1`);
  }
}

function carryCondSelect(): void {
  const conds = ['eq', 'ne', 'cs', 'hs', 'cc', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
  for (const size of SIZES) {
    for (const op of ['adc', 'adcs', 'sbc', 'sbcs']) for (let i = 0; i < 4; i++) add(op, `${op} ${R(size)}, ${R(size)}, ${R(size)}`);
    for (const op of ['ngc', 'ngcs']) for (let i = 0; i < 3; i++) add(op, `${op} ${R(size)}, ${R(size)}`);
    conds.forEach((c, i) => {
      for (const op of ['ccmp', 'ccmn']) {
        add(`${op}-reg`, `${op} ${R(size)}, ${R(size)}, #${i % 16}, ${c}`);
        add(`${op}-imm`, `${op} ${R(size)}, #${(i * 7) % 32}, #${15 - (i % 16)}, ${c}`);
      }
      for (const op of ['csel', 'csinc', 'csinv', 'csneg']) add(op, `${op} ${R(size)}, ${R(size)}, ${R(size)}, ${c}`);
      if (c !== 'al' && c !== 'nv') {
        for (const op of ['cset', 'csetm']) add(op, `${op} ${R(size)}, ${c}`);
        for (const op of ['cinc', 'cinv', 'cneg']) add(op, `${op} ${R(size)}, ${R(size)}, ${c}`);
      }
    });
    add('csinc', `csinc ${r(size, 1)}, ${r(size, 2)}, ${r(size, 2)}, al`);
    add('csneg', `csneg ${r(size, 1)}, ${r(size, 31)}, ${r(size, 31)}, eq`);
  }
}

function dataProcessing(): void {
  for (const size of SIZES) {
    const ones = size === 64 ? ['rbit', 'rev16', 'rev32', 'rev', 'clz', 'cls'] : ['rbit', 'rev16', 'rev', 'clz', 'cls'];
    for (const op of ones) for (let i = 0; i < 3; i++) add(op, `${op} ${R(size)}, ${R(size)}`);
    for (const op of ['udiv', 'sdiv', 'lslv', 'lsrv', 'asrv', 'rorv', 'lsl', 'lsr', 'asr', 'ror']) {
      for (let i = 0; i < 3; i++) add(`${op}-reg`, `${op} ${R(size)}, ${R(size)}, ${R(size)}`);
    }
    for (const op of ['madd', 'msub']) for (let i = 0; i < 4; i++) add(op, `${op} ${R(size)}, ${R(size)}, ${R(size)}, ${R(size)}`);
    for (const op of ['mul', 'mneg']) for (let i = 0; i < 3; i++) add(op, `${op} ${R(size)}, ${R(size)}, ${R(size)}`);
  }
  add('rev64', 'rev64 x1, x2');
  for (const op of ['crc32b', 'crc32h', 'crc32w', 'crc32cb', 'crc32ch', 'crc32cw']) for (let i = 0; i < 2; i++) add(op, `${op} ${R(32)}, ${R(32)}, ${R(32)}`);
  for (const op of ['crc32x', 'crc32cx']) for (let i = 0; i < 2; i++) add(op, `${op} ${R(32)}, ${R(32)}, ${R(64)}`);
  for (const op of ['smaddl', 'smsubl', 'umaddl', 'umsubl']) for (let i = 0; i < 3; i++) add(op, `${op} ${R(64)}, ${R(32)}, ${R(32)}, ${R(64)}`);
  for (const op of ['smull', 'smnegl', 'umull', 'umnegl']) for (let i = 0; i < 3; i++) add(op, `${op} ${R(64)}, ${R(32)}, ${R(32)}`);
  for (const op of ['smulh', 'umulh']) for (let i = 0; i < 3; i++) add(op, `${op} ${R(64)}, ${R(64)}, ${R(64)}`);
}

function branches(): void {
  for (const t of ['.', '.+4', '.-4', '.+0x7fffffc', '.-0x8000000', '.+0x1234', 'corpus_start']) {
    add('b', `b ${t}`);
    add('bl', `bl ${t}`);
  }
  const conds = ['eq', 'ne', 'cs', 'hs', 'cc', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
  conds.forEach((c, i) => add(`b.${c}`, `b.${c} ${['.', '.+8', '.-8', '.+0xffffc', '.-0x100000'][i % 5]}`));
  conds.filter((c) => c !== 'al' && c !== 'nv').forEach((c, i) => add(`b${c}`, `b${c} ${['.', '.+12', '.-0x100000'][i % 3]}`));
  for (const size of SIZES) {
    for (const op of ['cbz', 'cbnz']) for (const t of ['.', '.+0xffffc', '.-0x100000', '.+0x40']) add(op, `${op} ${R(size)}, ${t}`);
  }
  for (const op of ['tbz', 'tbnz']) {
    for (const bit of [0, 1, 31]) add(`${op}-w`, `${op} ${R(32)}, #${bit}, ${['.', '.+0x7ffc', '.-0x8000'][bit % 3]}`);
    for (const bit of [0, 5, 31, 32, 33, 63]) add(`${op}-x`, `${op} ${R(64)}, #${bit}, ${['.', '.+0x7ffc', '.-0x8000', '.+16'][bit % 4]}`);
  }
  for (const op of ['br', 'blr']) for (let i = 0; i < 4; i++) add(op, `${op} ${R(64)}`);
  add('ret', 'ret');
  add('ret', 'ret x30');
  add('ret', 'ret x0');
  add('ret', 'ret x17');
  add('eret', 'eret');
}

function exceptionsAndHints(): void {
  for (const op of ['svc', 'hvc', 'smc', 'brk', 'hlt']) for (const v of ['#0', '#1', '#0x1234', '#0xffff']) add(op, `${op} ${v}`);
  for (const v of ['#0', '#1', '#0xffff', '#42']) add('udf', `udf ${v}`);
  for (const op of ['nop', 'yield', 'wfe', 'wfi', 'sev', 'sevl']) add(op, op);
  for (let v = 0; v < 128; v += 3) add('hint', `hint #${v}`);
  const named = ['xpaclri', 'pacia1716', 'pacib1716', 'autia1716', 'autib1716', 'esb', 'psb csync', 'tsb csync', 'csdb',
    'paciaz', 'paciasp', 'pacibz', 'pacibsp', 'autiaz', 'autiasp', 'autibz', 'autibsp', 'bti', 'bti c', 'bti j', 'bti jc'];
  for (const h of named) add(h, h);
  add('hint', 'hint #127');
  add('clrex', 'clrex');
  for (const v of [0, 1, 5, 15]) add('clrex', `clrex #${v}`);
  const opts = ['sy', 'st', 'ld', 'ish', 'ishst', 'ishld', 'nsh', 'nshst', 'nshld', 'osh', 'oshst', 'oshld'];
  for (const op of ['dsb', 'dmb']) {
    for (const o of opts) add(op, `${op} ${o}`);
    for (const v of [0, 4, 8, 12, 15]) add(op, `${op} #${v}`);
  }
  add('ssbb', 'ssbb');
  add('pssbb', 'pssbb');
  add('isb', 'isb');
  add('isb', 'isb sy');
  for (const v of [0, 3, 15]) add('isb', `isb #${v}`);
}

function system(): void {
  for (const v of [0, 1, 2, 7, 15]) {
    add('msr-imm', `msr daifset, #${v}`);
    add('msr-imm', `msr daifclr, #${v}`);
  }
  for (const f of ['spsel', 'pan', 'uao']) for (const v of [0, 1]) add('msr-imm', `msr ${f}, #${v}`);
  for (const d of SYSREGS) {
    if (d.readEl < 4) add('mrs', `mrs ${R(64)}, ${d.name.toLowerCase()}`);
    if (d.writeEl < 4) add('msr-reg', `msr ${d.name.toLowerCase()}, ${R(64)}`);
  }
  add('mrs', 'mrs x0, HCR_EL2');
  add('msr-reg', 'MSR VBAR_EL2, X1');
  for (const g of ['s3_4_c1_c1_0', 's3_4_c15_c1_0', 's2_0_c0_c0_0', 's3_7_c15_c15_7', 's3_0_c4_c2_3', 's2_3_c9_c9_3', 's0_3_c4_c0_5', 's0_1_c9_c0_0', 's1_0_c7_c5_0']) {
    add('mrs', `mrs ${R(64)}, ${g}`);
    add('msr-reg', `msr ${g}, ${R(64)}`);
  }
  for (const d of SYSINSNS) {
    add(d.kind, d.hasRt ? `${d.kind} ${d.op.toLowerCase()}, ${R(64)}` : `${d.kind} ${d.op.toLowerCase()}`);
  }
  add('tlbi', 'tlbi vae1, xzr');
  for (const [op1, crn, crm, op2] of [[0, 7, 5, 0], [3, 7, 4, 1], [1, 2, 3, 4], [7, 15, 15, 7], [0, 0, 0, 0]]) {
    add('sys', `sys #${op1}, c${crn}, c${crm}, #${op2}`);
    add('sys', `sys #${op1}, C${crn}, C${crm}, #${op2}, ${R(64)}`);
    add('sysl', `sysl ${R(64)}, #${op1}, c${crn}, c${crm}, #${op2}`);
  }
}

const SINGLES: readonly [string, string, string | null, number, 32 | 64 | 0][] = [
  ['strb', 'sturb', 'sttrb', 0, 32], ['ldrb', 'ldurb', 'ldtrb', 0, 32], ['ldrsb', 'ldursb', 'ldtrsb', 0, 64], ['ldrsb', 'ldursb', 'ldtrsb', 0, 32],
  ['strh', 'sturh', 'sttrh', 1, 32], ['ldrh', 'ldurh', 'ldtrh', 1, 32], ['ldrsh', 'ldursh', 'ldtrsh', 1, 64], ['ldrsh', 'ldursh', 'ldtrsh', 1, 32],
  ['str', 'stur', 'sttr', 2, 32], ['ldr', 'ldur', 'ldtr', 2, 32], ['ldrsw', 'ldursw', 'ldtrsw', 2, 64],
  ['str', 'stur', 'sttr', 3, 64], ['ldr', 'ldur', 'ldtr', 3, 64], ['prfm', 'prfum', null, 3, 0],
];

const PRFOPS = ['pldl1keep', 'pldl1strm', 'pldl2keep', 'pldl3strm', 'plil1keep', 'plil2strm', 'pstl1keep', 'pstl3keep', '#0x18', '#31', '#6'];

function loadsStores(): void {
  let p = 0;
  for (const [name, unscaled, unpriv, scale, w] of SINGLES) {
    const rt = (): string => (w === 0 ? PRFOPS[p++ % PRFOPS.length]! : R(w));
    const base = (): string => R(64, true, 3).replace('xzr', 'sp');
    const unit = 1 << scale;
    for (const off of [0, unit, 4095 * unit, 8 * unit, -unit, -256, 255, 1, 3]) {
      add(`${name}-uoff`, off === 0 ? `${name} ${rt()}, [${base()}]` : `${name} ${rt()}, [${base()}, #${off}]`);
    }
    add(`${name}-uoff`, `${name} ${rt()}, [${base()}, #0]`);
    for (const off of [0, -256, 255, -1, 8]) add(unscaled, `${unscaled} ${rt()}, [${base()}, #${off}]`);
    if (unpriv) for (const off of [0, -256, 255, 16]) add(unpriv, `${unpriv} ${rt()}, [${base()}, #${off}]`);
    if (name !== 'prfm') {
      for (const off of [0, -256, 255, 16]) {
        add(`${name}-pre`, `${name} ${rt()}, [${base()}, #${off}]!`);
        add(`${name}-post`, `${name} ${rt()}, [${base()}], #${off}`);
      }
    }
    const amt = scale === 0 ? ['', ' #0'] : ['', ' #0', ` #${scale}`];
    add(`${name}-reg`, `${name} ${rt()}, [${base()}, ${R(64)}]`);
    for (const a of amt) {
      if (a !== '') add(`${name}-reg`, `${name} ${rt()}, [${base()}, ${R(64)}, lsl${a}]`);
      for (const e of ['uxtw', 'sxtw']) add(`${name}-reg`, `${name} ${rt()}, [${base()}, ${R(32)}, ${e}${a}]`);
      add(`${name}-reg`, `${name} ${rt()}, [${base()}, ${R(64)}, sxtx${a}]`);
    }
  }
  for (const [op, reg] of [['ldr', 'w'], ['ldr', 'x'], ['ldrsw', 'x']] as const) {
    for (const t of ['.', '.+0xffffc', '.-0x100000', 'corpus_start']) add(`${op}-lit`, `${op} ${reg}${nextReg()}, ${t}`);
  }
  for (const t of ['.', '.+64', '.-0x100000']) add('prfm-lit', `prfm ${PRFOPS[p++ % PRFOPS.length]}, ${t}`);
}

function pairs(): void {
  const kinds = [['stp', 32, 2], ['ldp', 32, 2], ['ldpsw', 64, 2], ['stp', 64, 3], ['ldp', 64, 3], ['stnp', 32, 2], ['ldnp', 32, 2], ['stnp', 64, 3], ['ldnp', 64, 3]] as const;
  for (const [op, w, scale] of kinds) {
    const u = 1 << scale;
    const pair = (): [string, string] => {
      const a = nextReg();
      const b = a === 30 ? 29 : a + 1;
      return [r(w, a), r(w, b)];
    };
    for (const off of [0, u, -64 * u, 63 * u, -u]) {
      const [a, b] = pair();
      add(`${op}-off`, off === 0 ? `${op} ${a}, ${b}, [sp]` : `${op} ${a}, ${b}, [sp, #${off}]`);
      if (!op.endsWith('np')) {
        const [c, d] = pair();
        add(`${op}-pre`, `${op} ${c}, ${d}, [x${c === 'x9' ? 8 : 9}, #${off}]!`);
        const [e, f] = pair();
        add(`${op}-post`, `${op} ${e}, ${f}, [sp], #${off}`);
      }
    }
  }
  add('stp-pre', 'stp x29, x30, [sp, #-16]!');
  add('ldp-post', 'ldp x29, x30, [sp], #16');
}

function exclusives(): void {
  const sizes = [['b', 32], ['h', 32], ['', 32], ['', 64]] as const;
  for (const [sfx, w] of sizes) {
    for (const op of ['stxr', 'stlxr']) add(`${op}${sfx}`, `${op}${sfx} w4, ${r(w, 5)}, [x6]`);
    for (const op of ['ldxr', 'ldaxr', 'stlr', 'ldar', 'ldapr', 'ldlar', 'stllr']) {
      add(`${op}${sfx}`, `${op}${sfx} ${R(w)}, [${R(64, true, 2).replace('xzr', 'sp')}]`);
    }
    add(`ldar${sfx}`, `ldar${sfx} ${r(w, 1)}, [x2, #0]`);
    for (const op of ['cas', 'casa', 'casl', 'casal']) add(`${op}${sfx}`, `${op}${sfx} ${R(w)}, ${R(w)}, [${R(64, true, 2).replace('xzr', 'sp')}]`);
  }
  for (const w of [32, 64] as const) {
    for (const op of ['stxp', 'stlxp']) add(op, `${op} w1, ${r(w, 2)}, ${r(w, 3)}, [x4]`);
    for (const op of ['ldxp', 'ldaxp']) add(op, `${op} ${r(w, 2)}, ${r(w, 3)}, [sp]`);
    for (const op of ['casp', 'caspa', 'caspl', 'caspal']) {
      for (const [a, b] of [[0, 2], [4, 28], [28, 6]]) add(op, `${op} ${r(w, a!)}, ${r(w, a! + 1)}, ${r(w, b!)}, ${r(w, b! + 1)}, [x${(a! + 9) % 28}]`);
    }
  }
}

function atomics(): void {
  const sizes = [['b', 32], ['h', 32], ['', 32], ['', 64]] as const;
  const ops = ['add', 'clr', 'eor', 'set', 'smax', 'smin', 'umax', 'umin'];
  for (const [sfx, w] of sizes) {
    for (const ord of ['', 'a', 'l', 'al']) {
      for (const op of ops) {
        add(`ld${op}${ord}${sfx}`, `ld${op}${ord}${sfx} ${R(w)}, ${R(w)}, [${R(64, true, 5).replace('xzr', 'sp')}]`);
        if (ord === '' || ord === 'l') add(`st${op}${ord}${sfx}`, `st${op}${ord}${sfx} ${R(w)}, [x${nextReg()}]`);
      }
      add(`swp${ord}${sfx}`, `swp${ord}${sfx} ${R(w)}, ${R(w)}, [${R(64, true, 5).replace('xzr', 'sp')}]`);
    }
  }
}

function lo12(): void {
  for (const k of [0, 0x8, 0x123, 0xff8, 0x1000, 0x2468]) add('add-lo12', `add ${R(64, true)}, ${R(64, true)}, :lo12:corpus_start+${hex(k)}`);
  add('add-lo12', 'add w1, w2, #:lo12:corpus_start+0x44');
  for (const [op, scale] of [['ldrb', 0], ['ldrh', 1], ['ldr w3,', 2], ['ldr x3,', 3], ['strb', 0], ['str x4,', 3], ['ldrsw x5,', 2]] as const) {
    for (const k of [0, 0x10, 0xff8 & ~((1 << scale) - 1)]) {
      const rt = op.includes(',') ? op : `${op} w${nextReg()},`;
      add(`${op.split(' ')[0]}-lo12`, `${rt} [${R(64, true).replace('xzr', 'sp')}, :lo12:corpus_start+${hex(k)}]`);
    }
  }
  add('ldr-lo12', 'ldr x1, [x2, #:lo12:corpus_start+0x20]');
}

/** The corpus, in a fixed order. */
export function corpus(): CorpusLine[] {
  out.length = 0;
  cursor = 0;
  tick = 0;
  addSubImm();
  logicalImm();
  moveWide();
  bitfield();
  extract();
  pcRel();
  shifted();
  extended();
  carryCondSelect();
  dataProcessing();
  branches();
  exceptionsAndHints();
  system();
  loadsStores();
  pairs();
  exclusives();
  atomics();
  lo12();
  return [...out];
}
