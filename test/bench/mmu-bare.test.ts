/**
 * guests/bench/mmu-bare.s, the image the `qemu` benchmark group times (src/bench/qemu-ratio.ts):
 * with tiny N1/N2 it runs to SYS_EXIT 0 on our board, and under qemu-system-aarch64 with the same
 * transcript. The expected checksums come from a model of the two loops written here, so a
 * wrong translation or a miscounted loop shows up as a checksum, not just as a mismatch.
 */
import { describe, it, expect } from 'vitest';
import { runBare } from '../../src/bare/run.js';
import { buildMmuBare } from '../../src/bench/qemu-ratio.js';
import { haveTool, QEMU_SYSTEM } from '../support/tools.js';
import { runQemuVirt } from '../support/qemu-system.js';

const N1 = 1000;
const N2 = 3;
const BUF_BASE = 0x4100_0000n;
const BUF_PAGES = 16_384n;
const M64 = (1n << 64n) - 1n;

/** Phase 1's loop (x9 counts down from N1; the two hot words start at 0), then x0 ^= x2. */
function phase1Checksum(n1: number): bigint {
  let x0 = 1n, x2 = 0n, page0 = 0n, page1 = 0n;
  for (let x9 = BigInt(n1); x9 > 0n; x9--) {
    const x3 = (page0 + x9) & M64;
    x2 = (x2 ^ (x3 << 3n)) & M64;
    page0 = x3;
    page1 = (page1 + (x2 >> 5n)) & M64;
    x0 |= page1;
  }
  return x0 ^ x2;
}

/** Phase 2: every pass loads word 0 of each page, which EL2 set to the page's own address. */
function phase2Checksum(n2: number): bigint {
  const pass = BUF_PAGES * BUF_BASE + 4096n * (BUF_PAGES * (BUF_PAGES - 1n) / 2n);
  return (BigInt(n2) * pass) & M64;
}

const EXPECTED = `mmu-bare: N1=0x${N1.toString(16)} N2=0x${N2.toString(16)}
el1: stage 1 and stage 2 on
phase 1 (TLB hits) done: checksum=0x${phase1Checksum(N1).toString(16)}
phase 2 (page stride) done: checksum=0x${phase2Checksum(N2).toString(16)}
END
`;

describe('guests/bench/mmu-bare.s', () => {
  const elf = buildMmuBare(N1, N2);

  it('runs both phases on our board and exits 0 with the modelled checksums', () => {
    const r = runBare(elf, { maxInsns: 10_000_000n });
    expect(r.kind).toBe('exit');
    expect(r.status).toBe(0);
    expect(Buffer.from(r.kind === 'load-error' ? [] : r.output).toString('latin1')).toBe(EXPECTED);
  });

  it('prints the same transcript under qemu-system-aarch64', () => {
    if (!haveTool(QEMU_SYSTEM)) return;
    const q = runQemuVirt(elf);
    expect(q.timedOut).toBe(false);
    expect(q.status).toBe(0);
    expect(q.output).toBe(EXPECTED);
  });

  it('refuses iteration counts the loops cannot run (they count down to zero)', () => {
    expect(() => buildMmuBare(0, 1)).toThrow(/N1 must be an integer/);
    expect(() => buildMmuBare(1, 1.5)).toThrow(/N2 must be an integer/);
  });
});
