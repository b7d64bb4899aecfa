/**
 * Operand kinds of system instructions (Arm ARM C5): system registers for MRS/MSR by name from
 * src/arch/sysregs.ts or as `s<op0>_<op1>_c<n>_c<m>_<op2>`, PSTATE fields for MSR (immediate),
 * barrier options, prefetch operations, and the DC/IC/AT/TLBI operation names of SYSINSNS.
 */
import { SYSINSNS, sysKey, sysRegByKey, sysRegByName, type SysInsnDef } from '../../arch/sysregs.js';
import { field, hex, put } from './bits.js';
import { bareName, expected, uintIn } from './kinds-common.js';
import { regNum } from './kinds-reg.js';
import { Mismatch, RANK_KIND, RANK_VALUE, type OperandKind } from './types.js';

const GENERIC = /^s([0-3])_([0-7])_c([0-9]|1[0-5])_c([0-9]|1[0-5])_([0-7])$/;

/**
 * A system register in bits 20:5. Normally op0 is 2 or 3 (bit 20 fixed by the form, o0 in
 * bit 19). With `anyOp0`, bits 20:19 hold op0 0–3: GNU as accepts the generic names
 * `s0_…`/`s1_…` too, which encode other system instructions.
 */
export function sysReg(anyOp0 = false): OperandKind {
  const op0Bits = (op0: number): number => (anyOp0 ? put(op0, 19) : put(op0 - 2, 19));
  return {
    what: 'a system register',
    enc(op) {
      const name = bareName(op);
      if (name === null) return expected('a system register name', op);
      const def = sysRegByName(name);
      if (def) return op0Bits(def.op0) | put(def.op1, 16) | put(def.crn, 12) | put(def.crm, 8) | put(def.op2, 5);
      const m = GENERIC.exec(name);
      if (!m || (!anyOp0 && Number(m[1]) < 2)) {
        return new Mismatch(`unknown system register '${name}' (use a name from src/arch/sysregs.ts or s<op0>_<op1>_c<n>_c<m>_<op2>)`, RANK_VALUE);
      }
      return op0Bits(Number(m[1])) | put(Number(m[2]), 16) | put(Number(m[3]), 12) | put(Number(m[4]), 8) | put(Number(m[5]), 5);
    },
    dec(w) {
      const op0 = anyOp0 ? field(w, 19, 2) : 2 + field(w, 19, 1);
      const op1 = field(w, 16, 3);
      const crn = field(w, 12, 4);
      const crm = field(w, 8, 4);
      const op2 = field(w, 5, 3);
      const def = sysRegByKey(sysKey(op0, op1, crn, crm, op2));
      return def ? def.name.toLowerCase() : `s${op0}_${op1}_c${crn}_c${crm}_${op2}`;
    },
  };
}

/** PSTATE fields of MSR (immediate): op1 (18:16) and op2 (7:5); `max` is the largest immediate. */
const PSTATE: Record<string, { op1: number; op2: number; max: number }> = {
  spsel: { op1: 0, op2: 5, max: 1 },
  daifset: { op1: 3, op2: 6, max: 15 },
  daifclr: { op1: 3, op2: 7, max: 15 },
  uao: { op1: 0, op2: 3, max: 1 },
  pan: { op1: 0, op2: 4, max: 1 },
  dit: { op1: 3, op2: 2, max: 1 },
  ssbs: { op1: 3, op2: 1, max: 1 },
};

function pstateOf(w: number): string | undefined {
  const op1 = field(w, 16, 3);
  const op2 = field(w, 5, 3);
  return Object.keys(PSTATE).find((k) => PSTATE[k]!.op1 === op1 && PSTATE[k]!.op2 === op2);
}

/** The PSTATE field name of MSR (immediate). */
export function pstateField(): OperandKind {
  return {
    what: 'a PSTATE field (daifset, daifclr, spsel, pan, uao)',
    enc(op, c) {
      const name = bareName(op);
      const f = name === null ? undefined : PSTATE[name];
      if (f === undefined) return expected('a PSTATE field (daifset, daifclr, spsel, pan, uao)', op, name === null ? RANK_KIND : RANK_VALUE - 1);
      c.scratch.set('pstateMax', f.max);
      return put(f.op1, 16) | put(f.op2, 5);
    },
    dec: (w) => pstateOf(w) ?? null,
  };
}

/** The immediate of MSR (immediate), CRm (11:8). */
export function pstateImm(): OperandKind {
  return {
    what: 'an immediate',
    enc(op, c) {
      const v = uintIn(op, c, 'an immediate', 0, c.scratch.get('pstateMax') ?? 15);
      return v instanceof Mismatch ? v : put(v, 8);
    },
    dec(w) {
      const f = pstateOf(w);
      const v = field(w, 8, 4);
      return f !== undefined && v <= PSTATE[f]!.max ? `#${hex(v)}` : null;
    },
  };
}

const BARRIERS: Record<string, number> = {
  sy: 15, st: 14, ld: 13, ish: 11, ishst: 10, ishld: 9, nsh: 7, nshst: 6, nshld: 5, osh: 3, oshst: 2, oshld: 1,
};
const BARRIER_NAMES = Object.fromEntries(Object.entries(BARRIERS).map(([k, v]) => [v, k]));

/** A DMB/DSB option (CRm, 11:8) by name or as `#imm`; unnamed values print as objdump does (`#0x00`). */
export function barrierOption(): OperandKind {
  return {
    what: 'a barrier option',
    enc(op, c) {
      const name = bareName(op);
      if (name !== null) {
        const v = BARRIERS[name];
        return v === undefined ? new Mismatch(`unknown barrier option '${name}'`, RANK_VALUE) : put(v, 8);
      }
      const v = uintIn(op, c, 'a barrier option', 0, 15);
      return v instanceof Mismatch ? v : put(v, 8);
    },
    dec(w) {
      const v = field(w, 8, 4);
      return BARRIER_NAMES[v] ?? `#0x${v.toString(16).padStart(2, '0')}`;
    },
  };
}

/** ISB's option: optional, `sy` or `#imm` (default 15, printed as nothing). */
export function isbOption(): OperandKind {
  return {
    what: 'sy or an immediate',
    optional: true,
    enc(op, c) {
      if (op === undefined || bareName(op) === 'sy') return put(15, 8);
      const v = uintIn(op, c, 'an immediate', 0, 15);
      return v instanceof Mismatch ? v : put(v, 8);
    },
    dec: (w) => (field(w, 8, 4) === 15 ? '' : `#${hex(field(w, 8, 4))}`),
  };
}

const PRF_TYPES = ['pld', 'pli', 'pst'];

/** A prefetch operation (Rt, 4:0): `pldl1keep` … `pstl3strm`, or `#imm5`. */
export function prfOp(): OperandKind {
  return {
    what: 'a prefetch operation',
    enc(op, c) {
      const name = bareName(op);
      if (name !== null) {
        const m = /^(pld|pli|pst)l([123])(keep|strm)$/.exec(name);
        if (!m) return new Mismatch(`unknown prefetch operation '${name}'`, RANK_VALUE);
        return (PRF_TYPES.indexOf(m[1]!) << 3) | ((Number(m[2]) - 1) << 1) | (m[3] === 'strm' ? 1 : 0);
      }
      const v = uintIn(op, c, 'a prefetch operation', 0, 31);
      return v;
    },
    dec(w) {
      const v = field(w, 0, 5);
      const type = v >> 3;
      const level = (v >> 1) & 3;
      if (type > 2 || level > 2) return `#0x${v.toString(16).padStart(2, '0')}`;
      return `${PRF_TYPES[type]}l${level + 1}${v & 1 ? 'strm' : 'keep'}`;
    },
  };
}

function sysInsnOf(kind: SysInsnDef['kind'], w: number): SysInsnDef | undefined {
  const key = sysKey(1, field(w, 16, 3), field(w, 12, 4), field(w, 8, 4), field(w, 5, 3));
  return SYSINSNS.find((d) => d.kind === kind && sysKey(1, d.op1, d.crn, d.crm, d.op2) === key);
}

/** The operation of a DC/IC/AT/TLBI alias (op1, CRn, CRm, op2 in bits 18:5). */
export function sysOp(kind: SysInsnDef['kind']): OperandKind {
  return {
    what: `a ${kind} operation`,
    enc(op, c) {
      const name = bareName(op);
      if (name === null) return expected(`a ${kind} operation name`, op);
      const d = SYSINSNS.find((x) => x.kind === kind && x.op.toLowerCase() === name);
      if (d === undefined) return new Mismatch(`unknown ${kind} operation '${name}'`, RANK_VALUE);
      c.scratch.set('sysHasRt', d.hasRt ? 1 : 0);
      return put(d.op1, 16) | put(d.crn, 12) | put(d.crm, 8) | put(d.op2, 5);
    },
    dec: (w) => sysInsnOf(kind, w)?.op.toLowerCase() ?? null,
  };
}

/** Xt of a DC/IC/AT/TLBI alias: required when the operation takes one, else absent (Rt = 31). */
export function sysOpReg(kind: SysInsnDef['kind']): OperandKind {
  return {
    what: 'a 64-bit register',
    optional: true,
    enc(op, c) {
      const hasRt = c.scratch.get('sysHasRt') === 1;
      if (!hasRt) return op === undefined ? put(31, 0) : new Mismatch(`${c.mnem} operation takes no register`, RANK_VALUE);
      if (op === undefined) return new Mismatch(`${c.mnem} operation needs a register`, RANK_VALUE);
      const n = regNum(op, 64, 'zr');
      return n instanceof Mismatch ? n : put(n, 0);
    },
    dec(w) {
      const d = sysInsnOf(kind, w);
      if (d === undefined) return null;
      const rt = field(w, 0, 5);
      if (!d.hasRt) return rt === 31 ? '' : null;
      return rt === 31 ? 'xzr' : `x${rt}`;
    },
  };
}

/** A `Cn` operand of SYS/SYSL (C0–C15) in the 4-bit field at `pos`; printed upper-case like objdump. */
export function crOperand(pos: number): OperandKind {
  return {
    what: 'a C register (c0..c15)',
    enc(op) {
      const name = bareName(op);
      const m = name === null ? null : /^c([0-9]|1[0-5])$/.exec(name);
      if (!m) return expected('a C register (c0..c15)', op);
      return put(Number(m[1]), pos);
    },
    dec: (w) => `C${field(w, pos, 4)}`,
  };
}

