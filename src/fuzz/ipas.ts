/**
 * Guest IPAs the puppet's commands name: its image's first page, pages of its 2 MB image block
 * (VM-owned once verified), RAM above the block (a stage-2 fault on first touch: KServ proposes
 * a page), and an IPA beyond the VM's 16 MiB of RAM (neither RAM nor a device).
 */
export const IPAS: readonly number[] = [
  0x4008_0000, 0x4010_0000, 0x401f_f000, 0x4000_0000, 0x4040_0000, 0x4040_1000, 0x40ff_f000, 0x4400_0000,
];

/** Sizes a puppet command can name inline (guests/fuzz/puppet.s `sizes`). */
export const SIZES: readonly bigint[] = [0x1000n, 0x2000n, 0n, 0x1_0000n, 0x20_0000n];
