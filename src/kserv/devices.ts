import type { Gen } from '../sim/task.js';

/**
 * The devices KServ's user space (QEMU) emulates for each VM — the "I/O user" path: every access
 * costs a return to user space. PL011 UART (transmit side) and a virtio-like block device with
 * the request protocol documented in guests/vm/README.md.
 */
export const VM_UART = 0x0900_0000;
export const VM_VIRTIO = 0x0a00_0000;
export const VIRTIO_SLOT = 0x200;
export const VIRTIO_SLOTS = 32;
export const VIRTIO_MAGIC = 0x7472_6976;   // "virt"
export const VIRTIO_VENDOR = 0x554d_4551;  // "QEMU"
/** INTID of virtio-mmio slot n (QEMU virt: SPI 16 + n). */
export const virtioIntid = (slot: number): number => 32 + 16 + slot;

/** Line-buffered PL011 transmit side. */
export class VmUart {
  private line: number[] = [];
  readonly lines: string[] = [];
  constructor(private readonly onLine: (line: string) => void) {}

  read(off: number): bigint {
    return off === 0x018 ? 0x90n : 0n;
  }

  write(off: number, v: bigint): void {
    if (off !== 0) return;
    const b = Number(v & 0xffn);
    if (b === 10) {
      const s = Buffer.from(this.line).toString('latin1');
      this.line = [];
      this.lines.push(s);
      this.onLine(s);
    } else if (b !== 13) {
      this.line.push(b);
    }
  }

  /** Output not yet terminated by a newline. */
  flush(): void {
    if (this.line.length > 0) this.write(0, 10n);
  }
}

/** Request block layout (guests/vm/README.md). */
export const REQ = { TYPE: 0, STATUS: 4, SECTOR: 8, DATA: 16, LEN: 24, BYTES: 28 } as const;
export const REQ_STATUS = { OK: 0, IOERR: 1, NOACCESS: 2 } as const;

/** Memory access the device uses: guest-physical, through the host's own mappings; null = refused. */
export interface GuestMem {
  read(ipa: number, len: number): Gen<Uint8Array | null>;
  write(ipa: number, bytes: Uint8Array): Gen<boolean>;
}

/** The virtio-like block device of slot 0 (its disk is in host memory of the simulator, per VM). */
export class VirtioBlock {
  private readonly disk = new Map<number, Uint8Array>();
  reqLo = 0;
  reqHi = 0;
  isr = 0;
  requests = 0;
  /** Status of the last request, also readable at +0x108 (when the request block itself was not accessible). */
  lastStatus = 0;

  constructor(readonly slot: number, readonly deviceId: number) {}

  read(off: number): bigint {
    switch (off) {
      case 0x000: return BigInt(VIRTIO_MAGIC);
      case 0x004: return 2n;
      case 0x008: return BigInt(this.deviceId);
      case 0x00c: return BigInt(VIRTIO_VENDOR);
      case 0x060: return BigInt(this.isr);
      case 0x100: return BigInt(this.reqLo);
      case 0x104: return BigInt(this.reqHi);
      case 0x108: return BigInt(this.lastStatus);
    }
    return 0n;
  }

  private sector(s: number): Uint8Array {
    let d = this.disk.get(s);
    if (!d) {
      d = new Uint8Array(512);
      for (let i = 0; i < 512; i++) d[i] = (s * 31 + i) & 0xff;
      this.disk.set(s, d);
    }
    return d;
  }

  /** A register write; a QueueNotify executes the request through `mem`. Returns true to raise the interrupt. */
  *write(off: number, v: bigint, mem: GuestMem): Gen<boolean> {
    switch (off) {
      case 0x100: this.reqLo = Number(v & 0xffff_ffffn); return false;
      case 0x104: this.reqHi = Number(v & 0xffff_ffffn); return false;
      case 0x064: this.isr &= ~Number(v & 0xffff_ffffn); return false;
      case 0x050: break;
      default: return false;
    }
    if (this.deviceId !== 2) return false;
    this.requests++;
    const reqIpa = this.reqHi * 2 ** 32 + this.reqLo;
    const hdr = yield* mem.read(reqIpa, REQ.BYTES);
    let status: number = REQ_STATUS.NOACCESS;
    if (hdr !== null) {
      const dv = new DataView(hdr.buffer, hdr.byteOffset, hdr.byteLength);
      const type = dv.getUint32(REQ.TYPE, true);
      const sector = Number(dv.getBigUint64(REQ.SECTOR, true));
      const data = Number(dv.getBigUint64(REQ.DATA, true));
      const len = dv.getUint32(REQ.LEN, true);
      status = REQ_STATUS.IOERR;
      if (len <= 4096 && len % 512 === 0 && sector < 2 ** 32) {
        if (type === 0) {
          const out = new Uint8Array(len);
          for (let i = 0; i < len / 512; i++) out.set(this.sector(sector + i), i * 512);
          status = (yield* mem.write(data, out)) ? REQ_STATUS.OK : REQ_STATUS.NOACCESS;
        } else if (type === 1) {
          const inb = yield* mem.read(data, len);
          if (inb === null) status = REQ_STATUS.NOACCESS;
          else {
            for (let i = 0; i < len / 512; i++) this.disk.set(sector + i, inb.slice(i * 512, i * 512 + 512));
            status = REQ_STATUS.OK;
          }
        }
      }
      const st = new Uint8Array(4);
      new DataView(st.buffer).setUint32(0, status, true);
      if (!(yield* mem.write(reqIpa + REQ.STATUS, st))) status = REQ_STATUS.NOACCESS;
    }
    this.lastStatus = status;
    this.isr |= 1;
    return true;
  }
}
