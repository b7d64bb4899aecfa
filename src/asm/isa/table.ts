/**
 * The A64 instruction table: every Form the assembler accepts and the disassembler prints,
 * in the order the assembler tries them for one mnemonic (GNU as's preferences; see
 * table-mov.ts for MOV). Indexes: by mnemonic (assembler) and by bits 31:21 (disassembler).
 */
import { branchesAndSystem } from './table-branch-sys.js';
import { dataProcessingImmediate } from './table-dp-imm.js';
import { dataProcessingRegister } from './table-dp-reg.js';
import { loadsAndStores } from './table-ldst.js';
import { movAliases } from './table-mov.js';
import type { Form } from './types.js';

export const FORMS: readonly Form[] = [
  ...movAliases(),
  ...dataProcessingImmediate(),
  ...dataProcessingRegister(),
  ...branchesAndSystem(),
  ...loadsAndStores(),
];

const byMnem = new Map<string, Form[]>();
for (const f of FORMS) {
  const list = byMnem.get(f.mnem);
  if (list) list.push(f);
  else byMnem.set(f.mnem, [f]);
}

/** Forms for a mnemonic (lower case), in the assembler's order of preference. */
export function formsFor(mnem: string): readonly Form[] | undefined {
  return byMnem.get(mnem);
}

/** Every mnemonic the assembler knows. */
export function mnemonics(): string[] {
  return [...byMnem.keys()];
}
