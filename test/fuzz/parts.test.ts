/**
 * Pieces of the fuzzer: the puppet's inline tables match src/fuzz/ipas.ts, the mailbox encoding,
 * the oracle's predictions on plain cases, the world's restore being exact, and KServ's boots
 * (honest, and each lie KCore must refuse).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { IPAS, SIZES } from '../../src/fuzz/ipas.js';
import { mailboxWords, runCmd, sequenceArb, cmdProblem, cmdKindsProblem, CMD_KINDS, type Cmd, type CmdKind } from '../../src/fuzz/commands.js';
import fc from 'fast-check';
import { FuzzWorld, type BootHow } from '../../src/fuzz/world.js';
import { predict } from '../../src/fuzz/oracle.js';
import { runSequence } from '../../src/fuzz/run.js';
import { HVC, VM_STATE, HVC_NAME } from '../../src/kcore/constants.js';
import { repoPath } from '../../src/util/repo.js';

function quads(label: string): bigint[] {
  const src = readFileSync(repoPath('guests', 'fuzz', 'puppet.s'), 'utf8');
  const m = new RegExp(`^${label}:\\s*\\n\\s*\\.quad ([^\\n]+)`, 'm').exec(src);
  if (!m) throw new Error(`no ${label} table in puppet.s`);
  return m[1]!.split(',').map((x) => BigInt(x.trim()));
}

describe('fuzzer parts', () => {
  it("the puppet's inline tables are src/fuzz/ipas.ts", () => {
    expect(quads('ipas')).toEqual(IPAS.map(BigInt));
    expect(quads('sizes')).toEqual([...SIZES]);
  });

  it('mailbox words: inline when possible, else a and b follow', () => {
    expect(mailboxWords(1, 3, BigInt(IPAS[2]!), 0x2000n)).toEqual([1n | (3n << 8n) | (1n << 16n) | (2n << 17n) | (1n << 24n) | (1n << 25n)]);
    expect(mailboxWords(6, 0, 0x8400_0000n, 5n)).toEqual([6n, 0x8400_0000n, 5n]);
  });

  const world = new FuzzWorld();

  it('the oracle predicts plain cases from the transition table', () => {
    world.reset(1);
    const v = world.view;
    const [vm1] = world.vmids;
    expect(predict(v, HVC.REGISTER_VCPU, [BigInt(vm1), 2n])).toMatchObject({ kind: 'reject', errno: -22n });
    expect(predict(v, HVC.REGISTER_VCPU, [0n, 0n])).toMatchObject({ kind: 'reject', errno: -22n });
    expect(predict(v, HVC.REGISTER_KVM, [])).toEqual({ kind: 'accept' });
    expect(predict(v, HVC.REMAP_VM_IMAGE, [BigInt(vm1), BigInt(world.pools.host[0]!), 0n])).toMatchObject({ kind: 'reject' });
    expect(predict(v, HVC.BOOT_FROM_SAVED_VM, [1n])).toEqual({ kind: 'unsupported' });
  });

  it('a sequence run twice from the restored world gives the same result and leaves the same memory', () => {
    const cmds = [
      { t: 'vm', cpu: 0, vm: 0, vcpu: 0, op: 3, count: 1, a: { k: 'ipa', i: 4 }, b: { k: 'lit', v: '0x0' }, propose: null },
      { t: 'hvc', cpu: 1, nr: HVC.REGISTER_KVM, args: [] },
      { t: 'read', cpu: 0, pa: { k: 'pa', pool: 'host', i: 1, off: 0 } },
    ] as const;
    const a = runSequence(world, cmds, 5);
    const memA = world.m.readPhys(world.m.ramBase, world.m.ramBytes);
    const b = runSequence(world, cmds, 5);
    const memB = world.m.readPhys(world.m.ramBase, world.m.ramBytes);
    expect(a).toEqual(b);
    expect(Buffer.compare(Buffer.from(memA), Buffer.from(memB))).toBe(0);
    expect(a.finding).toBeNull();
  });

  it('a sequence counts the host hypercalls and the VM hypercalls KCore took, apart', () => {
    // VM 1 vCPU 0: grant ×3 (three KVM_SET_DESC_PFN, handled inside KCore), then a NOOP hypercall
    // (forwarded to KServ); each VCPU_RUN KServ issues for them is a host hypercall.
    const cmds = [
      { t: 'vm', cpu: 0, vm: 0, vcpu: 0, op: 1, count: 3, a: { k: 'ipa', i: 0 }, b: { k: 'lit', v: '0x1000' }, propose: null },
      { t: 'vm', cpu: 0, vm: 0, vcpu: 0, op: 0, count: 1, a: { k: 'ipa', i: 0 }, b: { k: 'lit', v: '0x0' }, propose: null },
      { t: 'hvc', cpu: 1, nr: HVC.REGISTER_KVM, args: [] },
    ] as const;
    let runs = 0;
    world.traceHook = (rec) => { if (rec.event.kind === 'hvc' && rec.event.nr === HVC.VCPU_RUN) runs++; };
    const r = runSequence(world, cmds, 5);
    world.traceHook = null;
    expect(r.finding).toBeNull();
    expect(r.guestHypercalls).toBe(4);
    expect(runs).toBeGreaterThan(0);
    expect(r.hypercalls).toBe(runs + 1);
  });

  it('boot: an honest boot verifies, so does one restoring a saved vCPU; a tampered, misplaced or partial image and a remap after verification are refused', () => {
    const outcome = (how: BootHow): string[] => {
      world.reset(1);
      const eff = runCmd(world, { t: 'boot', cpu: 0, how });
      expect(world.violations).toEqual([]);
      return eff.hvcs.map((h) => `${HVC_NAME.get(h.nr)}=${BigInt.asIntN(64, h.ret)}`);
    };
    const vm = (): number => world.view.vmState(Number(world.view.core('NEXT_VMID')) - 1);
    expect(outcome('honest')).toEqual(['REGISTER_KVM=3', 'REGISTER_VCPU=0', 'SET_BOOT_INFO=0', 'REMAP_VM_IMAGE=0', 'REMAP_VM_IMAGE=0', 'VERIFY_VM_IMAGES=1']);
    expect(vm()).toBe(VM_STATE.VERIFIED);
    for (const how of ['tampered', 'misplaced', 'partial'] as const) {
      const calls = outcome(how);
      expect(calls.at(-1), how).toBe('VERIFY_VM_IMAGES=-1');
      expect(vm(), how).toBe(VM_STATE.POWEROFF);
    }
    expect(outcome('remap-after').slice(-2)).toEqual(['VERIFY_VM_IMAGES=1', 'REMAP_VM_IMAGE=-22']);
    expect(outcome('from-saved')).toEqual(['SAVE_CRYPT_VCPU=0', 'REGISTER_KVM=3', 'REGISTER_VCPU=0', 'LOAD_CRYPT_VCPU=0', 'SET_BOOT_INFO=0', 'REMAP_VM_IMAGE=0', 'REMAP_VM_IMAGE=0', 'VERIFY_VM_IMAGES=1']);
    expect(vm()).toBe(VM_STATE.VERIFIED);
  });

  it('--commands: a campaign draws only the kinds it is given; bad lists are named', () => {
    const kindsOf = (kinds: CmdKind[]): Set<string> => {
      const seen = new Set<string>();
      const note = (c: Cmd): void => { if (c.t === 'par') { seen.add('par'); note(c.a); note(c.b); } else seen.add(c.t); };
      for (const seq of fc.sample(sequenceArb(24, kinds), { seed: 4, numRuns: 300 })) seq.forEach(note);
      return seen;
    };
    expect(kindsOf(['hvc'])).toEqual(new Set(['hvc']));
    expect(kindsOf(['hvc', 'par'])).toEqual(new Set(['hvc', 'par']));
    expect(kindsOf(['mem', 'smmu'])).toEqual(new Set(['read', 'write', 'smmu', 'dma']));
    expect(kindsOf([...CMD_KINDS])).toEqual(new Set(['hvc', 'read', 'write', 'vm', 'smmu', 'dma', 'boot', 'par']));
    expect(cmdKindsProblem(['hvc', 'syscall'])).toMatch(/unknown command kind 'syscall'/);
    expect(cmdKindsProblem(['par'])).toMatch(/'par' pairs other kinds/);
    expect(cmdKindsProblem([])).toMatch(/name at least one/);
    expect(() => sequenceArb(24, ['par'])).toThrow(/'par' pairs other kinds/);
  });

  it('every generated command passes the reproducer check; malformed ones are named', () => {
    for (const seq of fc.sample(sequenceArb(24), { seed: 3, numRuns: 500 })) {
      for (const c of seq) expect(cmdProblem(c), JSON.stringify(c)).toBeNull();
    }
    expect(cmdProblem({ t: 'hvc' })).toMatch(/"nr"/);
    expect(cmdProblem({ t: 'hvc', cpu: 0, nr: 8, args: [{ k: 'pfn', pool: 'nowhere', i: 0 }] })).toMatch(/"pool"/);
    expect(cmdProblem({ t: 'vm', cpu: 0, vm: 0, vcpu: 0, op: 1, count: 1, a: { k: 'lit', v: 'zz' }, b: { k: 'lit', v: '0x1' }, propose: null })).toMatch(/hex/);
    expect(cmdProblem({ t: 'par', a: { t: 'read', cpu: 0, pa: { k: 'ipa', i: 0 } }, b: { t: 'boot', cpu: 1, how: 'sneaky' } })).toMatch(/"how"/);
    expect(cmdProblem({ t: 'jump' })).toMatch(/unknown command/);
  });
});
