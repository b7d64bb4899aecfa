/**
 * Hand-built trace records for the writer tests: one sample of every event kind, and a small
 * scripted run of two pCPUs in the order the real producers emit (SeKVM's VCPU_RUN restores
 * the host before it reports the exit; the KVM baseline reports the exit first).
 */
import type { TraceEvent } from '../../src/trace/events.js';
import type { TraceRecord } from '../../src/trace/record.js';

/** One event of each kind with the text line it must print (the record type forces all kinds). */
export const SAMPLES: { readonly [K in TraceEvent['kind']]: { readonly event: Extract<TraceEvent, { kind: K }>; readonly text: string } } = {
  hvc: {
    event: { kind: 'hvc', cpu: 0, nr: 8, name: 'VCPU_RUN', args: [1n, 0n, 0n, 0n, 0n] },
    text: 'hvc 8 HVC_VCPU_RUN(vmid=1, vcpuid=0)',
  },
  'hvc-ret': {
    event: { kind: 'hvc-ret', cpu: 0, nr: 13, name: 'REGISTER_KVM', ret: 1n, rejected: false },
    text: 'hvc 13 HVC_REGISTER_KVM = 0x1',
  },
  'kcore-halt': {
    event: { kind: 'kcore-halt', cpu: 1, code: 'ownership', where: 'assign_pfn_to_vm', detail: 'pfn 0x4f028 is owned by VM 2', mode: 'reject' },
    text: 'KCore rejects: ownership in assign_pfn_to_vm: pfn 0x4f028 is owned by VM 2',
  },
  'host-map': {
    event: { kind: 'host-map', cpu: 0, pfn: 0x8000, device: true },
    text: 'host stage 2: map pfn 0x8000 (device)',
  },
  'host-unmap': {
    event: { kind: 'host-unmap', cpu: 0, pfn: 0x4ec80 },
    text: 'host stage 2: unmap pfn 0x4ec80',
  },
  owner: {
    event: { kind: 'owner', cpu: 0, pfn: 0x4f028, from: 0, to: 1, gfn: 0x40080n },
    text: 'page 0x4f028 owner host → VM 1 (gfn 0x40080)',
  },
  's2-map': {
    event: { kind: 's2-map', cpu: 0, vmid: 1, ipa: 0x40000000, pfn: 0x4ec00, level: 2 },
    text: 'VM 1 stage 2: IPA 0x40000000 → pfn 0x4ec00 (level 2 block)',
  },
  grant: {
    event: { kind: 'grant', cpu: 0, vmid: 1, pfn: 0x4eca6, count: 1 },
    text: 'VM 1 grants page 0x4eca6 to the host (share count 1)',
  },
  revoke: {
    event: { kind: 'revoke', cpu: 0, vmid: 1, pfn: 0x4eca6, count: 0 },
    text: 'VM 1 revokes page 0x4eca6 from the host (share count 0)',
  },
  'vm-state': {
    event: { kind: 'vm-state', cpu: 0, vmid: 1, state: 'VERIFIED' },
    text: 'VM 1 state VERIFIED',
  },
  'vcpu-state': {
    event: { kind: 'vcpu-state', cpu: 0, vmid: 1, vcpu: 0, state: 'ACTIVE' },
    text: 'VM 1 vCPU 0 state ACTIVE',
  },
  'enter-guest': {
    event: { kind: 'enter-guest', cpu: 0, vmid: 1, vcpu: 0, pc: 0x40080000n },
    text: 'VM 1 vCPU 0 enter at pc 0x40080000',
  },
  'guest-exit': {
    event: { kind: 'guest-exit', cpu: 1, vmid: 1, vcpu: 0, esr: 0x5a000000, far: 0n, hpfar: 0n, irq: false, path: 'kserv' },
    text: 'VM 1 vCPU 0 exit: ESR_EL2=0x5a000000 EC=0x16 HVC64 imm=0 → KServ',
  },
  'enter-host': {
    event: { kind: 'enter-host', cpu: 0 },
    text: 'enter host (KServ)',
  },
  kserv: {
    event: { kind: 'kserv', cpu: 0, what: 'created VM 1 "hello" (1 vCPUs, 64 MiB)', vmid: 1 },
    text: 'KServ: created VM 1 "hello" (1 vCPUs, 64 MiB)',
  },
  'kserv-user': {
    event: { kind: 'kserv-user', cpu: 0, what: 'write 0x9000000', vmid: 1 },
    text: 'KServ user: VM 1 write 0x9000000',
  },
  uart: {
    event: { kind: 'uart', cpu: 0, vmid: 1, line: 'hello: goodbye' },
    text: 'VM 1 UART: hello: goodbye',
  },
  note: {
    event: { kind: 'note', cpu: 0, text: 'scenario: all VMs created' },
    text: 'note: scenario: all VMs created',
  },
};

/** Stamps events as System does: seq in order, cycles from the caller. */
export function records(events: readonly (readonly [bigint, TraceEvent])[]): TraceRecord[] {
  return events.map(([cycles, event], seq) => ({ seq, cycles, event }));
}

const run = (cpu: number): TraceEvent => ({ kind: 'hvc', cpu, nr: 8, name: 'VCPU_RUN', args: [1n, BigInt(cpu), 0n, 0n, 0n] });
const runRet = (cpu: number): TraceEvent => ({ kind: 'hvc-ret', cpu, nr: 8, name: 'VCPU_RUN', ret: 2n, rejected: false });
const mmio = { esr: 0x93820045, far: 0x9000000n, hpfar: 0x90000n, irq: false } as const;

/**
 * pCPU 0 runs SeKVM-style: a hypercall, VCPU_RUN with a guest HVC that KCore handles itself,
 * then an MMIO exit to KServ's user space. pCPU 1 runs KVM-style (exit, then enter-host) and is
 * left in the guest, so close() must end that slice. 2 GHz: 2000 cycles = 1 µs.
 */
export const SCRIPT: readonly (readonly [bigint, TraceEvent])[] = [
  [0n, { kind: 'hvc', cpu: 0, nr: 13, name: 'REGISTER_KVM', args: [0n, 0n, 0n, 0n, 0n] }],
  [0n, { kind: 'vm-state', cpu: 0, vmid: 1, state: 'READY' }],
  [0n, { kind: 'hvc-ret', cpu: 0, nr: 13, name: 'REGISTER_KVM', ret: 1n, rejected: false }],
  [1000n, run(0)],
  [1000n, { kind: 'vcpu-state', cpu: 0, vmid: 1, vcpu: 0, state: 'ACTIVE' }],
  [1000n, { kind: 'enter-guest', cpu: 0, vmid: 1, vcpu: 0, pc: 0x40080000n }],
  [500n, { kind: 'enter-guest', cpu: 1, vmid: 1, vcpu: 1, pc: 0x40080024n }],
  [3000n, { kind: 'grant', cpu: 0, vmid: 1, pfn: 0x4eca6, count: 1 }],
  [3000n, { kind: 'guest-exit', cpu: 0, vmid: 1, vcpu: 0, esr: 0x5a000000, far: 0n, hpfar: 0n, irq: false, path: 'kcore' }],
  [4001n, { kind: 'enter-host', cpu: 0 }],
  [4001n, { kind: 'guest-exit', cpu: 0, vmid: 1, vcpu: 0, ...mmio, path: 'kserv' }],
  [4001n, { kind: 'vcpu-state', cpu: 0, vmid: 1, vcpu: 0, state: 'READY' }],
  [4001n, runRet(0)],
  [4001n, { kind: 'kserv-user', cpu: 0, what: 'write 0x9000000', vmid: 1 }],
  [4001n, { kind: 'uart', cpu: 0, vmid: 1, line: 'hello' }],
  [2500n, { kind: 'guest-exit', cpu: 1, vmid: 1, vcpu: 1, ...mmio, path: 'kserv' }],
  [2500n, { kind: 'enter-host', cpu: 1 }],
  [2500n, { kind: 'kserv-user', cpu: 1, what: 'write 0x9000000', vmid: 1 }],
  [2500n, { kind: 'enter-guest', cpu: 1, vmid: 1, vcpu: 1, pc: 0x40080028n }],
  [5000n, { kind: 'hvc', cpu: 0, nr: 7, name: 'TIMER_SET_CNTVOFF', args: [0n, 0n, 0n, 0n, 0n] }],
  [5000n, { kind: 'hvc-ret', cpu: 0, nr: 7, name: 'TIMER_SET_CNTVOFF', ret: 0n, rejected: false }],
  [6000n, { kind: 'note', cpu: 1, text: 'still running' }],
];
