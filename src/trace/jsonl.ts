/**
 * `--trace jsonl`: one JSON object per line per event — {"seq","cycles","cpu","kind",…fields}.
 * 64-bit values (addresses, registers, cycle counts) are written as hex strings ("0x…") so no
 * consumer loses precision; small integers (pCPU, VMID, vCPU, pfn, level) stay numbers.
 */
import type { TraceContext, TraceRecord, TraceWriter } from './record.js';

export function jsonlValue(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `0x${v.toString(16)}` : v;
}

export class JsonlWriter implements TraceWriter {
  constructor(private readonly ctx: TraceContext) {}

  write(r: TraceRecord): void {
    this.ctx.out(JSON.stringify({ seq: r.seq, cycles: r.cycles, ...r.event }, jsonlValue) + '\n');
  }

  close(): void {}
}
