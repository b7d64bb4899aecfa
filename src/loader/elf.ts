/**
 * ELF loader for AArch64 programs: parses an ELF64 little-endian file into the segments to
 * copy into memory (`parseElf`), then checks and relocates them against a machine's RAM
 * (`placeElf`).
 *
 * Accepted: ET_EXEC, and static-PIE ET_DYN that needs no dynamic relocations. Rejected with a
 * message, never a throw: anything malformed, other machines/classes/byte orders, relocatable
 * objects and core dumps, and dynamically linked programs (PT_INTERP, DT_NEEDED, or any dynamic
 * relocation).
 *
 * What this module does not do: write memory, read section headers or symbols, apply
 * relocations, or set up a stack or auxiliary vector. The caller copies each segment's `data`
 * to `vaddr` and zero-fills the rest up to `memsz`.
 */
import { type Result, ok, err } from '../util/result.js';
import * as F from './elf-format.js';

/** One PT_LOAD segment. */
export interface ElfSegment {
  /** Where the segment's first byte goes (after `placeElf`, including the load bias). */
  readonly vaddr: bigint;
  /** Bytes the segment occupies in memory; the bytes past `filesz` are zero. */
  readonly memsz: bigint;
  /** Bytes taken from the file; always `<= memsz` and equal to `data.length`. */
  readonly filesz: bigint;
  /** p_flags: PF_R = 4, PF_W = 2, PF_X = 1 (other bits kept as found). */
  readonly flags: number;
  /**
   * The file bytes, `data.length === Number(filesz)`. A view into the buffer given to
   * `parseElf` (not a copy): do not modify it. The caller writes `data` at `vaddr`, then zeros
   * from `vaddr + filesz` up to `vaddr + memsz` (the .bss part).
   */
  readonly data: Uint8Array;
}

/** A loadable program. */
export interface ElfImage {
  /** 'exec' for ET_EXEC (fixed addresses), 'dyn' for static-PIE ET_DYN (any load bias). */
  readonly type: 'exec' | 'dyn';
  /** First instruction's address; always inside a segment with PF_X. */
  readonly entry: bigint;
  /** The PT_LOAD segments in program-header order. */
  readonly segments: readonly ElfSegment[];
}

/** A contiguous range of RAM: [base, base + size). */
export interface MemRange {
  readonly base: bigint;
  readonly size: bigint;
}

const U64_END = 1n << 64n;
/** Larger segments are treated as corrupt: the simulator's RAM is far smaller. */
const MAX_MEMSZ = 1n << 32n;
const PAGE_SIZE = 4096n;

/** A program header as read, before any check that depends on its type. */
interface Phdr {
  readonly index: number;
  readonly type: number;
  readonly flags: number;
  readonly offset: bigint;
  readonly vaddr: bigint;
  readonly filesz: bigint;
  readonly memsz: bigint;
}

/** The header fields the loader uses. */
interface Header {
  readonly type: 'exec' | 'dyn';
  readonly entry: bigint;
  readonly phoff: bigint;
  readonly phnum: number;
}

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;
const range = (start: bigint, size: bigint): string => `[${hex(start)}, ${hex(start + size)})`;

/**
 * Parses an ELF64 little-endian AArch64 executable.
 *
 * @param bytes the whole file.
 * @returns the entry point and PT_LOAD segments (addresses as linked, no bias), or an error for:
 *   - a file shorter than its headers ("truncated ...: needs N bytes, found M"), bad magic,
 *     ELF32, big-endian, a bad EI_VERSION/e_version;
 *   - a type other than ET_EXEC/ET_DYN (ET_REL, ET_CORE named), e_machine other than 183;
 *   - a bad e_phentsize (must be 56), e_phoff (0 or inside the ELF header), e_phnum
 *     (0 or PN_XNUM), or a program header table outside the file;
 *   - a PT_LOAD whose file range is outside the file, p_filesz > p_memsz, p_memsz > 4 GiB,
 *     or p_vaddr + p_memsz past 2^64;
 *   - PT_INTERP, DT_NEEDED or dynamic relocations (DT_RELA/DT_REL/DT_JMPREL/DT_RELR with a
 *     non-zero size, or DT_REL at all), or a PT_DYNAMIC outside the file;
 *   - no PT_LOAD at all, or an entry point outside every executable (PF_X) PT_LOAD.
 */
export function parseElf(bytes: Uint8Array): Result<ElfImage, string> {
  const ident = checkIdent(bytes);
  if (!ident.ok) return ident;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = readHeader(view);
  if (!header.ok) return header;
  const phdrs = readPhdrs(view, header.value);
  if (!phdrs.ok) return phdrs;
  const linking = checkStaticallyLinked(view, phdrs.value);
  if (!linking.ok) return linking;
  const segments = loadSegments(bytes, phdrs.value);
  if (!segments.ok) return segments;
  const image: ElfImage = { type: header.value.type, entry: header.value.entry, segments: segments.value };
  const entry = checkEntry(image);
  return entry.ok ? ok(image) : entry;
}

/** e_ident: magic, class, byte order, version. */
function checkIdent(bytes: Uint8Array): Result<true, string> {
  const magic = Array.from(bytes.subarray(0, 4));
  const expected = F.ELF_MAGIC.map((b) => b.toString(16).padStart(2, '0')).join(' ');
  if (magic.length === 4 && magic.some((b, i) => b !== F.ELF_MAGIC[i])) {
    const found = magic.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    return err(`not an ELF file: bad magic ${found} (expected ${expected}, "\\x7fELF")`);
  }
  if (bytes.length < F.EHDR_SIZE) {
    return err(`truncated ELF file: the ELF64 header needs ${F.EHDR_SIZE} bytes, found ${bytes.length}`);
  }
  const cls = bytes[F.EI_CLASS]!;
  if (cls === F.ELFCLASS32) return err('ELF32 (ELFCLASS32) files are not supported: AArch64 programs must be ELF64');
  if (cls !== F.ELFCLASS64) return err(`bad EI_CLASS ${cls} (expected 2, ELFCLASS64)`);
  const data = bytes[F.EI_DATA]!;
  if (data === F.ELFDATA2MSB) return err('big-endian (ELFDATA2MSB) files are not supported: need little-endian');
  if (data !== F.ELFDATA2LSB) return err(`bad EI_DATA ${data} (expected 1, ELFDATA2LSB little-endian)`);
  const version = bytes[F.EI_VERSION]!;
  if (version !== F.EV_CURRENT) return err(`bad EI_VERSION ${version} (expected 1, EV_CURRENT)`);
  return ok(true);
}

const MACHINE_NAMES: Readonly<Record<number, string>> = { 3: 'x86', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 40: 'ARM (32-bit)', 62: 'x86-64', 243: 'RISC-V' };

/** e_type, e_machine, e_version and the program header table's shape. */
function readHeader(view: DataView): Result<Header, string> {
  const type = view.getUint16(F.EH.type, true);
  if (type === F.ET_REL) return err('relocatable object file (ET_REL) is not an executable: link it first');
  if (type === F.ET_CORE) return err('core dump (ET_CORE) is not an executable');
  if (type !== F.ET_EXEC && type !== F.ET_DYN) return err(`unsupported ELF type e_type=${type} (expected 2 ET_EXEC or 3 ET_DYN)`);
  const machine = view.getUint16(F.EH.machine, true);
  if (machine !== F.EM_AARCH64) {
    const name = MACHINE_NAMES[machine] ?? 'unknown';
    return err(`wrong machine: e_machine=${machine} (${name}); AArch64 is 183 (EM_AARCH64)`);
  }
  const version = view.getUint32(F.EH.version, true);
  if (version !== F.EV_CURRENT) return err(`bad e_version ${version} (expected 1, EV_CURRENT)`);
  const phentsize = view.getUint16(F.EH.phentsize, true);
  const phnum = view.getUint16(F.EH.phnum, true);
  const phoff = view.getBigUint64(F.EH.phoff, true);
  if (phnum === 0) return err('no program headers (e_phnum = 0): nothing to load');
  if (phnum === F.PN_XNUM) return err('extended program header numbering (e_phnum = 0xffff, PN_XNUM) is not supported');
  if (phentsize !== F.PHDR_SIZE) return err(`bad e_phentsize ${phentsize} (ELF64 program headers are ${F.PHDR_SIZE} bytes)`);
  if (phoff < BigInt(F.EHDR_SIZE)) return err(`bad e_phoff ${hex(phoff)}: the program header table would overlap the 64-byte ELF header`);
  const entry = view.getBigUint64(F.EH.entry, true);
  return ok({ type: type === F.ET_EXEC ? 'exec' : 'dyn', entry, phoff, phnum });
}

/** Reads the program header table after checking it lies inside the file. */
function readPhdrs(view: DataView, header: Header): Result<Phdr[], string> {
  const tableSize = BigInt(header.phnum * F.PHDR_SIZE);
  if (header.phoff + tableSize > BigInt(view.byteLength)) {
    return err(`truncated ELF file: the program header table ${range(header.phoff, tableSize)} ` +
      `(${header.phnum} × ${F.PHDR_SIZE} bytes) needs ${header.phoff + tableSize} bytes, found ${view.byteLength}`);
  }
  const phdrs: Phdr[] = [];
  for (let index = 0; index < header.phnum; index++) {
    const at = Number(header.phoff) + index * F.PHDR_SIZE;
    phdrs.push({
      index,
      type: view.getUint32(at + F.PH.type, true),
      flags: view.getUint32(at + F.PH.flags, true),
      offset: view.getBigUint64(at + F.PH.offset, true),
      vaddr: view.getBigUint64(at + F.PH.vaddr, true),
      filesz: view.getBigUint64(at + F.PH.filesz, true),
      memsz: view.getBigUint64(at + F.PH.memsz, true),
    });
  }
  return ok(phdrs);
}

/** Checks [offset, offset + size) lies inside a file of `length` bytes. */
function checkFileRange(what: string, p: Phdr, length: number): Result<true, string> {
  if (p.offset + p.filesz <= BigInt(length)) return ok(true);
  return err(`${what} (program header ${p.index}): file range ${range(p.offset, p.filesz)} ` +
    `lies outside the file (${length} bytes)`);
}

/** Rejects programs that need a dynamic linker or relocation processing. */
function checkStaticallyLinked(view: DataView, phdrs: readonly Phdr[]): Result<true, string> {
  if (phdrs.some((p) => p.type === F.PT_INTERP)) {
    return err('dynamically linked executables are not supported (the file has a PT_INTERP program interpreter)');
  }
  for (const p of phdrs) {
    if (p.type !== F.PT_DYNAMIC) continue;
    const inFile = checkFileRange('PT_DYNAMIC', p, view.byteLength);
    if (!inFile.ok) return inFile;
    const dynamic = checkDynamicEntries(view, Number(p.offset), Number(p.filesz));
    if (!dynamic.ok) return dynamic;
  }
  return ok(true);
}

/** Scans dynamic entries (up to DT_NULL) for shared-library needs and relocations. */
function checkDynamicEntries(view: DataView, offset: number, size: number): Result<true, string> {
  const values = new Map<bigint, bigint>();
  for (let at = offset; at + F.DYN_SIZE <= offset + size; at += F.DYN_SIZE) {
    const tag = view.getBigInt64(at, true);
    if (tag === F.DT_NULL) break;
    if (tag === F.DT_NEEDED) return err('dynamically linked executables are not supported (DT_NEEDED names a shared library)');
    values.set(tag, view.getBigUint64(at + 8, true));
  }
  const sized: readonly [bigint, bigint, string][] = [
    [F.DT_RELA, F.DT_RELASZ, 'DT_RELA'],
    [F.DT_REL, F.DT_RELSZ, 'DT_REL'],
    [F.DT_JMPREL, F.DT_PLTRELSZ, 'DT_JMPREL'],
    [F.DT_RELR, F.DT_RELRSZ, 'DT_RELR'],
  ];
  for (const [table, sizeTag, name] of sized) {
    const bytes = values.get(sizeTag) ?? 0n;
    if (bytes > 0n || (name === 'DT_REL' && values.has(table))) {
      return err(`position-independent executable needs dynamic relocations (${name}, ${bytes} bytes): ` +
        'only static executables without relocations are supported');
    }
  }
  return ok(true);
}

/** Validates every PT_LOAD and takes its file bytes. */
function loadSegments(bytes: Uint8Array, phdrs: readonly Phdr[]): Result<ElfSegment[], string> {
  const segments: ElfSegment[] = [];
  for (const p of phdrs) {
    if (p.type !== F.PT_LOAD) continue;
    const where = `PT_LOAD (program header ${p.index})`;
    if (p.filesz > p.memsz) return err(`${where}: p_filesz ${hex(p.filesz)} is larger than p_memsz ${hex(p.memsz)}`);
    if (p.memsz > MAX_MEMSZ) return err(`${where}: p_memsz ${hex(p.memsz)} is absurd (more than 4 GiB)`);
    if (p.vaddr + p.memsz > U64_END) {
      return err(`${where}: p_vaddr ${hex(p.vaddr)} + p_memsz ${hex(p.memsz)} overflows past 2^64`);
    }
    if (p.filesz > 0n) {
      const inFile = checkFileRange('PT_LOAD', p, bytes.length);
      if (!inFile.ok) return inFile;
    }
    const start = p.filesz > 0n ? Number(p.offset) : 0;
    const data = bytes.subarray(start, start + Number(p.filesz));
    segments.push({ vaddr: p.vaddr, memsz: p.memsz, filesz: p.filesz, flags: p.flags, data });
  }
  if (segments.length === 0) return err('no PT_LOAD segment: nothing to load');
  return ok(segments);
}

/** The entry point must be inside an executable segment. */
function checkEntry(image: ElfImage): Result<true, string> {
  const inside = image.segments.some((s) =>
    (s.flags & F.PF_X) !== 0 && image.entry >= s.vaddr && image.entry < s.vaddr + s.memsz);
  if (inside) return ok(true);
  return err(`entry point ${hex(image.entry)} is not inside an executable (PF_X) PT_LOAD segment`);
}

/**
 * Places a parsed image in memory: adds the load bias (ET_DYN only) and checks every segment
 * against RAM and against the others.
 *
 * @param image from `parseElf`.
 * @param ram the machine's RAM ranges; each segment must lie entirely inside one of them.
 *   Segments with `memsz === 0` occupy nothing and are not checked.
 * @param loadBias added to every vaddr and to the entry of an ET_DYN image; must be a multiple
 *   of 4 KiB. Defaults to 0.
 * @returns the image with final addresses, or an error for: a non-zero bias on an ET_EXEC
 *   image, a negative or unaligned bias, a segment whose biased end passes 2^64, a segment
 *   outside RAM (its range and the RAM ranges are named), or two overlapping segments (both
 *   named, with their ranges).
 */
export function placeElf(image: ElfImage, ram: readonly MemRange[], loadBias: bigint = 0n): Result<ElfImage, string> {
  const bias = checkBias(image, loadBias);
  if (!bias.ok) return bias;
  const segments: ElfSegment[] = [];
  for (const [i, s] of image.segments.entries()) {
    const vaddr = s.vaddr + loadBias;
    if (vaddr + s.memsz > U64_END) {
      return err(`PT_LOAD #${i} ${range(s.vaddr, s.memsz)} + load bias ${hex(loadBias)} overflows past 2^64`);
    }
    if (s.memsz > 0n && !ram.some((r) => vaddr >= r.base && vaddr + s.memsz <= r.base + r.size)) {
      return err(`PT_LOAD #${i} ${range(vaddr, s.memsz)} is outside RAM (RAM: ${describeRam(ram)})`);
    }
    segments.push({ ...s, vaddr });
  }
  const overlap = checkNoOverlap(segments);
  if (!overlap.ok) return overlap;
  return ok({ type: image.type, entry: image.entry + loadBias, segments });
}

function checkBias(image: ElfImage, loadBias: bigint): Result<true, string> {
  if (loadBias === 0n) return ok(true);
  if (image.type === 'exec') return err(`load bias ${hex(loadBias)} given for an ET_EXEC image, which must load at its linked addresses`);
  if (loadBias < 0n || loadBias >= U64_END) return err(`load bias ${loadBias} is not a 64-bit address`);
  if (loadBias % PAGE_SIZE !== 0n) return err(`load bias ${hex(loadBias)} is not a multiple of 4 KiB`);
  return ok(true);
}

function describeRam(ram: readonly MemRange[]): string {
  if (ram.length === 0) return 'none';
  return ram.map((r) => range(r.base, r.size)).join(', ');
}

/** Sorts by address and compares neighbours, so a table of 65,534 segments stays fast. */
function checkNoOverlap(segments: readonly ElfSegment[]): Result<true, string> {
  const order = segments.map((s, i) => ({ s, i })).filter(({ s }) => s.memsz > 0n);
  order.sort((a, b) => (a.s.vaddr < b.s.vaddr ? -1 : a.s.vaddr > b.s.vaddr ? 1 : a.i - b.i));
  for (let k = 1; k < order.length; k++) {
    const a = order[k - 1]!;
    const b = order[k]!;
    if (a.s.vaddr + a.s.memsz > b.s.vaddr) {
      return err(`PT_LOAD #${a.i} ${range(a.s.vaddr, a.s.memsz)} and PT_LOAD #${b.i} ` +
        `${range(b.s.vaddr, b.s.memsz)} overlap`);
    }
  }
  return ok(true);
}
