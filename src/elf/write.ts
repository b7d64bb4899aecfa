/**
 * A small ELF64 little-endian writer for executables (System V gABI, "ELF-64 Object File
 * Format"; AArch64 ELF ABI for e_machine 183). It writes loadable sections grouped into
 * PT_LOAD segments, plus .symtab/.strtab/.shstrtab and section headers so tools such as
 * objdump and readelf understand the file. It does not do relocation or dynamic linking.
 */

export const EM_AARCH64 = 183;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

const ET_EXEC = 2;
const PT_LOAD = 1;
const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_NOBITS = 8;
const SHF_WRITE = 1;
const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;
const SHN_ABS = 0xfff1;
const EHDR = 64;
const PHDR = 56;
const SHDR = 64;
const SYM = 24;

export interface ElfSection {
  readonly name: string;
  /** NOBITS sections (.bss) occupy memory but no file space. */
  readonly nobits: boolean;
  readonly flags: { readonly alloc: boolean; readonly write: boolean; readonly exec: boolean };
  readonly addr: bigint;
  /** Contents (ignored for NOBITS). */
  readonly data: Uint8Array;
  /** Size in memory. */
  readonly size: number;
  readonly align: number;
}

export interface ElfSegment {
  /** PF_R | PF_W | PF_X. */
  readonly flags: number;
  /** Indexes into `sections`, in increasing address order. */
  readonly sections: readonly number[];
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: bigint;
  readonly size?: bigint;
  /** Index into `sections`, or null for an absolute symbol. */
  readonly section: number | null;
  readonly global: boolean;
  readonly type: 'func' | 'object' | 'notype';
}

export interface ElfImage {
  readonly entry: bigint;
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
  readonly symbols?: readonly ElfSymbol[];
  /** Segment alignment: file offsets are congruent to addresses modulo this (default 0x1000). */
  readonly pageSize?: bigint;
  readonly machine?: number;
}

/** A string table: offsets of names, NUL-separated, starting with an empty string. */
class StrTab {
  private readonly parts: number[] = [0];
  private readonly index = new Map<string, number>();

  add(s: string): number {
    const found = this.index.get(s);
    if (found !== undefined) return found;
    const off = this.parts.length;
    this.parts.push(...new TextEncoder().encode(s), 0);
    this.index.set(s, off);
    return off;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** Smallest offset ≥ `off` that is congruent to `addr` modulo `page`. */
function congruent(off: number, addr: bigint, page: bigint): number {
  const want = Number(addr % page);
  const p = Number(page);
  const base = off - (off % p) + want;
  return base >= off ? base : base + p;
}

function symbolTable(img: ElfImage, strtab: StrTab): { bytes: Uint8Array; firstGlobal: number } {
  const syms = [...(img.symbols ?? [])];
  const ordered = [...syms.filter((s) => !s.global), ...syms.filter((s) => s.global)];
  const bytes = new Uint8Array(SYM * (ordered.length + 1));
  const dv = new DataView(bytes.buffer);
  ordered.forEach((s, i) => {
    const o = SYM * (i + 1);
    const type = s.type === 'func' ? 2 : s.type === 'object' ? 1 : 0;
    dv.setUint32(o, strtab.add(s.name), true);
    dv.setUint8(o + 4, ((s.global ? 1 : 0) << 4) | type);
    dv.setUint16(o + 6, s.section === null ? SHN_ABS : s.section + 1, true);
    dv.setBigUint64(o + 8, BigInt.asUintN(64, s.value), true);
    dv.setBigUint64(o + 16, s.size ?? 0n, true);
  });
  return { bytes, firstGlobal: 1 + syms.filter((s) => !s.global).length };
}

/** Where everything goes in the file. */
interface FileLayout {
  /** File offset of each section. */
  readonly offsets: number[];
  readonly phdrs: readonly { flags: number; offset: number; vaddr: bigint; filesz: number; memsz: number }[];
  /** First free offset after the section contents. */
  readonly end: number;
}

/**
 * Places segments so that each file offset is congruent to its address modulo the page size
 * (what the loader maps), then the sections outside segments.
 */
function layoutFile(img: ElfImage, page: bigint): FileLayout {
  const offsets = img.sections.map(() => 0);
  const phdrs: { flags: number; offset: number; vaddr: bigint; filesz: number; memsz: number }[] = [];
  let off = EHDR + PHDR * img.segments.length;
  for (const seg of img.segments) {
    const first = img.sections[seg.sections[0]!]!;
    const segOff = congruent(off, first.addr, page);
    let filesz = 0;
    let memsz = 0;
    for (const i of seg.sections) {
      const s = img.sections[i]!;
      const rel = Number(s.addr - first.addr);
      offsets[i] = segOff + rel;
      memsz = Math.max(memsz, rel + s.size);
      if (!s.nobits) filesz = Math.max(filesz, rel + s.size);
    }
    phdrs.push({ flags: seg.flags, offset: segOff, vaddr: first.addr, filesz, memsz });
    off = segOff + filesz;
  }
  const inSegment = new Set(img.segments.flatMap((s) => s.sections));
  img.sections.forEach((s, i) => {
    if (inSegment.has(i)) return;
    off = alignUp(off, Math.max(1, s.align));
    offsets[i] = off;
    if (!s.nobits) off += s.size;
  });
  return { offsets, phdrs, end: off };
}

function writeHeader(dv: DataView, img: ElfImage, phnum: number, shOff: number, shnum: number): void {
  new Uint8Array(dv.buffer).set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELFCLASS64, ELFDATA2LSB, EV_CURRENT
  dv.setUint16(16, ET_EXEC, true);
  dv.setUint16(18, img.machine ?? EM_AARCH64, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, img.entry, true);
  dv.setBigUint64(32, BigInt(phnum > 0 ? EHDR : 0), true);
  dv.setBigUint64(40, BigInt(shOff), true);
  dv.setUint16(52, EHDR, true);
  dv.setUint16(54, PHDR, true);
  dv.setUint16(56, phnum, true);
  dv.setUint16(58, SHDR, true);
  dv.setUint16(60, shnum, true);
  dv.setUint16(62, shnum - 1, true); // .shstrtab is last
}

function writeProgramHeaders(dv: DataView, layout: FileLayout, page: bigint): void {
  layout.phdrs.forEach((p, i) => {
    const o = EHDR + PHDR * i;
    dv.setUint32(o, PT_LOAD, true);
    dv.setUint32(o + 4, p.flags, true);
    dv.setBigUint64(o + 8, BigInt(p.offset), true);
    dv.setBigUint64(o + 16, p.vaddr, true);
    dv.setBigUint64(o + 24, p.vaddr, true);
    dv.setBigUint64(o + 32, BigInt(p.filesz), true);
    dv.setBigUint64(o + 40, BigInt(p.memsz), true);
    dv.setBigUint64(o + 48, page, true);
  });
}

interface SectionHeader {
  readonly name: number;
  readonly type: number;
  readonly flags: number;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
  readonly link?: number;
  readonly info?: number;
  readonly align: number;
  readonly entsize?: number;
}

function writeSectionHeader(dv: DataView, at: number, h: SectionHeader): void {
  dv.setUint32(at, h.name, true);
  dv.setUint32(at + 4, h.type, true);
  dv.setBigUint64(at + 8, BigInt(h.flags), true);
  dv.setBigUint64(at + 16, h.addr, true);
  dv.setBigUint64(at + 24, BigInt(h.offset), true);
  dv.setBigUint64(at + 32, BigInt(h.size), true);
  dv.setUint32(at + 40, h.link ?? 0, true);
  dv.setUint32(at + 44, h.info ?? 0, true);
  dv.setBigUint64(at + 48, BigInt(h.align), true);
  dv.setBigUint64(at + 56, BigInt(h.entsize ?? 0), true);
}

/** Writes an ET_EXEC ELF64 file. Section addresses inside one segment must not overlap. */
export function writeElf64(img: ElfImage): Uint8Array {
  const page = img.pageSize ?? 0x1000n;
  const layout = layoutFile(img, page);
  const shstr = new StrTab();
  const strtab = new StrTab();
  const { bytes: symtab, firstGlobal } = symbolTable(img, strtab);
  const strBytes = strtab.bytes();
  const names = [...img.sections.map((s) => s.name), '.symtab', '.strtab', '.shstrtab'].map((n) => shstr.add(n));
  const shstrBytes = shstr.bytes();
  const symOff = alignUp(layout.end, 8);
  const strOff = symOff + symtab.length;
  const shstrOff = strOff + strBytes.length;
  const shOff = alignUp(shstrOff + shstrBytes.length, 8);
  const n = img.sections.length;
  const out = new Uint8Array(shOff + SHDR * (n + 4));
  const dv = new DataView(out.buffer);
  writeHeader(dv, img, layout.phdrs.length, shOff, n + 4);
  writeProgramHeaders(dv, layout, page);
  img.sections.forEach((s, i) => {
    if (!s.nobits) out.set(s.data.subarray(0, s.size), layout.offsets[i]!);
  });
  out.set(symtab, symOff);
  out.set(strBytes, strOff);
  out.set(shstrBytes, shstrOff);
  img.sections.forEach((s, i) => {
    const flags = (s.flags.alloc ? SHF_ALLOC : 0) | (s.flags.write ? SHF_WRITE : 0) | (s.flags.exec ? SHF_EXECINSTR : 0);
    writeSectionHeader(dv, shOff + SHDR * (i + 1), {
      name: names[i]!, type: s.nobits ? SHT_NOBITS : SHT_PROGBITS, flags, addr: s.flags.alloc ? s.addr : 0n,
      offset: layout.offsets[i]!, size: s.size, align: Math.max(1, s.align),
    });
  });
  writeSectionHeader(dv, shOff + SHDR * (n + 1), { name: names[n]!, type: SHT_SYMTAB, flags: 0, addr: 0n, offset: symOff, size: symtab.length, link: n + 2, info: firstGlobal, align: 8, entsize: SYM });
  writeSectionHeader(dv, shOff + SHDR * (n + 2), { name: names[n + 1]!, type: SHT_STRTAB, flags: 0, addr: 0n, offset: strOff, size: strBytes.length, align: 1 });
  writeSectionHeader(dv, shOff + SHDR * (n + 3), { name: names[n + 2]!, type: SHT_STRTAB, flags: 0, addr: 0n, offset: shstrOff, size: shstrBytes.length, align: 1 });
  return out;
}
