/**
 * `--trace text`: one line per event, in plain words, with architectural values decoded —
 *   [cpu1      123456] VM 1 vCPU 0 exit: ESR_EL2=0x5a000000 EC=0x16 HVC64 imm=0 → KServ
 *   [cpu0      120000] hvc 8 HVC_VCPU_RUN(vmid=1, vcpuid=0)
 *   [cpu0      120000] page 0x4f028 owner host → VM 1 (gfn 0x40080)
 * The bracket holds the pCPU and its cycle count (right-aligned, so columns line up).
 * describeEvent() is the wording; the Perfetto writer reuses it for its instant events.
 * What this module does not do: interpret sequences of events (that is the Perfetto writer's
 * slice building) or look anything up in the simulated machine.
 */
import type { TraceEvent } from './events.js';
import type { TraceContext, TraceRecord, TraceWriter } from './record.js';
import { describeEsr, ecName, esrEc, EC, hpfarIpa } from '../arch/esr.js';
import { COREVISOR, HOSTVISOR, HVC, HVC_GET_VECTORS, INVALID64 } from '../kcore/constants.js';

/** `host`, `KCore` or `VM n` for an s2page owner id. */
export function ownerName(owner: number): string {
  return owner === HOSTVISOR ? 'host' : owner === COREVISOR ? 'KCore' : `VM ${owner}`;
}

/**
 * The arguments (x1, x2, …) each host hypercall takes, with the names of the SeKVM spec
 * (../shared/spec/sekvm.md §2.2). HVC_GET_VECTORS is Linux's hyp-stub call; it takes none.
 */
export const HVC_ARG_NAMES: ReadonlyMap<number, readonly string[]> = new Map<number, readonly string[]>([
  [HVC_GET_VECTORS, []],
  [HVC.ENABLE_S2_TRANS, []],
  [HVC.TIMER_SET_CNTVOFF, ['low32', 'high32']],
  [HVC.VCPU_RUN, ['vmid', 'vcpuid']],
  [HVC.CLEAR_VM_S2_RANGE, ['vmid', 'start', 'size']],
  [HVC.SET_BOOT_INFO, ['vmid', 'load_addr', 'size']],
  [HVC.REMAP_VM_IMAGE, ['vmid', 'pfn', 'load_idx']],
  [HVC.VERIFY_VM_IMAGES, ['vmid']],
  [HVC.REGISTER_KVM, []],
  [HVC.REGISTER_VCPU, ['vmid', 'vcpuid']],
  [HVC.BOOT_FROM_SAVED_VM, ['vmid']],
  [HVC.ENCRYPT_BUF, ['vmid', 'in_pa', 'out_pa']],
  [HVC.DECRYPT_BUF, ['vmid', 'pa', 'len']],
  [HVC.SAVE_CRYPT_VCPU, ['vmid', 'vcpuid']],
  [HVC.SMMU_FREE_PGD, ['cbndx', 'index']],
  [HVC.SMMU_ALLOC_PGD, ['cbndx', 'vmid', 'index']],
  [HVC.SMMU_LPAE_MAP, ['iova', 'paddr', 'prot', 'cbndx', 'index']],
  [HVC.SMMU_LPAE_IOVA_TO_PHYS, ['iova', 'cbndx', 'index']],
  [HVC.SMMU_CLEAR, ['iova', 'cbndx', 'index']],
  [HVC.PHYS_ADDR_IOREMAP, ['vmid', 'gpa', 'pa', 'size']],
  [HVC.LOAD_CRYPT_VCPU, ['vmid', 'vcpuid']],
]);

/** Arguments that are identifiers or indexes, shown in decimal; the rest are addresses or sizes. */
const DECIMAL_ARGS = new Set(['vmid', 'vcpuid', 'load_idx', 'cbndx', 'index']);

/** `%#x` for a 64-bit value: 0 → `0`, 4096 → `0x1000`. */
export function hex(v: bigint | number): string {
  return v === 0 || v === 0n ? '0' : `0x${v.toString(16)}`;
}

/**
 * A hypercall's arguments by their spec names, e.g. [['vmid', 1], ['vcpuid', 0]]: identifiers
 * and indexes as numbers, addresses and sizes (and identifiers too large to be one) as bigints.
 * A number the spec does not list shows all five registers, x1..x5.
 */
export function hvcArgs(nr: number, args: readonly bigint[]): [string, number | bigint][] {
  const names = HVC_ARG_NAMES.get(nr) ?? args.map((_, i) => `x${i + 1}`);
  return names.map((n, i) => {
    const v = args[i] ?? 0n;
    return [n, DECIMAL_ARGS.has(n) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v];
  });
}

/** The spec's name for a hypercall: the trace carries `VCPU_RUN` (HVC_NAME) or `HVC_42`. */
export function hvcName(name: string): string {
  return name.startsWith('HVC_') ? name : `HVC_${name}`;
}

/** `hvc 8 HVC_VCPU_RUN` (a number too large for a call id has none). */
function hvcHead(nr: number, name: string): string {
  return nr >= 0 ? `hvc ${nr} ${hvcName(name)}` : `hvc ${hvcName(name)}`;
}

/** Where each exit path hands the VM exit (events.ts ExitPath). */
const PATH_NAME = { kcore: 'KCore', kserv: 'KServ', 'kserv-user': 'KServ user' } as const;

/** `HVC64`, `DABT_LOW`, … or `IRQ`: the short name of an exit, for slice names. */
export function exitName(e: { readonly esr: number; readonly irq: boolean }): string {
  return e.irq ? 'IRQ' : ecName(esrEc(e.esr));
}

/** The exit's syndrome and, for aborts, the fault addresses (FAR_EL2, HPFAR_EL2 → IPA page). */
export function describeExit(e: Extract<TraceEvent, { kind: 'guest-exit' }>): string {
  if (e.irq) return 'IRQ';
  const ec = esrEc(e.esr);
  const text = describeEsr(e.esr, 'ESR_EL2');
  const abort = ec === EC.DABT_LOW || ec === EC.IABT_LOW || ec === EC.DABT_CUR || ec === EC.IABT_CUR;
  if (!abort) return text;
  return `${text} FAR_EL2=${hex(e.far)} HPFAR_EL2=${hex(e.hpfar)} (IPA page ${hex(hpfarIpa(e.hpfar))})`;
}

/** Keeps one event on one line: control characters from guests become \xNN. */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const LEVEL_KIND = ['', 'level 1 block', 'level 2 block', 'level 3 page'] as const;

/** One event in words, without the pCPU and cycle prefix. */
export function describeEvent(e: TraceEvent): string {
  switch (e.kind) {
    case 'hvc':
      return `${hvcHead(e.nr, e.name)}(${hvcArgs(e.nr, e.args).map(([n, v]) => `${n}=${typeof v === 'number' ? v : hex(v)}`).join(', ')})`;
    case 'hvc-ret':
      return e.rejected
        ? `${hvcHead(e.nr, e.name)} REJECTED = ${BigInt.asIntN(64, e.ret)}`
        : `${hvcHead(e.nr, e.name)} = ${hex(e.ret)}`;
    case 'kcore-halt':
      return `KCore ${e.mode === 'halt' ? 'halts' : 'rejects'}: ${e.code} in ${e.where}: ${printable(e.detail)}`;
    case 'host-map':
      return `host stage 2: map pfn ${hex(e.pfn)}${e.device ? ' (device)' : ''}`;
    case 'host-unmap':
      return `host stage 2: unmap pfn ${hex(e.pfn)}`;
    case 'owner': {
      // A page going back to the host or to KCore has its gfn cleared: only a VM's gfn says anything.
      const gfn = e.to === HOSTVISOR || e.to === COREVISOR ? '' : e.gfn === INVALID64 ? ' (no gfn)' : ` (gfn ${hex(e.gfn)})`;
      return `page ${hex(e.pfn)} owner ${ownerName(e.from)} → ${ownerName(e.to)}${gfn}`;
    }
    case 's2-map':
      return `VM ${e.vmid} stage 2: IPA ${hex(e.ipa)} → pfn ${hex(e.pfn)} (${LEVEL_KIND[e.level] ?? `level ${e.level}`})`;
    case 'grant':
      return `VM ${e.vmid} grants page ${hex(e.pfn)} to the host (share count ${e.count})`;
    case 'revoke':
      return `VM ${e.vmid} revokes page ${hex(e.pfn)} from the host (share count ${e.count})`;
    case 'vm-state':
      return `VM ${e.vmid} state ${e.state}`;
    case 'vcpu-state':
      return `VM ${e.vmid} vCPU ${e.vcpu} state ${e.state}`;
    case 'enter-guest':
      return `VM ${e.vmid} vCPU ${e.vcpu} enter at pc ${hex(e.pc)}`;
    case 'guest-exit':
      return `VM ${e.vmid} vCPU ${e.vcpu} exit: ${describeExit(e)} → ${PATH_NAME[e.path]}`;
    case 'enter-host':
      return 'enter host (KServ)';
    case 'kserv':
      return `KServ: ${printable(e.what)}`;
    case 'kserv-user':
      return `KServ user: VM ${e.vmid} ${printable(e.what)}`;
    case 'uart':
      return `VM ${e.vmid} UART: ${printable(e.line)}`;
    case 'note':
      return `note: ${printable(e.text)}`;
    default: {
      const never: never = e;
      return `unknown event ${(never as { kind: string }).kind}`;
    }
  }
}

/** Width of the cycles column: 12 digits is over a minute at 2 GHz; longer counts just widen the line. */
const CYCLES_WIDTH = 12;

export class TextWriter implements TraceWriter {
  /** `cpu` plus the widest pCPU number, so every line's bracket has the same width. */
  private readonly cpuWidth: number;

  constructor(private readonly ctx: TraceContext) {
    this.cpuWidth = `cpu${Math.max(0, ctx.cpus - 1)}`.length;
  }

  write(r: TraceRecord): void {
    const where = `cpu${r.event.cpu}`.padEnd(this.cpuWidth) + r.cycles.toString().padStart(CYCLES_WIDTH);
    this.ctx.out(`[${where}] ${describeEvent(r.event)}\n`);
  }

  close(): void {}
}
