/**
 * Running one command sequence against the world, with every check after every step: the live
 * invariants (src/check, incrementally and fully), the spec model (src/fuzz/oracle.ts) for each
 * host hypercall, and the simulator itself (an exception that is not KCore refusing something
 * is a simulator crash — also a finding).
 */
import type { FuzzWorld } from './world.js';
import { type Cmd, runCmd, resolve } from './commands.js';
import { predict, postcondition, pageKind } from './oracle.js';
import { HVC_NAME, HVC, MAX_VM_NUM, VM_STATE, VCPU_STATE, HOSTVISOR, COREVISOR } from '../kcore/constants.js';
import { esrEc } from '../arch/esr.js';
import type { TraceEvent } from '../trace/events.js';

export interface Finding {
  /** Index of the command after which it was found. */
  readonly step: number;
  readonly kind: 'invariant' | 'spec' | 'crash';
  /** The invariant's name, `spec_conformance`, or `simulator_crash`. */
  readonly name: string;
  readonly message: string;
}

export interface SequenceResult {
  readonly finding: Finding | null;
  /** Commands run (up to and including the failing one). */
  readonly steps: number;
  /** Host hypercalls issued by KServ (each checked when KCore returns). */
  readonly hypercalls: number;
  /** Hypercalls the VMs made (HVC exits to KCore: pvops, PSCI), each checked the same way. */
  readonly guestHypercalls: number;
  /**
   * Entries into KCore (host hypercalls, host stage-2 faults, and each VM exit a VCPU_RUN takes
   * to EL2), each followed by the incremental check once no pCPU is inside KCore.
   */
  readonly kcoreEntries: number;
}

/**
 * Coverage of a campaign: (hypercall × abstract state) pairs, and KCore's branches as far as its
 * events show them — the checks that refused something (`checks`: where and why) and the kinds
 * of effect it had (`effects`: accepted/refused per hypercall, ownership moves between kinds of
 * principal, stage-2 maps by principal and level, grant/revoke count edges, state transitions,
 * exit paths by class). (Code coverage through the V8 inspector costs about a third of the
 * throughput, so the fuzzer counts outcomes instead.)
 */
export interface Coverage {
  readonly pairs: Set<string>;
  readonly checks: Set<string>;
  readonly effects: Set<string>;
}

export function newCoverage(): Coverage {
  return { pairs: new Set(), checks: new Set(), effects: new Set() };
}

/** The kind of principal an s2page owner is, for coverage keys. */
function principalKind(owner: number): string {
  return owner === HOSTVISOR ? 'host' : owner === COREVISOR ? 'kcore' : owner >= 1 && owner <= MAX_VM_NUM ? 'vm' : 'none';
}

/** Records what an event says KCore did (see Coverage). */
export function noteCoverage(cov: Coverage, e: TraceEvent): void {
  switch (e.kind) {
    case 'kcore-halt': cov.checks.add(`${e.where}: ${e.code}`); return;
    case 'hvc-ret': cov.effects.add(key(`${e.rejected ? 1 : 0}${e.name}`, () => `${e.name} ${e.rejected ? 'refused' : 'accepted'}`)); return;
    case 'owner': cov.effects.add(key(`o${e.from}/${e.to}`, () => `owner ${principalKind(e.from)} → ${principalKind(e.to)}`)); return;
    case 's2-map': cov.effects.add(key(`m${e.vmid === HOSTVISOR ? 0 : 1}${e.level}`, () => `s2-map ${e.vmid === HOSTVISOR ? 'host' : 'vm'} level ${e.level}`)); return;
    case 'host-map': cov.effects.add(e.device ? 'host-map device' : 'host-map RAM'); return;
    case 'host-unmap': cov.effects.add('host-unmap'); return;
    case 'grant': cov.effects.add(e.count === 1 ? 'grant → count 1' : 'grant → count n'); return;
    case 'revoke': cov.effects.add(e.count === 0 ? 'revoke → count 0' : 'revoke → count n'); return;
    case 'vm-state': cov.effects.add(key(`v${e.state}`, () => `VM → ${e.state}`)); return;
    case 'vcpu-state': cov.effects.add(key(`c${e.state}`, () => `vCPU → ${e.state}`)); return;
    case 'guest-exit': cov.effects.add(exitKey(e.esr >>> 26, e.irq, e.path)); return;
    default: return;
  }
}

/** "exit EC 0x.. → path" by EC, IRQ and path (numbers: VM exits are the most frequent event). */
const EXIT_KEYS = new Map<number, string>();

function exitKey(ec: number, irq: boolean, path: string): string {
  const n = ec * 8 + (irq ? 4 : 0) + (path === 'kcore' ? 0 : path === 'kserv' ? 1 : 2);
  let k = EXIT_KEYS.get(n);
  if (k === undefined) EXIT_KEYS.set(n, (k = `exit EC 0x${ec.toString(16)}${irq ? ' (IRQ)' : ''} → ${path}`));
  return k;
}

/** Coverage keys by a short key (KCore's events repeat a few kinds millions of times). */
const KEYS = new Map<string, string>();

function key(short: string, make: () => string): string {
  let k = KEYS.get(short);
  if (k === undefined) KEYS.set(short, (k = make()));
  return k;
}

const NEG = 1n << 63n;

/** Resets the world and runs `cmds`, stopping at the first finding. */
export function runSequence(w: FuzzWorld, cmds: readonly Cmd[], seed: number, cov?: Coverage, onStep?: (i: number, c: Cmd) => void): SequenceResult {
  w.reset(seed);
  w.eventHook = cov ? (e) => noteCoverage(cov, e) : null;
  let hypercalls = 0;
  const guestBefore = w.k.stats.guestHvc;
  for (let i = 0; i < cmds.length; i++) {
    const c = cmds[i]!;
    onStep?.(i, c);
    const before = w.violations.length;
    const hvcBefore = w.k.stats.hvc;
    // The model's prediction for a lone hypercall (concurrent ones race by design).
    let pred: ReturnType<typeof predict> | null = null;
    let args: bigint[] = [];
    if (c.t === 'hvc') {
      args = c.args.map((a) => resolve(w, a));
      pred = predict(w.view, c.nr, args);
      if (cov) cov.pairs.add(coverageKey(w, c.nr, args));
    }
    let eff;
    try {
      eff = runCmd(w, c);
    } catch (e) {
      return { finding: { step: i, kind: 'crash', name: 'simulator_crash', message: e instanceof Error ? `${e.message}${e.stack ? `\n${e.stack.split('\n').slice(1, 6).join('\n')}` : ''}` : String(e) }, steps: i + 1, hypercalls, guestHypercalls: w.k.stats.guestHvc - guestBefore, kcoreEntries: w.checker.stats.entries };
    }
    hypercalls += w.k.stats.hvc - hvcBefore;
    if (!w.checker.busy) w.checker.checkIfChanged();   // (a KCore exit already checked, unless something happened since)
    if (w.violations.length > before) {
      const v = w.violations[before]!;
      return { finding: { step: i, kind: 'invariant', name: v.invariant, message: v.message }, steps: i + 1, hypercalls, guestHypercalls: w.k.stats.guestHvc - guestBefore, kcoreEntries: w.checker.stats.entries };
    }
    if (pred !== null && c.t === 'hvc' && eff.hvcs.length === 1) {
      const ret = BigInt.asUintN(64, eff.hvcs[0]!.ret);
      const rejected = ret >= NEG;
      const name = HVC_NAME.get(c.nr) ?? `HVC_${c.nr}`;
      const shown = `${name}(${args.map((a) => `0x${a.toString(16)}`).join(', ')})`;
      if (pred.kind === 'accept' && rejected) {
        return spec(w, i, `${shown} was refused (${BigInt.asIntN(64, ret)}) but the spec accepts it in this state`, hypercalls, guestBefore);
      }
      if (pred.kind === 'reject' && !rejected) {
        return spec(w, i, `${shown} was accepted (returned 0x${ret.toString(16)}) but the spec refuses it: ${pred.why}`, hypercalls, guestBefore);
      }
      // (Which errno a refusal returns is the matrix test's business: argument checks come in an
      // order the table does not fix, so only accept/refuse disagreements are findings here.)
      if (!rejected) {
        const post = postcondition(w.view, c.nr, args);
        if (post !== null) return spec(w, i, post, hypercalls, guestBefore);
      }
    }
  }
  return { finding: null, steps: cmds.length, hypercalls, guestHypercalls: w.k.stats.guestHvc - guestBefore, kcoreEntries: w.checker.stats.entries };
}

function spec(w: FuzzWorld, step: number, message: string, hypercalls: number, guestBefore: number): SequenceResult {
  return { finding: { step, kind: 'spec', name: 'spec_conformance', message }, steps: step + 1, hypercalls, guestHypercalls: w.k.stats.guestHvc - guestBefore, kcoreEntries: w.checker.stats.entries };
}

const VM_STATE_NAME = new Map(Object.entries(VM_STATE).map(([k, v]) => [v as number, k]));
const VCPU_STATE_NAME = new Map(Object.entries(VCPU_STATE).map(([k, v]) => [v as number, k]));

/** "HVC_NAME vm=STATE vcpu=STATE page=KIND" for the coverage of (hypercall × state). */
function coverageKey(w: FuzzWorld, nr: number, args: readonly bigint[]): string {
  const name = HVC_NAME.get(nr) ?? `HVC_${nr}`;
  const parts: string[] = [name];
  const vmid = Number(args[0] ?? 0n);
  const takesVm = nr !== HVC.REGISTER_KVM && nr !== HVC.ENABLE_S2_TRANS && nr !== HVC.TIMER_SET_CNTVOFF && nr < HVC.SMMU_FREE_PGD;
  if (takesVm) {
    parts.push(vmid >= 1 && vmid <= MAX_VM_NUM ? `vm=${VM_STATE_NAME.get(w.view.vmState(vmid)) ?? '?'}` : 'vm=bad-id');
    if (args[1] !== undefined && args[1] < 4n && vmid >= 1 && vmid <= MAX_VM_NUM) {
      parts.push(`vcpu=${VCPU_STATE_NAME.get(w.view.vcpuState(vmid, Number(args[1]))) ?? '?'}`);
    }
  }
  for (const a of args.slice(1)) {
    if (a > 0x1000n && a < 1n << 36n && (a & 0xfffn) === 0n) { parts.push(`page=${pageKind(w.view, Number(a >> 12n), vmid)}`); break; }
  }
  return parts.join(' ');
}
