/**
 * Chooses the Form for an instruction as written and encodes it. The Forms of a mnemonic are
 * tried in table order; the first whose operands all fit wins. When none fits, the most
 * specific complaint is reported: highest Mismatch rank, then the operand reached furthest.
 */
import type { SrcPos } from '../errors.js';
import type { Expr } from '../expr.js';
import type { Operand } from '../operands.js';
import { formsFor } from './table.js';
import { Mismatch, RANK_VALUE, type EncCtx, type Form } from './types.js';

export interface EncodeEnv {
  readonly pc: bigint;
  readonly literalAddress: bigint | null;
  evaluate(e: Expr): bigint | Mismatch;
}

export type EncodeResult =
  | { readonly ok: true; readonly word: number; readonly form: Form }
  | { readonly ok: false; readonly message: string; readonly pos: SrcPos | null };

interface Failure {
  readonly m: Mismatch;
  readonly depth: number;
  readonly pos: SrcPos | null;
}

/** Encodes `mnem operands…` at `env.pc`. Never throws on bad input. */
export function encodeInstruction(mnem: string, operands: readonly Operand[], env: EncodeEnv): EncodeResult {
  const forms = formsFor(mnem);
  if (forms === undefined) return { ok: false, message: `unknown instruction '${mnem}'`, pos: null };
  let best: Failure | null = null;
  for (const f of forms) {
    const r = tryForm(f, mnem, operands, env);
    if (typeof r === 'number') return { ok: true, word: r, form: f };
    if (best === null || r.m.rank > best.m.rank || (r.m.rank === best.m.rank && r.depth > best.depth)) best = r;
  }
  return { ok: false, message: best!.m.message, pos: best!.pos };
}

function tryForm(f: Form, mnem: string, operands: readonly Operand[], env: EncodeEnv): number | Failure {
  if (operands.length > f.ops.length) {
    const extra = operands[f.ops.length]!;
    const msg = f.ops.length === 0 ? `${mnem} takes no operands` : `too many operands for ${mnem} (expected ${f.ops.length})`;
    return { m: new Mismatch(msg, 0), depth: f.ops.length, pos: extra.pos };
  }
  const ctx: EncCtx = {
    pc: env.pc,
    mnem,
    word: f.bits,
    scratch: new Map(),
    evaluate: (e) => env.evaluate(e),
    literalAddress: env.literalAddress,
  };
  for (let i = 0; i < f.ops.length; i++) {
    const op = operands[i];
    const last = operands[operands.length - 1]?.pos ?? null;
    if (op === undefined && !f.ops[i]!.optional) {
      // Every operand written so far fits: the missing one is the problem.
      return { m: new Mismatch(`missing operand ${i + 1} of ${mnem}: expected ${f.ops[i]!.what}`, RANK_VALUE), depth: i, pos: last };
    }
    const r = f.ops[i]!.enc(op, ctx);
    if (r instanceof Mismatch) return { m: r, depth: i, pos: r.pos ?? op?.pos ?? last };
    ctx.word = (ctx.word | r) >>> 0;
  }
  // An operand must not change the form's fixed bits (e.g. op0 of a generic system register).
  if (((ctx.word & f.mask) >>> 0) !== f.bits) return { m: new Mismatch('operands do not fit this encoding', 0), depth: f.ops.length, pos: null };
  return ctx.word;
}
