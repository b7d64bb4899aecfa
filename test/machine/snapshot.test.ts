/**
 * Machine.snapshot/restore: a restored machine continues exactly as the original did — the same
 * registers, memory, TLB contents and timers after the same number of instructions.
 */
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { Machine } from '../../src/machine/machine.js';
import { assemble, toFlat } from '../../src/asm/index.js';

const BASE = 0x4000_0000n;
const PROGRAM = `
.text
_start:
    mov x1, #0x40000000
    add x1, x1, #0x10000        // data at +64 KiB
    mov x2, #0
1:  ldr x3, [x1, x2, lsl #3]
    add x3, x3, x2
    str x3, [x1, x2, lsl #3]
    add x2, x2, #1
    and x2, x2, #1023
    mrs x4, cntvct_el0
    b 1b
`;

function machine(): Machine {
  const m = Machine.create({ cpus: 2, ramBase: BASE, ramBytes: 16 << 20 });
  const r = assemble(PROGRAM, { file: 'snap.s', base: BASE });
  if (!r.ok) throw new Error(r.error.map((e) => e.format()).join('\n'));
  m.writePhys(BASE, toFlat(r.value));
  for (let c = 0; c < 2; c++) {
    m.setPstate(c, 0x3c5n);
    m.setPc(c, BASE);
    m.setOn(c, true);
  }
  return m;
}

function fingerprint(m: Machine): string {
  const h = createHash('sha256');
  h.update(m.readPhys(BASE, 16 << 20));
  for (let c = 0; c < m.cpus; c++) {
    h.update(`${m.getPc(c)} ${m.cycles(c)} ${m.insns(c)}`);
    for (let r = 0; r < 31; r++) h.update(m.getX(c, r).toString(16));
    h.update(JSON.stringify(m.tlbEntries(c), (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v)));
  }
  return h.digest('hex');
}

function runBoth(m: Machine, insns: number): void {
  for (let i = 0; i < insns / 500; i++) for (let c = 0; c < 2; c++) m.run(c, 500);
}

describe('Machine.snapshot / restore', () => {
  it('a restored machine runs on exactly as the original did', () => {
    const m = machine();
    runBoth(m, 10_000);
    const snap = m.snapshot();
    const before = fingerprint(m);
    runBoth(m, 20_000);
    const after = fingerprint(m);
    expect(after).not.toBe(before);
    m.restore(snap);
    expect(fingerprint(m)).toBe(before);
    runBoth(m, 20_000);
    expect(fingerprint(m)).toBe(after);
  });

  it('restores any snapshot exactly, not only the last one taken or restored', () => {
    const m = machine();
    runBoth(m, 5_000);
    const a = m.snapshot();
    const atA = fingerprint(m);
    runBoth(m, 10_000);
    const b = m.snapshot();   // (the dirty marks now count from here)
    const atB = fingerprint(m);
    expect(atB).not.toBe(atA);
    runBoth(m, 10_000);
    m.restore(a);
    expect(fingerprint(m)).toBe(atA);
    runBoth(m, 10_000);
    expect(fingerprint(m)).toBe(atB);
    m.restore(b);
    expect(fingerprint(m)).toBe(atB);
    runBoth(m, 3_000);
    m.restore(b);
    expect(fingerprint(m)).toBe(atB);
  });

  it('a host write to RAM is undone by restore, on a machine with many page groups', () => {
    const m = Machine.create({ cpus: 1, ramBase: BASE, ramBytes: 256 << 20 });
    const snap = m.snapshot();
    const far = BASE + (200n << 20n) + 0x123n;
    m.writePhys(far, new Uint8Array([1, 2, 3, 4]));
    expect([...m.readPhys(far, 4)]).toEqual([1, 2, 3, 4]);
    m.restore(snap);
    expect([...m.readPhys(far, 4)]).toEqual([0, 0, 0, 0]);
  });

  it('refuses a snapshot of a machine of another size', () => {
    const a = machine();
    const b = Machine.create({ cpus: 1, ramBase: BASE, ramBytes: 32 << 20 });
    expect(() => b.restore(a.snapshot())).toThrow(/another machine/);
  });
});
