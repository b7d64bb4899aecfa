/**
 * What the malicious KServ can do, as small JSON-serialisable commands (a reproducer is a list
 * of them), how each one runs against the world, and the fast-check arbitraries that generate
 * them. Arguments name things the way KServ knows them — "VM 1", "the 3rd host page", "a KCore
 * page", "the image's first IPA" — and are resolved to numbers when the command runs, so a
 * shrunk sequence stays meaningful.
 */
import fc from 'fast-check';
import type { FuzzWorld, PageKindName, BootHow } from './world.js';
import { BOOT_HOWS as BOOT_HOW_NAMES } from './world.js';
import { VM_RAM } from './world.js';
import { IPAS, SIZES } from './ipas.js';
export { IPAS };
import { HVC, MAX_VM_NUM } from '../kcore/constants.js';
import { SMMU_BASE, SMMU_SIZE, GR0_SCR0, GR1_CBAR, CB_BASE, CB_STRIDE, CB_SCTLR, CB_TTBR0 } from '../board/smmu.js';
import type { Gen } from '../sim/task.js';

export type Pool = PageKindName;

/** An argument, by meaning. Literals are hex strings (JSON has no 64-bit integers). */
export type Arg =
  | { readonly k: 'lit'; readonly v: string }
  | { readonly k: 'vm'; readonly i: number }
  | { readonly k: 'pfn'; readonly pool: Pool; readonly i: number }
  | { readonly k: 'pa'; readonly pool: Pool; readonly i: number; readonly off: number }
  | { readonly k: 'ipa'; readonly i: number };

export type Cmd =
  /** A host hypercall from pCPU `cpu`. */
  | { readonly t: 'hvc'; readonly cpu: number; readonly nr: number; readonly args: readonly Arg[] }
  /** A host load or store (through the host stage 2: a fault goes to KCore's map_page_host). */
  | { readonly t: 'read'; readonly cpu: number; readonly pa: Arg }
  | { readonly t: 'write'; readonly cpu: number; readonly pa: Arg; readonly v: string }
  /** One puppet command on a VM's vCPU (guests/fuzz/puppet.s), with the page KServ proposes for stage-2 faults. */
  | { readonly t: 'vm'; readonly cpu: number; readonly vm: number; readonly vcpu: number; readonly op: number; readonly count: number; readonly a: Arg; readonly b: Arg; readonly propose: Arg | null; readonly touch?: boolean }
  /** A host write to an SMMU register (KCore traps and checks it). */
  | { readonly t: 'smmu'; readonly cpu: number; readonly index: number; readonly reg: number; readonly v: Arg }
  /** A device DMA through an SMMU context bank. */
  | { readonly t: 'dma'; readonly index: number; readonly bank: number; readonly iova: string; readonly write: boolean }
  /** KServ boots a new VM with the puppet image, honestly or with one lie (FuzzWorld.bootVm). */
  | { readonly t: 'boot'; readonly cpu: number; readonly how: BootHow }
  /** Two commands at once on pCPU 0 and pCPU 1, interleaved by the seeded scheduler. */
  | { readonly t: 'par'; readonly a: Cmd; readonly b: Cmd };


/** Interesting literal values for hypercall arguments. */
const LITERALS: readonly bigint[] = [
  0n, 1n, 2n, 3n, 4n, 5n, 7n, 8n, BigInt(MAX_VM_NUM), BigInt(MAX_VM_NUM + 1), 65n, 0xfffn, 0x1000n, 0x2000n, 0x20_0000n,
  0x4000_0000n, 0x4008_0000n, 1n << 32n, 1n << 36n, 1n << 40n, (1n << 64n) - 1n, (1n << 64n) - 4096n, 0x8000_0000_0000_0000n,
];

// ---- resolving ----

export function resolve(w: FuzzWorld, a: Arg): bigint {
  switch (a.k) {
    case 'lit': return BigInt(a.v);
    case 'vm': return a.i < 2 ? BigInt(w.vmidOf(a.i)) : a.i === 2 ? 50n : BigInt(w.view.core('NEXT_VMID')) - 1n;
    case 'pfn': return BigInt(w.pfnOf(a.pool, a.i));
    case 'pa': return (BigInt(w.pfnOf(a.pool, a.i)) << 12n) + BigInt(a.off);
    case 'ipa': return BigInt(IPAS[((a.i % IPAS.length) + IPAS.length) % IPAS.length]!);
  }
}

// ---- running ----

/** What one command did: the hypercalls it issued with their results (for the oracle). */
export interface CmdEffect {
  readonly hvcs: { readonly cpu: number; readonly nr: number; readonly args: readonly bigint[]; readonly ret: bigint }[];
}

/** The generator that performs `c` on its pCPU (not 'par'). */
function* perform(w: FuzzWorld, c: Exclude<Cmd, { t: 'par' }>, eff: CmdEffect): Gen {
  switch (c.t) {
    case 'hvc': {
      const args = c.args.map((a) => resolve(w, a));
      const ret = yield* w.hvc(c.cpu, c.nr, args);
      eff.hvcs.push({ cpu: c.cpu, nr: c.nr, args, ret });
      return;
    }
    case 'read':
      yield* w.hostRead(c.cpu, Number(resolve(w, c.pa) & ~7n));
      return;
    case 'write':
      yield* w.hostWrite(c.cpu, Number(resolve(w, c.pa) & ~7n), BigInt(c.v));
      return;
    case 'vm': {
      const vmid = w.vmidOf(c.vm);
      const propose = c.propose === null ? null : Number(resolve(w, c.propose));
      const a = resolve(w, c.a);
      yield* w.vmStep(c.cpu, vmid, c.vcpu, mailboxWords(c.op, c.count, a, resolve(w, c.b)), propose);
      // `touch`: KServ then reads the page behind the IPA the guest named (the one it just shared
      // or revoked): host memory it may or may not be allowed to reach now.
      const pfn = c.touch ? w.pfnBehind(vmid, a) : null;
      if (pfn !== null) yield* w.hostRead(c.cpu, pfn * 4096);
      return;
    }
    case 'smmu': {
      const pa = Number(SMMU_BASE + BigInt(c.index % 2) * SMMU_SIZE) + c.reg;
      yield* w.smmuWrite(c.cpu, pa, resolve(w, c.v));
      return;
    }
    case 'dma':
      w.dma(c.index, c.bank, BigInt(c.iova), c.write);
      return;
    case 'boot':
      eff.hvcs.push(...(yield* w.bootVm(c.cpu, c.how)).map((h) => ({ cpu: c.cpu, ...h })));
      return;
  }
}

/**
 * The mailbox words of a puppet command (guests/fuzz/puppet.s): the op word, with a and b inline
 * when they are in the puppet's tables (one exit instead of three), else a and b after it.
 */
export function mailboxWords(op: number, count: number, a: bigint, b: bigint): bigint[] {
  let w = BigInt(op & 0xff) | (BigInt(count & 0xff) << 8n);
  const words: bigint[] = [];
  const ai = IPAS.findIndex((x) => BigInt(x) === a);
  if (ai >= 0) w |= (1n << 16n) | (BigInt(ai) << 17n);
  else words.push(a);
  const bi = SIZES.indexOf(b);
  if (bi >= 0) w |= (1n << 24n) | (BigInt(bi) << 25n);
  else words.push(b);
  return [w, ...words];
}

/** Runs one command (both halves of a 'par' concurrently); returns the hypercalls it issued. */
export function runCmd(w: FuzzWorld, c: Cmd): CmdEffect {
  const eff: CmdEffect = { hvcs: [] };
  if (c.t === 'par') {
    const a = single(c.a);
    const b = single(c.b);
    w.runTasks([{ cpu: 0, gen: perform(w, withCpu(a, 0), eff) }, { cpu: 1, gen: perform(w, withCpu(b, 1), eff) }]);
  } else {
    w.runTask(c.t === 'dma' ? 0 : c.cpu, perform(w, c, eff));
  }
  return eff;
}

/** A 'par' nested in a 'par' runs its first half only (two pCPUs). */
function single(c: Cmd): Exclude<Cmd, { t: 'par' }> {
  return c.t === 'par' ? single(c.a) : c;
}

function withCpu<C extends Exclude<Cmd, { t: 'par' }>>(c: C, cpu: number): C {
  return c.t === 'dma' ? c : { ...c, cpu };
}

// ---- checking a command read from a file ----

const isInt = (x: unknown, min: number, max: number): boolean => typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
const isHex = (x: unknown): boolean => typeof x === 'string' && /^0x[0-9a-f]{1,16}$/i.test(x);

/** What is wrong with an argument read from JSON, or null. */
function argProblem(a: unknown): string | null {
  if (typeof a !== 'object' || a === null) return 'an argument must be an object';
  const o = a as Record<string, unknown>;
  switch (o.k) {
    case 'lit': return isHex(o.v) ? null : '"lit" needs "v": a hex string of at most 64 bits';
    case 'vm': return isInt(o.i, 0, 3) ? null : '"vm" needs "i" from 0 to 3';
    case 'ipa': return isInt(o.i, 0, 1 << 20) ? null : '"ipa" needs a non-negative integer "i"';
    case 'pfn':
    case 'pa':
      if (!ALL_POOLS.includes(o.pool as Pool)) return `"${o.k}" needs "pool": one of ${ALL_POOLS.join(', ')}`;
      if (!isInt(o.i, 0, 1 << 20)) return `"${o.k}" needs a non-negative integer "i"`;
      return o.k === 'pa' && !isInt(o.off, 0, 0xfff) ? '"pa" needs "off" from 0 to 0xfff' : null;
    default: return `unknown argument kind ${JSON.stringify(o.k)} (lit, vm, ipa, pfn, pa)`;
  }
}

/**
 * What is wrong with a command read from JSON (a reproducer), or null: every field of its kind
 * present, of the right type and in range, so running it cannot fail for want of one.
 */
export function cmdProblem(c: unknown): string | null {
  if (typeof c !== 'object' || c === null) return 'a command must be an object';
  const o = c as Record<string, unknown>;
  const cpu = isInt(o.cpu, 0, 1) ? null : '"cpu" must be 0 or 1';
  const args = (...as: unknown[]): string | null => { for (const a of as) { const p = argProblem(a); if (p) return p; } return null; };
  switch (o.t) {
    case 'hvc':
      if (!isInt(o.nr, 0, 0xffff_ffff)) return '"nr" must be a hypercall number';
      if (!Array.isArray(o.args) || o.args.length > 8) return '"args" must be an array of at most 8 arguments';
      return cpu ?? args(...o.args);
    case 'read': return cpu ?? args(o.pa);
    case 'write': return cpu ?? args(o.pa) ?? (isHex(o.v) ? null : '"v" must be a hex string');
    case 'vm':
      if (!isInt(o.vm, 0, 1) || !isInt(o.vcpu, 0, 1)) return '"vm" and "vcpu" must be 0 or 1';
      if (!isInt(o.op, 0, 255) || !isInt(o.count, 1, 255)) return '"op" must be 0..255 and "count" 1..255';
      if (o.touch !== undefined && typeof o.touch !== 'boolean') return '"touch" must be true or false';
      return cpu ?? args(o.a, o.b) ?? (o.propose === null ? null : args(o.propose));
    case 'smmu': return cpu ?? (isInt(o.index, 0, 1) && isInt(o.reg, 0, Number(SMMU_SIZE) - 4) ? args(o.v) : '"index" must be 0 or 1 and "reg" an offset in the SMMU');
    case 'dma': return isInt(o.index, 0, 1) && isInt(o.bank, 0, 255) && isHex(o.iova) && typeof o.write === 'boolean' ? null : '"dma" needs "index" 0 or 1, "bank", a hex "iova" and "write"';
    case 'boot': return cpu ?? ((BOOT_HOW_NAMES as readonly unknown[]).includes(o.how) ? null : `"how" must be one of ${BOOT_HOW_NAMES.join(', ')}`);
    case 'par': return cmdProblem(o.a) ?? cmdProblem(o.b);
    default: return `unknown command ${JSON.stringify(o.t)} (hvc, read, write, vm, smmu, dma, boot, par)`;
  }
}

// ---- describing ----

export function describeArg(a: Arg): string {
  switch (a.k) {
    case 'lit': return a.v;
    case 'vm': return ['vm1', 'vm2', 'unused-vm', 'newest-vm'][a.i] ?? `vm?${a.i}`;
    case 'pfn': return `pfn(${a.pool}[${a.i}])`;
    case 'pa': return `pa(${a.pool}[${a.i}]+0x${a.off.toString(16)})`;
    case 'ipa': return `ipa(0x${(IPAS[a.i % IPAS.length] ?? 0).toString(16)})`;
  }
}

const VM_OPS = ['noop-hvc', 'grant', 'revoke', 'store-secret', 'load', 'system-off', 'raw-hvc'];

export function describeCmd(c: Cmd, hvcName: (nr: number) => string): string {
  switch (c.t) {
    case 'hvc': return `cpu${c.cpu}: ${hvcName(c.nr)}(${c.args.map(describeArg).join(', ')})`;
    case 'read': return `cpu${c.cpu}: host reads ${describeArg(c.pa)}`;
    case 'write': return `cpu${c.cpu}: host writes ${c.v} to ${describeArg(c.pa)}`;
    case 'vm': return `cpu${c.cpu}: VM ${c.vm + 1} vCPU ${c.vcpu} does ${VM_OPS[c.op] ?? c.op}${c.count > 1 ? `×${c.count}` : ''}(${describeArg(c.a)}, ${describeArg(c.b)})${c.propose ? `, KServ proposes ${describeArg(c.propose)} for its faults` : ''}${c.touch ? ', then the host reads the page behind that IPA' : ''}`;
    case 'smmu': return `cpu${c.cpu}: host writes ${describeArg(c.v)} to SMMU ${c.index} register 0x${c.reg.toString(16)}`;
    case 'dma': return `device DMA ${c.write ? 'write' : 'read'} through SMMU ${c.index} bank ${c.bank} at iova ${c.iova}`;
    case 'boot': return `cpu${c.cpu}: KServ boots a new VM with the puppet image${BOOT_LIES[c.how]}`;
    case 'par': return `at once: [${describeCmd(withCpu(single(c.a), 0), hvcName)}] and [${describeCmd(withCpu(single(c.b), 1), hvcName)}]`;
  }
}

// ---- generating ----

/** The pools generated arguments draw from; 'boot' (the image pages) only host addresses use. */
const POOLS: readonly Pool[] = ['host', 'vm1', 'vm2', 'kcore', 'other'];
const ALL_POOLS: readonly Pool[] = [...POOLS, 'boot'];
const hex = (v: bigint): string => `0x${v.toString(16)}`;

const argArb: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...LITERALS).map((v): Arg => ({ k: 'lit', v: hex(v) })) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }).map((i): Arg => ({ k: 'vm', i })) },
  { weight: 3, arbitrary: fc.record({ pool: fc.constantFrom(...POOLS), i: fc.nat(31) }).map(({ pool, i }): Arg => ({ k: 'pfn', pool, i })) },
  { weight: 3, arbitrary: fc.record({ pool: fc.constantFrom(...POOLS), i: fc.nat(31), off: fc.constantFrom(0, 8, 0x800, 0xff8) }).map(({ pool, i, off }): Arg => ({ k: 'pa', pool, i, off })) },
  { weight: 2, arbitrary: fc.nat(IPAS.length - 1).map((i): Arg => ({ k: 'ipa', i })) },
);

/** Arguments shaped like the call's real ones most of the time, anything some of the time. */
function hvcArgs(nr: number): fc.Arbitrary<Arg[]> {
  const vm = fc.integer({ min: 0, max: 3 }).map((i): Arg => ({ k: 'vm', i }));
  const small = fc.integer({ min: 0, max: 5 }).map((n): Arg => ({ k: 'lit', v: hex(BigInt(n)) }));
  const page = fc.record({ pool: fc.constantFrom(...POOLS), i: fc.nat(31) }).map(({ pool, i }): Arg => ({ k: 'pfn', pool, i }));
  const pa = fc.record({ pool: fc.constantFrom(...POOLS), i: fc.nat(31) }).map(({ pool, i }): Arg => ({ k: 'pa', pool, i, off: 0 }));
  const lit = (v: bigint): fc.Arbitrary<Arg> => fc.constant({ k: 'lit', v: hex(v) });
  const ram = fc.constant<Arg>({ k: 'lit', v: '0x40000000' });
  const vmPa = fc.record({ pool: fc.constantFrom<Pool>('vm1', 'vm2'), i: fc.nat(3) }).map(({ pool, i }): Arg => ({ k: 'pa', pool, i, off: 0 }));
  // SMMU context banks and SMMUs: mostly the first two of each, so calls meet on one bank
  const bank = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 1 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 9 }) }).map((n): Arg => ({ k: 'lit', v: hex(BigInt(n)) }));
  const unit = fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(2) }).map((n): Arg => ({ k: 'lit', v: hex(BigInt(n)) }));
  const shaped: Record<number, fc.Arbitrary<Arg>[]> = {
    [HVC.VCPU_RUN]: [vm, small],
    // the whole of RAM, or exactly some of the VM's pages (so a range that stops one page short shows)
    [HVC.CLEAR_VM_S2_RANGE]: [vm, fc.oneof(ram, fc.record({ pool: fc.constantFrom<Pool>('vm1', 'vm2'), i: fc.nat(3) }).map(({ pool, i }): Arg => ({ k: 'pa', pool, i, off: 0 }))),
      fc.constantFrom<Arg>({ k: 'lit', v: '0x4000000' }, { k: 'lit', v: '0x1000' }, { k: 'lit', v: '0x2000' }, { k: 'lit', v: '0x200000' })],
    [HVC.SET_BOOT_INFO]: [vm, lit(0x4000_0000n), fc.constantFrom<Arg>({ k: 'lit', v: '0x1000' }, { k: 'lit', v: '0x2000' })],
    [HVC.REMAP_VM_IMAGE]: [vm, page, small],
    [HVC.VERIFY_VM_IMAGES]: [vm],
    [HVC.REGISTER_VCPU]: [vm, small],
    [HVC.ENCRYPT_BUF]: [vm, pa, pa],
    [HVC.DECRYPT_BUF]: [vm, pa, lit(4096n)],
    [HVC.SAVE_CRYPT_VCPU]: [vm, small],
    [HVC.LOAD_CRYPT_VCPU]: [vm, small],
    [HVC.SMMU_ALLOC_PGD]: [bank, fc.oneof(lit(0n), vm), unit],
    [HVC.SMMU_FREE_PGD]: [bank, unit],
    [HVC.SMMU_LPAE_MAP]: [fc.constantFrom<Arg>({ k: 'lit', v: '0x50000000' }, { k: 'lit', v: '0x50001000' }), fc.oneof(vmPa, pa), lit(3n), bank, unit],
    [HVC.SMMU_LPAE_IOVA_TO_PHYS]: [lit(0x5000_0000n), bank, unit],
    [HVC.SMMU_CLEAR]: [lit(0x5000_0000n), bank, unit],
    [HVC.PHYS_ADDR_IOREMAP]: [vm, lit(0x0a00_0000n), pa, lit(4096n)],
  };
  const s = shaped[nr];
  const free = fc.array(argArb, { minLength: 0, maxLength: 5 });
  return s === undefined ? free : fc.oneof({ weight: 4, arbitrary: fc.tuple(...s) }, { weight: 1, arbitrary: free });
}

/** An address the host touches: often a page a VM has (or had), often its own, sometimes anything. */
const hostPaArb: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ pool: fc.constantFrom<Pool>('vm1', 'vm2'), i: fc.nat(3) }).map(({ pool, i }): Arg => ({ k: 'pa', pool, i, off: 0 })) },
  { weight: 3, arbitrary: fc.nat(7).map((i): Arg => ({ k: 'pa', pool: 'host', i, off: 0 })) },
  { weight: 3, arbitrary: argArb },
  // the pages a boot copies its image into (a write racing the boot on the other pCPU)
  { weight: 1, arbitrary: fc.nat(1).map((i): Arg => ({ k: 'pa', pool: 'boot', i, off: 0x100 })) },
);

/** A guest IPA for the puppet: mostly its block's pages and the first pages above it. */
const guestIpaArb: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 8, arbitrary: fc.nat(5).map((i): Arg => ({ k: 'ipa', i })) },
  { weight: 1, arbitrary: fc.nat(IPAS.length - 1).map((i): Arg => ({ k: 'ipa', i })) },
  { weight: 1, arbitrary: argArb },
);

const cpuArb = fc.integer({ min: 0, max: 1 });
/**
 * Which host hypercall: every number 6..29, with the ones that change ownership or mappings
 * (and so need another call before them to matter) drawn more often; now and then a number
 * KCore does not implement.
 */
const hvcNrArb = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 6, max: 29 }) },
  { weight: 10, arbitrary: fc.constantFrom(HVC.SMMU_ALLOC_PGD, HVC.SMMU_LPAE_MAP, HVC.SMMU_CLEAR, HVC.CLEAR_VM_S2_RANGE, HVC.REMAP_VM_IMAGE, HVC.DECRYPT_BUF, HVC.REGISTER_VCPU, HVC.VCPU_RUN) },
  { weight: 1, arbitrary: fc.constantFrom(0, 3, 5, 15, 30, 4096) },
);

const hvcArb: fc.Arbitrary<Cmd> = fc.tuple(cpuArb, hvcNrArb).chain(([cpu, nr]) => hvcArgs(nr).map((args): Cmd => ({ t: 'hvc', cpu, nr, args })));

const memArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ cpu: cpuArb, pa: hostPaArb }).map(({ cpu, pa }): Cmd => ({ t: 'read', cpu, pa })),
  fc.record({ cpu: cpuArb, pa: hostPaArb, v: fc.constantFrom('0x0', '0x4141414141414141', '0xffffffffffffffff') }).map(({ cpu, pa, v }): Cmd => ({ t: 'write', cpu, pa, v })),
);

const vmOnce = fc.record({
  cpu: cpuArb,
  vm: fc.integer({ min: 0, max: 1 }),
  vcpu: fc.constantFrom(0, 0, 0, 1),
  // grant/revoke/store most; SYSTEM_OFF rarely (it ends the VM for the rest of the sequence)
  op: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(1, 2) },
    { weight: 2, arbitrary: fc.constantFrom(3, 4) },
    { weight: 1, arbitrary: fc.constantFrom(0, 5, 6) },
  ),
  a: guestIpaArb,
  // sizes for grant/revoke: a page, two, a 2 MB block (huge sizes only make KCore loop longer)
  b: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom<Arg>({ k: 'lit', v: '0x1000' }, { k: 'lit', v: '0x2000' }, { k: 'lit', v: '0x1000' }, { k: 'lit', v: '0x0' }) },
    { weight: 2, arbitrary: fc.constantFrom<Arg>({ k: 'lit', v: '0x10000' }, { k: 'lit', v: '0x200000' }) },
    { weight: 1, arbitrary: argArb },
  ),
  // null: an honest fresh host page; otherwise whatever KServ likes, its own pages most often
  touch: fc.boolean(),
  propose: fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: fc.nat(7).map((i): Arg => ({ k: 'pfn', pool: 'host', i })) },
    { weight: 3, arbitrary: fc.record({ pool: fc.constantFrom(...POOLS), i: fc.nat(7) }).map(({ pool, i }): Arg => ({ k: 'pfn', pool, i })) },
  ),
});

/** A puppet command: once on any range, or repeated (up to past MAX_SHARE_COUNT) on one page. */
const vmArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: vmOnce.map((r): Cmd => ({ t: 'vm', ...r, count: 1 })) },
  { weight: 1, arbitrary: fc.tuple(vmOnce, fc.integer({ min: 2, max: 110 })).map(([r, count]): Cmd => ({ t: 'vm', ...r, count, b: { k: 'lit', v: '0x1000' } })) },
);

const SMMU_REGS = [GR0_SCR0, GR1_CBAR, GR1_CBAR + 4, CB_BASE + CB_SCTLR, CB_BASE + CB_TTBR0, CB_BASE + CB_STRIDE + CB_TTBR0];
const smmuArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ cpu: cpuArb, index: fc.integer({ min: 0, max: 1 }), reg: fc.constantFrom(...SMMU_REGS), v: fc.oneof(argArb, fc.constantFrom<Arg>({ k: 'lit', v: '0x1' }, { k: 'lit', v: '0x0' })) }).map((r): Cmd => ({ t: 'smmu', ...r })),
  fc.record({ index: fc.integer({ min: 0, max: 1 }), bank: fc.integer({ min: 0, max: 7 }), iova: fc.constantFrom('0x50000000', '0x50001000', '0x40000000'), write: fc.boolean() }).map((r): Cmd => ({ t: 'dma', ...r })),
);

const BOOT_LIES: Record<BootHow, string> = {
  'honest': '',
  'tampered': ', a byte changed after signing',
  'misplaced': ', remapped from pages the VM would not map at its IPA',
  'partial': ', its last page never remapped',
  'remap-after': ', then remaps a page again after verification',
  'from-saved': ', its vCPU 0 restored from VM 1\'s saved (encrypted) vCPU 0',
};

const bootArb: fc.Arbitrary<Cmd> = fc.record({ cpu: cpuArb, how: fc.constantFrom<BootHow>('honest', 'honest', 'tampered', 'misplaced', 'partial', 'remap-after', 'from-saved') })
  .map((r): Cmd => ({ t: 'boot', ...r }));

/**
 * The kinds of command a campaign draws (`sekvm-sim fuzz --commands`): host hypercalls, host
 * memory accesses, puppet commands on a VM, SMMU programming and DMA, VM boots, and concurrent
 * pairs of the chosen single kinds on the two pCPUs.
 */
export const CMD_KINDS = ['hvc', 'mem', 'vm', 'smmu', 'boot', 'par'] as const;
export type CmdKind = (typeof CMD_KINDS)[number];

// A boot moves a 2 MB block to the new VM (~3 ms of host time against ~0.1-0.3 ms for the other
// commands): rare enough that it costs the campaign about a sixth of its speed.
const SINGLE: readonly { kind: Exclude<CmdKind, 'par'>; weight: number; arbitrary: fc.Arbitrary<Cmd> }[] = [
  { kind: 'hvc', weight: 32, arbitrary: hvcArb },
  { kind: 'vm', weight: 32, arbitrary: vmArb },
  { kind: 'mem', weight: 16, arbitrary: memArb },
  { kind: 'smmu', weight: 8, arbitrary: smmuArb },
  { kind: 'boot', weight: 1, arbitrary: bootArb },
];

/** One command of the given kinds (at least one of them not 'par': cmdKindsProblem). */
function cmdArbOf(kinds: readonly CmdKind[]): fc.Arbitrary<Cmd> {
  const singleArb = fc.oneof(...SINGLE.filter((s) => kinds.includes(s.kind)).map(({ weight, arbitrary }) => ({ weight, arbitrary })));
  if (!kinds.includes('par')) return singleArb;
  return fc.oneof(
    { weight: 6, arbitrary: singleArb },
    { weight: 1, arbitrary: fc.tuple(singleArb, singleArb).map(([a, b]): Cmd => ({ t: 'par', a, b })) },
  );
}

/** What is wrong with a list of command kinds (`--commands`), or null. */
export function cmdKindsProblem(kinds: readonly string[]): string | null {
  const bad = kinds.find((k) => !(CMD_KINDS as readonly string[]).includes(k));
  if (bad !== undefined) return `unknown command kind '${bad}' (one of ${CMD_KINDS.join(', ')})`;
  if (!kinds.some((k) => k !== 'par')) return `'par' pairs other kinds: name at least one of ${CMD_KINDS.filter((k) => k !== 'par').join(', ')}`;
  return null;
}

/** A whole sequence of commands (what fast-check generates and shrinks), of the given kinds. */
export function sequenceArb(maxLength: number, kinds: readonly CmdKind[] = CMD_KINDS): fc.Arbitrary<Cmd[]> {
  const problem = cmdKindsProblem(kinds);
  if (problem !== null) throw new Error(`fuzz: ${problem}`);
  return fc.array(cmdArbOf(kinds), { minLength: 1, maxLength, size: 'medium' });
}

export { VM_RAM };
