/**
 * PL011 UART (ARM PrimeCell UART, DDI0183), transmit side: writes to UARTDR emit a byte; the
 * flag register always reports an empty transmit FIFO and an empty receive FIFO. Registers
 * that configure the line (baud divisors, LCR_H, CR, IMSC) are storage. The identification
 * registers read as a PL011's.
 */
export const UARTDR = 0x000;
export const UARTFR = 0x018;
const FR_RXFE = 1 << 4;
const FR_TXFE = 1 << 7;
const ID_BYTES = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class Pl011 {
  private readonly regs = new Map<number, number>();
  constructor(private readonly emit: (byte: number) => void) {}

  read(offset: number): number {
    if (offset === UARTDR) return 0;
    if (offset === UARTFR) return FR_TXFE | FR_RXFE;
    if (offset >= 0xfe0 && offset < 0x1000) return ID_BYTES[(offset - 0xfe0) >> 2] ?? 0;
    return this.regs.get(offset) ?? 0;
  }

  write(offset: number, value: number): void {
    if (offset === UARTDR) this.emit(value & 0xff);
    else this.regs.set(offset, value >>> 0);
  }
}
