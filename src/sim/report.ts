/**
 * The end-of-run report: RunSummary → text a student can read (aligned columns, words before
 * numbers). `sekvm-sim run`, `sekvm-sim demo` and the tests share it. Pure: no I/O, and
 * everything but the `wall-clock` line is a function of the run, so two runs with the same seed
 * give the same text except that line.
 */
import { describeEvent } from '../trace/text.js';
import type { RunSummary, VmSummary } from './system.js';

/** Linux errno names for the values KVM_CREATE_VM and friends return. */
const ERRNO: Readonly<Record<number, string>> = {
  1: 'EPERM', 2: 'ENOENT', 7: 'E2BIG', 12: 'ENOMEM', 14: 'EFAULT', 16: 'EBUSY', 22: 'EINVAL', 28: 'ENOSPC', 95: 'EOPNOTSUPP',
};

/** `EINVAL (22)` for -22n. */
export function errnoName(errno: bigint): string {
  const n = Number(-errno);
  return `${ERRNO[n] ?? 'errno'} (${n})`;
}

/** 1234567 → `1,234,567`. */
export function grouped(n: number | bigint): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

type Align = 'l' | 'r';

/** Rows as aligned columns, two spaces apart, indented by `indent`; trailing blanks removed. */
export function columns(rows: readonly (readonly string[])[], align: readonly Align[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => indent + r.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** How the run ended, in one sentence. */
export function endedHow(s: RunSummary): string {
  const failed = s.vms.filter((v) => v.state === 'failed').length;
  const notCreated = s.createErrors.length;
  switch (s.stop) {
    case 'all-off': {
      const bad = [failed ? `${failed} failed` : '', notCreated ? `${notCreated} could not be created` : ''].filter(Boolean);
      return bad.length === 0 ? 'every VM powered off normally' : `every VM stopped, but ${bad.join(' and ')}`;
    }
    case 'halted':
      return s.detail;
    case 'limit':
      return `hit the step limit: ${s.detail}, with VMs still running`;
    case 'stuck':
      return `stuck: ${s.detail}`;
    case 'violation':
      return `stopped by the live checks: ${s.detail}`;
    default: {
      const never: never = s.stop;
      return never;
    }
  }
}

/** True when the run ended the way a good run ends: every VM created and powered off. */
export function runSucceeded(s: RunSummary): boolean {
  return s.stop === 'all-off' && s.createErrors.length === 0 && s.vms.every((v) => v.state === 'off');
}

function vmState(v: VmSummary): string {
  return v.state === 'off' ? 'powered off' : v.state;
}

function vmTable(s: RunSummary): string[] {
  const rows: string[][] = [['VM', 'VMID', 'vCPUs', 'state', 'UART lines', 'failure']];
  for (const v of s.vms) rows.push([v.name, String(v.vmid), String(v.vcpus), vmState(v), String(v.output.length), v.failure ?? '']);
  for (const c of s.createErrors) rows.push([c.name, '-', '-', 'not created', '-', `creating it failed: ${errnoName(c.errno)}`]);
  return ['VMs', ...columns(rows, ['l', 'r', 'r', 'l', 'r', 'l'])];
}

/** Exits by reason (rows) and by where they were handled (columns). */
function exitTable(s: RunSummary): string[] {
  const kcoreRows = [...s.kcoreExitsByEc].map(([ec, n]) => [ec, n, 0, 0] as const);
  // KServ's reasons: `DABT_LOW(user)` is an MMIO exit handled by QEMU-like user space.
  const kservRows = [...s.exitsByEc].map(([ec, n]) => (ec.endsWith('(user)') ? [ec, 0, 0, n] as const : [ec, 0, n, 0] as const));
  const merged = new Map<string, [number, number, number]>();
  for (const [ec, a, b, c] of [...kcoreRows, ...kservRows]) {
    const m = merged.get(ec) ?? [0, 0, 0];
    merged.set(ec, [m[0] + a, m[1] + b, m[2] + c]);
  }
  const cell = (n: number): string => (n === 0 ? '-' : grouped(n));
  const rows: string[][] = [['exit reason (EC)', 'in KCore', 'to KServ', 'KServ user space', 'total']];
  const names = [...merged.keys()].sort();
  for (const ec of names) {
    const [a, b, c] = merged.get(ec)!;
    rows.push([ec, cell(a), cell(b), cell(c), grouped(a + b + c)]);
  }
  const p = s.exitsByPath;
  rows.push(['all exits', cell(p.kcore), cell(p.kserv), cell(p['kserv-user']), grouped(p.kcore + p.kserv + p['kserv-user'])]);
  const note = s.mode === 'kvm' ? ['  (KVM mode: no KCore; every exit goes to the host kernel or its user space)'] : [];
  return ['exits', ...columns(rows, ['l', 'r', 'r', 'r', 'r']), ...note];
}

function ownerOrder(a: string, b: string): number {
  const rank = (o: string): number => (o === 'host' ? -2 : o === 'KCore' ? -1 : Number(o.replace(/^VM /, '')));
  return rank(a) - rank(b);
}

/** More VM owners than this are summed into one row. */
const MAX_VM_ROWS = 8;

function pageTable(s: RunSummary): string[] {
  const owners = [...new Set([...s.pagesAtStop.keys(), ...s.pagesByOwner.keys()])].sort(ownerOrder);
  const vmOwners = owners.filter((o) => o.startsWith('VM '));
  const tornDown = s.stop === 'all-off';
  const sum = (m: ReadonlyMap<string, number>, os: readonly string[]): number => os.reduce((a, o) => a + (m.get(o) ?? 0), 0);
  const groups: [string, string[]][] = owners.filter((o) => !o.startsWith('VM ')).map((o) => [o, [o]]);
  if (vmOwners.length > MAX_VM_ROWS) groups.push([`${vmOwners.length} VMs (${ranges(vmOwners.map((o) => Number(o.slice(3))))})`, vmOwners]);
  else groups.push(...vmOwners.map((o): [string, string[]] => [o, [o]]));
  const cell = (n: number): string => (n === 0 ? '-' : grouped(n));
  const rows: string[][] = [tornDown ? ['owner', 'when the VMs stopped', 'after teardown'] : ['owner', 'when the run stopped']];
  for (const [label, os] of groups) {
    rows.push(tornDown ? [label, cell(sum(s.pagesAtStop, os)), cell(sum(s.pagesByOwner, os))] : [label, cell(sum(s.pagesAtStop, os))]);
  }
  const from = s.mode === 'sekvm' ? "KCore's s2page array" : "KServ's bookkeeping";
  return [`pages of 4 KiB by owner (from ${from})`, ...columns(rows, ['l', 'r', 'r'])];
}

/** [1, 2, 3, 5] → `1-3, 5`. */
export function ranges(ns: readonly number[]): string {
  const sorted = [...ns].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return out.join(', ');
}

function violationLines(s: RunSummary): string[] {
  if (s.violations.length === 0) return [];
  const counts = new Map<string, number>();
  for (const v of s.violations) {
    const line = `${v.mode === 'halt' ? 'HALTED KCore: ' : ''}${v.where}: ${v.detail} [${v.code}]`;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return ['KCore refused (a check failed)', ...[...counts].map(([l, n]) => `  ${n > 1 ? `${n}× ` : ''}${l}`)];
}

/** The live checks (--check): how many ran, and for a violation the witness, the events before it and the seed. */
function checkLines(s: RunSummary): string[] {
  const c = s.checks;
  if (c === null) return [];
  const head = `live checks: ${grouped(c.incremental)} incremental, ${grouped(c.full)} full`;
  if (c.violations.length === 0) return [`${head}: no invariant violated`];
  const w = c.violations[0]!;
  const at = [w.pfn !== undefined ? `pfn 0x${w.pfn.toString(16)}` : '', w.vmid !== undefined ? `VM ${w.vmid}` : '', w.gfn !== undefined ? `gfn 0x${w.gfn.toString(16)}` : '',
    w.ipa !== undefined ? `address 0x${w.ipa.toString(16)}` : '', w.cpu !== undefined ? `pCPU ${w.cpu}` : ''].filter(Boolean).join(', ');
  return [
    `${head}: INVARIANT VIOLATED (seed ${c.seed}; rerun with the same seed to reproduce)`,
    `  ${w.invariant}: ${w.message}`,
    ...(at ? [`  witness: ${at}`] : []),
    ...(c.violations.length > 1 ? [`  (${c.violations.length - 1} more witnesses)`] : []),
    '  the events just before:',
    ...c.lastEvents.slice(-12).map((r) => `    [cpu${r.event.cpu} ${grouped(r.cycles)}] ${describeEvent(r.event)}`),
  ];
}

/** Seconds in the unit that keeps 1 to 3 digits before the point: `2.345 ms`. */
export function duration(seconds: number): string {
  if (seconds >= 1) return `${seconds.toFixed(3)} s`;
  if (seconds >= 1e-3) return `${(seconds * 1e3).toFixed(3)} ms`;
  return `${(seconds * 1e6).toFixed(3)} µs`;
}

function figures(s: RunSummary): string[] {
  const hz = `${s.cpuHz / 1e9} GHz`;
  const rows: string[][] = [
    ['VMIDs in use', s.vmidsInUse.length ? ranges(s.vmidsInUse) : 'none'],
    ['hypercalls', s.mode === 'sekvm' ? `${grouped(s.hypercalls)} issued to KCore, ${grouped(s.rejected)} rejected` : 'none (KVM mode has no KCore)'],
    ['guest instructions', grouped(s.guestInsns)],
    ['simulated time', `${duration(Number(s.cycles) / s.cpuHz)} (the furthest pCPU clock: ${grouped(s.cycles)} cycles at ${hz})`],
    ['wall-clock time', `${s.seconds.toFixed(2)} s (${grouped(s.steps)} scheduling steps)`],
  ];
  return columns(rows, ['l', 'l'], '');
}

/**
 * The report: how the run ended; per VM its name, VMID, vCPUs, final state and failure; exits
 * by reason and path; pages by owner; VMIDs; hypercalls; KCore's failed checks; guest
 * instructions; simulated and wall-clock time. Ends with a newline.
 */
export function formatSummary(s: RunSummary): string {
  const mode = s.mode === 'sekvm' ? 'SeKVM' : 'KVM';
  const parts: string[][] = [
    [`run ended (${mode} mode): ${endedHow(s)}`],
    vmTable(s),
    exitTable(s),
    pageTable(s),
    violationLines(s),
    checkLines(s),
    figures(s),
  ];
  return parts.filter((p) => p.length > 0).map((p) => p.join('\n')).join('\n\n') + '\n';
}
