/**
 * The layering rules of DESIGN.md, checked on the imports of src/ and assembly/:
 *  1. the core is the hardware: assembly/ knows nothing of src/, and only src/machine knows the
 *     compiled core (its exports and memory offsets);
 *  2. src/arch is pure architecture (no imports outside itself);
 *  3. KCore reaches only the hardware (machine, board), the architecture, the cost meter, the
 *     execution model (sim/task, sim/sched) and trace event types — never KServ, the KVM baseline,
 *     the checks, the fuzzer or the CLI;
 *  4. KServ (untrusted) sees of KCore only the shared ABI and the constants it is compiled
 *     against, and nothing of the KVM baseline, the checks or the fuzzer (one interface, two
 *     hypervisors: src/kserv/hyp.ts);
 *  5. hardware models (src/board) know no hypervisor;
 *  6. observers (src/check) do not reach into KServ or the fuzzer (nonint.ts, the two-run driver,
 *     runs whole systems and is the exception);
 *  7. trace renderers only decode: architecture and KCore's constants.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { repoPath } from '../src/util/repo.js';

const ROOT = repoPath();

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Repository-relative targets of a file's relative imports (…/x.js → …/x.ts). */
function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
    out.push(relative(ROOT, resolve(dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
  }
  return out;
}

const SRC = files(join(ROOT, 'src')).map((f) => ({ file: relative(ROOT, f), deps: imports(f) }));
const CORE = files(join(ROOT, 'assembly')).map((f) => ({ file: relative(ROOT, f), deps: imports(f) }));

function violations(from: (f: string) => boolean, bad: (dep: string, file: string) => boolean): string[] {
  return SRC.filter((x) => from(x.file)).flatMap((x) => x.deps.filter((d) => bad(d, x.file)).map((d) => `${x.file} → ${d}`));
}

const inDir = (d: string) => (f: string): boolean => f.startsWith(`src/${d}/`);

describe('layering (DESIGN.md)', () => {
  it('1. assembly/ imports nothing from src/, and only src/machine knows the compiled core', () => {
    expect(CORE.flatMap((x) => x.deps.filter((d) => !d.startsWith('assembly/')).map((d) => `${x.file} → ${d}`))).toEqual([]);
    const knowsCore = SRC.filter((x) => /build\/core|core\.wasm|core\.debug\.wasm/.test(readFileSync(join(ROOT, x.file), 'utf8')));
    expect(knowsCore.map((x) => x.file).filter((f) => !f.startsWith('src/machine/'))).toEqual([]);
  });

  it('2. src/arch is pure', () => {
    expect(violations(inDir('arch'), (d) => !d.startsWith('src/arch/'))).toEqual([]);
  });

  it('3. KCore reaches only hardware, architecture, costs, the execution model and event types', () => {
    const ok = (d: string): boolean => ['src/kcore/', 'src/arch/', 'src/machine/', 'src/board/', 'src/cost/', 'src/util/'].some((p) => d.startsWith(p))
      || ['src/sim/task.ts', 'src/sim/sched.ts', 'src/trace/events.ts'].includes(d);
    expect(violations(inDir('kcore'), (d) => !ok(d))).toEqual([]);
  });

  it('4. KServ sees only the shared ABI and constants of KCore, and nothing of the KVM baseline or the checks', () => {
    expect(violations(inDir('kserv'), (d) => (d.startsWith('src/kcore/') && !['src/kcore/shared-abi.ts', 'src/kcore/constants.ts'].includes(d))
      || ['src/kvm/', 'src/check/', 'src/fuzz/', 'src/cli/', 'src/sim/system.ts'].some((p) => d.startsWith(p)))).toEqual([]);
  });

  it('5. hardware models know no hypervisor', () => {
    expect(violations(inDir('board'), (d) => ['src/kcore/', 'src/kserv/', 'src/kvm/', 'src/check/', 'src/fuzz/', 'src/sim/system.ts'].some((p) => d.startsWith(p)))).toEqual([]);
  });

  it('6. observers do not reach into KServ or the fuzzer', () => {
    expect(violations((f) => inDir('check')(f) && f !== 'src/check/nonint.ts', (d) => ['src/kserv/', 'src/kvm/', 'src/fuzz/', 'src/cli/', 'src/sim/'].some((p) => d.startsWith(p)))).toEqual([]);
  });

  it('7. trace renderers only decode', () => {
    expect(violations(inDir('trace'), (d) => !(d.startsWith('src/trace/') || d.startsWith('src/arch/') || d === 'src/kcore/constants.ts'))).toEqual([]);
  });

  it('the KVM baseline shares only constants, the context-register list and the table walker with KCore', () => {
    const shared = ['src/kcore/shared-abi.ts', 'src/kcore/constants.ts', 'src/kcore/ctxt-switch.ts', 'src/kcore/trap-dispatcher.ts', 'src/kcore/npt.ts'];
    expect(violations(inDir('kvm'), (d) => d.startsWith('src/kcore/') && !shared.includes(d))).toEqual([]);
  });
});
