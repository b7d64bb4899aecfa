/**
 * Data processing (register), Arm ARM C4.1.5: logical and ADD/SUB (shifted register),
 * ADD/SUB (extended register), with carry, conditional compare and select, one-, two- and
 * three-source instructions, CRC32, and their aliases (MVN, TST, CMP, CMN, NEG(S), NGC(S), CSET(M),
 * CINC, CINV, CNEG, LSL/LSR/ASR/ROR (register), MUL, MNEG, SMULL, UMULL, …).
 */
import { field } from './bits.js';
import { alias, asmOnly, bothSizes, form, nonCanonical, x } from './form.js';
import { cond, condNotAlways, uimm } from './kinds-imm.js';
import { extendOpt, extReg, shiftOpt } from './kinds-shift.js';
import { reg, regTwice } from './kinds-reg.js';
import type { Form } from './types.js';

/** AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register): sf opc 01010 shift N Rm imm6 Rn Rd. */
function logicalShifted(): Form[] {
  const ops = [['and', '00', '0'], ['bic', '00', '1'], ['orr', '01', '0'], ['orn', '01', '1'],
    ['eor', '10', '0'], ['eon', '10', '1'], ['ands', '11', '0'], ['bics', '11', '1']] as const;
  return bothSizes((sf, size) => {
    const [rd, rn, rm] = [reg(size, 0), reg(size, 5), reg(size, 16)];
    const sh = shiftOpt(size, true);
    return [
      ...ops.map(([name, opc, n]) => form(name, `${sf}${opc}01010xx${n} ${x(21)}`, [rd, rn, rm, sh])),
      alias('mvn', `${sf}0101010xx1 ${x(11)} 11111 ${x(5)}`, [rd, rm, sh]),
      alias('tst', `${sf}1101010xx0 ${x(16)} 11111`, [rn, rm, sh]),
    ];
  });
}

/** ADD/ADDS/SUB/SUBS (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd (shift 11 reserved). */
function addSubShifted(): Form[] {
  return bothSizes((sf, size) => {
    const [rd, rn, rm] = [reg(size, 0), reg(size, 5), reg(size, 16)];
    const sh = shiftOpt(size, false);
    return [
      form('add', `${sf}0001011xx0 ${x(21)}`, [rd, rn, rm, sh]),
      form('adds', `${sf}0101011xx0 ${x(21)}`, [rd, rn, rm, sh]),
      form('sub', `${sf}1001011xx0 ${x(21)}`, [rd, rn, rm, sh]),
      form('subs', `${sf}1101011xx0 ${x(21)}`, [rd, rn, rm, sh]),
      alias('cmp', `${sf}1101011xx0 ${x(16)} 11111`, [rn, rm, sh]),
      alias('cmn', `${sf}0101011xx0 ${x(16)} 11111`, [rn, rm, sh]),
      alias('neg', `${sf}1001011xx0 ${x(11)} 11111 ${x(5)}`, [rd, rm, sh]),
      alias('negs', `${sf}1101011xx0 ${x(11)} 11111 ${x(5)}`, [rd, rm, sh]),
    ];
  });
}

/** ADD/ADDS/SUB/SUBS (extended register): sf op S 01011 00 1 Rm option imm3 Rn Rd. */
function addSubExtended(): Form[] {
  return bothSizes((sf, size) => {
    const rnSp = reg(size, 5, 'sp');
    const forms: Form[] = [];
    for (const [name, op, s] of [['add', '0', '0'], ['adds', '0', '1'], ['sub', '1', '0'], ['subs', '1', '1']] as const) {
      const rd = s === '1' ? reg(size, 0) : reg(size, 0, 'sp');
      const spFields = s === '1' ? [5] : [0, 5];
      forms.push(form(name, `${sf}${op}${s}01011001 ${x(21)}`, [rd, rnSp, extReg(size), extendOpt(size, spFields)]));
    }
    forms.push(alias('cmp', `${sf}1101011001 ${x(16)} 11111`, [rnSp, extReg(size), extendOpt(size, [5])]));
    forms.push(alias('cmn', `${sf}0101011001 ${x(16)} 11111`, [rnSp, extReg(size), extendOpt(size, [5])]));
    return forms;
  });
}

/** ADC/ADCS/SBC/SBCS: sf op S 11010000 Rm 000000 Rn Rd; NGC/NGCS when Rn = ZR. */
function withCarry(): Form[] {
  return bothSizes((sf, size) => {
    const [rd, rn, rm] = [reg(size, 0), reg(size, 5), reg(size, 16)];
    return [
      form('adc', `${sf}0011010000 ${x(5)} 000000 ${x(10)}`, [rd, rn, rm]),
      form('adcs', `${sf}0111010000 ${x(5)} 000000 ${x(10)}`, [rd, rn, rm]),
      form('sbc', `${sf}1011010000 ${x(5)} 000000 ${x(10)}`, [rd, rn, rm]),
      form('sbcs', `${sf}1111010000 ${x(5)} 000000 ${x(10)}`, [rd, rn, rm]),
      alias('ngc', `${sf}1011010000 ${x(5)} 000000 11111 ${x(5)}`, [rd, rm]),
      alias('ngcs', `${sf}1111010000 ${x(5)} 000000 11111 ${x(5)}`, [rd, rm]),
    ];
  });
}

/** CCMN/CCMP (register and immediate): sf op 1 11010010 Rm|imm5 cond o 0 Rn 0 nzcv. */
function condCompare(): Form[] {
  return bothSizes((sf, size) => {
    const nzcv = uimm(0, 4, 'hex');
    const forms: Form[] = [];
    for (const [name, op] of [['ccmn', '0'], ['ccmp', '1']] as const) {
      forms.push(form(name, `${sf}${op}111010010 ${x(5)} xxxx 00 ${x(5)} 0 xxxx`, [reg(size, 5), reg(size, 16), nzcv, cond(12)]));
      forms.push(form(name, `${sf}${op}111010010 ${x(5)} xxxx 10 ${x(5)} 0 xxxx`, [reg(size, 5), uimm(16, 5, 'hex'), nzcv, cond(12)]));
    }
    return forms;
  });
}

const RA = 0x1f << 10;

const rnIsRm = (w: number): boolean => field(w, 5, 5) === field(w, 16, 5);

/** CSEL/CSINC/CSINV/CSNEG: sf op 0 11010100 Rm cond 0 o2 Rn Rd, and CSET/CSETM/CINC/CINV/CNEG. */
function condSelect(): Form[] {
  return bothSizes((sf, size) => {
    const [rd, rn, rm] = [reg(size, 0), reg(size, 5), reg(size, 16)];
    const pat = (op: string, o2: string): string => `${sf}${op}011010100 ${x(5)} xxxx 0${o2} ${x(10)}`;
    const cset = (op: string): string => `${sf}${op}011010100 11111 xxxx 01 11111 ${x(5)}`;
    const inv = cond(12, true);
    const pair = regTwice(size, 5, 16);
    return [
      form('csel', pat('0', '0'), [rd, rn, rm, cond(12)]),
      form('csinc', pat('0', '1'), [rd, rn, rm, cond(12)]),
      form('csinv', pat('1', '0'), [rd, rn, rm, cond(12)]),
      form('csneg', pat('1', '1'), [rd, rn, rm, cond(12)]),
      alias('cset', cset('0'), [rd, inv], condNotAlways),
      alias('csetm', `${sf}1011010100 11111 xxxx 00 11111 ${x(5)}`, [rd, inv], condNotAlways),
      alias('cinc', pat('0', '1'), [rd, pair, inv], (w) => condNotAlways(w) && rnIsRm(w)),
      alias('cinv', pat('1', '0'), [rd, pair, inv], (w) => condNotAlways(w) && rnIsRm(w)),
      alias('cneg', pat('1', '1'), [rd, pair, inv], (w) => condNotAlways(w) && rnIsRm(w)),
    ];
  });
}

/** RBIT/REV16/REV32/REV/CLZ/CLS: sf 1 0 11010110 00000 opcode Rn Rd. */
function oneSource(): Form[] {
  return bothSizes((sf, size) => {
    const ops: [string, string][] = size === 64
      ? [['rbit', '000000'], ['rev16', '000001'], ['rev32', '000010'], ['rev', '000011'], ['clz', '000100'], ['cls', '000101']]
      : [['rbit', '000000'], ['rev16', '000001'], ['rev', '000010'], ['clz', '000100'], ['cls', '000101']];
    const forms = ops.map(([name, opc]) => form(name, `${sf}101101011000000 ${opc} ${x(10)}`, [reg(size, 0), reg(size, 5)]));
    if (size === 64) forms.push(asmOnly('rev64', `1101101011000000 000011 ${x(10)}`, [reg(64, 0), reg(64, 5)]));
    return forms;
  });
}

/** UDIV/SDIV/LSLV/LSRV/ASRV/RORV: sf 0 0 11010110 Rm opcode Rn Rd; LSL/LSR/ASR/ROR (register) are the preferred names. */
function twoSource(): Form[] {
  return bothSizes((sf, size) => {
    const ops = [reg(size, 0), reg(size, 5), reg(size, 16)];
    const pat = (opc: string): string => `${sf}0011010110 ${x(5)} ${opc} ${x(10)}`;
    return [
      form('udiv', pat('000010'), ops),
      form('sdiv', pat('000011'), ops),
      form('lslv', pat('001000'), ops),
      form('lsrv', pat('001001'), ops),
      form('asrv', pat('001010'), ops),
      form('rorv', pat('001011'), ops),
      alias('lsl', pat('001000'), ops),
      alias('lsr', pat('001001'), ops),
      alias('asr', pat('001010'), ops),
      alias('ror', pat('001011'), ops),
    ];
  });
}

/** CRC32B/H/W/X and CRC32CB/CH/CW/CX (FEAT_CRC32, mandatory from Armv8.1): sf 0 0 11010110 Rm 010 C sz Rn Rd. */
function crc32(): Form[] {
  const forms: Form[] = [];
  for (const [c, cname] of [['0', 'crc32'], ['1', 'crc32c']] as const) {
    for (const [sz, sfx] of [['00', 'b'], ['01', 'h'], ['10', 'w'], ['11', 'x']] as const) {
      const sf = sz === '11' ? '1' : '0';
      forms.push(form(`${cname}${sfx}`, `${sf}0011010110 ${x(5)} 010${c}${sz} ${x(10)}`, [reg(32, 0), reg(32, 5), reg(sz === '11' ? 64 : 32, 16)]));
    }
  }
  return forms;
}

/** MADD/MSUB (and MUL/MNEG), the long forms SMADDL… (and SMULL…), SMULH/UMULH: sf 00 11011 op31 Rm o0 Ra Rn Rd. */
function threeSource(): Form[] {
  const forms = bothSizes((sf, size) => {
    const [rd, rn, rm, ra] = [reg(size, 0), reg(size, 5), reg(size, 16), reg(size, 10)];
    return [
      form('madd', `${sf}0011011000 ${x(5)} 0 ${x(15)}`, [rd, rn, rm, ra]),
      form('msub', `${sf}0011011000 ${x(5)} 1 ${x(15)}`, [rd, rn, rm, ra]),
      alias('mul', `${sf}0011011000 ${x(5)} 0 11111 ${x(10)}`, [rd, rn, rm]),
      alias('mneg', `${sf}0011011000 ${x(5)} 1 11111 ${x(10)}`, [rd, rn, rm]),
    ];
  });
  const [xd, wn, wm, xa] = [reg(64, 0), reg(32, 5), reg(32, 16), reg(64, 10)];
  for (const [name, u, o0, short] of [['smaddl', '0', '0', 'smull'], ['smsubl', '0', '1', 'smnegl'], ['umaddl', '1', '0', 'umull'], ['umsubl', '1', '1', 'umnegl']] as const) {
    forms.push(form(name, `10011011${u}01 ${x(5)} ${o0} ${x(15)}`, [xd, wn, wm, xa]));
    forms.push(alias(short, `10011011${u}01 ${x(5)} ${o0} 11111 ${x(10)}`, [xd, wn, wm]));
  }
  for (const [name, u] of [['smulh', '0'], ['umulh', '1']] as const) {
    const f = form(name, `10011011${u}10 ${x(5)} 0 11111 ${x(10)}`, [reg(64, 0), reg(64, 5), reg(64, 16)]);
    forms.push(f, nonCanonical(f, RA)); // Ra is "should be 11111"
  }
  return forms;
}

export function dataProcessingRegister(): Form[] {
  return [
    ...logicalShifted(), ...addSubShifted(), ...addSubExtended(), ...withCarry(), ...condCompare(),
    ...condSelect(), ...oneSource(), ...twoSource(), ...crc32(), ...threeSource(),
  ];
}
