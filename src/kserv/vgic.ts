/**
 * KServ's in-kernel vGIC (Linux virt/kvm/arm/vgic, GICv3 flavour, reduced): the guest's
 * distributor and redistributors are emulated on MMIO exits (the "I/O kernel" path), virtual
 * interrupts are kept pending here, and before each run the highest-priority ones are placed in
 * the list registers (through the vCPU struct KCore copies to ICH_LR<n>_EL2). After the run,
 * list registers the guest completed (state invalid) are retired.
 * The virtual timer (PPI 27) uses a hardware-mapped LR (HW = 1, pINTID 27): the guest's
 * deactivation also deactivates the physical interrupt, as KVM does.
 */
export const VGIC_NR_INTIDS = 256;
export const VTIMER_PPI = 27;
export const NUM_LRS = 4;

/** GICD_IIDR / GICR_IIDR of KVM's vGIC: product 'K' (0x4b), implementer Arm (0x43b). */
export const KVM_VGIC_IIDR = 0x4b00_043b;

const LR_PENDING = 1n << 62n;
const LR_HW = 1n << 61n;
const LR_GROUP1 = 1n << 60n;

export interface VgicCpu {
  waker: number;
  readonly group: Uint8Array;    // SGI/PPI
  readonly enable: Uint8Array;
  readonly prio: Uint8Array;
  readonly pending: Uint8Array;  // SGI/PPI pending (edge SGIs, level PPIs sampled)
  /** INTID held in each list register, or -1. */
  readonly inLr: number[];
}

export class Vgic {
  ctlr = 0;
  readonly spiEnable = new Uint8Array(VGIC_NR_INTIDS);
  readonly spiPending = new Uint8Array(VGIC_NR_INTIDS);
  readonly spiPrio = new Uint8Array(VGIC_NR_INTIDS);
  readonly spiGroup = new Uint8Array(VGIC_NR_INTIDS);
  readonly route = new Array<bigint>(VGIC_NR_INTIDS).fill(0n);
  readonly cpus: VgicCpu[];

  constructor(readonly nvcpus: number) {
    this.cpus = Array.from({ length: nvcpus }, () => ({
      waker: 6,
      group: new Uint8Array(32),
      enable: new Uint8Array(32),
      prio: new Uint8Array(32),
      pending: new Uint8Array(32),
      inLr: Array.from({ length: NUM_LRS }, () => -1),
    }));
  }

  /** Makes `intid` pending for vCPU `v` (SGIs/PPIs) or for the VM (SPIs, delivered to vCPU 0). */
  pend(v: number, intid: number): void {
    if (intid < 32) this.cpus[v]!.pending[intid] = 1;
    else if (intid < VGIC_NR_INTIDS) this.spiPending[intid] = 1;
  }

  /** Whether vCPU `v` has an interrupt it could take (pending and enabled, or in an LR). */
  hasPending(v: number): boolean {
    const c = this.cpus[v]!;
    if (c.inLr.some((x) => x >= 0)) return true;
    return this.candidates(v).length > 0;
  }

  private enabled(v: number, id: number): boolean {
    if ((this.ctlr & 2) === 0) return false;
    return id < 32 ? this.cpus[v]!.enable[id] !== 0 : this.spiEnable[id] !== 0;
  }

  private candidates(v: number): number[] {
    const c = this.cpus[v]!;
    const out: number[] = [];
    for (let id = 0; id < 32; id++) if (c.pending[id] && this.enabled(v, id) && !c.inLr.includes(id)) out.push(id);
    if (v === 0) for (let id = 32; id < VGIC_NR_INTIDS; id++) if (this.spiPending[id] && this.enabled(v, id) && !c.inLr.includes(id)) out.push(id);
    const prio = (id: number): number => (id < 32 ? c.prio[id]! : this.spiPrio[id]!);
    return out.sort((a, b) => prio(a) - prio(b) || a - b);
  }

  /**
   * kvm_vgic_flush_hwstate: fills free list registers with pending interrupts. `lrs` holds the
   * current LR values (from the vCPU struct) and is updated in place.
   */
  flush(v: number, lrs: bigint[]): void {
    const c = this.cpus[v]!;
    for (const id of this.candidates(v)) {
      const slot = c.inLr.indexOf(-1);
      if (slot < 0) break;
      const prio = BigInt(id < 32 ? c.prio[id]! : this.spiPrio[id]!);
      let lr = LR_PENDING | LR_GROUP1 | (prio << 48n) | BigInt(id);
      if (id === VTIMER_PPI) lr |= LR_HW | (BigInt(VTIMER_PPI) << 32n);
      lrs[slot] = lr;
      c.inLr[slot] = id;
      if (id < 32) c.pending[id] = 0;
      else this.spiPending[id] = 0;
    }
  }

  /** kvm_vgic_sync_hwstate: list registers the guest completed (state invalid) are free again. */
  sync(v: number, lrs: readonly bigint[]): number[] {
    const c = this.cpus[v]!;
    const done: number[] = [];
    for (let n = 0; n < NUM_LRS; n++) {
      if (c.inLr[n]! >= 0 && lrs[n]! >> 62n === 0n) {
        done.push(c.inLr[n]!);
        c.inLr[n] = -1;
      }
    }
    return done;
  }

  /** Whether the virtual timer interrupt is in flight (in an LR) for vCPU `v`. */
  vtimerInFlight(v: number): boolean {
    return this.cpus[v]!.inLr.includes(VTIMER_PPI);
  }

  /** ICC_SGI1R_EL1 written by vCPU `src`: the target vCPUs (TargetList by Aff0, or IRM = all but self). */
  sgiTargets(src: number, value: bigint): { intid: number; targets: number[] } {
    const intid = Number((value >> 24n) & 15n);
    const irm = (value >> 40n) & 1n;
    const aff1 = Number((value >> 16n) & 0xffn);
    const targets: number[] = [];
    for (let v = 0; v < this.nvcpus; v++) {
      if (irm) {
        if (v !== src) targets.push(v);
      } else if (aff1 === 0 && ((value >> BigInt(v)) & 1n) !== 0n) {
        targets.push(v);
      }
    }
    return { intid, targets };
  }

  // ---- MMIO emulation ----

  private bitsRead(arr: (id: number) => number, first: number): bigint {
    let v = 0n;
    for (let i = 0; i < 32; i++) if (arr(first + i)) v |= 1n << BigInt(i);
    return v;
  }

  private bitsWrite(value: bigint, first: number, set: (id: number) => void): void {
    for (let i = 0; i < 32; i++) if ((value >> BigInt(i)) & 1n) set(first + i);
  }

  /** Distributor register read at `off` (GICv3 GICD_*). */
  distRead(off: number, size: number): bigint {
    if (off === 0x0) return BigInt(this.ctlr | 0x10);      // ARE (RAO)
    if (off === 0x4) return BigInt((VGIC_NR_INTIDS / 32 - 1) | (9 << 19));
    if (off === 0x8) return BigInt(KVM_VGIC_IIDR);
    if (off === 0xffe8) return 0x3bn;
    const id = (o: number, base: number, per: number): number => (o - base) * per;
    if (off >= 0x100 && off < 0x200) return off < 0x104 ? 0n : this.bitsRead((i) => this.spiEnable[i]!, id(off & ~0x80, 0x100, 8));
    if (off >= 0x200 && off < 0x300) return off < 0x204 ? 0n : this.bitsRead((i) => this.spiPending[i]!, id(off & ~0x80, 0x200, 8));
    if (off >= 0x080 && off < 0x100) return off < 0x084 ? 0n : this.bitsRead((i) => this.spiGroup[i]!, id(off, 0x080, 8));
    if (off >= 0x420 && off < 0x400 + VGIC_NR_INTIDS) {
      let v = 0n;
      for (let i = 0; i < size; i++) v |= BigInt(this.spiPrio[off - 0x400 + i] ?? 0) << BigInt(8 * i);
      return v;
    }
    if (off >= 0x6100 && off < 0x6000 + VGIC_NR_INTIDS * 8) return this.route[(off - 0x6000) >> 3] ?? 0n;
    return 0n;
  }

  distWrite(off: number, size: number, v: bigint): void {
    if (off === 0x0) { this.ctlr = Number(v & 3n); return; }
    if (off >= 0x104 && off < 0x180) { this.bitsWrite(v, (off - 0x100) * 8, (i) => { this.spiEnable[i] = 1; }); return; }
    if (off >= 0x184 && off < 0x200) { this.bitsWrite(v, (off - 0x180) * 8, (i) => { this.spiEnable[i] = 0; }); return; }
    if (off >= 0x204 && off < 0x280) { this.bitsWrite(v, (off - 0x200) * 8, (i) => { this.spiPending[i] = 1; }); return; }
    if (off >= 0x284 && off < 0x300) { this.bitsWrite(v, (off - 0x280) * 8, (i) => { this.spiPending[i] = 0; }); return; }
    if (off >= 0x084 && off < 0x100) { for (let i = 0; i < 32; i++) this.spiGroup[(off - 0x080) * 8 + i] = Number((v >> BigInt(i)) & 1n); return; }
    if (off >= 0x420 && off < 0x400 + VGIC_NR_INTIDS) {
      for (let i = 0; i < size; i++) this.spiPrio[off - 0x400 + i] = Number((v >> BigInt(8 * i)) & 0xf8n);
      return;
    }
    if (off >= 0x6100 && off < 0x6000 + VGIC_NR_INTIDS * 8) this.route[(off - 0x6000) >> 3] = v;
  }

  /** Redistributor of vCPU `v`: `off` within its 128 KB (RD frame, then SGI frame at +0x10000). */
  redistRead(v: number, off: number, size: number): bigint {
    const c = this.cpus[v]!;
    switch (off) {
      case 0x0000: return 0n;
      case 0x0004: return BigInt(KVM_VGIC_IIDR);
      case 0x0008: {
        const t = (BigInt(v) << 32n) | (BigInt(v) << 8n) | (v === this.nvcpus - 1 ? 1n << 4n : 0n);
        return size === 8 ? t : t & 0xffff_ffffn;
      }
      case 0x000c: return BigInt(v);
      case 0x0014: return BigInt(c.waker);
      case 0xffe8: return 0x3bn;
      case 0x10080: return this.bitsRead((i) => c.group[i]!, 0);
      case 0x10100: case 0x10180: return this.bitsRead((i) => c.enable[i]!, 0);
      case 0x10200: case 0x10280: return this.bitsRead((i) => c.pending[i]!, 0);
    }
    if (off >= 0x10400 && off < 0x10420) {
      let r = 0n;
      for (let i = 0; i < size; i++) r |= BigInt(c.prio[off - 0x10400 + i]!) << BigInt(8 * i);
      return r;
    }
    return 0n;
  }

  redistWrite(v: number, off: number, size: number, val: bigint): void {
    const c = this.cpus[v]!;
    switch (off) {
      case 0x0014: c.waker = (val & 2n) !== 0n ? 6 : 0; return;
      case 0x10080: for (let i = 0; i < 32; i++) c.group[i] = Number((val >> BigInt(i)) & 1n); return;
      case 0x10100: this.bitsWrite(val, 0, (i) => { c.enable[i] = 1; }); return;
      case 0x10180: this.bitsWrite(val, 0, (i) => { c.enable[i] = 0; }); return;
      case 0x10200: this.bitsWrite(val, 0, (i) => { c.pending[i] = 1; }); return;
      case 0x10280: this.bitsWrite(val, 0, (i) => { c.pending[i] = 0; }); return;
    }
    if (off >= 0x10400 && off < 0x10420) {
      for (let i = 0; i < size; i++) c.prio[off - 0x10400 + i] = Number((val >> BigInt(8 * i)) & 0xf8n);
    }
  }
}
