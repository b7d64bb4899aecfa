/** Test helper: reads section headers and program headers of an ELF64 little-endian file. */

export interface SectionInfo {
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
}

export interface SegmentInfo {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: bigint;
  readonly filesz: number;
  readonly memsz: number;
}

export function readSections(buf: Uint8Array): SectionInfo[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shoff = Number(dv.getBigUint64(40, true));
  const shnum = dv.getUint16(60, true);
  const shstrndx = dv.getUint16(62, true);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + 64 * i;
    return {
      nameOff: dv.getUint32(o, true), type: dv.getUint32(o + 4, true), flags: dv.getBigUint64(o + 8, true),
      addr: dv.getBigUint64(o + 16, true), offset: Number(dv.getBigUint64(o + 24, true)), size: Number(dv.getBigUint64(o + 32, true)),
    };
  });
  const strOff = raw[shstrndx]!.offset;
  const name = (off: number): string => {
    let end = strOff + off;
    while (buf[end] !== 0) end++;
    return new TextDecoder().decode(buf.subarray(strOff + off, end));
  };
  return raw.map((s) => ({ name: name(s.nameOff), type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size }));
}

export function readSegments(buf: Uint8Array): SegmentInfo[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const phoff = Number(dv.getBigUint64(32, true));
  const phnum = dv.getUint16(56, true);
  return Array.from({ length: phnum }, (_, i) => {
    const o = phoff + 56 * i;
    return {
      type: dv.getUint32(o, true), flags: dv.getUint32(o + 4, true), offset: Number(dv.getBigUint64(o + 8, true)),
      vaddr: dv.getBigUint64(o + 16, true), filesz: Number(dv.getBigUint64(o + 32, true)), memsz: Number(dv.getBigUint64(o + 40, true)),
    };
  });
}

/** The contents of the named section. */
export function sectionBytes(buf: Uint8Array, name: string): { addr: bigint; bytes: Uint8Array } {
  const s = readSections(buf).find((x) => x.name === name);
  if (!s) throw new Error(`no section ${name}`);
  return { addr: s.addr, bytes: buf.subarray(s.offset, s.offset + s.size) };
}

/** Little-endian 32-bit words of `bytes`. */
export function words(bytes: Uint8Array): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: Math.floor(bytes.length / 4) }, (_, i) => dv.getUint32(4 * i, true));
}
