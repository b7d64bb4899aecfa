/**
 * The one event stream of a run (src/trace renders it as text, JSON lines or Perfetto JSON).
 * Events carry the pCPU and are stamped with its simulated cycle count by the sink.
 * Producers: KCore (hypercalls, ownership and stage-2 changes, violations), the hypervisor's
 * world switch, KServ (exits it handles, device emulation), the system (scenario milestones).
 */
export type TraceEvent =
  | { readonly kind: 'hvc'; readonly cpu: number; readonly nr: number; readonly name: string; readonly args: readonly bigint[] }
  | { readonly kind: 'hvc-ret'; readonly cpu: number; readonly nr: number; readonly name: string; readonly ret: bigint; readonly rejected: boolean }
  | { readonly kind: 'kcore-halt'; readonly cpu: number; readonly code: string; readonly where: string; readonly detail: string; readonly mode: 'halt' | 'reject' }
  | { readonly kind: 'host-map'; readonly cpu: number; readonly pfn: number; readonly device: boolean }
  | { readonly kind: 'host-unmap'; readonly cpu: number; readonly pfn: number }
  | { readonly kind: 'owner'; readonly cpu: number; readonly pfn: number; readonly from: number; readonly to: number; readonly gfn: bigint }
  | { readonly kind: 's2-map'; readonly cpu: number; readonly vmid: number; readonly ipa: number; readonly pfn: number; readonly level: number }
  | { readonly kind: 'grant'; readonly cpu: number; readonly vmid: number; readonly pfn: number; readonly count: number }
  | { readonly kind: 'revoke'; readonly cpu: number; readonly vmid: number; readonly pfn: number; readonly count: number }
  | { readonly kind: 'vm-state'; readonly cpu: number; readonly vmid: number; readonly state: string }
  | { readonly kind: 'vcpu-state'; readonly cpu: number; readonly vmid: number; readonly vcpu: number; readonly state: string }
  | { readonly kind: 'enter-guest'; readonly cpu: number; readonly vmid: number; readonly vcpu: number; readonly pc: bigint }
  | { readonly kind: 'guest-exit'; readonly cpu: number; readonly vmid: number; readonly vcpu: number; readonly esr: number; readonly far: bigint; readonly hpfar: bigint; readonly irq: boolean; readonly path: ExitPath }
  | { readonly kind: 'enter-host'; readonly cpu: number }
  | { readonly kind: 'kserv'; readonly cpu: number; readonly what: string; readonly vmid?: number; readonly vcpu?: number }
  | { readonly kind: 'kserv-user'; readonly cpu: number; readonly what: string; readonly vmid: number }
  | { readonly kind: 'uart'; readonly cpu: number; readonly vmid: number; readonly line: string }
  | { readonly kind: 'note'; readonly cpu: number; readonly text: string };

/** Where a VM exit was handled. */
export type ExitPath = 'kcore' | 'kserv' | 'kserv-user';

export type TraceSink = (e: TraceEvent) => void;
