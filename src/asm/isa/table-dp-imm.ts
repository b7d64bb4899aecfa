/**
 * Data processing (immediate), Arm ARM C4.1.2 (and ../shared/spec/arm.md §8): ADD/SUB
 * immediate, logical immediate, move wide, bitfield, extract, PC-relative addressing, with
 * their aliases (CMP, CMN, TST, LSL/LSR/ASR, SBFX/UBFX/…, SXTB/SXTH/SXTW, UXTB/UXTH, ROR).
 * The MOV aliases live in table-mov.ts, because their assembly order matters.
 */
import { alias, asmOnly, bothSizes, form, nonCanonical, x } from './form.js';
import { reg, regTwice } from './kinds-reg.js';
import { addImm, addImmNeg, addShift, uimm } from './kinds-imm.js';
import { bf, bfField, bfLsbExtract, bfLsbInsert, bfWidthExtract, bfWidthInsert, lslImm } from './kinds-bitfield.js';
import { logImm, logImmLenient, movImm16, movShift } from './kinds-logical.js';
import { adrTarget, adrpTarget } from './kinds-label.js';
import type { Form } from './types.js';

const ADD_SUB = [['add', '0', '0'], ['adds', '0', '1'], ['sub', '1', '0'], ['subs', '1', '1']] as const;

/** ADD/ADDS/SUB/SUBS (immediate): sf op S 100010 sh imm12 Rn Rd. */
function addSubImm(): Form[] {
  return bothSizes((sf, size) => {
    const forms: Form[] = [];
    for (const [name, op, s] of ADD_SUB) {
      const rd = s === '1' ? reg(size, 0) : reg(size, 0, 'sp');
      const rn = reg(size, 5, 'sp');
      const other = op === '0' ? '1' : '0';
      forms.push(form(name, `${sf}${op}${s}100010 ${x(23)}`, [rd, rn, addImm(), addShift()]));
      // GNU as: `add x0, x1, #-1` is `sub x0, x1, #1`, and the reverse.
      forms.push(asmOnly(name, `${sf}${other}${s}100010 ${x(23)}`, [rd, rn, addImmNeg(), addShift()]));
    }
    const rn = reg(size, 5, 'sp');
    forms.push(alias('cmp', `${sf}11100010 ${x(18)} 11111`, [rn, addImm(), addShift()]));
    forms.push(asmOnly('cmp', `${sf}01100010 ${x(18)} 11111`, [rn, addImmNeg(), addShift()]));
    forms.push(alias('cmn', `${sf}01100010 ${x(18)} 11111`, [rn, addImm(), addShift()]));
    forms.push(asmOnly('cmn', `${sf}11100010 ${x(18)} 11111`, [rn, addImmNeg(), addShift()]));
    return forms;
  });
}

/** AND/ORR/EOR/ANDS (immediate): sf opc 100100 N immr imms Rn Rd (N must be 0 for W). */
function logicalImm(): Form[] {
  return bothSizes((sf, size) => {
    const n = sf === '1' ? 'x' : '0';
    const forms: Form[] = [];
    const ops = [['and', '00'], ['orr', '01'], ['eor', '10'], ['ands', '11']] as const;
    for (const [name, opc] of ops) {
      const rd = opc === '11' ? reg(size, 0) : reg(size, 0, 'sp');
      const f = form(name, `${sf}${opc}100100${n} ${x(22)}`, [rd, reg(size, 5), logImm(size)]);
      forms.push(f, nonCanonical(f, 0, [rd, reg(size, 5), logImmLenient(size)]));
    }
    forms.push(alias('tst', `${sf}11100100${n} ${x(17)} 11111`, [reg(size, 5), logImm(size)]));
    // GNU as accepts BIC with an immediate as AND with its complement (not BICS, ORN or EON).
    forms.push(asmOnly('bic', `${sf}00100100${n} ${x(22)}`, [reg(size, 0, 'sp'), reg(size, 5), logImm(size, true)]));
    return forms;
  });
}

/** MOVN/MOVZ/MOVK: sf opc 100101 hw imm16 Rd (W registers: hw < 2). */
function moveWide(): Form[] {
  return bothSizes((sf, size) => {
    const hw = sf === '1' ? 'xx' : '0x';
    return [['movn', '00'], ['movz', '10'], ['movk', '11']].map(([name, opc]) =>
      form(name!, `${sf}${opc}100101${hw} ${x(21)}`, [reg(size, 0), movImm16(), movShift(size)]));
  });
}

/** SBFM/BFM/UBFM: sf opc 100110 N immr imms Rn Rd (N = sf; W forms have immr, imms < 32). */
function bitfield(): Form[] {
  return bothSizes((sf, size) => {
    const n = sf;
    const i6 = sf === '1' ? x(6) : '0' + x(5);
    const top = size === 64 ? '111111' : '011111';
    const rd = reg(size, 0);
    const rn = reg(size, 5);
    const base = (opc: string): string => `${sf}${opc}100110${n} ${i6} ${i6} ${x(10)}`;
    const forms: Form[] = [];
    // SBFM and its aliases, in the Arm ARM's order of preference.
    forms.push(form('sbfm', base('00'), [rd, rn, bfField(size, 16), bfField(size, 10)]));
    forms.push(alias('asr', `${sf}00100110${n} ${i6} ${top} ${x(10)}`, [rd, rn, uimm(16, 6, 'dec', size - 1)]));
    forms.push(alias('sbfiz', base('00'), [rd, rn, bfLsbInsert(size), bfWidthInsert(size)], bf.insert));
    forms.push(alias('sxtb', `${sf}00100110${n} 000000 000111 ${x(10)}`, [rd, reg(32, 5)]));
    forms.push(alias('sxth', `${sf}00100110${n} 000000 001111 ${x(10)}`, [rd, reg(32, 5)]));
    if (size === 64) forms.push(alias('sxtw', `100100110${n} 000000 011111 ${x(10)}`, [rd, reg(32, 5)]));
    forms.push(alias('sbfx', base('00'), [rd, rn, bfLsbExtract(size), bfWidthExtract(size)], bf.extract));
    // BFM: BFC (FEAT_ASMv8p2, Rn = ZR), BFI, BFXIL.
    forms.push(form('bfm', base('01'), [rd, rn, bfField(size, 16), bfField(size, 10)]));
    forms.push(alias('bfc', `${sf}01100110${n} ${i6} ${i6} 11111 ${x(5)}`, [rd, bfLsbInsert(size), bfWidthInsert(size)], bf.insert));
    forms.push(alias('bfi', base('01'), [rd, rn, bfLsbInsert(size), bfWidthInsert(size)], bf.insert));
    forms.push(alias('bfxil', base('01'), [rd, rn, bfLsbExtract(size), bfWidthExtract(size)], bf.extract));
    // UBFM: LSL, LSR, UBFIZ, UXTB/UXTH (W only), UBFX.
    forms.push(form('ubfm', base('10'), [rd, rn, bfField(size, 16), bfField(size, 10)]));
    forms.push(alias('lsl', base('10'), [rd, rn, lslImm(size)], bf.lsl(size)));
    forms.push(alias('lsr', `${sf}10100110${n} ${i6} ${top} ${x(10)}`, [rd, rn, uimm(16, 6, 'dec', size - 1)]));
    forms.push(alias('ubfiz', base('10'), [rd, rn, bfLsbInsert(size), bfWidthInsert(size)], bf.insert));
    if (size === 32) {
      forms.push(alias('uxtb', `0101001100 000000 000111 ${x(10)}`, [rd, reg(32, 5)]));
      forms.push(alias('uxth', `0101001100 000000 001111 ${x(10)}`, [rd, reg(32, 5)]));
      // GNU as also takes an X destination for UXTB/UXTH and encodes the W form.
      forms.push(asmOnly('uxtb', `0101001100 000000 000111 ${x(10)}`, [reg(64, 0), reg(32, 5)]));
      forms.push(asmOnly('uxth', `0101001100 000000 001111 ${x(10)}`, [reg(64, 0), reg(32, 5)]));
    }
    forms.push(alias('ubfx', base('10'), [rd, rn, bfLsbExtract(size), bfWidthExtract(size)], bf.extract));
    return forms;
  });
}

/** EXTR: sf 00 100111 N 0 Rm imms Rn Rd; ROR (immediate) when Rn = Rm. */
function extract(): Form[] {
  return bothSizes((sf, size) => {
    const i6 = sf === '1' ? x(6) : '0' + x(5);
    const pat = `${sf}00100111${sf}0 ${x(5)} ${i6} ${x(10)}`;
    return [
      form('extr', pat, [reg(size, 0), reg(size, 5), reg(size, 16), bfField(size, 10)]),
      alias('ror', pat, [reg(size, 0), regTwice(size, 5, 16), bfField(size, 10)]),
    ];
  });
}

/** ADR/ADRP: op immlo 10000 immhi Rd. */
function pcRel(): Form[] {
  return [
    form('adr', `0xx10000 ${x(24)}`, [reg(64, 0), adrTarget()]),
    form('adrp', `1xx10000 ${x(24)}`, [reg(64, 0), adrpTarget()]),
  ];
}

export function dataProcessingImmediate(): Form[] {
  return [...addSubImm(), ...logicalImm(), ...moveWide(), ...bitfield(), ...extract(), ...pcRel()];
}
