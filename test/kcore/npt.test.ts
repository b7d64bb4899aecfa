/**
 * KCore's single-address table operations (src/kcore/npt.ts: getLeaf, mapLeaf, setLeaf) against
 * the independent synchronous reader the checks use (src/arch/pgwalk.ts), on random sequences of
 * maps and unmaps in a plain memory, and the reader's range walk (walkTables with a range)
 * against its whole walk.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { getLeaf, mapLeaf, setLeaf, tablesNeeded, s2Geometry, el2Geometry, type PtMem, type PtGeometry } from '../../src/kcore/npt.js';
import { lookupLeaf, walkTables, type TableGeometry } from '../../src/arch/pgwalk.js';
import type { Gen } from '../../src/sim/task.js';
import type { Pa } from '../../src/arch/addr.js';

/** Table memory as a map of words, with a bump allocator of zeroed pages and access counts. */
class Words implements PtMem {
  readonly w = new Map<number, bigint>();
  reads = 0;
  writes = 0;
  next: number;
  constructor(first: number, readonly limit: number) { this.next = first; }
  readStep(): boolean { return false; }
  load(a: Pa): bigint { this.reads++; return this.w.get(a) ?? 0n; }
  writeStep(): boolean { return false; }
  store(a: Pa, v: bigint): void { this.writes++; this.w.set(a, v); }
  *alloc(): Gen<Pa | null> {
    if (this.next >= this.limit) return null;
    const p = this.next;
    this.next += 4096;
    return p as Pa;
  }
}

function run<T>(g: Gen<T>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

const ROOT = 0x4000_0000;
const geos: [string, PtGeometry][] = [['stage 2 (40-bit, concatenated level-1 root)', s2Geometry(ROOT as Pa)], ['EL2 stage 1 (48-bit, level 0)', el2Geometry(ROOT as Pa)]];
const asTableGeometry = (g: PtGeometry): TableGeometry => ({ root: BigInt(g.root), startLevel: g.startLevel, startIndexBits: g.startIndexBits, inputBits: g.inputBits });

/** Addresses in a few clustered 2 MB regions, so maps share tables and collide with blocks. */
const addrArb = (bits: number): fc.Arbitrary<number> =>
  fc.tuple(fc.constantFrom(0, 1, 2, 513, 2 ** (bits - 21) - 1), fc.nat(511)).map(([block, page]) => block * 2 ** 21 + page * 4096);

const opArb = (bits: number) => fc.oneof(
  fc.record({ t: fc.constant('map' as const), addr: addrArb(bits), level: fc.constantFrom(2, 3), out: fc.nat(0xfff) }),
  // An unmap writes 0, or an invalid non-zero word (which map must not treat as empty either).
  fc.record({ t: fc.constant('unmap' as const), addr: addrArb(bits), marker: fc.constantFrom(0n, 0x1000n) }),
);

describe('KCore single-address table operations', () => {
  for (const [name, geo] of geos) {
    it(`${name}: getLeaf agrees with the hardware-style reader after random maps and unmaps; mapLeaf and setLeaf report what they did`, () => {
      fc.assert(fc.property(fc.array(opArb(geo.inputBits), { maxLength: 40 }), fc.integer({ min: 2, max: 12 }), (ops, poolPages) => {
        const first = ROOT + (geo.startIndexBits === 10 ? 2 : 1) * 4096;
        const mem = new Words(first, first + poolPages * 4096);
        const tg = asTableGeometry(geo);
        const read = (pa: bigint): bigint => mem.w.get(Number(pa)) ?? 0n;
        for (const op of ops) {
          const before = lookupLeaf(read, tg, BigInt(op.addr));
          if (op.t === 'map') {
            const span = op.level === 2 ? 2 ** 21 : 4096;
            const addr = op.addr - (op.addr % span);
            const pte = BigInt(0x8000_0000 + op.out * span) | (op.level === 3 ? 3n : 1n) | 0x400n;
            const pre = run(getLeaf(mem, geo, addr));
            const writes = mem.writes;
            const r = run(mapLeaf(mem, geo, addr, op.level, pte, () => mem.alloc()));
            const after = lookupLeaf(read, tg, BigInt(addr));
            // SeKVM writes only empty (zero) entries: any word at the target, a block above it, or
            // a table where a block is asked for is an existing mapping.
            if (pre.pte !== 0n && (pre.level === op.level || (pre.pte & 1n) !== 0n)) expect(r).toBe('existing');
            if (r === 'mapped') {
              expect(before, 'mapped over a valid translation').toBeNull();
              expect(after?.desc).toBe(pte);
              expect(after?.level).toBe(op.level);
            } else {
              // Nothing that translated changed.
              expect(after?.desc ?? null).toBe(lookupLeaf(read, tg, BigInt(addr))?.desc ?? null);
              // Fresh tables are zero, so a refusal is found before anything is written.
              if (r === 'existing') expect(mem.writes).toBe(writes);
            }
          } else {
            const old = run(setLeaf(mem, geo, op.addr, op.marker));
            expect(old).toBe(before?.desc ?? old);
            expect(lookupLeaf(read, tg, BigInt(op.addr))).toBeNull();
          }
        }
        // Every address the ops named: getLeaf and the reader agree, with one read per level.
        for (const op of ops) {
          const leaf = run(getLeaf(mem, geo, op.addr));
          const ref = lookupLeaf(read, tg, BigInt(op.addr));
          if (ref === null) expect(leaf.pte & 1n).toBe(0n);
          else {
            expect(leaf.pte).toBe(ref.desc);
            expect(leaf.level).toBe(ref.level);
            expect(BigInt(leaf.ptePa)).toBe(ref.descPa);
          }
          mem.reads = 0;
          run(getLeaf(mem, geo, op.addr));
          expect(mem.reads).toBe(leaf.level - geo.startLevel + 1);
        }
        // The reader's range walk visits exactly the leaves that meet the range; a reader that
        // offers its table words (words32) walks the same.
        const all: string[] = [];
        walkTables(read, tg, { leaf: (l) => { all.push(`${l.inBase}+${l.size}`); } });
        const fast = Object.assign((pa: bigint): bigint => read(pa), {
          words32: (pa: number, n: number): Uint32Array => {
            const out = new Uint32Array(n * 2);
            for (let i = 0; i < n; i++) { const v = read(BigInt(pa + i * 8)); out[2 * i] = Number(v & 0xffff_ffffn); out[2 * i + 1] = Number(v >> 32n); }
            return out;
          },
        });
        const viaWords: string[] = [];
        walkTables(fast, tg, { leaf: (l) => { viaWords.push(`${l.inBase}+${l.size}`); } });
        expect(viaWords).toEqual(all);
        for (const op of ops.slice(0, 4)) {
          const start = BigInt(op.addr) - 0x20_0000n < 0n ? 0n : BigInt(op.addr) - 0x20_0000n;
          const end = BigInt(op.addr) + 0x1000n;
          const got: string[] = [];
          walkTables(read, tg, { leaf: (l) => { got.push(`${l.inBase}+${l.size}`); } }, { start, end });
          expect(got).toEqual(all.filter((k) => { const [b, n] = k.split('+').map(BigInt) as [bigint, bigint]; return b < end && b + n > start; }));
        }
      }), { seed: 7, numRuns: 300 });
    });
  }

  for (const [name, geo] of geos) {
    it(`${name}: tablesNeeded counts exactly the table pages mapping a batch of pages then allocates`, () => {
      fc.assert(fc.property(fc.array(opArb(geo.inputBits), { maxLength: 20 }), fc.array(addrArb(geo.inputBits), { maxLength: 30 }), (ops, batch) => {
        const first = ROOT + (geo.startIndexBits === 10 ? 2 : 1) * 4096;
        const mem = new Words(first, first + 4096 * 4096);
        for (const op of ops) {
          if (op.t === 'unmap') { run(setLeaf(mem, geo, op.addr, op.marker)); continue; }
          const span = op.level === 2 ? 2 ** 21 : 4096;
          run(mapLeaf(mem, geo, op.addr - (op.addr % span), op.level, BigInt(0x8000_0000 + op.out * span) | (op.level === 3 ? 3n : 1n), () => mem.alloc()));
        }
        const need = run(tablesNeeded(mem, geo, batch, 3));
        const before = mem.next;
        for (const addr of batch) run(mapLeaf(mem, geo, addr, 3, 0x9000_0000n | 0x403n, () => mem.alloc()));
        expect((mem.next - before) / 4096).toBe(need);
      }), { seed: 11, numRuns: 300 });
    });
  }

  it('a 2 MB block asked for where a level-3 table is installed is an existing mapping, and nothing is written', () => {
    const geo = s2Geometry(ROOT as Pa);
    const mem = new Words(ROOT + 2 * 4096, ROOT + 16 * 4096);
    expect(run(mapLeaf(mem, geo, 0x20_1000, 3, 0x8000_0000n | 0x403n, () => mem.alloc()))).toBe('mapped');
    const writes = mem.writes;
    expect(run(mapLeaf(mem, geo, 0x20_0000, 2, 0x9000_0000n | 0x401n, () => mem.alloc()))).toBe('existing');
    expect(mem.writes).toBe(writes);
    expect(run(getLeaf(mem, geo, 0x20_1000)).pte).toBe(0x8000_0000n | 0x403n);
  });

  it('addresses outside the input range touch nothing', () => {
    const geo = s2Geometry(ROOT as Pa);
    const mem = new Words(ROOT + 2 * 4096, ROOT + 16 * 4096);
    expect(run(mapLeaf(mem, geo, 2 ** 40, 3, 0x403n, () => mem.alloc()))).toBe('existing');
    expect(run(setLeaf(mem, geo, -4096, 0n))).toBe(0n);
    expect(run(getLeaf(mem, geo, 2 ** 40)).pte).toBe(0n);
    expect(mem.reads + mem.writes).toBe(0);
  });
});
