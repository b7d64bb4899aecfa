/**
 * `--trace perfetto=FILE`: Chrome/Perfetto trace-event JSON (`{"traceEvents":[…],
 * "displayTimeUnit":"ns"}`), which ui.perfetto.dev and chrome://tracing open.
 *
 * One process, "sekvm-sim", with one thread per pCPU ("pCPU n"). Each pCPU's time is cut into
 * complete slices (`ph:"X"`) of four components, one category each:
 *   guest       enter-guest → the next guest-exit                       "VM v vCPU c"
 *   kcore       a guest-exit → the next enter-guest or return to KServ  "exit EC"
 *               a host hypercall, hvc → hvc-ret (or → enter-guest)      "HVC_…"
 *   kserv       enter-host or hvc-ret → the next hvc or enter-guest     "KServ"
 *   kserv-user  a kserv-user event → the next change of component        "KServ user: …"
 * so a pCPU's track is a flat row of slices that never overlap. Everything else (ownership,
 * stage-2 maps, grants, violations, UART lines, notes) is an instant event (`ph:"i"`, thread
 * scope) whose args carry the text writer's decoding.
 *
 * Durations are what the cycle counts say. Hypervisor work is not charged cycles yet, so KCore
 * and KServ slices are mostly zero long; they are written anyway (Perfetto shows them).
 *
 * Output is streamed: the opening when the writer is made, a record's events as soon as they
 * are known (a slice when it ends), the closing in close(); every write is synchronous, so a run
 * that crashes leaves what it wrote so far. What this module does not do: sort. Instants are
 * written when they happen and a slice when it ends, so the file is ordered per pCPU for slices
 * and for instants separately; Perfetto sorts on import.
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import type { TraceEvent } from './events.js';
import type { TraceContext, TraceRecord, TraceWriter } from './record.js';
import { jsonlValue } from './jsonl.js';
import { describeEvent, describeExit, exitName, hvcArgs, hvcName, ownerName } from './text.js';

/** The trace's one process. pid 0 and tid 0 are the kernel's idle task to Perfetto: avoid both. */
const PID = 1;

/** The component a slice belongs to (its `cat`). */
type Component = 'guest' | 'kcore' | 'kserv' | 'kserv-user';

interface OpenSlice {
  readonly cat: Component;
  name: string;
  readonly startPs: bigint;
  readonly args: Record<string, unknown>;
  /**
   * Opened by SeKVM's switch back to the host inside HVC_VCPU_RUN, which restores the host
   * (enter-host) before it reports the exit: the guest-exit that follows names it.
   */
  awaitingExit: boolean;
}

interface Track {
  readonly tid: number;
  open: OpenSlice | null;
  /** Between hvc and hvc-ret: the pCPU stays at EL2 until hvc-ret, even after enter-host. */
  inHvc: boolean;
  /** Latest timestamp seen on this pCPU: where close() ends a slice still open. */
  lastPs: bigint;
}

const PS_PER_S = 1_000_000_000_000n;
const PS_PER_US = 1_000_000n;

/** Picoseconds, rounded: exact integer time, so one slice's end is the next one's start to the digit. */
function cyclesToPs(cycles: bigint, hz: bigint): bigint {
  return (cycles * PS_PER_S + hz / 2n) / hz;
}

/** Picoseconds as the format's decimal microseconds: 1_500_000n → `1.5`. */
function usText(ps: bigint): string {
  const whole = ps / PS_PER_US;
  const frac = ps % PS_PER_US;
  return frac === 0n ? whole.toString() : `${whole}.${frac.toString().padStart(6, '0').replace(/0+$/, '')}`;
}

function json(v: unknown): string {
  return JSON.stringify(v, jsonlValue);
}

/**
 * A flat args object as JSON, bigints as hex strings like the JSON-lines writer; absent
 * (undefined) fields are left out. Written by hand because JSON.stringify with a replacer costs
 * more than the rest of a record together.
 */
function argsJson(args: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const k in args) {
    const v = args[k];
    if (v === undefined) continue;
    const text = typeof v === 'bigint' ? `"0x${v.toString(16)}"`
      : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null')
        : typeof v === 'boolean' ? String(v)
          : json(v);
    parts.push(`${JSON.stringify(k)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

/** Short instant names (the args carry the full decoding); rare human-oriented events use their text. */
function instantName(e: TraceEvent): string {
  switch (e.kind) {
    case 'kcore-halt': return `KCore ${e.mode}: ${e.code}`;
    case 'host-map': return 'host stage-2 map';
    case 'host-unmap': return 'host stage-2 unmap';
    case 'owner': return `owner ${ownerName(e.from)} → ${ownerName(e.to)}`;
    case 's2-map': return `VM ${e.vmid} stage-2 map`;
    case 'grant': return `VM ${e.vmid} grant`;
    case 'revoke': return `VM ${e.vmid} revoke`;
    case 'vm-state': return `VM ${e.vmid} ${e.state}`;
    case 'vcpu-state': return `VM ${e.vmid} vCPU ${e.vcpu} ${e.state}`;
    default: return describeEvent(e);
  }
}

export class PerfettoWriter implements TraceWriter {
  private readonly fd: number;
  private readonly hz: bigint;
  private readonly tracks = new Map<number, Track>();
  private closed = false;

  /**
   * Creates (or truncates) `path` and writes the opening and the track names. Throws an Error
   * naming the file when it cannot be opened, and a RangeError when ctx.cpuHz is not a positive
   * number.
   */
  constructor(readonly path: string, ctx: TraceContext) {
    if (!(ctx.cpuHz > 0) || !Number.isFinite(ctx.cpuHz)) throw new RangeError(`perfetto trace: CPU frequency ${ctx.cpuHz} Hz is not a positive number`);
    this.hz = BigInt(Math.round(ctx.cpuHz));
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new Error(`cannot write the Perfetto trace to '${path}': ${reason(e)}`);
    }
    const head = [`{"traceEvents":[\n${json({ ph: 'M', pid: PID, name: 'process_name', args: { name: 'sekvm-sim' } })}`];
    for (let cpu = 0; cpu < ctx.cpus; cpu++) head.push(this.trackNames(cpu));
    this.put(head.join(''));
    for (let cpu = 0; cpu < ctx.cpus; cpu++) this.tracks.set(cpu, this.newTrack(cpu));
  }

  write(r: TraceRecord): void {
    if (this.closed) throw new Error(`Perfetto trace '${this.path}': write after close`);
    const e = r.event;
    const out: string[] = [];
    let t = this.tracks.get(e.cpu);
    if (t === undefined) {
      // A pCPU beyond ctx.cpus: give it a track rather than lose its events.
      t = this.newTrack(e.cpu);
      this.tracks.set(e.cpu, t);
      out.push(this.trackNames(e.cpu));
    }
    // A pCPU's cycle count never goes back; if it did, a slice would end before it began.
    const ps = cyclesToPs(r.cycles, this.hz);
    if (ps > t.lastPs) t.lastPs = ps;
    this.step(t, e, t.lastPs, out);
    if (out.length > 0) this.put(out.join(''));
  }

  /** Ends the slices still open at the last time seen on their pCPU and finishes the JSON. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const out: string[] = [];
    for (const t of this.tracks.values()) this.end(t, t.lastPs, out);
    out.push('\n],"displayTimeUnit":"ns"}\n');
    this.put(out.join(''));
    closeSync(this.fd);
  }

  private newTrack(cpu: number): Track {
    return { tid: cpu + 1, open: null, inHvc: false, lastPs: 0n };
  }

  private trackNames(cpu: number): string {
    return `,\n${json({ ph: 'M', pid: PID, tid: cpu + 1, name: 'thread_name', args: { name: `pCPU ${cpu}` } })}` +
      `,\n${json({ ph: 'M', pid: PID, tid: cpu + 1, name: 'thread_sort_index', args: { sort_index: cpu } })}`;
  }

  /** What one event does to its pCPU's track: switch component, rename the open slice, or mark a point. */
  private step(t: Track, e: TraceEvent, ps: bigint, out: string[]): void {
    switch (e.kind) {
      case 'hvc':
        t.inHvc = true;
        this.begin(t, 'kcore', hvcName(e.name), ps, { nr: e.nr, ...Object.fromEntries(hvcArgs(e.nr, e.args)) }, out);
        return;
      case 'hvc-ret':
        if (t.open?.cat === 'kcore') {
          // VCPU_RUN returns from its exit slice ("exit DABT_LOW"): say which call returned.
          if (t.open.name !== hvcName(e.name)) t.open.args['hvc'] = hvcName(e.name);
          Object.assign(t.open.args, { ret: e.rejected ? Number(BigInt.asIntN(64, e.ret)) : e.ret, rejected: e.rejected });
        }
        t.inHvc = false;
        this.begin(t, 'kserv', 'KServ', ps, {}, out);
        return;
      case 'enter-guest':
        this.begin(t, 'guest', `VM ${e.vmid} vCPU ${e.vcpu}`, ps, { vmid: e.vmid, vcpu: e.vcpu, pc: e.pc }, out);
        return;
      case 'guest-exit':
        this.guestExit(t, e, ps, out);
        return;
      case 'enter-host':
        if (!t.inHvc) {
          this.begin(t, 'kserv', 'KServ', ps, {}, out);
        } else if (t.open?.cat === 'guest') {
          this.begin(t, 'kcore', 'return to host', ps, {}, out);
          t.open!.awaitingExit = true;
        }
        return;
      case 'kserv-user':
        this.begin(t, 'kserv-user', `KServ user: VM ${e.vmid} ${e.what}`, ps, { vmid: e.vmid, what: e.what }, out);
        return;
      default:
        out.push(this.instant(t, e, ps));
    }
  }

  private guestExit(t: Track, e: Extract<TraceEvent, { kind: 'guest-exit' }>, ps: bigint, out: string[]): void {
    const name = `exit ${exitName(e)}`;
    const args = { vmid: e.vmid, vcpu: e.vcpu, syndrome: describeExit(e), path: e.path };
    const pending = t.open;
    if (e.path === 'kcore') {
      // KCore handled the exit at EL2 and returned straight to the guest (no enter-guest).
      this.begin(t, 'kcore', name, ps, args, out);
      this.begin(t, 'guest', `VM ${e.vmid} vCPU ${e.vcpu}`, ps, { vmid: e.vmid, vcpu: e.vcpu }, out);
    } else if (pending !== null && pending.cat === 'kcore' && pending.awaitingExit) {
      pending.name = name;
      pending.awaitingExit = false;
      Object.assign(pending.args, args);
    } else {
      this.begin(t, 'kcore', name, ps, args, out);
    }
  }

  /** Ends the open slice at `ps` and opens the next. */
  private begin(t: Track, cat: Component, name: string, ps: bigint, args: Record<string, unknown>, out: string[]): void {
    this.end(t, ps, out);
    t.open = { cat, name, startPs: ps, args, awaitingExit: false };
  }

  private end(t: Track, ps: bigint, out: string[]): void {
    const s = t.open;
    if (s === null) return;
    t.open = null;
    out.push(`,\n{"ph":"X","pid":${PID},"tid":${t.tid},"ts":${usText(s.startPs)},"dur":${usText(ps - s.startPs)},` +
      `"cat":"${s.cat}","name":${JSON.stringify(s.name)},"args":${argsJson(s.args)}}`);
  }

  private instant(t: Track, e: TraceEvent, ps: bigint): string {
    const { kind, cpu: _cpu, ...fields } = e;
    return `,\n{"ph":"i","s":"t","pid":${PID},"tid":${t.tid},"ts":${usText(ps)},"cat":"${kind}",` +
      `"name":${JSON.stringify(instantName(e))},"args":${argsJson({ description: describeEvent(e), ...fields })}}`;
  }

  private put(s: string): void {
    try {
      // A file takes the whole string at once; only a short write needs the rest as bytes.
      const len = Buffer.byteLength(s, 'utf8');
      let n = writeSync(this.fd, s);
      if (n < len) {
        const b = Buffer.from(s, 'utf8');
        while (n < len) n += writeSync(this.fd, b, n);
      }
    } catch (e) {
      throw new Error(`cannot write the Perfetto trace to '${this.path}': ${reason(e)}`);
    }
  }
}

/** An fs error without the path Node appends (the message names the file already). */
function reason(e: unknown): string {
  return (e as Error).message.replace(/, (open|write) '.*'$/, '');
}
