/**
 * Test helper: builds ELF64 little-endian files byte by byte, so loader tests (and the oracle's
 * one-instruction programs) need no toolchain. Every header field can be overridden, which is
 * how the tests produce malformed files.
 */

export interface PhdrSpec {
  type: number;
  flags: number;
  offset: bigint;
  vaddr: bigint;
  filesz: bigint;
  memsz: bigint;
  align?: bigint;
}

export interface ElfSpec {
  /** e_ident[4..7]: class, data, version, OS ABI. */
  ident?: [number, number, number, number];
  type?: number;
  machine?: number;
  version?: number;
  entry: bigint;
  /** Where the program headers are written (default 64). */
  phoff?: bigint;
  /** The e_phoff value stored in the header, if it should differ from `phoff`. */
  phoffField?: bigint;
  phentsize?: number;
  /** Defaults to phdrs.length. */
  phnum?: number;
  phdrs: PhdrSpec[];
  /** Bytes placed at file offsets (after the headers are written). */
  chunks?: { offset: number; bytes: Uint8Array }[];
  /** Total file size; defaults to the end of the last header or chunk. */
  size?: number;
}

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** Serialises `spec` into an ELF file. */
export function buildElf(spec: ElfSpec): Uint8Array {
  const phoff = spec.phoff ?? 64n;
  const phEnd = Number(phoff) + spec.phdrs.length * 56;
  const chunkEnd = Math.max(0, ...(spec.chunks ?? []).map((c) => c.offset + c.bytes.length));
  const size = spec.size ?? Math.max(64, phEnd, chunkEnd);
  const out = new Uint8Array(Math.max(size, 64, phEnd, chunkEnd));
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, ...(spec.ident ?? [2, 1, 1, 0])]);
  v.setUint16(16, spec.type ?? 2, true);
  v.setUint16(18, spec.machine ?? 183, true);
  v.setUint32(20, spec.version ?? 1, true);
  v.setBigUint64(24, spec.entry, true);
  v.setBigUint64(32, spec.phoffField ?? phoff, true);
  v.setUint16(52, 64, true);
  v.setUint16(54, spec.phentsize ?? 56, true);
  v.setUint16(56, spec.phnum ?? spec.phdrs.length, true);
  spec.phdrs.forEach((p, i) => writePhdr(v, Number(phoff) + i * 56, p));
  for (const c of spec.chunks ?? []) out.set(c.bytes, c.offset);
  return out.subarray(0, size);
}

function writePhdr(v: DataView, at: number, p: PhdrSpec): void {
  v.setUint32(at, p.type, true);
  v.setUint32(at + 4, p.flags, true);
  v.setBigUint64(at + 8, p.offset, true);
  v.setBigUint64(at + 16, p.vaddr, true);
  v.setBigUint64(at + 24, p.vaddr, true);
  v.setBigUint64(at + 32, p.filesz, true);
  v.setBigUint64(at + 40, p.memsz, true);
  v.setBigUint64(at + 48, p.align ?? 0x1000n, true);
}

/** Little-endian bytes of 32-bit instruction words. */
export function words(...ws: number[]): Uint8Array {
  const out = new Uint8Array(ws.length * 4);
  const v = new DataView(out.buffer);
  ws.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
  return out;
}

export const TEXT_BASE = 0x400000n;
export const DATA_BASE = 0x410000n;
/** File offset of the code in `simpleExec` files. */
export const CODE_OFFSET = 0x100;

/**
 * A minimal static executable: a read-execute segment holding the headers and `code` at
 * TEXT_BASE (code at file offset 0x100, which is the entry point), and a read-write segment at
 * DATA_BASE + its file offset (so vaddr and offset agree modulo the page size, as mmap-based
 * loaders such as qemu-user require) with `data` followed by `bss` zero bytes.
 */
export function simpleExec(code: Uint8Array, data = new Uint8Array(8), bss = 0x100n): Uint8Array {
  const textSize = BigInt(CODE_OFFSET + code.length);
  const dataOffset = Math.ceil((CODE_OFFSET + code.length) / 16) * 16;
  return buildElf({
    entry: TEXT_BASE + BigInt(CODE_OFFSET),
    phdrs: [
      { type: PT_LOAD, flags: PF_R | PF_X, offset: 0n, vaddr: TEXT_BASE, filesz: textSize, memsz: textSize },
      {
        type: PT_LOAD, flags: PF_R | PF_W, offset: BigInt(dataOffset), vaddr: DATA_BASE + BigInt(dataOffset),
        filesz: BigInt(data.length), memsz: BigInt(data.length) + bss,
      },
    ],
    chunks: [{ offset: CODE_OFFSET, bytes: code }, { offset: dataOffset, bytes: data }],
  });
}

/** Encoders for the handful of instructions hand-built test programs need (see spec/arm.md §8). */
export const A64 = {
  /** MOVZ Xd, #imm16, LSL #(16*hw). */
  movz: (rd: number, imm16: number, hw = 0): number => (0xd2800000 | (hw << 21) | (imm16 << 5) | rd) >>> 0,
  /** SVC #imm16. */
  svc: (imm16 = 0): number => (0xd4000001 | (imm16 << 5)) >>> 0,
  /** The exit(code) syscall: movz x0; movz x8, #93; svc #0. */
  exit: (code: number): number[] => [A64.movz(0, code), A64.movz(8, 93), A64.svc()],
};

/** Dynamic entries as bytes. */
export function dynamicTable(...entries: [bigint, bigint][]): Uint8Array {
  const out = new Uint8Array(entries.length * 16);
  const v = new DataView(out.buffer);
  entries.forEach(([tag, val], i) => { v.setBigInt64(i * 16, tag, true); v.setBigUint64(i * 16 + 8, val, true); });
  return out;
}

/** An ET_DYN at vaddr 0 whose PT_DYNAMIC (file offset 0x180) holds `dyn`. */
export function dynFile(dyn: Uint8Array): Uint8Array {
  const dynamic = { type: PT_DYNAMIC, flags: PF_R | PF_W, offset: 0x180n, vaddr: 0x180n, filesz: BigInt(dyn.length), memsz: BigInt(dyn.length) };
  return buildElf({
    type: 3, entry: 0x100n, size: 0x180 + dyn.length,
    phdrs: [{ type: PT_LOAD, flags: PF_R | PF_X, offset: 0n, vaddr: 0n, filesz: BigInt(0x180 + dyn.length), memsz: BigInt(0x180 + dyn.length) }, dynamic],
    chunks: [{ offset: 0x180, bytes: dyn }],
  });
}
