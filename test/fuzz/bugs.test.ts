/**
 * The fuzzer finds every injected KCore bug (src/kcore/kcore.ts KCORE_BUGS) with its default
 * settings and a fixed seed, within 60 seconds, with a shrunk reproducer of at most 12 steps
 * that `replay` reproduces; and the correct KCore survives a campaign with no finding.
 */
import { describe, it, expect, beforeEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCampaign, replay, type Reproducer } from '../../src/fuzz/campaign.js';
import { KCORE_BUGS, type KcoreBug } from '../../src/kcore/kcore.js';

/** The check that catches each bug (more than one is acceptable where a bug breaks several). */
const CAUGHT_BY: Record<KcoreBug, readonly string[]> = {
  'assign-no-owner-check': ['vm_iso', 'kcore_unmapped', 'spec_conformance'],
  'clear-vm-page-no-scrub': ['scrubbed'],
  'clear-pfn-host-no-tlbi': ['stale_tlb'],
  'revoke-no-unmap': ['host_iso', 'stale_tlb'],
  'grant-no-share-bound': ['share_bound'],
  'register-vcpu-weak-check': ['spec_conformance'],
  'decrypt-buf-no-owner-check': ['vm_page_integrity', 'vm_iso', 'spec_conformance'],
  'remap-after-verified': ['spec_conformance', 'remap_range'],
  'map-page-host-nolock': ['lock_discipline', 'host_iso'],
  'clear-vm-s2-range-off-by-one': ['spec_conformance'],
  'exit-exposes-all-gprs': ['exit_exposure'],
  'smmu-map-vm-page-for-host': ['smmu_iso', 'kcore_unmapped', 'spec_conformance'],
};

// Campaigns run synchronously for seconds: let vitest's worker answer its RPC between tests.
beforeEach(() => new Promise<void>((r) => setImmediate(r)));

describe('sekvm-sim fuzz finds every injected KCore bug (seed 1, 60 s budget)', () => {
  for (const bug of KCORE_BUGS) {
    it(bug, () => {
      const out = mkdtempSync(join(tmpdir(), 'sekvm-fuzz-'));
      try {
        const r = runCampaign({ seed: 1, timeMs: 60_000, bugs: [bug], outDir: out });
        expect(r.failures.length, `no failure found for ${bug} in ${r.sequences} sequences`).toBe(1);
        const f = r.failures[0]!;
        expect(CAUGHT_BY[bug]).toContain(f.reproducer.finding.name);
        expect(f.reproducer.commands.length).toBeLessThanOrEqual(12);
        expect(f.foundAfterMs).toBeLessThan(60_000);
        // The file on disk replays to the same finding.
        const rep = JSON.parse(readFileSync(f.path!, 'utf8')) as Reproducer;
        expect(rep.bugs).toEqual([bug]);
        const again = replay(rep);
        expect(again.finding?.name).toBe(rep.finding.name);
        expect(again.finding?.step).toBe(rep.finding.step);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }, 120_000);
  }
});

describe('the correct KCore', () => {
  it('survives a campaign: no invariant, spec or crash finding', () => {
    const r = runCampaign({ seed: 7, timeMs: 60_000, iterations: 300 });
    expect(r.failures.map((f) => `${f.reproducer.finding.name}: ${f.reproducer.finding.message}\n${f.reproducer.steps.join('\n')}`)).toEqual([]);
    expect(r.sequences).toBe(300);
    // It explores: many (hypercall × state) pairs and many distinct KCore refusals.
    expect(r.coverage.pairs.size).toBeGreaterThan(100);
    expect(r.coverage.checks.size).toBeGreaterThan(20);
    // … and KCore's effects: both answers of the state-changing calls, ownership moving both
    // ways between the host and VMs, VM stage-2 maps, grants and revokes, exits on each path.
    for (const e of ['VCPU_RUN accepted', 'VCPU_RUN refused', 'owner host → vm', 'owner vm → host', 's2-map vm level 3', 'grant → count 1', 'revoke → count 0']) {
      expect([...r.coverage.effects], e).toContain(e);
    }
    expect([...r.coverage.effects].some((e) => e.endsWith('→ kcore')), 'an exit handled inside KCore').toBe(true);
    expect([...r.coverage.effects].some((e) => e.endsWith('→ kserv')), 'an exit forwarded to KServ').toBe(true);
  }, 180_000);

  it('is deterministic: the same seed gives the same sequences and coverage', () => {
    const a = runCampaign({ seed: 11, timeMs: 60_000, iterations: 20 });
    const b = runCampaign({ seed: 11, timeMs: 60_000, iterations: 20 });
    expect([a.steps, a.hypercalls, a.kcoreEntries, [...a.coverage.pairs].sort(), [...a.coverage.effects].sort()])
      .toEqual([b.steps, b.hypercalls, b.kcoreEntries, [...b.coverage.pairs].sort(), [...b.coverage.effects].sort()]);
  }, 120_000);
});
