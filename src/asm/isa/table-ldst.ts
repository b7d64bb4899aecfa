/**
 * Loads and stores, Arm ARM C4.1.4 (and ../shared/spec/arm.md §8): literal, exclusive and
 * ordered (LDXR/STXR/LDAXR/STLXR, pairs, LDAR/STLR), LSE compare-and-swap (CAS, CASP),
 * LOAcquire/LORelease (LDLAR/STLLR), pairs (LDP/STP/LDPSW/LDNP/STNP), single registers with every addressing mode (unsigned
 * offset, unscaled LDUR/STUR, unprivileged LDTR/STTR, pre/post-index, register offset),
 * LSE atomic memory operations (LDADD…, SWP, and the ST* aliases) and LDAPR (FEAT_LRCPC).
 */
import { alias, asmOnly, form, nonCanonical, x } from './form.js';
import { branch } from './kinds-label.js';
import { memBase, memPair, memRegister, memSimm9, memUnsigned, postPair, postSimm9 } from './kinds-mem.js';
import { reg, regEven, regNext } from './kinds-reg.js';
import { prfOp } from './kinds-sys.js';
import type { Form, OperandKind } from './types.js';

/** Size suffixes of exclusive/ordered/atomic instructions: [suffix, size bits, register width]. */
const SIZES = [['b', '00', 32], ['h', '01', 32], ['', '10', 32], ['', '11', 64]] as const;

function literal(): Form[] {
  const lit = branch(5, 19, true);
  return [
    form('ldr', `00011000 ${x(24)}`, [reg(32, 0), lit]),
    form('ldr', `01011000 ${x(24)}`, [reg(64, 0), lit]),
    form('ldrsw', `10011000 ${x(24)}`, [reg(64, 0), lit]),
    form('prfm', `11011000 ${x(24)}`, [prfOp(), lit]),
  ];
}

const RS = 0x1f << 16;
const RT2 = 0x1f << 10;

/**
 * size 001000 o2 L o1 Rs o0 Rt2 Rn Rt: exclusives, LDAR/STLR, CAS; CASP has o2 = 0, o1 = 1.
 * Unused Rs/Rt2 fields are "should be one"; words with other values decode as non-canonical.
 */
function exclusive(): Form[] {
  const forms: Form[] = [];
  const push = (f: Form, dontCare: number): void => void forms.push(f, nonCanonical(f, dontCare));
  const mem = memBase(true);
  for (const [sfx, size, w] of SIZES) {
    const rt = reg(w, 0);
    const rs = reg(32, 16);
    push(form(`stxr${sfx}`, `${size}001000000 ${x(5)} 0 11111 ${x(10)}`, [rs, rt, mem]), RT2);
    push(form(`stlxr${sfx}`, `${size}001000000 ${x(5)} 1 11111 ${x(10)}`, [rs, rt, mem]), RT2);
    push(form(`ldxr${sfx}`, `${size}001000010 11111 0 11111 ${x(10)}`, [rt, mem]), RS | RT2);
    push(form(`ldaxr${sfx}`, `${size}001000010 11111 1 11111 ${x(10)}`, [rt, mem]), RS | RT2);
    push(form(`stlr${sfx}`, `${size}001000100 11111 1 11111 ${x(10)}`, [rt, mem]), RS | RT2);
    push(form(`ldar${sfx}`, `${size}001000110 11111 1 11111 ${x(10)}`, [rt, mem]), RS | RT2);
    // LDLAR/STLLR: LoadLOAcquire/StoreLORelease (FEAT_LOR, Armv8.1).
    push(form(`stllr${sfx}`, `${size}001000100 11111 0 11111 ${x(10)}`, [rt, mem]), RS | RT2);
    push(form(`ldlar${sfx}`, `${size}001000110 11111 0 11111 ${x(10)}`, [rt, mem]), RS | RT2);
    const cas = [['cas', '0', '0'], ['casa', '1', '0'], ['casl', '0', '1'], ['casal', '1', '1']] as const;
    for (const [name, l, o0] of cas) {
      push(form(`${name}${sfx}`, `${size}0010001${l}1 ${x(5)} ${o0} 11111 ${x(10)}`, [reg(w, 16), rt, mem]), RT2);
    }
    forms.push(form(`ldapr${sfx}`, `${size}11100010111111110000 ${x(10)}`, [rt, mem]));
  }
  for (const [sz, w] of [['0', 32], ['1', 64]] as const) {
    const [rt, rt2] = [reg(w, 0), reg(w, 10)];
    forms.push(form('stxp', `1${sz}001000001 ${x(5)} 0 ${x(15)}`, [reg(32, 16), rt, rt2, mem]));
    forms.push(form('stlxp', `1${sz}001000001 ${x(5)} 1 ${x(15)}`, [reg(32, 16), rt, rt2, mem]));
    push(form('ldxp', `1${sz}001000011 11111 0 ${x(15)}`, [rt, rt2, mem]), RS);
    push(form('ldaxp', `1${sz}001000011 11111 1 ${x(15)}`, [rt, rt2, mem]), RS);
    const casp = [['casp', '0', '0'], ['caspa', '1', '0'], ['caspl', '0', '1'], ['caspal', '1', '1']] as const;
    for (const [name, l, o0] of casp) {
      push(form(name, `0${sz}0010000${l}1 ${x(5)} ${o0} 11111 ${x(10)}`,
        [regEven(w, 16), regNext(w, 16), regEven(w, 0), regNext(w, 0), mem]), RT2);
    }
  }
  return forms;
}

/** opc 101 0 idx L imm7 Rt2 Rn Rt: STNP/LDNP (idx 000), post (001), offset (010), pre (011). */
function pairs(): Form[] {
  const forms: Form[] = [];
  const kinds = [['stp', '00', '0', 32, 2], ['ldp', '00', '1', 32, 2], ['ldpsw', '01', '1', 64, 2],
    ['stp', '10', '0', 64, 3], ['ldp', '10', '1', 64, 3]] as const;
  for (const [name, opc, l, w, scale] of kinds) {
    const label = name === 'ldpsw' ? name : `${name} ${w === 64 ? 'x' : 'w'}`;
    const [rt, rt2] = [reg(w, 0), reg(w, 10)];
    forms.push(form(name, `${opc}1010010${l} ${x(22)}`, [rt, rt2, memPair(scale, 'offset', label)]));
    forms.push(form(name, `${opc}1010011${l} ${x(22)}`, [rt, rt2, memPair(scale, 'pre', label)]));
    forms.push(form(name, `${opc}1010001${l} ${x(22)}`, [rt, rt2, memBase(false), postPair(scale, label)]));
    if (name !== 'ldpsw') {
      const np = name === 'stp' ? 'stnp' : 'ldnp';
      forms.push(form(np, `${opc}1010000${l} ${x(22)}`, [rt, rt2, memPair(scale, 'offset', `${np} ${w === 64 ? 'x' : 'w'}`)]));
    }
  }
  return forms;
}

/** One single-register load/store: its names in each addressing mode, size and opc bits, and Rt. */
interface Single {
  readonly name: string;
  readonly unscaled: string;
  readonly unpriv: string | null;
  readonly size: string;
  readonly opc: string;
  readonly rt: OperandKind;
  readonly label: string;
}

function single(name: string, unscaled: string, unpriv: string | null, size: string, opc: string, w: 32 | 64 | 0, label: string): Single {
  return { name, unscaled, unpriv, size, opc, rt: w === 0 ? prfOp() : reg(w, 0), label };
}

/** (size, opc) pairs of the integer loads and stores (Arm ARM C4.1.4, "Load/store register"). */
const SINGLES: readonly Single[] = [
  single('strb', 'sturb', 'sttrb', '00', '00', 32, 'strb'),
  single('ldrb', 'ldurb', 'ldtrb', '00', '01', 32, 'ldrb'),
  single('ldrsb', 'ldursb', 'ldtrsb', '00', '10', 64, 'ldrsb x'),
  single('ldrsb', 'ldursb', 'ldtrsb', '00', '11', 32, 'ldrsb w'),
  single('strh', 'sturh', 'sttrh', '01', '00', 32, 'strh'),
  single('ldrh', 'ldurh', 'ldtrh', '01', '01', 32, 'ldrh'),
  single('ldrsh', 'ldursh', 'ldtrsh', '01', '10', 64, 'ldrsh x'),
  single('ldrsh', 'ldursh', 'ldtrsh', '01', '11', 32, 'ldrsh w'),
  single('str', 'stur', 'sttr', '10', '00', 32, 'str w'),
  single('ldr', 'ldur', 'ldtr', '10', '01', 32, 'ldr w'),
  single('ldrsw', 'ldursw', 'ldtrsw', '10', '10', 64, 'ldrsw'),
  single('str', 'stur', 'sttr', '11', '00', 64, 'str x'),
  single('ldr', 'ldur', 'ldtr', '11', '01', 64, 'ldr x'),
  single('prfm', 'prfum', null, '11', '10', 0, 'prfm'),
];

/**
 * size 111 0 01 opc imm12 Rn Rt (unsigned offset); size 111 0 00 opc 0 imm9 idx Rn Rt (idx 00
 * unscaled, 01 post, 10 unprivileged, 11 pre); size 111 0 00 opc 1 Rm option S 10 Rn Rt (register).
 */
function singles(): Form[] {
  const forms: Form[] = [];
  for (const s of SINGLES) {
    const scale = parseInt(s.size, 2);
    const imm9 = (idx: string): string => `${s.size}111000${s.opc}0 ${x(9)} ${idx} ${x(10)}`;
    forms.push(form(s.name, `${s.size}111001${s.opc} ${x(22)}`, [s.rt, memUnsigned(scale, s.label)]));
    // GNU as picks the unscaled form when the offset is negative or unaligned: `ldr x0, [x1, #-8]` is LDUR.
    forms.push(asmOnly(s.name, imm9('00'), [s.rt, memSimm9('offset', s.label)]));
    forms.push(form(s.unscaled, imm9('00'), [s.rt, memSimm9('offset', s.unscaled)]));
    if (s.name !== 'prfm') {
      forms.push(form(s.name, imm9('11'), [s.rt, memSimm9('pre', s.label)]));
      forms.push(form(s.name, imm9('01'), [s.rt, memBase(false), postSimm9(s.label)]));
    }
    if (s.unpriv !== null) forms.push(form(s.unpriv, imm9('10'), [s.rt, memSimm9('offset', s.unpriv)]));
    forms.push(form(s.name, `${s.size}111000${s.opc}1 ${x(5)} xxx x 10 ${x(10)}`, [s.rt, memRegister(scale, s.label)]));
  }
  return forms;
}

const ATOMIC_OPS = [['add', '0', '000'], ['clr', '0', '001'], ['eor', '0', '010'], ['set', '0', '011'],
  ['smax', '0', '100'], ['smin', '0', '101'], ['umax', '0', '110'], ['umin', '0', '111']] as const;
const ORDERINGS = [['', '0', '0'], ['a', '1', '0'], ['l', '0', '1'], ['al', '1', '1']] as const;

/** LSE atomics: size 111 0 00 A R 1 Rs o3 opc 00 Rn Rt; ST<op>{L} are LD<op>{L} with Rt = ZR. */
function atomics(): Form[] {
  const forms: Form[] = [];
  const mem = memBase(true);
  for (const [sfx, size, w] of SIZES) {
    for (const [ord, a, r] of ORDERINGS) {
      for (const [op, o3, opc] of ATOMIC_OPS) {
        const pat = `${size}111000${a}${r}1 ${x(5)} ${o3}${opc}00 ${x(10)}`;
        forms.push(form(`ld${op}${ord}${sfx}`, pat, [reg(w, 16), reg(w, 0), mem]));
        if (a === '0') {
          forms.push(alias(`st${op}${ord}${sfx}`, `${size}111000${a}${r}1 ${x(5)} ${o3}${opc}00 ${x(5)} 11111`, [reg(w, 16), mem]));
        }
      }
      forms.push(form(`swp${ord}${sfx}`, `${size}111000${a}${r}1 ${x(5)} 100000 ${x(10)}`, [reg(w, 16), reg(w, 0), mem]));
    }
  }
  return forms;
}

export function loadsAndStores(): Form[] {
  return [...literal(), ...exclusive(), ...pairs(), ...singles(), ...atomics()];
}

