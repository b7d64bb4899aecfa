/**
 * Branches, exception generation and system instructions (Arm ARM C4.1.3 "Branches,
 * Exception Generating and System instructions"; ../shared/spec/arm.md §8 and §5):
 * B/BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR/BLR/RET/ERET, SVC/HVC/SMC/BRK/HLT/UDF, hints,
 * barriers, CLREX, MSR (immediate), SYS/SYSL with the DC/IC/AT/TLBI aliases, MRS/MSR.
 */
import { field, put } from './bits.js';
import { alias, asmOnly, form, x } from './form.js';
import { COND_NAMES, uimm, uimmOpt } from './kinds-imm.js';
import { uintIn } from './kinds-common.js';
import { branch } from './kinds-label.js';
import { reg, regOpt } from './kinds-reg.js';
import { barrierOption, crOperand, isbOption, pstateField, pstateImm, sysOp, sysOpReg, sysReg } from './kinds-sys.js';
import { Mismatch, type Form, type OperandKind } from './types.js';
import { bareName, expected } from './kinds-common.js';

const bin = (v: number, len: number): string => v.toString(2).padStart(len, '0');

/** TBZ/TBNZ bit number of an X register: b5 (bit 31) : b40 (23:19). */
function testBit64(): OperandKind {
  return {
    what: 'a bit number',
    enc(op, c) {
      const v = uintIn(op, c, 'a bit number', 0, 63);
      return v instanceof Mismatch ? v : put(v >> 5, 31) | put(v & 31, 19);
    },
    dec: (w) => `#${(field(w, 31, 1) << 5) | field(w, 19, 5)}`,
  };
}

function branches(): Form[] {
  const forms: Form[] = [
    form('b', `000101 ${x(26)}`, [branch(0, 26)]),
    form('bl', `100101 ${x(26)}`, [branch(0, 26)]),
  ];
  COND_NAMES.forEach((name, n) => forms.push(form(`b.${name}`, `01010100 ${x(19)} 0 ${bin(n, 4)}`, [branch(5, 19)])));
  forms.push(asmOnly('b.hs', `01010100 ${x(19)} 0 0010`, [branch(5, 19)]));
  forms.push(asmOnly('b.lo', `01010100 ${x(19)} 0 0011`, [branch(5, 19)]));
  // GNU as (and gcc's output) also accept the condition without the dot: `bne`, `bhi`, `bhs`
  // (but not `bal`/`bnv`).
  [...COND_NAMES.slice(0, 14), 'hs', 'lo'].forEach((name, i) => {
    const n = i < 14 ? i : i === 14 ? 2 : 3;
    forms.push(asmOnly(`b${name}`, `01010100 ${x(19)} 0 ${bin(n, 4)}`, [branch(5, 19)]));
  });
  for (const [sf, size] of [['0', 32], ['1', 64]] as const) {
    forms.push(form('cbz', `${sf}0110100 ${x(24)}`, [reg(size, 0), branch(5, 19)]));
    forms.push(form('cbnz', `${sf}0110101 ${x(24)}`, [reg(size, 0), branch(5, 19)]));
  }
  for (const [name, op] of [['tbz', '0'], ['tbnz', '1']] as const) {
    forms.push(form(name, `0011011${op} ${x(24)}`, [reg(32, 0), uimm(19, 5, 'dec'), branch(5, 14)]));
    // With an X register the bit number may be 0..63; below 32 it encodes as the W form (b5 = 0).
    forms.push(form(name, `x011011${op} ${x(24)}`, [reg(64, 0), testBit64(), branch(5, 14)], { when: (w) => field(w, 31, 1) === 1 }));
  }
  forms.push(form('br', `1101011000011111000000 ${x(5)} 00000`, [reg(64, 5)]));
  forms.push(form('blr', `1101011000111111000000 ${x(5)} 00000`, [reg(64, 5)]));
  forms.push(form('ret', `1101011001011111000000 ${x(5)} 00000`, [regOpt(64, 5, 30)]));
  forms.push(form('eret', '11010110100111110000001111100000', []));
  return forms;
}

function exceptions(): Form[] {
  const imm16 = uimm(5, 16, 'hex');
  return [
    form('svc', `11010100000 ${x(16)} 00001`, [imm16]),
    form('hvc', `11010100000 ${x(16)} 00010`, [imm16]),
    form('smc', `11010100000 ${x(16)} 00011`, [imm16]),
    form('brk', `11010100001 ${x(16)} 00000`, [imm16]),
    form('hlt', `11010100010 ${x(16)} 00000`, [imm16]),
    // Permanently undefined (Arm ARM C6.2 UDF): what objdump prints for 0x0000xxxx.
    form('udf', `0000000000000000 ${x(16)}`, [uimm(0, 16, 'dec')]),
  ];
}

/** A fixed keyword operand (`csync` of PSB, `c` of BTI). */
function keyword(word: string): OperandKind {
  return {
    what: `'${word}'`,
    enc: (op) => (bareName(op) === word ? 0 : expected(`'${word}'`, op)),
    dec: () => word,
  };
}

/** HINT space names objdump prints (Arm ARM C6.2 HINT), so disassembly reads like objdump's. */
const HINTS: readonly [string, number, string?][] = [
  ['nop', 0], ['yield', 1], ['wfe', 2], ['wfi', 3], ['sev', 4], ['sevl', 5],
  ['xpaclri', 7], ['pacia1716', 8], ['pacib1716', 10], ['autia1716', 12], ['autib1716', 14],
  ['esb', 16], ['psb', 17, 'csync'], ['tsb', 18, 'csync'], ['csdb', 20],
  ['paciaz', 24], ['paciasp', 25], ['pacibz', 26], ['pacibsp', 27], ['autiaz', 28], ['autiasp', 29], ['autibz', 30], ['autibsp', 31],
  ['bti', 32], ['bti', 34, 'c'], ['bti', 36, 'j'], ['bti', 38, 'jc'],
];

function system(): Form[] {
  const forms: Form[] = [form('hint', `11010101000000110010 ${x(7)} 11111`, [uimm(5, 7, 'hex')])];
  for (const [name, n, arg] of HINTS) {
    forms.push(alias(name, `11010101000000110010 ${bin(n, 7)} 11111`, arg ? [keyword(arg)] : []));
  }
  forms.push(form('clrex', `11010101000000110011 xxxx 010 11111`, [uimmOpt(8, 4, 'hex', 15)]));
  forms.push(form('dsb', `11010101000000110011 xxxx 100 11111`, [barrierOption()]));
  forms.push(alias('ssbb', `11010101000000110011 0000 100 11111`, []));
  forms.push(alias('pssbb', `11010101000000110011 0100 100 11111`, []));
  forms.push(form('dmb', `11010101000000110011 xxxx 101 11111`, [barrierOption()]));
  forms.push(form('isb', `11010101000000110011 xxxx 110 11111`, [isbOption()]));
  forms.push(form('msr', `1101010100000 xxx 0100 xxxx xxx 11111`, [pstateField(), pstateImm()]));
  const sysPat = `1101010100001 ${x(19)}`;
  forms.push(form('sys', sysPat, [uimm(16, 3, 'dec'), crOperand(12), crOperand(8), uimm(5, 3, 'dec'), regOpt(64, 0, 31)]));
  for (const kind of ['dc', 'ic', 'at', 'tlbi'] as const) {
    forms.push(alias(kind, sysPat, [sysOp(kind), sysOpReg(kind)]));
  }
  forms.push(form('sysl', `1101010100101 ${x(19)}`, [reg(64, 0), uimm(16, 3, 'dec'), crOperand(12), crOperand(8), uimm(5, 3, 'dec')]));
  forms.push(form('mrs', `110101010011 ${x(20)}`, [reg(64, 0), sysReg()]));
  forms.push(form('msr', `110101010001 ${x(20)}`, [sysReg(), reg(64, 0)]));
  // Generic `s0_…`/`s1_…` names (op0 0 or 1) as GNU as accepts and objdump prints them; the
  // disassembler reaches these last, after hints, barriers, MSR (immediate) and SYS/SYSL.
  forms.push(form('mrs', `1101010100100 ${x(19)}`, [reg(64, 0), sysReg(true)]));
  forms.push(form('msr', `1101010100000 ${x(19)}`, [sysReg(true), reg(64, 0)]));
  forms.push(asmOnly('mrs', `11010101001 ${x(21)}`, [reg(64, 0), sysReg(true)]));
  forms.push(asmOnly('msr', `11010101000 ${x(21)}`, [sysReg(true), reg(64, 0)]));
  return forms;
}

export function branchesAndSystem(): Form[] {
  return [...branches(), ...exceptions(), ...system()];
}
