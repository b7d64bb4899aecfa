/**
 * The cost table (src/cost/model.ts): every primitive has a cost and a source; user tables are
 * validated key by key; a charged system's clock is exactly the sum of its parts.
 */
import { describe, it, expect } from 'vitest';
import { defaultCosts, parseCosts, uniformCosts, costVector } from '../../src/cost/model.js';
import { PRIMITIVES } from '../../src/cost/primitives.js';
import { Meter } from '../../src/cost/meter.js';
import { System } from '../../src/sim/system.js';
import { flattenElf } from '../../src/kserv/image.js';
import { signImage, loadPrivateKey } from '../../src/sim/keys.js';
import { buildVmGuest } from '../../src/guests/build.js';
import type { HypMode } from '../../src/kserv/hyp.js';

describe('the default cost table', () => {
  it('gives every primitive a non-negative cost and a source that is a reference, an estimate or a derivation', () => {
    const t = defaultCosts();
    for (const p of PRIMITIVES) {
      expect(t[p].cycles, p).toBeGreaterThanOrEqual(0);
      expect(t[p].source.length, p).toBeGreaterThan(20);
      expect(/^(estimate|derived):|LLVM|Arm|A57/.test(t[p].source), `${p}: ${t[p].source}`).toBe(true);
    }
    expect(Number.isInteger(t.walk_step.cycles)).toBe(true);
  });
});

describe('parseCosts: a user table over the defaults', () => {
  it('replaces only the keys it names (bare numbers or {cycles, source})', () => {
    const r = parseCosts('{"costs": {"exc_entry": 99, "eret": {"cycles": 7, "source": "mine"}}}', 'f.json');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.exc_entry).toEqual({ cycles: 99, source: 'given in f.json' });
    expect(r.value.eret).toEqual({ cycles: 7, source: 'mine' });
    expect(r.value.dsb).toEqual(defaultCosts().dsb);
  });

  it.each([
    ['not json', 'not valid JSON'],
    ['[]', 'expected a JSON object'],
    ['{"cost": {}}', 'expected a "costs" object'],
    ['{"costs": {"exc_entri": 1}}', 'unknown primitive "exc_entri"'],
    ['{"costs": {"dsb": -1}}', 'costs.dsb: cycles must be a finite non-negative number, got -1'],
    ['{"costs": {"dsb": "20"}}', 'costs.dsb: cycles must be a number, got "20"'],
    ['{"costs": {"dsb": {"source": "x"}}}', 'costs.dsb: cycles must be a number, got nothing'],
    ['{"costs": {"walk_step": 2.5}}', 'costs.walk_step must be a whole number'],
    ['{"costs": {"dsb": {"cycles": 3, "source": 5}}}', 'costs.dsb: source must be a string'],
  ])('rejects %s naming the problem', (text, msg) => {
    const r = parseCosts(text, 'f.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(msg);
  });

  it('without a base, every primitive must be given', () => {
    const r = parseCosts('{"costs": {"dsb": 1}}', 'f.json', null);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/costs\.\w+ is missing/);
  });
});

describe('Meter charging', () => {
  it('charges cost × n to the pCPU as steps are counted, carrying fractions', () => {
    const m = new Meter(2);
    const got: number[] = [0, 0];
    const cost = costVector({ ...uniformCosts(0), gpr_save: { cycles: 0.5, source: 't' }, dsb: { cycles: 20, source: 't' } });
    m.attach(cost, (cpu, c) => { got[cpu]! += c; });
    m.count(1, 'el2', 'gpr_save', 31);
    m.count(1, 'el2', 'gpr_save', 1);
    m.count(0, 'kserv', 'dsb', 2);
    m.count(0, 'kserv', 'isb', 5);
    expect(got).toEqual([40, 16]);
    expect(m.get(1, 'el2', 'gpr_save')).toBe(32);
  });
});

const key = loadPrivateKey();
function hvcImage(iters: number) {
  const flat = flattenElf(buildVmGuest('bench-hvc', { defines: { ITERS: iters } }));
  if (!flat.ok) throw new Error(flat.error);
  return signImage('bench-hvc', flat.value, key);
}

describe.each(['kvm', 'sekvm'] as HypMode[])('a charged system (%s): time is the sum of its parts', (mode) => {
  it('one pCPU\'s clock = guest instructions + walk stalls + Σ steps × cost, for the default and a uniform table', () => {
    for (const costs of [defaultCosts(), uniformCosts(3)]) {
      const sys = new System({ mode, cpus: 1, ramMiB: 256, seed: 1, costs, timing: 'ordered', vms: [{ name: 'hvc', image: hvcImage(64), vcpus: 1 }] });
      const s = sys.run(5_000_000);
      expect(s.stop, s.detail).toBe('all-off');
      const snap = sys.meter.snapshot();
      let charged = 0;
      for (const comp of Object.keys(snap)) for (const [p, n] of Object.entries(snap[comp]!)) charged += n * costs[p as keyof typeof costs].cycles;
      const st = sys.m.walkStall(0);
      const parts = Number(sys.m.insns(0)) + Number(st.run) + Number(st.host) + charged;
      expect(Number(sys.m.cycles(0))).toBe(parts);
      if (mode === 'sekvm') expect(Number(st.host)).toBeGreaterThan(0);   // the host's stage-2 walks
      else expect(Number(st.host)).toBe(0);
    }
  });

  it('with costs off, hypervisor steps take no time (the guest sees only its own instructions)', () => {
    const sys = new System({ mode, cpus: 1, ramMiB: 256, seed: 1, costs: null, vms: [{ name: 'hvc', image: hvcImage(64), vcpus: 1 }] });
    const s = sys.run(5_000_000);
    expect(s.stop).toBe('all-off');
    const line = s.vms[0]!.output.find((l) => l.startsWith('RESULT hvc'))!;
    expect(Number(/per_op=(\d+)/.exec(line)![1])).toBeLessThan(10);
  });
});
