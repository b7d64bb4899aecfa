/** The assembler's output: laid-out sections with their bytes, symbols and the entry point. */
import type { SectionFlags } from './directives.js';
import type { AsmError } from './errors.js';

export interface AsmSection {
  readonly name: string;
  /** Final address. */
  readonly addr: bigint;
  readonly size: number;
  /** Contents (empty for NOBITS sections such as .bss). */
  readonly data: Uint8Array;
  readonly flags: SectionFlags;
  readonly nobits: boolean;
  /** Alignment in bytes. */
  readonly align: number;
}

export interface AsmSymbol {
  readonly name: string;
  /** Final address (or the value of an absolute symbol). */
  readonly value: bigint;
  /** Section name, or null for absolute symbols (`.equ`). */
  readonly section: string | null;
  readonly global: boolean;
  readonly type: 'func' | 'object' | 'notype';
}

export interface AsmObject {
  readonly file: string;
  /** Address the sections were laid out from. */
  readonly base: bigint;
  /** `_start` if defined, else the start of .text. */
  readonly entry: bigint;
  readonly sections: readonly AsmSection[];
  readonly symbols: readonly AsmSymbol[];
  readonly warnings: readonly AsmError[];
  /** The source, kept so the object can be laid out again at another base (toElf/toFlat `base`). */
  readonly source: string;
  readonly pageSize: bigint;
}
