/**
 * The rules of KCore's state machine, as data (STYLE rule 3: "state tables are written twice,
 * on purpose" — once as the doc comment of each handler, once here). For every host hypercall
 * of sekvm.md §2.2 and for the host's stage-2 faults (§2.3): which state it depends on (VM
 * state, vCPU state, the owner of the page it names, the SMMU bank it names, …), and what
 * happens in each state — accepted with which effect, a no-op, or rejected with which errno.
 * Each rule cites where it comes from: the spec section and the C/Coq function. Where the C
 * artifact and the Coq spec disagree, the Coq check is the rule (§9.3); where the simulator
 * adapts SeKVM deliberately, the rule says so.
 *
 * How to read a row: the rules are tried in order and the first whose `when` matches the state
 * decides. `when: {}` matches everything. Nothing here executes a hypercall: the matrix test
 * (test/kcore/matrix.test.ts) builds each state, issues the call and checks the outcome, and
 * a student can read a row as "in state S, call C does X".
 *
 * This module is pure data plus tiny predicates; it imports only constants.
 */
import { HVC, MAX_VM_NUM, HYPSEC_MAX_VCPUS, MAX_LOAD_INFO_NUM, type HvcName } from './constants.js';
import { KERR, type ViolationCode } from './errors.js';

// ---- the abstract state ----

/**
 * The dimensions a hypercall's outcome can depend on, and their values.
 *  - vm:    the state of the VM the call names (Coq Constants.v; §3.3).
 *  - vcpu:  the state of the vCPU the call names.
 *  - page:  who owns the page the call names, relative to that VM (§3.2):
 *           host       — the host's, count 0, mapped in the host stage 2 (the host touched it)
 *           host-smmu  — the host's, count 1: mapped by a host SMMU context bank
 *           vm         — the VM's own page (VERIFIED/POWEROFF: a page of its image block at its
 *                        gfn; READY: a page it got from DECRYPT_BUF, gfn not yet known)
 *           vm-shared  — the VM's page that the VM granted to the host (count 1, KVM_SET_DESC_PFN)
 *           other-vm   — a page of another (verified) VM
 *           kcore      — KCore's own memory (COREVISOR)
 *           device     — not RAM (owner INVALID_MEM), e.g. a device register page
 *           smmu       — an SMMU register page (not RAM; KCore emulates every host access to it)
 *  - out:   the owner of a second page (ENCRYPT_BUF's output page), same values.
 *  - bank:  the SMMU context bank the call names: free, the host's, or the VM's.
 *  - image: the VM's boot images (READY VMs): one signed and fully remapped; tampered (signature
 *           does not verify); partial (not every page remapped); none (no SET_BOOT_INFO); foreign
 *           (a remapped page belongs to KCore); scattered (pages remapped from outside the 2 MB
 *           block the VM will map).
 *  - loads: room for another boot image, or all MAX_LOAD_INFO_NUM (5) used.
 *  - vmids: VMIDs left, or all MAX_VM_NUM (56) handed out (they are never recycled, §3.4).
 */
export const DOMAINS = {
  vm: ['UNUSED', 'READY', 'VERIFIED', 'POWEROFF'],
  vcpu: ['UNUSED', 'READY', 'ACTIVE'],
  page: ['host', 'host-smmu', 'vm', 'vm-shared', 'other-vm', 'kcore', 'device', 'smmu'],
  out: ['host', 'host-smmu', 'vm', 'vm-shared', 'other-vm', 'kcore', 'device', 'smmu'],
  bank: ['free', 'host', 'vm'],
  image: ['signed', 'tampered', 'partial', 'none', 'foreign', 'scattered'],
  loads: ['room', 'full'],
  vmids: ['left', 'exhausted'],
} as const;

export type Dim = keyof typeof DOMAINS;
export type Value<D extends Dim> = (typeof DOMAINS)[D][number];
export type VmStateName = Value<'vm'>;
export type VcpuStateName = Value<'vcpu'>;
export type PageKind = Value<'page'>;
export type BankState = Value<'bank'>;

/** One point of the state space (only the dimensions a row depends on are set). */
export type AbstractState = { readonly [D in Dim]?: Value<D> };

/** A condition on the state: each listed dimension must take one of the listed values. */
export type When = { readonly [D in Dim]?: readonly Value<D>[] };

/**
 * Whether a state can exist at all: a vCPU or a VM page needs a registered VM, a running vCPU
 * needs a verified VM (or one a sibling vCPU just powered off), a shared page needs a VM that
 * ran, a VM bank needs a VM, boot-image variants exist only while the VM is READY.
 */
export function feasible(s: AbstractState): boolean {
  const vm = s.vm;
  if (vm === 'UNUSED' && s.vcpu !== undefined && s.vcpu !== 'UNUSED') return false;
  if (s.vcpu === 'ACTIVE' && vm !== 'VERIFIED' && vm !== 'POWEROFF') return false;
  for (const p of [s.page, s.out]) {
    if (p === 'vm' && vm === 'UNUSED') return false;
    if (p === 'vm-shared' && vm !== 'VERIFIED' && vm !== 'POWEROFF') return false;
  }
  if (s.bank === 'vm' && vm === 'UNUSED') return false;
  if (s.image !== undefined && s.image !== 'signed' && vm !== 'READY') return false;
  if (s.loads === 'full' && vm !== 'READY') return false;
  return true;
}

// ---- outcomes ----

/** What KServ gets back in x0 on success. */
export type Ret =
  | bigint
  /** The new VM's id: the next unused VMID. */
  | 'next-vmid'
  /** The index of the new boot image: the VM's boot-image count before the call. */
  | 'load-index'
  /** The physical address the bank maps the IOVA to (0 if none). */
  | 'bank-pa';

/** What a page looks like after the call. */
export interface PageAfter {
  /** New owner: the host, the VM the call names, or unchanged. */
  readonly owner: 'host' | 'vm' | 'unchanged';
  /** New count: a number, the SMMU-assigned marker (INVALID_MEM), or +1 / −1. */
  readonly count?: number | 'smmu-marker' | '+1' | '-1';
  /** New gfn: 0 (a host page, as in C), unknown (INVALID64: a VM page whose gfn is not known yet), or the IOVA's frame. */
  readonly gfn?: 'zero' | 'unknown' | 'iova';
  /** Whether the host stage 2 may still map it (false: the host mapping was removed). */
  readonly hostMapped?: boolean;
  /** The page's contents were zeroed (scrubbed) / replaced (decrypted). */
  readonly contents?: 'zeroed' | 'decrypted' | 'unchanged';
}

/**
 * Effects the matrix checks beyond the state fields (each is a named check in
 * test/kcore/matrix.test.ts):
 *  - host-s2-installed:  VTTBR_EL2/HCR_EL2 of the calling pCPU are the host's stage-2 settings
 *  - cntvoff:            CNTVOFF_EL2 of the calling pCPU is hi:lo of the arguments
 *  - guest-ran:          the guest executed and exited with an HVC (ESR EC 0x16 in KServ's vCPU)
 *  - image-mapped:       the VM's stage 2 maps the image's IPA to the image's page, the host's does not
 *  - el2-remapped:       KCore's EL2 remap window maps the next image slot to the page
 *  - boot-info-added:    a boot image was recorded (count + 1, EL2 remap pointer advanced)
 *  - device-mapped:      the VM's stage 2 maps the device page (device memory, execute-never)
 *  - smmu-maps-page:     a DMA through the bank at the IOVA reaches the page
 *  - smmu-unmapped:      a DMA through the bank at the IOVA faults
 *  - bank-root-zeroed:   the bank's table is empty
 *  - crypt-written:      KServ's vCPU struct holds the encrypted register snapshot
 *  - crypt-loaded:       inc_exe = 1 and KServ's encrypted snapshot was consumed (zeroed)
 *  - out-encrypted:      the output page holds the AES encryption of the input page
 */
export type Check =
  | 'host-s2-installed' | 'cntvoff' | 'guest-ran' | 'image-mapped' | 'el2-remapped' | 'boot-info-added'
  | 'device-mapped' | 'smmu-maps-page' | 'smmu-unmapped' | 'bank-root-zeroed' | 'crypt-written' | 'crypt-loaded'
  | 'out-encrypted';

/** The state after an accepted call (fields not given are unchanged). */
export interface After {
  readonly vm?: VmStateName;
  readonly vcpu?: VcpuStateName;
  readonly page?: PageAfter;
  readonly out?: PageAfter;
  readonly bank?: BankState;
  readonly checks?: readonly Check[];
}

export type Outcome =
  /** Accepted: x0 = `ret`, and the state changes as `after` says. */
  | { readonly kind: 'ok'; readonly ret: Ret; readonly effect: string; readonly after: After }
  /** Accepted, and KCore's state does not change at all (a no-op, or an effect outside KCore's memory). */
  | { readonly kind: 'noop'; readonly ret: Ret; readonly effect: string; readonly after?: Pick<After, 'checks'> }
  /**
   * Rejected: x0 = `errno`, a `kcore-halt` event with `code` is recorded (the machine halts in
   * `halt` mode, except for VMID exhaustion), and nothing changes — unless `after` says what a
   * rejection deliberately changes (a VM whose image fails verification is stopped).
   */
  | { readonly kind: 'reject'; readonly errno: bigint; readonly code: ViolationCode; readonly why: string; readonly after?: After }
  /** Not a hypercall KCore implements: x0 = NOT_SUPPORTED, no event, nothing changes. */
  | { readonly kind: 'unsupported'; readonly why: string };

export interface Rule {
  readonly when: When;
  readonly then: Outcome;
  /** Where this rule comes from (sekvm.md section, C and/or Coq function). */
  readonly cite: string;
}

/**
 * A hypercall argument, by meaning (the matrix resolves it in the state it builds):
 *  vmid, vcpu — the VM and vCPU the state is about;   pfn, pa — the `page`;  out-pa — the `out` page;
 *  load-idx — the VM's newest boot image;  image-ipa, image-size — a fresh 2-page boot image;
 *  cbndx, index — the SMMU bank the state is about;  iova — an IOVA free in that bank;
 *  mapped-iova — the IOVA the bank's existing mapping uses;  gpa — a free guest IPA for a device;
 *  ram-start, ram-size — all of RAM;  page-size — 4096;  prot — read/write;  lo, hi — a 64-bit
 *  counter offset in halves;  or a literal.
 */
export type ArgRef =
  | 'vmid' | 'vcpu' | 'pfn' | 'pa' | 'out-pa' | 'load-idx' | 'image-ipa' | 'image-size' | 'cbndx' | 'index'
  | 'iova' | 'mapped-iova' | 'gpa' | 'ram-start' | 'ram-size' | 'page-size' | 'prot' | 'lo' | 'hi' | 'host-vmid'
  | bigint;

/** An argument value that must be refused (checked from `okState`, where the call would succeed). */
export interface BadArg {
  /** The arguments replaced: [index into `args`, value] pairs. */
  readonly set: readonly (readonly [number, bigint])[];
  readonly errno: bigint;
  readonly why: string;
}

export interface Row {
  readonly nr: number;
  readonly name: HvcName;
  /** Distinguishes rows of one hypercall that take different argument shapes. */
  readonly variant?: string;
  readonly args: readonly ArgRef[];
  /** The dimensions the outcome depends on, with the values worth trying. */
  readonly dims: When;
  /** First match wins; the last rule matches everything. */
  readonly rules: readonly Rule[];
  /** A state in which the call succeeds with good arguments (where `bad` values are tried). */
  readonly okState: AbstractState;
  readonly bad?: readonly BadArg[];
  readonly source: string;
}

/** Whether `s` satisfies `w`. */
export function matches(w: When, s: AbstractState): boolean {
  for (const d of Object.keys(w) as Dim[]) {
    const allowed = w[d] as readonly string[] | undefined;
    const v = s[d];
    if (allowed !== undefined && (v === undefined || !allowed.includes(v))) return false;
  }
  return true;
}

/** The outcome the table gives for `row` in state `s` (the first matching rule). */
export function outcomeOf(row: Row, s: AbstractState): Rule {
  const r = row.rules.find((x) => matches(x.when, s));
  if (r === undefined) throw new Error(`transitions: no rule of ${row.name} matches ${JSON.stringify(s)}`);
  return r;
}

/** Every feasible state of a row's dimensions (the cartesian product, filtered by `feasible`). */
export function statesOf(row: Row): AbstractState[] {
  let out: Record<string, string>[] = [{}];
  for (const d of Object.keys(row.dims) as Dim[]) {
    const vals = row.dims[d] as readonly string[];
    out = out.flatMap((s) => vals.map((v) => ({ ...s, [d]: v })));
  }
  return (out as AbstractState[]).filter(feasible);
}

// ---- shorthands ----

const ok = (ret: Ret, effect: string, after: After = {}): Outcome => ({ kind: 'ok', ret, effect, after });
const noop = (ret: Ret, effect: string, checks?: readonly Check[]): Outcome => ({ kind: 'noop', ret, effect, ...(checks ? { after: { checks } } : {}) });
const reject = (errno: bigint, code: ViolationCode, why: string, after?: After): Outcome => ({ kind: 'reject', errno, code, why, ...(after ? { after } : {}) });
const EINVAL = KERR.EINVAL;
const EPERM = KERR.EPERM;
const ENOMEM = KERR.ENOMEM;
const ALL_VM = DOMAINS.vm;
const ALL_VCPU = DOMAINS.vcpu;
const RAM_PAGES = ['host', 'host-smmu', 'vm', 'vm-shared', 'other-vm', 'kcore'] as const;
const ANY_PAGE = [...RAM_PAGES, 'device'] as const;

/** Bad VM ids: the host, one past the last VMID, KCore's id, and values that do not fit. */
const badVmid = (arg: number): BadArg[] => [
  { set: [[arg, 0n]], errno: EINVAL, why: 'vmid 0 is the host, not a VM (is_vm)' },
  { set: [[arg, BigInt(MAX_VM_NUM + 1)]], errno: EINVAL, why: `vmid ${MAX_VM_NUM + 1} is past the last VMID` },
  { set: [[arg, 65n]], errno: EINVAL, why: 'vmid 65 is COREVISOR' },
  { set: [[arg, 1n << 32n]], errno: EINVAL, why: 'vmid does not fit 32 bits' },
  { set: [[arg, (1n << 64n) - 1n]], errno: EINVAL, why: 'vmid -1' },
];
const badVcpu = (arg: number): BadArg[] => [
  { set: [[arg, BigInt(HYPSEC_MAX_VCPUS)]], errno: EINVAL, why: `vcpuid ${HYPSEC_MAX_VCPUS} is past HYPSEC_MAX_VCPUS` },
  { set: [[arg, 1n << 32n]], errno: EINVAL, why: 'vcpuid does not fit 32 bits' },
  { set: [[arg, (1n << 64n) - 1n]], errno: EINVAL, why: 'vcpuid -1' },
];
const badBank = (cb: number, idx: number): BadArg[] => [
  { set: [[cb, 8n]], errno: EINVAL, why: 'cbndx 8 is past SMMU_NUM_CTXT_BANKS' },
  { set: [[cb, (1n << 64n) - 1n]], errno: EINVAL, why: 'cbndx -1' },
  { set: [[idx, 2n]], errno: EINVAL, why: 'SMMU index 2 is past SMMU_NUM' },
  { set: [[idx, 1n << 32n]], errno: EINVAL, why: 'SMMU index does not fit 32 bits' },
];
const notReady = (call: string): Outcome => reject(EINVAL, 'bad-state', `${call} only while the VM is READY`);

// ---- the table ----

export const HOST_HYPERCALLS: readonly Row[] = [
  {
    nr: HVC.ENABLE_S2_TRANS, name: 'ENABLE_S2_TRANS', args: [], dims: {}, okState: {},
    source: 'sekvm.md §2.2.1; C TrapDispatcher.c hvc_enable_s2_trans',
    rules: [{
      when: {},
      then: noop(0n, 'installs the host stage 2 on the calling pCPU (VTCR, VTTBR_EL2 = host_vttbr, HCR_EL2 = HCR_HOST_NVHE_FLAGS, TLB flush); protect_el2_mem ran at the first call only, so KCore memory does not change', ['host-s2-installed']),
      cite: '§2.2.1 (el2_data->installed: the first call only)',
    }],
  },
  {
    nr: HVC.TIMER_SET_CNTVOFF, name: 'TIMER_SET_CNTVOFF', args: ['lo', 'hi'], dims: {}, okState: {},
    source: 'sekvm.md §2.2.1; C arch_timer.c __kvm_timer_set_cntvoff',
    rules: [{ when: {}, then: noop(0n, 'CNTVOFF_EL2 := hi:lo on the calling pCPU (no checks)', ['cntvoff']), cite: '§2.2.1' }],
  },
  {
    nr: HVC.VCPU_RUN, name: 'VCPU_RUN', args: ['vmid', 'vcpu'], dims: { vm: ALL_VM, vcpu: ALL_VCPU },
    okState: { vm: 'VERIFIED', vcpu: 'READY' }, bad: [...badVmid(0), ...badVcpu(1)],
    source: 'sekvm.md §2.2.3, §3.3; C el2.c hypsec_set_vcpu_active; Coq host_vcpu_run_handler_spec',
    rules: [
      {
        when: { vm: ['VERIFIED'], vcpu: ['READY'] },
        then: ok(2n, 'vCPU READY → ACTIVE, the guest runs, exits (ARM_EXCEPTION_TRAP), vCPU back to READY', { vcpu: 'READY', checks: ['guest-ran'] }),
        cite: '§2.2.3 set_vcpu_active: VM VERIFIED and vCPU READY',
      },
      { when: { vcpu: ['ACTIVE'] }, then: reject(EINVAL, 'bad-state', 'the vCPU already runs on another pCPU'), cite: '§2.2.3 (vCPU READY, so one vCPU never runs on two pCPUs); §5.6(6)' },
      { when: {}, then: reject(EINVAL, 'bad-state', 'only a VERIFIED VM\'s READY vCPU runs'), cite: '§2.2.3, §3.3' },
    ],
  },
  {
    nr: HVC.CLEAR_VM_S2_RANGE, name: 'CLEAR_VM_S2_RANGE', args: ['vmid', 'ram-start', 'ram-size'],
    dims: { vm: ALL_VM, vcpu: ALL_VCPU, page: ANY_PAGE }, okState: { vm: 'POWEROFF', vcpu: 'READY', page: 'vm' },
    bad: [
      ...badVmid(0),
      { set: [[1, (1n << 64n) - 4096n]], errno: EINVAL, why: 'start past the 44-bit PA space (a range that wraps)' },
      { set: [[2, (1n << 36n) + 4096n]], errno: EINVAL, why: 'size over 64 GiB' },
    ],
    source: 'sekvm.md §2.2.4, §4.3; C MemHandler.c el2_clear_vm_stage2_range, MemAux.c clear_vm_page; Coq local_clear_vm_page',
    rules: [
      {
        when: { vm: ['POWEROFF'], vcpu: ['ACTIVE'] },
        then: reject(EINVAL, 'bad-state', 'a vCPU of the VM still executes on another pCPU; its stage 2 still maps the VM\'s pages'),
        cite: 'simulator rule (KCore fix): §4.3 relies on a POWEROFF VM never running again, so no vCPU may still be ACTIVE',
      },
      {
        when: { vm: ['POWEROFF'], page: ['vm', 'vm-shared'] },
        then: ok(0n, 'the VM\'s SMMU banks are emptied, then every page of the VM in the range is scrubbed and returned to the host', { page: { owner: 'host', count: 0, gfn: 'zero', hostMapped: false, contents: 'zeroed' } }),
        cite: '§2.2.4 clear_vm_page: owner := HOST, count := 0, gfn := 0, zero, clean to PoC; emptying the banks: KCore fix (§4.1 smmu_iso does not cover a powered-off VM\'s banks)',
      },
      {
        when: { vm: ['POWEROFF'] },
        then: ok(0n, 'the VM\'s own pages are returned; pages of anyone else are untouched', { page: { owner: 'unchanged' } }),
        cite: '§2.2.4 (clear_vm_page acts only if owner == vmid)',
      },
      { when: {}, then: noop(0n, 'not powered off: a no-op'), cite: '§2.2.4 Coq: the VM state must be POWEROFF, otherwise a no-op (§9.3 #2)' },
    ],
  },
  {
    nr: HVC.SET_BOOT_INFO, name: 'SET_BOOT_INFO', args: ['vmid', 'image-ipa', 'image-size'], dims: { vm: ALL_VM, loads: DOMAINS.loads },
    okState: { vm: 'READY', loads: 'room' },
    bad: [
      ...badVmid(0),
      { set: [[2, 0n]], errno: EINVAL, why: 'an empty image (Coq: pgnum > 0)' },
      { set: [[2, (1n << 30n) + 1n]], errno: EINVAL, why: 'an image over 1 GiB' },
      { set: [[2, (1n << 64n) - 1n]], errno: EINVAL, why: 'size -1 (ceil(size/4K) would wrap)' },
      { set: [[1, 0x4000_0800n]], errno: EINVAL, why: 'load address not page-aligned' },
      { set: [[1, 1n << 40n]], errno: EINVAL, why: 'load address past the 40-bit IPA space' },
    ],
    source: 'sekvm.md §2.2.2; C BootOps.c set_boot_info, BootCore.c alloc_remap_addr; Coq local_set_boot_info',
    rules: [
      {
        when: { vm: ['READY'], loads: ['room'] },
        then: ok('load-index', 'load_info[cnt] := {addr, size, next EL2 remap VA}; cnt + 1; the remap pointer advances by ceil(size/4K) pages', { checks: ['boot-info-added'] }),
        cite: '§2.2.2 set_boot_info',
      },
      { when: { vm: ['READY'] }, then: reject(EINVAL, 'bad-state', `all ${MAX_LOAD_INFO_NUM} boot-image slots are used`), cite: '§2.2.2 load_info_cnt < MAX_LOAD_INFO_NUM' },
      { when: {}, then: notReady('SET_BOOT_INFO'), cite: '§2.2.2 VM READY' },
    ],
  },
  {
    nr: HVC.REMAP_VM_IMAGE, name: 'REMAP_VM_IMAGE', args: ['vmid', 'pfn', 'load-idx'],
    dims: { vm: ALL_VM, page: ['host', 'host-smmu', 'vm', 'other-vm', 'kcore', 'device'], image: ['signed', 'partial', 'none'] },
    okState: { vm: 'READY', page: 'host', image: 'partial' },
    bad: [
      ...badVmid(0),
      { set: [[1, 1n << 36n]], errno: EINVAL, why: 'a pfn past the 48-bit PA space (must not alias RAM by masking)' },
      { set: [[1, (1n << 64n) - 1n]], errno: EINVAL, why: 'pfn -1' },
      { set: [[2, 5n]], errno: EINVAL, why: 'load index past the registered images' },
      { set: [[2, (1n << 64n) - 1n]], errno: EINVAL, why: 'load index -1' },
    ],
    source: 'sekvm.md §2.2.2, §5.3(5); C BootOps.c remap_vm_image; Coq local_remap_vm_image',
    rules: [
      { when: { page: ['device'] }, then: reject(EINVAL, 'bad-argument', 'the pfn is not RAM'), cite: 'simulator range check (Coq: full range checks, §9.3 #5)' },
      { when: { vm: ['UNUSED', 'VERIFIED', 'POWEROFF'] }, then: notReady('REMAP_VM_IMAGE'), cite: '§2.2.2 VM READY' },
      { when: { image: ['none'] }, then: reject(EINVAL, 'bad-argument', 'no boot image to remap into (load_idx < cnt)'), cite: '§2.2.2 load_idx < cnt' },
      { when: { image: ['signed'] }, then: noop(0n, 'every page of the image is remapped already: the extra page is ignored'), cite: '§2.2.2 mapped < ceil(size/4K), otherwise silently ignored' },
      {
        when: {},
        then: ok(0n, 'KCore\'s EL2 table maps the page at the image\'s next remap slot (write-once); ownership does not change yet', { page: { owner: 'unchanged' }, checks: ['el2-remapped'] }),
        cite: '§2.2.2 remap_vm_image (no ownership check until VERIFY_VM_IMAGES)',
      },
    ],
  },
  {
    nr: HVC.VERIFY_VM_IMAGES, name: 'VERIFY_VM_IMAGES', args: ['vmid'], dims: { vm: ALL_VM, image: DOMAINS.image },
    okState: { vm: 'READY', image: 'signed' }, bad: badVmid(0),
    source: 'sekvm.md §2.2.2, §2.4 assign_pfn_to_vm, §9.3 #6; C BootOps.c verify_and_load_images; Coq local_verify_vm',
    rules: [
      {
        when: { vm: ['READY'], image: ['signed'] },
        then: ok(1n, 'the image pages move from the host to the VM (2 MB blocks, unmapped from the host, mapped in the VM\'s stage 2), the signature verifies: READY → VERIFIED', { vm: 'VERIFIED', checks: ['image-mapped'] }),
        cite: '§2.2.2 verify_and_load_images; Coq local_verify_vm',
      },
      {
        when: { vm: ['READY'], image: ['foreign'] },
        then: reject(EPERM, 'ownership', 'a remapped page is not the host\'s (assign_pfn_to_vm)', { vm: 'POWEROFF' }),
        cite: '§2.4 assign_pfn_to_vm (owner must be HOST); simulator adaptation: the VM is stopped (POWEROFF) rather than halting the machine',
      },
      {
        when: { vm: ['READY'] },
        then: reject(EPERM, 'verification-failed', 'the image does not verify (bad signature, pages not all remapped, none registered, or remapped from pages the VM would not map)', { vm: 'POWEROFF' }),
        cite: '§9.3 #6 (C ignores the result; the simulator enforces it); simulator adaptation: the VM is stopped (POWEROFF: never runs, memory reclaimable)',
      },
      { when: {}, then: notReady('VERIFY_VM_IMAGES'), cite: '§2.2.2 VM READY' },
    ],
  },
  {
    nr: HVC.REGISTER_KVM, name: 'REGISTER_KVM', args: [], dims: { vmids: DOMAINS.vmids }, okState: { vmids: 'left' },
    source: 'sekvm.md §2.2.2, §3.4; C BootOps.c register_kvm, BootCore.c gen_vmid; Coq local_gen_vmid, local_register_kvm',
    rules: [
      { when: { vmids: ['left'] }, then: ok('next-vmid', 'next_vmid + 1; the new VM is READY with no boot image', {}), cite: '§2.2.2 register_kvm' },
      {
        when: {},
        then: reject(EINVAL, 'vmid-exhausted', `all ${MAX_VM_NUM} VMIDs are used and never recycled (KVM_CREATE_VM fails with EINVAL); never halts the machine`),
        cite: '§3.4 (the seed README: "ioctl(KVM_CREATE_VM) failed: 22 Invalid argument")',
      },
    ],
  },
  {
    nr: HVC.REGISTER_VCPU, name: 'REGISTER_VCPU', args: ['vmid', 'vcpu'], dims: { vm: ALL_VM, vcpu: ALL_VCPU },
    okState: { vm: 'READY', vcpu: 'UNUSED' }, bad: [...badVmid(0), ...badVcpu(1)],
    source: 'sekvm.md §2.2.2, §9.3 #3; C BootOps.c register_vcpu; Coq local_register_vcpu',
    rules: [
      { when: { vm: ['READY'], vcpu: ['UNUSED'] }, then: ok(0n, 'vCPU UNUSED → READY, dirty := INVALID64 (reset on first run)', { vcpu: 'READY' }), cite: '§2.2.2 Coq: VM READY and vCPU UNUSED' },
      { when: {}, then: reject(EINVAL, 'bad-state', 'Coq: VM READY and vCPU UNUSED (C\'s weaker "or" is §9.3 #3)'), cite: '§9.3 #3' },
    ],
  },
  {
    nr: HVC.BOOT_FROM_SAVED_VM, name: 'BOOT_FROM_SAVED_VM', args: ['vmid'], dims: {}, okState: {},
    source: 'sekvm.md §2.2.2; C TrapDispatcher.c (no case)',
    rules: [{ when: {}, then: { kind: 'unsupported', why: 'not handled by KCore\'s dispatcher (C: the "no support hvc" branch; Coq: unknown calls are a no-op)' }, cite: '§2.2.2, §2.2 "Error behaviour"' }],
  },
  {
    nr: HVC.ENCRYPT_BUF, name: 'ENCRYPT_BUF', args: ['vmid', 'pa', 'out-pa'],
    dims: { vm: ['VERIFIED'], page: ANY_PAGE, out: ['host', 'host-smmu', 'vm', 'other-vm', 'kcore', 'device'] },
    okState: { vm: 'VERIFIED', page: 'vm', out: 'host' }, bad: badVmid(0),
    source: 'sekvm.md §2.2.4; C MemHandler.c __el2_encrypt_buf; Coq local_save_encrypt_buf',
    rules: [
      {
        when: { page: ['vm', 'vm-shared'], out: ['host', 'host-smmu'] },
        then: ok(0n, 'the VM page, AES-encrypted through KCore\'s temp page, is copied into the host page', { page: { owner: 'unchanged', contents: 'unchanged' }, out: { owner: 'unchanged' }, checks: ['out-encrypted'] }),
        cite: '§2.2.4 owner(in) == vmid and owner(out) == HOST',
      },
      { when: {}, then: reject(EPERM, 'ownership', 'the input must be the VM\'s page and the output the host\'s'), cite: '§2.2.4' },
    ],
  },
  {
    nr: HVC.DECRYPT_BUF, name: 'DECRYPT_BUF', args: ['vmid', 'pa', 'page-size'], dims: { vm: ALL_VM, page: ANY_PAGE },
    okState: { vm: 'READY', page: 'host' },
    bad: [
      ...badVmid(0),
      { set: [[2, 0n]], errno: EINVAL, why: 'an empty buffer' },
      { set: [[2, (1n << 24n) + 1n]], errno: EINVAL, why: 'a buffer over 16 MiB' },
      { set: [[2, (1n << 64n) - 1n]], errno: EINVAL, why: 'length -1' },
      { set: [[1, 0x4000_0800n]], errno: EINVAL, why: 'an unaligned buffer' },
      { set: [[1, (1n << 64n) - 4096n]], errno: EPERM, why: 'a buffer at the top of the 64-bit space (no RAM there: owner INVALID)' },
    ],
    source: 'sekvm.md §2.2.4, §9.3 #4; C MemHandler.c __el2_decrypt_buf; Coq (owner HOST, count 0)',
    rules: [
      { when: { vm: ['UNUSED', 'VERIFIED', 'POWEROFF'] }, then: notReady('DECRYPT_BUF'), cite: '§2.2.4 VM READY' },
      {
        when: { page: ['host'] },
        then: ok(0n, 'the host page becomes the VM\'s (gfn unknown), leaves the host stage 2, and is decrypted in place', { page: { owner: 'vm', count: 0, gfn: 'unknown', hostMapped: false, contents: 'decrypted' } }),
        cite: '§2.2.4 Coq: owner(pa) == HOST and count == 0 (C skips this, §9.3 #4)',
      },
      { when: {}, then: reject(EPERM, 'ownership', 'Coq: the page must be the host\'s with count 0'), cite: '§9.3 #4' },
    ],
  },
  {
    nr: HVC.SAVE_CRYPT_VCPU, name: 'SAVE_CRYPT_VCPU', args: ['vmid', 'vcpu'], dims: { vm: ALL_VM, vcpu: ALL_VCPU },
    okState: { vm: 'VERIFIED', vcpu: 'READY' }, bad: [...badVmid(0), ...badVcpu(1)],
    source: 'sekvm.md §2.2.4; C AbstractMachine.c encrypt_gp_regs/encrypt_sys_regs; Coq: is_vm/is_vcpu only, a no-op at the top level',
    rules: [{
      when: {},
      then: noop(0n, 'the shadow registers, AES-encrypted, go into KServ\'s vCPU struct; KCore\'s state does not change', ['crypt-written']),
      cite: '§2.2.4 (C: no checks; Coq: range checks only)',
    }],
  },
  {
    nr: HVC.SMMU_FREE_PGD, name: 'SMMU_FREE_PGD', args: ['cbndx', 'index'], dims: { bank: DOMAINS.bank, vm: ALL_VM },
    okState: { bank: 'host', vm: 'READY' }, bad: badBank(0, 1),
    source: 'sekvm.md §2.2.5, §9.3 #2; C SmmuOps.c __el2_free_smmu_pgd',
    rules: [
      { when: { bank: ['free'] }, then: noop(0n, 'the bank is free already'), cite: '§2.2.5' },
      { when: { bank: ['host'] }, then: ok(0n, 'the host\'s bank becomes free; its table is emptied', { bank: 'free', checks: ['bank-root-zeroed', 'smmu-unmapped'] }), cite: '§2.2.5; emptying: KCore fix (a freed bank must not keep translating, §4.1 smmu_iso)' },
      { when: { bank: ['vm'], vm: ['POWEROFF'] }, then: ok(0n, 'the powered-off VM\'s bank becomes free; its table is emptied', { bank: 'free', checks: ['bank-root-zeroed', 'smmu-unmapped'] }), cite: '§2.2.5 Coq: POWEROFF; emptying: KCore fix' },
      { when: {}, then: reject(EINVAL, 'bad-state', 'a VM\'s bank is freed only once the VM is powered off'), cite: '§2.2.5 (Coq: POWEROFF, §9.3 #2)' },
    ],
  },
  {
    nr: HVC.SMMU_ALLOC_PGD, name: 'SMMU_ALLOC_PGD', variant: 'for a VM', args: ['cbndx', 'vmid', 'index'], dims: { bank: DOMAINS.bank, vm: ALL_VM },
    okState: { bank: 'free', vm: 'READY' }, bad: [...badBank(0, 2), { set: [[1, BigInt(MAX_VM_NUM + 1)]], errno: EINVAL, why: 'vmid past the last VMID' }, { set: [[1, 65n]], errno: EINVAL, why: 'vmid 65 is COREVISOR' }, { set: [[1, (1n << 64n) - 1n]], errno: EINVAL, why: 'vmid -1' }],
    source: 'sekvm.md §2.2.5; C SmmuOps.c __el2_alloc_smmu_pgd, BootOps.c alloc_smmu; Coq local_alloc_smmu_pgd',
    rules: [
      { when: { bank: ['host', 'vm'] }, then: noop(0n, 'the bank is assigned already: silently left as is'), cite: '§2.2.5 (the cfg must be unused, otherwise silently ignored)' },
      { when: { vm: ['READY'] }, then: ok(0n, 'the bank is the VM\'s; its table root is zeroed', { bank: 'vm', checks: ['bank-root-zeroed'] }), cite: '§2.2.5 alloc_smmu + init_spt' },
      { when: {}, then: reject(EINVAL, 'bad-state', 'banks attach only to READY VMs (no device attach after boot)'), cite: '§2.2.5 (VERIFIED: panic; an UNUSED or POWEROFF VM has nothing to attach to)' },
    ],
  },
  {
    nr: HVC.SMMU_ALLOC_PGD, name: 'SMMU_ALLOC_PGD', variant: 'for the host', args: ['cbndx', 'host-vmid', 'index'], dims: { bank: DOMAINS.bank, vm: ['READY'] },
    okState: { bank: 'free', vm: 'READY' }, bad: badBank(0, 2),
    source: 'sekvm.md §2.2.5; C SmmuOps.c __el2_alloc_smmu_pgd',
    rules: [
      { when: { bank: ['host', 'vm'] }, then: noop(0n, 'the bank is assigned already: silently left as is'), cite: '§2.2.5' },
      { when: {}, then: ok(0n, 'the bank is the host\'s; its table root is zeroed', { bank: 'host', checks: ['bank-root-zeroed'] }), cite: '§2.2.5' },
    ],
  },
  {
    nr: HVC.SMMU_LPAE_MAP, name: 'SMMU_LPAE_MAP', args: ['iova', 'pa', 'prot', 'cbndx', 'index'],
    dims: { bank: DOMAINS.bank, vm: ['READY', 'VERIFIED'], page: ANY_PAGE },
    okState: { bank: 'host', vm: 'READY', page: 'host' },
    bad: [
      ...badBank(3, 4),
      { set: [[0, 1n << 40n]], errno: EINVAL, why: 'an IOVA past the 40-bit input space' },
      { set: [[0, 0x1234n]], errno: EINVAL, why: 'an unaligned IOVA' },
      { set: [[1, 1n << 44n]], errno: EINVAL, why: 'a PA past the 44-bit PA space' },
      { set: [[2, 0x4000_0000n | 0xc0n]], errno: EINVAL, why: 'prot with address bits (Coq: prot has no address bits)' },
    ],
    source: 'sekvm.md §2.2.5, §4.1 smmu_iso/smmu_count; C SmmuOps.c, SmmuAux.c smmu_assign_page, update_smmu_page; Coq local_smmu_map',
    rules: [
      { when: { bank: ['free'] }, then: reject(EINVAL, 'bad-state', 'the bank is not allocated'), cite: '§2.2.5' },
      { when: { bank: ['vm'], vm: ['VERIFIED'] }, then: reject(EINVAL, 'bad-state', 'the bank\'s VM is verified: no DMA mapping changes after boot'), cite: '§2.2.5 (cfg belongs to a VM: not VERIFIED)' },
      {
        when: { bank: ['host'], page: ['host', 'host-smmu'] },
        then: ok(0n, 'the bank maps the IOVA to the host page; its count goes up', { page: { owner: 'unchanged', count: '+1' }, checks: ['smmu-maps-page'] }),
        cite: '§2.2.5 update_smmu_page (host pages: count++, at most 16)',
      },
      { when: { page: ['device', 'smmu'] }, then: ok(0n, 'the bank maps the IOVA to the device page (not RAM)', { checks: ['smmu-maps-page'] }), cite: '§2.2.5 update_smmu_page (owner INVALID)' },
      {
        when: { bank: ['vm'], page: ['host'] },
        then: ok(0n, 'the host page becomes the VM\'s (gfn = IOVA frame, count = the SMMU marker), leaves the host stage 2, and the bank maps it', { page: { owner: 'vm', count: 'smmu-marker', gfn: 'iova', hostMapped: false }, checks: ['smmu-maps-page'] }),
        cite: '§2.2.5 smmu_assign_page',
      },
      { when: {}, then: reject(EPERM, 'ownership', 'only the bank owner\'s page at the IOVA\'s frame (or a non-RAM page) may be DMA-mapped'), cite: '§2.2.5 smmu_assign_page/update_smmu_page; §4.1 smmu_iso' },
    ],
  },
  {
    nr: HVC.SMMU_LPAE_IOVA_TO_PHYS, name: 'SMMU_LPAE_IOVA_TO_PHYS', args: ['mapped-iova', 'cbndx', 'index'], dims: { bank: DOMAINS.bank, vm: ['READY'] },
    okState: { bank: 'host', vm: 'READY' }, bad: badBank(1, 2),
    source: 'sekvm.md §2.2.5; C SmmuOps.c',
    rules: [{ when: {}, then: noop('bank-pa', 'walks the bank\'s table: the PA of the IOVA, or 0'), cite: '§2.2.5' }],
  },
  {
    nr: HVC.SMMU_CLEAR, name: 'SMMU_CLEAR', args: ['mapped-iova', 'cbndx', 'index'], dims: { bank: DOMAINS.bank, vm: ALL_VM },
    okState: { bank: 'host', vm: 'READY' }, bad: [...badBank(1, 2), { set: [[0, 1n << 40n]], errno: EINVAL, why: 'an IOVA past the 40-bit input space' }],
    source: 'sekvm.md §2.2.5, §9.3 #2; C SmmuOps.c __el2_arm_lpae_clear; Coq local_smmu_clear',
    rules: [
      { when: { bank: ['free'] }, then: reject(EINVAL, 'bad-state', 'the bank is not allocated'), cite: '§2.2.5' },
      { when: { bank: ['host'] }, then: ok(0n, 'the IOVA is unmapped; the host page\'s count goes down', { page: { owner: 'unchanged', count: '-1' }, checks: ['smmu-unmapped'] }), cite: '§2.2.5' },
      { when: { bank: ['vm'], vm: ['READY'] }, then: ok(0n, 'the IOVA is unmapped (the page stays the VM\'s)', { checks: ['smmu-unmapped'] }), cite: '§2.2.5' },
      { when: {}, then: reject(EINVAL, 'bad-state', 'Coq: not once the bank\'s VM is VERIFIED or later'), cite: '§2.2.5 Coq: state ≥ VERIFIED (KCore fix: POWEROFF was allowed)' },
    ],
  },
  {
    nr: HVC.PHYS_ADDR_IOREMAP, name: 'PHYS_ADDR_IOREMAP', args: ['vmid', 'gpa', 'pa', 'page-size'], dims: { vm: ALL_VM, page: [...ANY_PAGE, 'smmu'] },
    okState: { vm: 'READY', page: 'device' },
    bad: [
      ...badVmid(0),
      { set: [[3, 0n]], errno: EINVAL, why: 'an empty range' },
      { set: [[3, (1n << 30n) + 1n]], errno: EINVAL, why: 'a range over 1 GiB' },
      { set: [[1, 1n << 40n]], errno: EINVAL, why: 'a gpa past the 40-bit IPA space' },
      { set: [[1, (1n << 40n) - 4096n], [3, 8192n]], errno: EINVAL, why: 'a gpa range running past the 40-bit IPA space' },
      { set: [[1, (1n << 64n) - 4096n], [3, 8192n]], errno: EINVAL, why: 'a gpa range that wraps around 2^64' },
      { set: [[2, 1n << 44n]], errno: EINVAL, why: 'a pa past the 44-bit PA space' },
    ],
    source: 'sekvm.md §2.2.2; C MemHandler.c el2_kvm_phys_addr_ioremap, BootOps.c map_io; Coq local_map_io',
    rules: [
      { when: { page: ['smmu'] }, then: reject(EPERM, 'ownership', 'the SMMU\'s registers are KCore\'s to program'), cite: 'simulator rule (KCore fix): §1 "DMA", §2.3 (every host SMMU access is emulated and checked)' },
      { when: { vm: ['UNUSED', 'VERIFIED', 'POWEROFF'] }, then: notReady('PHYS_ADDR_IOREMAP'), cite: '§2.2.2 map_io: VM READY, else panic' },
      { when: { page: ['device'] }, then: ok(0n, 'the VM\'s stage 2 maps the device page (Device-nGnRE, RW, XN)', { checks: ['device-mapped'] }), cite: '§2.2.2 map_io' },
      { when: {}, then: noop(0n, 'a RAM page (whoever owns it) is silently skipped'), cite: '§2.2.2 map_io (owner must be INVALID, otherwise skipped)' },
    ],
  },
  {
    nr: HVC.LOAD_CRYPT_VCPU, name: 'LOAD_CRYPT_VCPU', args: ['vmid', 'vcpu'], dims: { vm: ALL_VM, vcpu: ALL_VCPU },
    okState: { vm: 'READY', vcpu: 'READY' }, bad: [...badVmid(0), ...badVcpu(1)],
    source: 'sekvm.md §2.2.4; C el1.c (first_run == 0); Coq: VM READY and vCPU READY',
    rules: [
      { when: { vm: ['READY'], vcpu: ['READY'] }, then: ok(0n, 'KServ\'s encrypted snapshot is decrypted into the shadow context and zeroed; inc_exe := 1 (the first run keeps these registers)', { checks: ['crypt-loaded'] }), cite: '§2.2.4 Coq: VM READY and vCPU READY' },
      { when: {}, then: reject(EINVAL, 'bad-state', 'Coq: VM READY and vCPU READY'), cite: '§2.2.4' },
    ],
  },
];

/**
 * Host stage-2 faults (sekvm.md §2.3, handle_host_stage2_fault → map_page_host; Coq
 * host_npt_handler_spec): what happens when KServ touches a page it has not mapped yet.
 * 'emulated' means KCore performed the access itself (an SMMU register) and skipped the
 * instruction; 'refused' is a violation (the host's access fails; KCore records it).
 */
export const HOST_ACCESS: readonly { readonly page: PageKind; readonly outcome: 'mapped-ram' | 'mapped-device' | 'emulated' | 'refused'; readonly cite: string }[] = [
  { page: 'host', outcome: 'mapped-ram', cite: '§2.3 map_page_host: owner HOST → PAGE_S2_KERNEL identity' },
  { page: 'host-smmu', outcome: 'mapped-ram', cite: '§2.3 (owner HOST, whatever the count)' },
  { page: 'vm-shared', outcome: 'mapped-ram', cite: '§2.3 (count > 0: a page the VM granted)' },
  { page: 'device', outcome: 'mapped-device', cite: '§2.3 owner INVALID → PAGE_S2_DEVICE identity' },
  { page: 'smmu', outcome: 'emulated', cite: '§2.3 emulate_mmio (is_smmu_range) before map_page_host' },
  { page: 'vm', outcome: 'refused', cite: '§2.3 (a VM\'s page, not shared: panic; §4.1 host_iso)' },
  { page: 'other-vm', outcome: 'refused', cite: '§2.3; §4.1 host_iso' },
  { page: 'kcore', outcome: 'refused', cite: '§2.3, §3.8 (protect_el2_mem: KCore pages are COREVISOR\'s)' },
];

/** The row(s) of a hypercall number. */
export function rowsOf(nr: number): Row[] {
  return HOST_HYPERCALLS.filter((r) => r.nr === nr);
}

/** Errno values the table uses (re-exported for readers of the table). */
export const ERRNO = { EINVAL, EPERM, ENOMEM, NOT_SUPPORTED: KERR.NOT_SUPPORTED } as const;
