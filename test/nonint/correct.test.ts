/**
 * Two-run noninterference (src/check/nonint.ts) on the correct KCore: both checks pass, the
 * environments of the integrity runs really differ, and the secret really reaches the victim.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkConfidentiality, checkIntegrity, countsByKind, firstDifference, VICTIM_SECRET_IPA, type NonintResult, type Observation, type RunRecord,
} from '../../src/check/nonint.js';

const VICTIM_OUTPUT = [
  'nonint-victim: start',
  'nonint-victim: secret loaded, 4 private pages written',
  'nonint-victim: PSCI version >= 0.2: yes',
  'nonint-victim: shared I/O: write status 0, read status 0, mismatches 0',
  'nonint-victim: private pages intact: yes',
  'nonint-victim: done',
];

/** The pfn KCore mapped at `ipa` for VM `vmid` in a run (from its s2-map events). */
function pfnAt(r: RunRecord, vmid: number, ipa: number): number | undefined {
  for (const t of r.trace) if (t.event.kind === 's2-map' && t.event.vmid === vmid && t.event.ipa === ipa) return t.event.pfn;
  return undefined;
}

let integrity: NonintResult;
let confidentiality: NonintResult;

beforeAll(() => {
  integrity = checkIntegrity();
  confidentiality = checkConfidentiality();
});

describe('nonint on the correct KCore', () => {
  it('integrity passes: the victim observes the same in every environment', () => {
    expect(integrity.pass).toBe(true);
    expect(integrity.comparisons).toHaveLength(3);
    for (const c of integrity.comparisons) {
      expect(c.difference).toBeNull();
      for (const r of [c.a, c.b]) {
        expect(r.error).toBeNull();
        const victim = r.summary!.vms.find((v) => v.name === 'victim')!;
        expect(victim.state).toBe('off');
        expect(victim.output).toEqual(VICTIM_OUTPUT);
      }
    }
    const counts = countsByKind(integrity.comparisons[0]!.a.observations);
    expect(counts.get('exit registers')).toBeGreaterThan(1000);
    expect(counts.get('UART lines')).toBe(VICTIM_OUTPUT.length);
    expect(counts.get('private memory pages')).toBe(16384);   // every gfn of 64 MiB
  });

  it('confidentiality passes: KServ observes the same with either secret', () => {
    expect(confidentiality.pass).toBe(true);
    const [c] = confidentiality.comparisons;
    expect(c!.difference).toBeNull();
    const counts = countsByKind(c!.a.observations);
    for (const k of ['exit information', 'exposed registers', 'hypercall results', 'owner and gfn changes', 'host stage-2 changes',
      'sharing changes', 'granted page contents', 'UART lines', 'pages before teardown', 'pages after teardown']) {
      expect(counts.get(k), k).toBeGreaterThan(0);
    }
  });

  it('the integrity environments really differ: other pages, another VM, a refused hostile proposal', () => {
    const [attacker, skewed, hostile] = integrity.comparisons;
    const base = attacker!.a;
    // KServ's allocation skew puts the victim's secret page on another pfn.
    expect(pfnAt(skewed!.b, 1, VICTIM_SECRET_IPA)).toBeDefined();
    expect(pfnAt(skewed!.b, 1, VICTIM_SECRET_IPA)).not.toBe(pfnAt(base, 1, VICTIM_SECRET_IPA));
    // The other VM runs other code.
    expect(attacker!.b.summary!.vms[1]!.output.at(-1)).toMatch(/^attacker: done/);
    expect(base.summary!.vms[1]!.output.at(-1)).toBe('hello: goodbye');
    // KCore refused KServ's proposal of a victim page: the thief failed, nothing else happened.
    const thief = hostile!.b.summary!.vms[1]!;
    expect(thief.state).toBe('failed');
    expect(thief.failure).toMatch(/VCPU_RUN .* refused/);
    expect(hostile!.b.summary!.violations.some((v) => v.where === 'assign_pfn_to_vm')).toBe(true);
  });

  it('the secret reaches the victim: its own view differs between the two secrets', () => {
    const [c] = confidentiality.comparisons;
    const d = firstDifference(c!.a.views.victim!, c!.b.views.victim!);
    expect(d).not.toBeNull();
    // A register at one of its exits: the secret is loaded into registers before any page is written.
    expect(d!.a!.what).toMatch(/^VM 1 exit \d+ \(\w+\): x\d+$/);
    // ... and the victim's output does not depend on it.
    expect(c!.a.summary!.vms[0]!.output).toEqual(VICTIM_OUTPUT);
    expect(c!.b.summary!.vms[0]!.output).toEqual(VICTIM_OUTPUT);
  });
});

describe('firstDifference', () => {
  const o = (what: string, value: string): Observation => ({ what, value, kind: 'k', seq: 0 });
  it('is null for equal sequences', () => {
    expect(firstDifference([o('a', '1'), o('b', '2')], [o('a', '1'), o('b', '2')])).toBeNull();
  });
  it('finds a differing value or name', () => {
    expect(firstDifference([o('a', '1'), o('b', '2')], [o('a', '1'), o('b', '3')])!.index).toBe(1);
    expect(firstDifference([o('a', '1')], [o('c', '1')])!.index).toBe(0);
  });
  it('reports the run that observed less', () => {
    const d = firstDifference([o('a', '1'), o('b', '2')], [o('a', '1')]);
    expect(d).toEqual({ index: 1, a: o('b', '2'), b: null });
  });
});
