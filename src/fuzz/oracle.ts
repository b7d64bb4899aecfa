/**
 * The fuzzer's model: what the spec says a host hypercall must do in the current state, taken
 * from KCore's transition table (src/kcore/transitions.ts). Before a hypercall the oracle reads
 * the state the call depends on (VM and vCPU states, who owns the page it names, boot-image
 * slots, VMIDs left) from KCore's memory, classifies it into the table's abstract state, and
 * predicts "accepted" or "rejected with errno E". A call whose outcome depends on something the
 * oracle cannot classify (a boot image's signature, an SMMU bank's owner VM) is not predicted.
 * A disagreement is a `spec_conformance` violation: KCore accepted what the spec refuses (a
 * weakened check) or refused what it allows.
 */
import { HOST_HYPERCALLS, matches, type AbstractState, type PageKind, type Row, type VmStateName, type VcpuStateName } from '../kcore/transitions.js';
import { HVC, HOSTVISOR, COREVISOR, INVALID_MEM, MAX_VM_NUM, HYPSEC_MAX_VCPUS, VM_STATE, VCPU_STATE, MAX_LOAD_INFO_NUM } from '../kcore/constants.js';
import type { KcoreView } from '../check/view.js';
import { SMMU_BASE, SMMU_SIZE } from '../board/smmu.js';

export type Prediction =
  | { readonly kind: 'accept' }
  | { readonly kind: 'reject'; readonly errno: bigint; readonly why: string }
  | { readonly kind: 'unsupported' }
  | { readonly kind: 'unknown'; readonly why: string };

const VM_NAMES: Record<number, VmStateName> = { [VM_STATE.UNUSED]: 'UNUSED', [VM_STATE.READY]: 'READY', [VM_STATE.VERIFIED]: 'VERIFIED', [VM_STATE.POWEROFF]: 'POWEROFF' };
const VCPU_NAMES: Record<number, VcpuStateName> = { [VCPU_STATE.UNUSED]: 'UNUSED', [VCPU_STATE.READY]: 'READY', [VCPU_STATE.ACTIVE]: 'ACTIVE' };

/** The table's page kind of `pfn` relative to VM `vmid`. */
export function pageKind(view: KcoreView, pfn: number, vmid: number): PageKind {
  const pa = BigInt(pfn) << 12n;
  if (pa >= SMMU_BASE && pa < SMMU_BASE + 2n * SMMU_SIZE) return 'smmu';
  const p = view.s2page(pfn);
  if (p.owner === INVALID_MEM) return 'device';
  if (p.owner === COREVISOR) return 'kcore';
  if (p.owner === HOSTVISOR) return p.count > 0 ? 'host-smmu' : 'host';
  if (p.owner === vmid) return p.count > 0 ? 'vm-shared' : 'vm';
  return 'other-vm';
}

const ROWS = new Map<number, Row[]>();
for (const r of HOST_HYPERCALLS) ROWS.set(r.nr, [...(ROWS.get(r.nr) ?? []), r]);

/** Hypercalls whose rules the oracle can evaluate from memory alone. */
const PREDICTED = new Set<number>([
  HVC.ENABLE_S2_TRANS, HVC.TIMER_SET_CNTVOFF, HVC.REGISTER_KVM, HVC.REGISTER_VCPU, HVC.SET_BOOT_INFO, HVC.REMAP_VM_IMAGE,
  HVC.VERIFY_VM_IMAGES, HVC.DECRYPT_BUF, HVC.ENCRYPT_BUF, HVC.SAVE_CRYPT_VCPU, HVC.LOAD_CRYPT_VCPU, HVC.PHYS_ADDR_IOREMAP,
  HVC.CLEAR_VM_S2_RANGE, HVC.BOOT_FROM_SAVED_VM,
]);

/** Predicts the outcome of host hypercall `nr` with `args` in the current state. */
export function predict(view: KcoreView, nr: number, args: readonly bigint[]): Prediction {
  const rows = ROWS.get(nr);
  if (rows === undefined) return nr >= 0 && nr < 5 ? { kind: 'unknown', why: 'hyp-stub call' } : { kind: 'unsupported' };
  if (!PREDICTED.has(nr)) return { kind: 'unknown', why: 'depends on SMMU bank owners or the VM run' };
  const row = rows[0]!;
  if (row.rules.every((r) => r.then.kind === 'unsupported')) return { kind: 'unsupported' };
  const arg = (ref: string): bigint | undefined => {
    const i = row.args.indexOf(ref as never);
    return i < 0 ? undefined : (args[i] ?? 0n);
  };
  const s: { -readonly [K in keyof AbstractState]: AbstractState[K] } = {};
  // Range checks first: a VM or vCPU id that is not one is EINVAL whatever the state.
  const vmidArg = arg('vmid');
  let vmid = 0;
  if (vmidArg !== undefined) {
    if (vmidArg < 1n || vmidArg > BigInt(MAX_VM_NUM)) return { kind: 'reject', errno: -22n, why: `vmid ${vmidArg} is not a VM id (is_vm)` };
    vmid = Number(vmidArg);
    s.vm = VM_NAMES[view.vmState(vmid)] ?? 'UNUSED';
  }
  const vcpuArg = arg('vcpu');
  if (vcpuArg !== undefined) {
    if (vcpuArg < 0n || vcpuArg >= BigInt(HYPSEC_MAX_VCPUS)) return { kind: 'reject', errno: -22n, why: `vcpuid ${vcpuArg} is past HYPSEC_MAX_VCPUS` };
    s.vcpu = VCPU_NAMES[view.vcpuState(vmid, Number(vcpuArg))] ?? 'UNUSED';
  }
  if (row.dims.image !== undefined && s.vm === 'READY') return { kind: 'unknown', why: 'depends on the boot image' };
  if (row.dims.loads !== undefined) s.loads = view.loadInfoCount(vmid) >= MAX_LOAD_INFO_NUM ? 'full' : 'room';
  if (row.dims.vmids !== undefined) s.vmids = Number(view.core('NEXT_VMID')) > MAX_VM_NUM ? 'exhausted' : 'left';
  const pfnArg = arg('pfn');
  const paArg = arg('pa');
  const pageArg = pfnArg !== undefined ? pfnArg : paArg !== undefined ? paArg >> 12n : undefined;
  if (row.dims.page !== undefined && pageArg !== undefined) {
    if (pageArg >= 1n << 36n) return { kind: 'unknown', why: 'a pfn past the PA space' };
    if (paArg !== undefined && (paArg & 0xfffn) !== 0n) return { kind: 'unknown', why: 'an unaligned address' };
    s.page = pageKind(view, Number(pageArg), vmid);
  }
  const outArg = arg('out-pa');
  if (row.dims.out !== undefined && outArg !== undefined) {
    if (outArg >= 1n << 48n || (outArg & 0xfffn) !== 0n) return { kind: 'unknown', why: 'an out-of-range output address' };
    s.out = pageKind(view, Number(outArg >> 12n), vmid);
  }
  if (nr === HVC.CLEAR_VM_S2_RANGE) {
    // The rules depend on whether any vCPU of the VM is still ACTIVE and on the page "in the range".
    const start = args[1] ?? 0n;
    const size = args[2] ?? 0n;
    if (start + size > 1n << 44n || size > 1n << 36n) return { kind: 'unknown', why: 'an out-of-range range' };
    let active = false;
    for (let c = 0; c < HYPSEC_MAX_VCPUS; c++) if (view.vcpuState(vmid, c) === VCPU_STATE.ACTIVE) active = true;
    s.vcpu = active ? 'ACTIVE' : 'READY';
    s.page = 'vm';
  }
  if (nr === HVC.PHYS_ADDR_IOREMAP) return { kind: 'unknown', why: 'depends on the guest range' };
  // Argument checks the table lists only as examples (its `bad` values): outside the plain
  // shapes below the oracle does not predict.
  if (nr === HVC.DECRYPT_BUF && (args[2] !== 4096n || (args[1] ?? 0n) === 0n)) return { kind: 'unknown', why: 'not a one-page buffer' };
  if (nr === HVC.SET_BOOT_INFO && ((args[1] ?? 0n) & 0xfffn || (args[1] ?? 0n) >= 1n << 40n || (args[2] ?? 0n) === 0n || (args[2] ?? 0n) > 1n << 30n)) return { kind: 'unknown', why: 'not a plain image range' };
  if (nr === HVC.REMAP_VM_IMAGE && (args[2] ?? 0n) >= BigInt(view.loadInfoCount(vmid))) return { kind: 'unknown', why: 'load index past the images' };
  if (nr === HVC.ENCRYPT_BUF && ((args[1] ?? 0n) === 0n || (args[2] ?? 0n) === 0n)) return { kind: 'unknown', why: 'no buffer' };
  if (nr === HVC.DECRYPT_BUF || nr === HVC.ENCRYPT_BUF) {
    if (s.page === undefined) return { kind: 'unknown', why: 'no page' };
  }
  // First matching rule, as the table reads; a rule that asks about something the oracle could
  // not classify (a boot image's signature) before one has matched leaves the outcome unknown.
  let rule: Row['rules'][number] | undefined;
  for (const r of row.rules) {
    const unknown = Object.keys(r.when).find((d) => (s as Record<string, unknown>)[d] === undefined);
    if (unknown !== undefined) return { kind: 'unknown', why: `cannot classify ${unknown}` };
    if (matches(r.when, s as AbstractState)) { rule = r; break; }
  }
  if (rule === undefined) return { kind: 'unknown', why: 'no rule matches' };
  const o = rule.then;
  if (o.kind === 'ok' || o.kind === 'noop') return { kind: 'accept' };
  if (o.kind === 'unsupported') return { kind: 'unsupported' };
  return { kind: 'reject', errno: o.errno, why: o.why };
}

/**
 * Postconditions the table states as effects, checked after an accepted call: CLEAR_VM_S2_RANGE
 * returns every page of the powered-off VM in the range to the host.
 */
export function postcondition(view: KcoreView, nr: number, args: readonly bigint[]): string | null {
  if (nr !== HVC.CLEAR_VM_S2_RANGE) return null;
  const vmid = Number(args[0] ?? 0n);
  if (!(vmid >= 1 && vmid <= MAX_VM_NUM) || view.vmState(vmid) !== VM_STATE.POWEROFF) return null;
  const start = args[1] ?? 0n;
  const end = start + (args[2] ?? 0n);
  // The pfns of [start/4K, (start+size)/4K) (spec §2.2 clear_vm_range): a range shorter than
  // the rest of its first page covers no page.
  for (let f = start >> 12n; f < end >> 12n; f++) {
    const pfn = Number(f);
    if (!view.isRamPfn(pfn)) continue;
    if (view.s2page(pfn).owner === vmid) return `CLEAR_VM_S2_RANGE(${vmid}, 0x${start.toString(16)}, 0x${(end - start).toString(16)}) returned 0 but pfn 0x${pfn.toString(16)} in the range still belongs to VM ${vmid}`;
  }
  return null;
}
