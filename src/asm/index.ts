/**
 * The A64 assembler: GNU as syntax, and the words GNU as produces (checked against it).
 *
 *   const r = assemble(src, { file: 'boot.s', base: 0x40080000n });
 *   if (!r.ok) for (const e of r.error) console.error(e.format());
 *   else writeFileSync('boot.bin', toFlat(r.value));
 *
 * Instructions: the Armv8.0-A integer set with every standard alias, v8.1 LSE atomics, CRC32,
 * LDLAR/STLLR, LDAPR, the PAuth/BTI hint names, and the system instructions (MRS/MSR with the
 * names of src/arch/sysregs.ts or s<op0>_<op1>_c<n>_c<m>_<op2>, MSR immediate, SYS/SYSL and
 * the DC/IC/AT/TLBI aliases, barriers, hints). The table is src/asm/isa (shared with the
 * disassembler). No SIMD/FP, SVE or MTE.
 *
 * Source: labels, numeric local labels (1: / 1b / 1f), `//` `/* *\/` and line-leading `#`
 * comments, `;`, GNU expressions, `:lo12:`, `ldr xN, =expr` literal pools (.ltorg/.pool),
 * sections (.text .data .bss .rodata .section .pushsection .popsection .previous), .align
 * (power of two) .p2align .balign .org, data (.byte .hword .short .word .int .long .quad
 * .xword .dword .2byte .4byte .8byte .inst), strings (.ascii .asciz .string), .skip .space
 * .zero .fill, .equ .set .equiv and `sym = expr`, .global .globl .local .weak .type .comm
 * .lcomm, .macro/.rept/.irp/.irpc/.if (macros.ts); .arch .cpu .file .ident .size .cfi_*
 * and similar are accepted and ignored.
 *
 * The assembler never throws on bad input: every problem is an AsmError with file:line:column.
 * It also links: sections get final addresses (layout.ts), so there are no relocations.
 */
import { ok, err, type Result } from '../util/result.js';
import { assembleSource, DEFAULT_BASE, type AssembleOptions } from './assembler.js';
import type { AsmError } from './errors.js';
import type { AsmObject } from './object.js';

export { AsmError } from './errors.js';
export type { AsmObject, AsmSection, AsmSymbol } from './object.js';
export type { AssembleOptions } from './assembler.js';
export { toElf, toFlat, type OutputOptions } from './output.js';
export { DEFAULT_BASE };

/**
 * Assembles `source`. Returns the laid-out object, or every error found (each with
 * `file:line:col`). Warnings (such as truncated values) are in `value.warnings`.
 */
export function assemble(source: string, opts: AssembleOptions = {}): Result<AsmObject, AsmError[]> {
  const r = assembleSource(source, opts);
  return r.obj === null ? err(r.diag.errors) : ok(r.obj);
}
