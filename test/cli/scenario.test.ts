/** Scenario files: field validation, unknown fields, JSON syntax, defaults, cross-field limits, overrides. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyOverrides, DEFAULTS, defaultScenario, expandVms, loadScenario, parseScenario, parseScenarioText, prepareScenario,
  ramProblem, ScenarioError, tamperOffset, type Scenario,
} from '../../src/sim/scenario.js';
import { repoPath } from '../../src/util/repo.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sekvm-scenario-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The problems parseScenario reports for `json` (none: []). */
function problems(json: unknown): string[] {
  try {
    parseScenario(json, 'demo.json', dir);
    return [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return [...e.problems];
  }
}

function prepareProblems(json: unknown): string[] {
  try {
    prepareScenario(parseScenario(json, 'demo.json', dir));
    return [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return [...e.problems];
  }
}

describe('scenario fields', () => {
  it('an empty object is the default scenario', () => {
    const s = parseScenario({}, 'x.json', dir);
    expect(s).toMatchObject({ mode: 'sekvm', cpus: 2, ramMiB: 256, seed: 1, onViolation: 'reject', maxSteps: DEFAULTS.maxSteps });
    expect(s.vms).toHaveLength(1);
    expect(s.vms[0]).toMatchObject({ image: { kind: 'guest', guest: 'hello' }, vcpus: 1, count: 1, tamper: false, ramMiB: 64 });
    expect(defaultScenario()).toMatchObject({ mode: 'sekvm', cpus: 2, ramMiB: 256, seed: 1 });
  });

  it('the example from the brief: a vCPU count given as a word', () => {
    expect(problems({ vms: [{ guest: 'hello' }, { guest: 'smp', vcpus: 'two' }] }))
      .toEqual(['demo.json: vms[1].vcpus: expected an integer from 1 to 4, got "two"']);
  });

  const bad: [string, unknown, RegExp][] = [
    ['mode', 'xen', /^demo\.json: mode: expected one of "sekvm", "kvm", got "xen"$/],
    ['cpus', 9, /^demo\.json: cpus: expected an integer from 1 to 8, got 9$/],
    ['cpus', 1.5, /: cpus: expected an integer from 1 to 8, got 1\.5$/],
    ['ramMiB', 16, /: ramMiB: expected an integer from 32 to 3072, got 16$/],
    ['seed', -1, /: seed: expected an integer from 0 to 4294967295, got -1$/],
    ['onViolation', 'panic', /: onViolation: expected one of "halt", "reject", got "panic"$/],
    ['quantum', 0, /: quantum: expected an integer from 1 to 100000000, got 0$/],
    ['switchProbability', 1.5, /: switchProbability: expected a number from 0 to 1, got 1\.5$/],
    ['trustedKey', 42, /: trustedKey: expected the path of a PEM Ed25519 public key, got 42$/],
    ['maxSteps', '1M', /: maxSteps: expected an integer from 1 to 1000000000000, got "1M"$/],
    ['vms', [], /: vms: expected a non-empty array of VMs, got an empty array$/],
    ['vms', { guest: 'hello' }, /: vms: expected a non-empty array of VMs, got an object$/],
    ['description', ['a'], /: description: expected a string, got an array$/],
  ];
  for (const [key, value, re] of bad) {
    it(`a bad ${key} (${JSON.stringify(value)}) is named`, () => {
      const p = problems({ [key]: value });
      expect(p).toHaveLength(1);
      expect(p[0]).toMatch(re);
    });
  }

  const badVm: [string, unknown, RegExp][] = [
    ['name', 'my vm', /: vms\[0\]\.name: expected 1 to 32 letters, digits, '-', '_' or '\.' .*got "my vm"$/],
    ['guest', 'helo', /: vms\[0\]\.guest: unknown guest "helo" \(did you mean "hello"\?\)$/],
    ['guest', 'linux', /: vms\[0\]\.guest: expected one of the guests in guests\/vm \(hello, smp, .*\), got "linux"$/],
    ['elf', '', /: vms\[0\]\.elf: expected the path of an ELF file, got ""$/],
    ['vcpus', 5, /: vms\[0\]\.vcpus: expected an integer from 1 to 4, got 5$/],
    ['count', 0, /: vms\[0\]\.count: expected an integer from 1 to 64, got 0$/],
    ['defines', [1], /: vms\[0\]\.defines: expected an object of NAME: value .*got an array$/],
    ['defines', { ITERS: 'many' }, /: vms\[0\]\.defines\.ITERS: expected an integer .*got "many"$/],
    ['defines', { '1X': 1 }, /: vms\[0\]\.defines\.1X: expected a symbol name/],
    ['signKey', true, /: vms\[0\]\.signKey: expected the path of a PEM Ed25519 private key, got true$/],
    ['tamper', 'yes', /: vms\[0\]\.tamper: expected true or false, got "yes"$/],
    ['ramMiB', 4096, /: vms\[0\]\.ramMiB: expected an integer from 2 to 1024, got 4096$/],
  ];
  for (const [key, value, re] of badVm) {
    it(`a bad vms[0].${key} (${JSON.stringify(value)}) is named`, () => {
      const p = problems({ vms: [{ [key]: value }] });
      expect(p).toHaveLength(1);
      expect(p[0]).toMatch(re);
    });
  }

  it('a VM entry that is not an object is named', () => {
    expect(problems({ vms: ['hello'] })).toEqual(['demo.json: vms[0]: expected an object describing a VM, got "hello"']);
  });

  it('guest and elf together are refused', () => {
    expect(problems({ vms: [{ guest: 'hello', elf: 'a.elf' }] })).toEqual(['demo.json: vms[0]: give either "guest" or "elf", not both']);
  });

  it('unknown fields are refused, with a suggestion when one is close', () => {
    expect(problems({ vms: [{ guest: 'hello', vpcus: 2 }] })).toEqual(['demo.json: vms[0].vpcus: unknown field (did you mean "vcpus"?)']);
    expect(problems({ cpu: 2 })).toEqual(['demo.json: cpu: unknown field (did you mean "cpus"?)']);
    expect(problems({ colour: 'red' })[0]).toMatch(/^demo\.json: colour: unknown field \(expected one of: description, mode, cpus, /);
  });

  it('reports every problem at once', () => {
    expect(problems({ mode: 'sekv', cpus: 0, vms: [{ vcpus: 9 }] })).toHaveLength(3);
  });

  it('a top level that is not an object is refused', () => {
    expect(problems([1, 2])).toEqual(['demo.json: expected a JSON object at the top level, got an array']);
  });

  it('integers are accepted for defines as numbers or hex strings', () => {
    const s = parseScenario({ vms: [{ guest: 'bench-hvc', defines: { ITERS: 64, X: '0x10' } }] }, 'x.json', dir);
    expect(s.vms[0]!.defines).toEqual({ ITERS: 64, X: 16n });
  });
});

describe('scenario JSON syntax', () => {
  it('a syntax error gives line and column', () => {
    const text = '{\n  "cpus": 2,\n  "vms": [\n    { "guest": "hello" }\n    { "guest": "smp" }\n  ]\n}\n';
    expect(() => parseScenarioText(text, 'demo.json', dir)).toThrow(/^demo\.json:5:5: invalid JSON: /);
  });

  it('truncated input points at the end', () => {
    expect(() => parseScenarioText('{\n  "cpus": ', 'demo.json', dir)).toThrow(/^demo\.json:2:11: invalid JSON: Unexpected end of JSON input$/);
  });

  it('a missing file is named', () => {
    expect(() => loadScenario(join(dir, 'nope.json'))).toThrow(/^cannot read scenario ".*nope\.json": no such file$/);
  });
});

describe('scenario limits across fields', () => {
  it('more vCPUs than pCPUs is fine', () => {
    expect(problems({ cpus: 1, vms: [{ guest: 'smp', vcpus: 4 }, { guest: 'hello', vcpus: 4 }] })).toEqual([]);
  });

  it('57 VMs are allowed (the 57th failing is the point); more than 64 are not', () => {
    expect(problems({ vms: [{ guest: 'hello', count: 57 }] })).toEqual([]);
    expect(problems({ vms: [{ guest: 'hello', count: 40 }, { guest: 'smp', count: 40 }] })[0])
      .toMatch(/^demo\.json: vms: 80 VMs in total .*at most 64/);
  });

  it('RAM too small for the VMs is refused with the arithmetic', () => {
    const p = problems({ ramMiB: 40, vms: [{ guest: 'hello', count: 12 }] });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^demo\.json: ramMiB: 40 MiB of RAM cannot hold 12 VMs: KCore takes 18 MiB at the top, KServ's shared area the first 4 MiB, .* use at least 46 MiB/);
    expect(problems({ ramMiB: 46, vms: [{ guest: 'hello', count: 12 }] })).toEqual([]);
    expect(problems({ mode: 'kvm', ramMiB: 40, vms: [{ guest: 'hello', count: 12 }] })).toEqual([]);
  });

  it('the RAM rule matches what KServ can allocate (5 hello VMs fit in 32 MiB under SeKVM, 6 do not)', () => {
    expect(ramProblem('sekvm', 32, [1, 1, 1, 1, 1])).toBeNull();
    expect(ramProblem('sekvm', 32, [1, 1, 1, 1, 1, 1])).not.toBeNull();
  });

  it('names given must be distinct; count numbers them, and unnamed VMs are numbered across entries', () => {
    expect(problems({ vms: [{ name: 'a', guest: 'hello' }, { name: 'a', guest: 'smp' }] }))
      .toEqual(['demo.json: vms[1].name: "a" is also the name of a VM of vms[0]; give each VM its own "name"']);
    expect(problems({ vms: [{ name: 'hello-2', guest: 'smp' }, { guest: 'hello', count: 2 }] })[0]).toMatch(/vms\[1\]\.name: "hello-2" is also/);
    const s = parseScenario({ vms: [{ guest: 'hello', count: 2 }, { name: 'x', guest: 'smp', count: 2 }, { guest: 'hello' }, { guest: 'smp' }] }, 'x.json', dir);
    expect(expandVms(s).map((v) => v.name)).toEqual(['hello-1', 'hello-2', 'x-1', 'x-2', 'hello-3', 'smp']);
  });
});

describe('overrides and preparation', () => {
  const demo = (): Scenario => loadScenario(repoPath('guests/scenarios/demo.json'));

  it('the shipped scenarios are valid', () => {
    expect(demo()).toMatchObject({ mode: 'sekvm', cpus: 4 });
    expect(expandVms(demo()).map((v) => v.name)).toEqual(['smp', 'virtio']);
    expect(demo().vms.map((v) => v.vcpus)).toEqual([2, 2]);
    expect(loadScenario(repoPath('guests/scenarios/tampered.json')).vms.map((v) => v.tamper)).toEqual([false, true]);
  });

  it('flags replace fields, and the result is checked again', () => {
    const s = applyOverrides(demo(), { mode: 'kvm', vcpus: 1, seed: 7 });
    expect(s).toMatchObject({ mode: 'kvm', seed: 7, description: null });
    expect(s.vms.every((v) => v.vcpus === 1)).toBe(true);
    expect(s.source).toMatch(/demo\.json with the command-line options$/);
    expect(() => applyOverrides(demo(), { ramMiB: 32, cpus: 1 })).not.toThrow();
    expect(() => applyOverrides(defaultScenario(), { vms: 20, ramMiB: 32 })).toThrow(/ramMiB: 32 MiB of RAM cannot hold 20 VMs/);
  });

  it('a new guest drops the old guest\'s defines', () => {
    const s = parseScenario({ vms: [{ guest: 'bench-hvc', defines: { ITERS: 8 } }] }, 'x.json', dir);
    expect(applyOverrides(s, { image: { kind: 'guest', guest: 'hello' } }).vms[0]!.defines).toEqual({});
  });

  it('prepares signed images and shares one build between replicas', () => {
    const p = prepareScenario(parseScenario({ cpus: 4, vms: [{ guest: 'hello', count: 2 }] }, 'x.json', dir));
    expect(p.config.vms.map((v) => v.name)).toEqual(['hello-1', 'hello-2']);
    expect(p.config.vms[0]!.image).toBe(p.config.vms[1]!.image);
    expect(p.config.vms[0]!.image.signature).toHaveLength(64);
    expect(p.config).toMatchObject({ mode: 'sekvm', cpus: 4, quantum: 10_000, switchProbability: 0.5 });
  });

  it('tamper flips the case of the guest name in the image, after signing', () => {
    const good = prepareScenario(parseScenario({ vms: [{ guest: 'hello' }] }, 'x.json', dir)).config.vms[0]!.image;
    const bad = prepareScenario(parseScenario({ vms: [{ guest: 'hello', tamper: true }] }, 'x.json', dir)).config.vms[0]!.image;
    expect(bad.signature).toEqual(good.signature);
    const diff = [...good.bytes].flatMap((b, i) => (b !== bad.bytes[i] ? [i] : []));
    expect(diff).toHaveLength(1);
    expect(String.fromCharCode(good.bytes[diff[0]!]!, bad.bytes[diff[0]!]!)).toBe('hH');
    expect(tamperOffset(new Uint8Array(4), null)).toEqual({ offset: 3, mask: 1 });
  });

  it('bad files are named: missing key, non-key, non-ELF, misplaced ELF, unknown define', () => {
    writeFileSync(join(dir, 'junk.txt'), 'not a key\n');
    writeFileSync(join(dir, 'junk.elf'), 'garbage');
    expect(prepareProblems({ vms: [{ signKey: 'missing.pem' }] })).toEqual(['demo.json: vms[0].signKey: cannot read "missing.pem": no such file']);
    expect(prepareProblems({ vms: [{ signKey: 'junk.txt' }] })).toEqual(['demo.json: vms[0].signKey: "junk.txt" is not a PEM private key']);
    expect(prepareProblems({ trustedKey: 'junk.txt' })[0]).toMatch(/^demo\.json: trustedKey: "junk\.txt" is not a PEM Ed25519 key/);
    expect(prepareProblems({ vms: [{ elf: 'junk.elf' }] })[0]).toMatch(/^demo\.json: vms\[0\]\.elf: "junk\.elf" is not a loadable ELF: /);
    expect(prepareProblems({ vms: [{ guest: 'hello', defines: { NOPE: 1 } }] })[0])
      .toMatch(/^demo\.json: vms\[0\]\.defines\.NOPE: guest "hello" has no "\.equ NOPE, …" line/);
  });

  it('an ELF linked outside guest RAM is refused', async () => {
    const { assemble, toElf } = await import('../../src/asm/index.js');
    const r = assemble('_start: b _start\n', { file: 'x.s', base: 0x40_0000n });
    if (!r.ok) throw new Error('assembly failed');
    writeFileSync(join(dir, 'low.elf'), toElf(r.value));
    expect(prepareProblems({ vms: [{ elf: 'low.elf' }] })[0]).toMatch(/^demo\.json: vms\[0\]\.elf: "low\.elf" is linked at 0x400000.*outside the VM's RAM/);
  });
});
