/**
 * Boot images as QEMU hands them to KVM: the ELF's loadable segments flattened into one blob
 * at the lowest load address (gaps and .bss zero-filled), plus the entry point. SeKVM verifies
 * an Ed25519 signature over exactly these bytes.
 */
import { parseElf } from '../loader/elf.js';
import { type Result, ok, err } from '../util/result.js';

export interface BootImage {
  /** IPA of the first byte. */
  readonly ipa: number;
  readonly bytes: Uint8Array;
  readonly entry: bigint;
}

export interface SignedImage extends BootImage {
  readonly name: string;
  /** Ed25519 signature over `bytes` (64 bytes), or an empty array for an unsigned image. */
  readonly signature: Uint8Array;
}

/** Flattens an ELF into a boot image; images over 16 MiB are refused. */
export function flattenElf(elf: Uint8Array): Result<BootImage, string> {
  const p = parseElf(elf);
  if (!p.ok) return err(p.error);
  const segs = p.value.segments.filter((s) => s.memsz > 0n);
  if (segs.length === 0) return err('the ELF has no loadable segment');
  const lo = segs.reduce((m, s) => (s.vaddr < m ? s.vaddr : m), segs[0]!.vaddr);
  const hi = segs.reduce((m, s) => (s.vaddr + s.memsz > m ? s.vaddr + s.memsz : m), 0n);
  if (hi - lo > 16n << 20n) return err(`the image spans ${hi - lo} bytes (16 MiB at most)`);
  const bytes = new Uint8Array(Number(hi - lo));
  for (const s of segs) bytes.set(s.data, Number(s.vaddr - lo));
  return ok({ ipa: Number(lo), bytes, entry: p.value.entry });
}
