/**
 * The two-pass assembler driver: parse (with macro expansion), pass 1 (pass1.ts), layout
 * (layout.ts), pass 2 (pass2.ts), and collecting the result into an AsmObject.
 */
import { Diagnostics } from './errors.js';
import { layoutSections } from './layout.js';
import type { AsmObject, AsmSection, AsmSymbol } from './object.js';
import { parseProgram } from './parser.js';
import { pass1 } from './pass1.js';
import { pass2 } from './pass2.js';
import { Assembly } from './state.js';

export interface AssembleOptions {
  /** File name used in messages (default `input.s`). */
  readonly file?: string;
  /** Address of the first section (default 0x400000, GNU ld's base for executables). */
  readonly base?: bigint;
  /** Alignment of the writable segment (default 0x1000). */
  readonly pageSize?: bigint;
}

export const DEFAULT_BASE = 0x400000n;
export const DEFAULT_PAGE = 0x1000n;

function isLocalName(name: string): boolean {
  return name.startsWith('.L') || name.includes('\u0002');
}

function collect(a: Assembly, file: string, base: bigint, source: string, opts: AssembleOptions): AsmObject {
  const sections: AsmSection[] = a.sections
    .filter((s) => s.size > 0)
    .map((s) => ({ name: s.name, addr: s.addr, size: s.size, data: s.data, flags: s.flags, nobits: s.nobits, align: s.align }));
  const symbols: AsmSymbol[] = [];
  for (const s of a.syms.map.values()) {
    const v = s.kind === null ? undefined : a.syms.valueOf(s.name);
    if (v === undefined || isLocalName(s.name)) continue;
    symbols.push({
      name: s.name, value: a.absolute(v), section: v.sec === null ? null : a.sections[v.sec]!.name,
      global: s.global, type: s.type,
    });
  }
  const start = a.syms.map.get('_start');
  const startValue = start?.kind ? a.syms.valueOf('_start') : undefined;
  const text = sections.find((s) => s.name === '.text') ?? sections.find((s) => s.flags.exec);
  const entry = startValue !== undefined ? a.absolute(startValue) : text?.addr ?? base;
  return { file, base, entry, sections, symbols, warnings: a.diag.warnings, source, pageSize: opts.pageSize ?? DEFAULT_PAGE };
}

/** Assembles `source`; see src/asm/index.ts for the public contract. */
export function assembleSource(source: string, opts: AssembleOptions = {}): { obj: AsmObject | null; diag: Diagnostics } {
  const file = opts.file ?? 'input.s';
  const base = opts.base ?? DEFAULT_BASE;
  const diag = new Diagnostics(file);
  if (base % 4n !== 0n || base < 0n) {
    diag.error({ line: 1, column: 1 }, `base address 0x${base.toString(16)} is not 4-byte aligned`);
    return { obj: null, diag };
  }
  const stmts = parseProgram(source, diag);
  const a = new Assembly(diag);
  pass1(a, stmts);
  const addrs = layoutSections(a.sections, base, opts.pageSize ?? DEFAULT_PAGE);
  a.sections.forEach((s, i) => (s.addr = addrs[i]!));
  a.syms.sectionAddress = (sec) => a.sections[sec]!.addr;
  pass2(a);
  if (diag.errors.length > 0) return { obj: null, diag };
  return { obj: collect(a, file, base, source, opts), diag };
}

