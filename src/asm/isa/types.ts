/**
 * The shape of the instruction table shared by the assembler and the disassembler.
 *
 * A Form is one way of writing one encoding: a mnemonic, the fixed bits (`bits` under `mask`)
 * and a list of operand kinds. Each operand kind knows both directions: `enc` turns a written
 * operand into the bits it contributes, `dec` turns those bits back into text. Aliases
 * (`mov`, `cmp`, `lsl` …) are Forms of their own, with `alias: true` so the disassembler
 * prefers them, and `when` for the alias conditions of the Arm ARM that masks cannot express.
 */
import type { Operand } from '../operands.js';
import type { Expr } from '../expr.js';
import type { SrcPos } from '../errors.js';

/** Why an operand does not fit. `rank` orders candidate errors: higher is more specific. */
export class Mismatch {
  constructor(
    readonly message: string,
    readonly rank: number,
    /** Where the problem is, when more precise than the operand (an undefined symbol). */
    readonly pos?: SrcPos,
  ) {}
}

/** Ranks: wrong kind of operand < wrong register < value out of range < undefined symbol. */
export const RANK_KIND = 1;
export const RANK_REG = 5;
export const RANK_VALUE = 8;
export const RANK_SYMBOL = 10;

export interface EncCtx {
  /** Address of the instruction. */
  readonly pc: bigint;
  /** Mnemonic as written (lower case), for messages. */
  readonly mnem: string;
  /** Bits encoded so far: the form's fixed bits and the earlier operands. */
  word: number;
  /** Values operands leave for later ones (e.g. the width of an extended index register). */
  readonly scratch: Map<string, number>;
  /** Evaluates an expression to an absolute 64-bit value (labels are final addresses). */
  evaluate(e: Expr): bigint | Mismatch;
  /** Address of this statement's literal-pool slot (`ldr x0, =expr`), if it has one. */
  readonly literalAddress: bigint | null;
}

export interface DecCtx {
  /** Address of the instruction (for PC-relative targets). */
  readonly pc: bigint;
}

export interface OperandKind {
  /** What the operand should be, for messages: "a 64-bit register". */
  readonly what: string;
  /** Whether the operand may be left out; `enc` is then called with `undefined`. */
  readonly optional?: boolean;
  /** Bits for this operand (ORed into the word), or why it does not fit. */
  enc(op: Operand | undefined, c: EncCtx): number | Mismatch;
  /** Text for this operand; '' to print nothing (an omitted default); null if the bits are invalid. */
  dec(w: number, d: DecCtx): string | null;
}

export interface Form {
  readonly mnem: string;
  readonly bits: number;
  readonly mask: number;
  readonly ops: readonly OperandKind[];
  /** Preferred by the disassembler over non-alias forms. */
  readonly alias: boolean;
  /** Extra condition on the word for the disassembler (alias conditions, reserved values). */
  readonly when?: (w: number) => boolean;
  /** Only for assembly (alternative spellings, GNU conveniences such as `add` with a negative immediate). */
  readonly asmOnly: boolean;
  /**
   * Only for disassembly: an encoding with should-be-one/zero fields or an immr that the
   * assembler would write differently. Printed as `.inst 0x… // text`, so it re-assembles exactly.
   */
  readonly nonCanonical?: boolean;
}
