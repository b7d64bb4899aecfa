/**
 * ELF64 constants and record layouts the loader reads: the file header, program headers and
 * dynamic-section tags. Values are from the System V gABI ("ELF-64 Object File Format") and the
 * AArch64 ELF supplement (EM_AARCH64 = 183).
 *
 * What this module does not do: parse anything. `elf.ts` does that.
 */

/** e_ident bytes 0..3. */
export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;

/** e_ident indices. */
export const EI_CLASS = 4;
export const EI_DATA = 5;
export const EI_VERSION = 6;
export const EI_OSABI = 7;

export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const EV_CURRENT = 1;
export const ELFOSABI_SYSV = 0;
export const ELFOSABI_GNU = 3;

/** e_type. */
export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

/** e_machine for AArch64. */
export const EM_AARCH64 = 183;

/** e_phnum value meaning "the real count is in section header 0" (extended numbering). */
export const PN_XNUM = 0xffff;

/** p_type. */
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;

/** p_flags. */
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** d_tag values that imply dynamic linking or relocation work the loader does not do. */
export const DT_NULL = 0n;
export const DT_NEEDED = 1n;
export const DT_PLTRELSZ = 2n;
export const DT_RELA = 7n;
export const DT_RELASZ = 8n;
export const DT_REL = 17n;
export const DT_RELSZ = 18n;
export const DT_JMPREL = 23n;
export const DT_RELRSZ = 35n;
export const DT_RELR = 36n;

/**
 * ELF64 file header (64 bytes), little-endian field offsets:
 *
 * ```
 *  0 e_ident[16]   16 e_type:u16   18 e_machine:u16  20 e_version:u32
 * 24 e_entry:u64   32 e_phoff:u64  40 e_shoff:u64    48 e_flags:u32
 * 52 e_ehsize:u16  54 e_phentsize:u16  56 e_phnum:u16  58 e_shentsize:u16
 * 60 e_shnum:u16   62 e_shstrndx:u16
 * ```
 */
export const EHDR_SIZE = 64;
export const EH = {
  type: 16,
  machine: 18,
  version: 20,
  entry: 24,
  phoff: 32,
  phentsize: 54,
  phnum: 56,
} as const;

/**
 * ELF64 program header (56 bytes):
 *
 * ```
 *  0 p_type:u32    4 p_flags:u32   8 p_offset:u64  16 p_vaddr:u64
 * 24 p_paddr:u64  32 p_filesz:u64 40 p_memsz:u64   48 p_align:u64
 * ```
 */
export const PHDR_SIZE = 56;
export const PH = {
  type: 0,
  flags: 4,
  offset: 8,
  vaddr: 16,
  filesz: 32,
  memsz: 40,
} as const;

/** One dynamic-section entry: d_tag:i64, d_val:u64. */
export const DYN_SIZE = 16;
