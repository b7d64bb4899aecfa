/**
 * Output formats for an assembled object: an ELF64 executable (via src/elf/write.ts) or a flat
 * binary image. Both may lay the program out again at another base address.
 */
import { PF_R, PF_W, PF_X, writeElf64, type ElfSegment } from '../elf/write.js';
import { assembleSource } from './assembler.js';
import { segmentOf } from './layout.js';
import type { AsmObject } from './object.js';

export interface OutputOptions {
  /**
   * Load address of the first section. When it differs from the object's base, the source is
   * assembled again at this base (absolute addresses change; nothing else does).
   */
  readonly base?: bigint;
}

/** The object laid out at `base`. Throws (with every message) if that layout fails, e.g. an address no longer fits a `.word`. */
function at(obj: AsmObject, base: bigint | undefined): AsmObject {
  if (base === undefined || base === obj.base) return obj;
  const r = assembleSource(obj.source, { file: obj.file, base, pageSize: obj.pageSize });
  if (r.obj === null) throw new Error(r.diag.errors.map((e) => e.format()).join('\n'));
  return r.obj;
}

/**
 * An ELF64 little-endian AArch64 ET_EXEC file: one PT_LOAD for code and read-only data (R+X),
 * one for writable data and .bss (R+W, p_filesz < p_memsz when there is .bss), section headers
 * and a symbol table. The entry point is `_start` or the start of .text.
 */
export function toElf(obj: AsmObject, opts: OutputOptions = {}): Uint8Array {
  const o = at(obj, opts.base);
  const order = o.sections.map((_, i) => i).sort((a, b) => (o.sections[a]!.addr < o.sections[b]!.addr ? -1 : 1));
  const rx = order.filter((i) => segmentOf(o.sections[i]!) === 'rx');
  const rw = order.filter((i) => segmentOf(o.sections[i]!) === 'rw');
  const segments: ElfSegment[] = [];
  if (rx.length > 0) {
    const exec = rx.some((i) => o.sections[i]!.flags.exec);
    segments.push({ flags: PF_R | (exec ? PF_X : 0), sections: rx });
  }
  if (rw.length > 0) segments.push({ flags: PF_R | PF_W, sections: rw });
  const index = new Map(o.sections.map((s, i) => [s.name, i]));
  return writeElf64({
    entry: o.entry,
    sections: o.sections,
    segments,
    symbols: o.symbols.map((s) => ({ ...s, section: s.section === null ? null : index.get(s.section) ?? null })),
    pageSize: o.pageSize,
  });
}

/**
 * A flat binary: memory from the base address to the end of the last loaded section with
 * contents, gaps zero-filled. .bss is not included (the loader must provide zeroed memory).
 */
export function toFlat(obj: AsmObject, opts: OutputOptions = {}): Uint8Array {
  const o = at(obj, opts.base);
  const loaded = o.sections.filter((s) => s.flags.alloc && !s.nobits);
  if (loaded.length === 0) return new Uint8Array(0);
  const end = loaded.reduce((m, s) => (s.addr + BigInt(s.size) > m ? s.addr + BigInt(s.size) : m), o.base);
  const image = new Uint8Array(Number(end - o.base));
  for (const s of loaded) image.set(s.data, Number(s.addr - o.base));
  return image;
}
