/**
 * Random data-processing instructions (no memory, no branches): add/subtract in all operand
 * forms, carry arithmetic, logical, move-wide, bitfield, extract, variable shifts, multiply,
 * divide, conditional select/compare, bit operations and NZCV moves.
 *
 * Operand rules (Arm ARM C6): register 31 is SP for Rd/Rn of ADD/SUB (immediate and extended)
 * and Rd of AND/ORR/EOR (immediate), so those positions never use 31 here; everywhere else
 * 31 is the zero register and is used on purpose sometimes.
 */
import {
  type GenCtx, type Unit, reg, x, w, dest, src, bitmaskImmediate, CONDS, INVERTIBLE_CONDS, ZR,
} from './context.js';
import { hex } from './values.js';

const one = (...lines: string[]): Unit => ({ lines });
const sfOf = (ctx: GenCtx): boolean => ctx.rng.chance(0.6);
const shiftName = (ctx: GenCtx, ror: boolean): string => ctx.rng.pick(ror ? ['lsl', 'lsr', 'asr', 'ror'] : ['lsl', 'lsr', 'asr']);

function addSubImmediate(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const op = ctx.rng.pick(['add', 'adds', 'sub', 'subs']);
  const rd = op.endsWith('s') ? dest(ctx) : dest(ctx, false);
  const imm = ctx.rng.chance(0.3) ? ctx.rng.pick([0, 1, 4095]) : ctx.rng.int(4096);
  const shift = ctx.rng.chance(0.3) ? ', lsl #12' : '';
  return one(`${op} ${reg(sf, rd)}, ${reg(sf, src(ctx, false))}, #${imm}${shift}`);
}

function addSubShifted(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const size = sf ? 64 : 32;
  const op = ctx.rng.pick(['add', 'adds', 'sub', 'subs', 'neg', 'negs', 'cmp', 'cmn']);
  const amount = ctx.rng.chance(0.3) ? ctx.rng.pick([0, 1, size - 1]) : ctx.rng.int(size);
  const shift = ctx.rng.chance(0.2) ? '' : `, ${shiftName(ctx, false)} #${amount}`;
  const [d, n, m] = [reg(sf, dest(ctx)), reg(sf, src(ctx)), reg(sf, src(ctx))];
  if (op === 'neg' || op === 'negs') return one(`${op} ${d}, ${m}${shift}`);
  if (op === 'cmp' || op === 'cmn') return one(`${op} ${n}, ${m}${shift}`);
  return one(`${op} ${d}, ${n}, ${m}${shift}`);
}

function addSubExtended(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const op = ctx.rng.pick(['add', 'adds', 'sub', 'subs']);
  const ext = ctx.rng.pick(['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx']);
  const amount = ctx.rng.int(5);
  const rm = src(ctx);
  const mName = sf && ext.endsWith('x') ? x(rm) : w(rm);
  const rd = op.endsWith('s') ? dest(ctx) : dest(ctx, false);
  return one(`${op} ${reg(sf, rd)}, ${reg(sf, src(ctx, false))}, ${mName}, ${ext} #${amount}`);
}

function carry(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const op = ctx.rng.pick(['adc', 'adcs', 'sbc', 'sbcs', 'ngc', 'ngcs']);
  const [d, n, m] = [reg(sf, dest(ctx)), reg(sf, src(ctx)), reg(sf, src(ctx))];
  return op.startsWith('ngc') ? one(`${op} ${d}, ${m}`) : one(`${op} ${d}, ${n}, ${m}`);
}

function logicalImmediate(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const op = ctx.rng.pick(['and', 'orr', 'eor', 'ands', 'tst']);
  const imm = hex(bitmaskImmediate(ctx, sf));
  if (op === 'tst') return one(`tst ${reg(sf, src(ctx))}, #${imm}`);
  const rd = op === 'ands' ? dest(ctx) : dest(ctx, false);
  return one(`${op} ${reg(sf, rd)}, ${reg(sf, src(ctx))}, #${imm}`);
}

function logicalShifted(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const size = sf ? 64 : 32;
  const op = ctx.rng.pick(['and', 'bic', 'orr', 'orn', 'eor', 'eon', 'ands', 'bics', 'mvn', 'tst', 'mov']);
  const amount = ctx.rng.chance(0.3) ? ctx.rng.pick([0, 1, size - 1]) : ctx.rng.int(size);
  const shift = ctx.rng.chance(0.25) ? '' : `, ${shiftName(ctx, true)} #${amount}`;
  const [d, n, m] = [reg(sf, dest(ctx)), reg(sf, src(ctx)), reg(sf, src(ctx))];
  if (op === 'mov') return one(`mov ${d}, ${m}`);
  if (op === 'mvn') return one(`mvn ${d}, ${m}${shift}`);
  if (op === 'tst') return one(`tst ${n}, ${m}${shift}`);
  return one(`${op} ${d}, ${n}, ${m}${shift}`);
}

function moveWide(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const op = ctx.rng.pick(['movz', 'movn', 'movk']);
  const hw = ctx.rng.int(sf ? 4 : 2);
  const imm = ctx.rng.chance(0.3) ? ctx.rng.pick([0, 1, 0x8000, 0xffff]) : ctx.rng.int(0x10000);
  return one(`${op} ${reg(sf, dest(ctx, false))}, #0x${imm.toString(16)}, lsl #${16 * hw}`);
}

function bitfield(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const size = sf ? 64 : 32;
  const [d, n] = [reg(sf, dest(ctx)), reg(sf, src(ctx))];
  const kind = ctx.rng.int(5);
  if (kind <= 1) {
    const op = ctx.rng.pick(['sbfm', 'bfm', 'ubfm']);
    return one(`${op} ${d}, ${n}, #${ctx.rng.int(size)}, #${ctx.rng.int(size)}`);
  }
  if (kind === 2) {
    const lsb = ctx.rng.int(size);
    const width = ctx.rng.range(1, size - lsb);
    const op = ctx.rng.pick(['sbfiz', 'ubfiz', 'bfi', 'sbfx', 'ubfx', 'bfxil']);
    return one(`${op} ${d}, ${n}, #${lsb}, #${width}`);
  }
  if (kind === 3) return one(`${ctx.rng.pick(['asr', 'lsr', 'lsl'])} ${d}, ${n}, #${ctx.rng.int(size)}`);
  const ext = ctx.rng.pick(sf ? ['sxtb', 'sxth', 'sxtw'] : ['sxtb', 'sxth', 'uxtb', 'uxth']);
  return one(`${ext} ${d}, ${w(src(ctx))}`);
}

function extract(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const lsb = ctx.rng.int(sf ? 64 : 32);
  const [d, n, m] = [reg(sf, dest(ctx)), reg(sf, src(ctx)), reg(sf, src(ctx))];
  return ctx.rng.chance(0.3) ? one(`ror ${d}, ${n}, #${lsb}`) : one(`extr ${d}, ${n}, ${m}, #${lsb}`);
}

function variableShift(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const op = ctx.rng.pick(['lslv', 'lsrv', 'asrv', 'rorv', 'lsl', 'lsr', 'asr', 'ror']);
  return one(`${op} ${reg(sf, dest(ctx))}, ${reg(sf, src(ctx))}, ${reg(sf, src(ctx))}`);
}

function multiply(ctx: GenCtx): Unit {
  const kind = ctx.rng.int(4);
  if (kind === 0) {
    const sf = sfOf(ctx);
    const op = ctx.rng.pick(['madd', 'msub']);
    return one(`${op} ${reg(sf, dest(ctx))}, ${reg(sf, src(ctx))}, ${reg(sf, src(ctx))}, ${reg(sf, src(ctx))}`);
  }
  if (kind === 1) {
    const sf = sfOf(ctx);
    return one(`${ctx.rng.pick(['mul', 'mneg'])} ${reg(sf, dest(ctx))}, ${reg(sf, src(ctx))}, ${reg(sf, src(ctx))}`);
  }
  if (kind === 2) {
    const op = ctx.rng.pick(['smaddl', 'umaddl', 'smsubl', 'umsubl', 'smull', 'umull', 'smnegl', 'umnegl']);
    const acc = op.endsWith('addl') || op.endsWith('subl') ? `, ${x(src(ctx))}` : '';
    return one(`${op} ${x(dest(ctx))}, ${w(src(ctx))}, ${w(src(ctx))}${acc}`);
  }
  return one(`${ctx.rng.pick(['smulh', 'umulh'])} ${x(dest(ctx))}, ${x(src(ctx))}, ${x(src(ctx))}`);
}

/** UDIV/SDIV; often sets up division by zero, by -1, or of INT_MIN first. */
function divide(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const op = ctx.rng.pick(['udiv', 'sdiv']);
  const [rn, rm] = [src(ctx), src(ctx)];
  const lines: string[] = [];
  if (ctx.rng.chance(0.4) && !ctx.reserved.has(rm) && rm !== ZR) {
    lines.push(`mov ${reg(sf, rm)}, #${ctx.rng.pick([0, -1, 1, 2, -2])}`);
  }
  if (ctx.rng.chance(0.3) && !ctx.reserved.has(rn) && rn !== ZR && rn !== rm) {
    lines.push(`mov ${reg(sf, rn)}, #${sf ? '0x8000000000000000' : '0x80000000'}`);
  }
  lines.push(`${op} ${reg(sf, dest(ctx))}, ${reg(sf, rn)}, ${reg(sf, rm)}`);
  return { lines };
}

function conditionalSelect(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const [d, n, m] = [reg(sf, dest(ctx)), reg(sf, src(ctx)), reg(sf, src(ctx))];
  if (ctx.rng.chance(0.65)) {
    const op = ctx.rng.pick(['csel', 'csinc', 'csinv', 'csneg']);
    return one(`${op} ${d}, ${n}, ${m}, ${ctx.rng.pick(CONDS)}`);
  }
  const cond = ctx.rng.pick(INVERTIBLE_CONDS);
  const op = ctx.rng.pick(['cset', 'csetm', 'cinc', 'cinv', 'cneg']);
  return op.startsWith('cset') ? one(`${op} ${d}, ${cond}`) : one(`${op} ${d}, ${n}, ${cond}`);
}

function conditionalCompare(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const op = ctx.rng.pick(['ccmp', 'ccmn']);
  const second = ctx.rng.chance(0.5) ? `#${ctx.rng.int(32)}` : reg(sf, src(ctx));
  return one(`${op} ${reg(sf, src(ctx))}, ${second}, #${ctx.rng.int(16)}, ${ctx.rng.pick(CONDS)}`);
}

function bitOperation(ctx: GenCtx): Unit {
  const sf = sfOf(ctx);
  const op = ctx.rng.pick(sf ? ['rbit', 'rev', 'rev16', 'rev32', 'clz', 'cls'] : ['rbit', 'rev', 'rev16', 'clz', 'cls']);
  return one(`${op} ${reg(sf, dest(ctx))}, ${reg(sf, src(ctx))}`);
}

function flagsMove(ctx: GenCtx): Unit {
  return ctx.rng.chance(0.5) ? one(`mrs ${x(dest(ctx, false))}, nzcv`) : one(`msr nzcv, ${x(src(ctx))}`);
}

/** Data-processing generators and their relative weights. */
export const ALU_GENERATORS: readonly (readonly [number, (ctx: GenCtx) => Unit])[] = [
  [8, addSubImmediate], [8, addSubShifted], [6, addSubExtended], [5, carry],
  [6, logicalImmediate], [7, logicalShifted], [4, moveWide], [7, bitfield], [3, extract],
  [4, variableShift], [6, multiply], [5, divide], [7, conditionalSelect], [6, conditionalCompare],
  [5, bitOperation], [1, flagsMove],
];
