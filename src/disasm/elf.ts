/**
 * Just enough ELF64 reading for the disassembler CLI: the executable PT_LOAD segments and the
 * symbol names from .symtab. (Loading ELF files for execution is src/loader's job.)
 */

export interface CodeSegment {
  readonly vaddr: bigint;
  readonly bytes: Uint8Array;
}

export type ElfCode =
  | { readonly ok: true; readonly segments: CodeSegment[]; readonly symbols: Map<bigint, string[]>; readonly entry: bigint }
  | { readonly ok: false; readonly message: string };

const PT_LOAD = 1;
const PF_X = 1;
const SHT_SYMTAB = 2;

export function isElf(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

/** The executable segments and symbols of a 64-bit little-endian ELF file. */
export function readElfCode(buf: Uint8Array): ElfCode {
  if (!isElf(buf) || buf.length < 64) return { ok: false, message: 'not an ELF file' };
  if (buf[4] !== 2 || buf[5] !== 1) return { ok: false, message: 'only 64-bit little-endian ELF files are supported' };
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const entry = dv.getBigUint64(24, true);
  const phoff = Number(dv.getBigUint64(32, true));
  const phnum = dv.getUint16(56, true);
  if (phoff + 56 * phnum > buf.length) return { ok: false, message: 'truncated program headers' };
  const segments: CodeSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + 56 * i;
    if (dv.getUint32(o, true) !== PT_LOAD || (dv.getUint32(o + 4, true) & PF_X) === 0) continue;
    const off = Number(dv.getBigUint64(o + 8, true));
    const filesz = Number(dv.getBigUint64(o + 32, true));
    if (off + filesz > buf.length) return { ok: false, message: `segment ${i} extends past the end of the file` };
    segments.push({ vaddr: dv.getBigUint64(o + 16, true), bytes: buf.subarray(off, off + filesz) });
  }
  return { ok: true, segments, symbols: readSymbols(buf, dv), entry };
}

function readSymbols(buf: Uint8Array, dv: DataView): Map<bigint, string[]> {
  const out = new Map<bigint, string[]>();
  const shoff = Number(dv.getBigUint64(40, true));
  const shnum = dv.getUint16(60, true);
  if (shoff === 0 || shoff + 64 * shnum > buf.length) return out;
  for (let i = 0; i < shnum; i++) {
    const o = shoff + 64 * i;
    if (dv.getUint32(o + 4, true) !== SHT_SYMTAB) continue;
    const off = Number(dv.getBigUint64(o + 24, true));
    const size = Number(dv.getBigUint64(o + 32, true));
    const link = dv.getUint32(o + 40, true);
    const strOff = Number(dv.getBigUint64(shoff + 64 * link + 24, true));
    for (let s = off + 24; s + 24 <= off + size && s + 24 <= buf.length; s += 24) {
      const type = dv.getUint8(s + 4) & 0xf;
      if (type > 2 || dv.getUint16(s + 6, true) === 0) continue; // NOTYPE/OBJECT/FUNC, defined
      let end = strOff + dv.getUint32(s, true);
      const start = end;
      while (end < buf.length && buf[end] !== 0) end++;
      const name = new TextDecoder().decode(buf.subarray(start, end));
      if (name === '' || name.startsWith('$')) continue;
      const value = dv.getBigUint64(s + 8, true);
      out.set(value, [...(out.get(value) ?? []), name]);
    }
  }
  return out;
}
