/**
 * Two-run noninterference catches injected KCore bugs (src/kcore/kcore.ts KcoreBug), and names
 * the first differing observation. `exit-exposes-all-gprs` is covered through the CLI
 * (test/nonint/cli.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { checkConfidentiality, checkIntegrity, formatResult } from '../../src/check/nonint.js';

describe('nonint finds injected KCore bugs', () => {
  it('confidentiality fails with clear-vm-page-no-scrub: the victim\'s unscrubbed page reaches the host', () => {
    const r = checkConfidentiality({ bugs: ['clear-vm-page-no-scrub'] });
    expect(r.pass).toBe(false);
    const d = r.comparisons[0]!.difference!;
    expect(d.a!.what).toMatch(/^host: page 0x[0-9a-f]+ after teardown$/);
    expect(d.a!.value).toMatch(/^host, count 0, hash /);
    const text = formatResult(r).join('\n');
    expect(text).toMatch(/first difference: observation #\d+ \(host: page 0x[0-9a-f]+ after teardown\): run A host, count 0, hash 0x[0-9a-f]+.*, run B host, count 0, hash 0x/);
    // The events that concern the page: it was the victim's, then went back to the host.
    expect(text).toMatch(/owner host → VM 1 \(gfn 0x4[0-9a-f]+\)[^]*owner VM 1 → host/);
    expect(text).toMatch(/confidentiality: FAIL$/);
  });

  it('integrity fails with assign-no-owner-check: KServ\'s proposal takes a page from the victim', () => {
    const r = checkIntegrity({ bugs: ['assign-no-owner-check'], only: 'proposes' });
    expect(r.pass).toBe(false);
    expect(r.comparisons).toHaveLength(1);
    const d = r.comparisons[0]!.difference!;
    expect(d.a!.what).toMatch(/^VM 1 memory before teardown: gfn 0x[0-9a-f]+$/);
    expect(d.b!.value).toBe('not owned');
    const text = formatResult(r).join('\n');
    expect(text).toMatch(/first difference: observation #\d+ \(VM 1 memory before teardown: gfn 0x[0-9a-f]+\): run A .*, run B not owned/);
    expect(text).toMatch(/owner VM 1 → VM 2 \(gfn 0x43000\)/);
    expect(text).toMatch(/integrity: FAIL$/);
  });
});
