/**
 * Text and JSON views of the micro-benchmark results (src/bench/micro.ts): the KVM / SeKVM /
 * ratio table of the papers, then per test the cycles per operation by component and the
 * primitives that make up SeKVM's difference — the teaching view of where SeKVM pays.
 */
import { COMPONENTS, type Component } from '../cost/primitives.js';
import { MICRO_TESTS, PART_LABEL, workPerOp, type MicroResult } from './micro.js';
import type { HypMode } from '../kserv/hyp.js';

const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function find(rs: readonly MicroResult[], test: string, mode: HypMode): MicroResult | undefined {
  return rs.find((r) => r.test === test && r.mode === mode);
}

/** Per (component, primitive) cycles/op of `b` minus `a`, largest first. */
export function differences(a: MicroResult, b: MicroResult): { comp: Component; prim: string; cycles: number; steps: number }[] {
  const out: { comp: Component; prim: string; cycles: number; steps: number }[] = [];
  for (const comp of COMPONENTS) {
    const names = new Set([...Object.keys(a.parts[comp].steps), ...Object.keys(b.parts[comp].steps)]);
    for (const prim of names) {
      const x = a.parts[comp].steps[prim], y = b.parts[comp].steps[prim];
      const cycles = (y?.cycles ?? 0) - (x?.cycles ?? 0);
      const steps = (y?.n ?? 0) - (x?.n ?? 0);
      if (Math.abs(cycles) >= 0.5) out.push({ comp, prim, cycles, steps });
    }
  }
  return out.sort((p, q) => Math.abs(q.cycles) - Math.abs(p.cycles));
}

const SHORT: Record<Component, string> = { guest: 'guest', el2: 'EL2', kserv: 'KServ', 'kserv-user': 'QEMU' };

/** The report as text lines. */
export function formatMicro(rs: readonly MicroResult[], costsOrigin: string): string[] {
  const modes = [...new Set(rs.map((r) => r.mode))];
  const both = modes.includes('kvm') && modes.includes('sekvm');
  const iters = rs[0]?.iterations ?? 0;
  const lines: string[] = [];
  lines.push(`Micro-benchmarks (kvm-unit-tests arm/micro-bench, sekvm.md §7.2), ${fmt(iters)} iterations each.`);
  lines.push(`Cycles per operation as the guest measures them (PMCCNTR_EL0 around the loop); cost table: ${costsOrigin}.`);
  lines.push('');
  const head = ['paper row', 'test', ...modes.map((m) => (m === 'kvm' ? 'KVM' : 'SeKVM')), ...(both ? ['SeKVM/KVM'] : [])];
  const rows: string[][] = [];
  for (const t of MICRO_TESTS) {
    const per = modes.map((m) => find(rs, t.name, m));
    if (per.every((r) => r === undefined)) continue;
    const cells = per.map((r) => (r ? fmt(r.cyclesPerOp) : '-'));
    const k = find(rs, t.name, 'kvm'), s = find(rs, t.name, 'sekvm');
    rows.push([t.paper, t.name, ...cells, ...(both ? [k && s && k.cyclesPerOp > 0 ? (s.cyclesPerOp / k.cyclesPerOp).toFixed(2) : '-'] : [])]);
  }
  lines.push(...table(head, rows, 2));
  lines.push('');
  lines.push('Where the cycles go, per operation (work on all pCPUs; for ipi sender + receiver):');
  lines.push(`  ${COMPONENTS.map((c) => `${SHORT[c]} = ${PART_LABEL[c]}`).join(', ')}`);
  const brows: string[][] = [];
  for (const t of MICRO_TESTS) {
    for (const m of modes) {
      const r = find(rs, t.name, m);
      if (!r) continue;
      brows.push([t.name, m === 'kvm' ? 'KVM' : 'SeKVM', ...COMPONENTS.map((c) => fmt(r.parts[c].cycles)), fmt(workPerOp(r)),
        r.exitsPerOp.toFixed(2), r.kcoreExitsPerOp.toFixed(2)]);
    }
  }
  lines.push(...table(['test', 'mode', ...COMPONENTS.map((c) => SHORT[c]), 'total', 'exits→KServ', 'exits in KCore'], brows, 2));
  if (both) {
    lines.push('');
    lines.push('What SeKVM adds, per operation (cycles = steps × cost; component/primitive, largest first):');
    for (const t of MICRO_TESTS) {
      const k = find(rs, t.name, 'kvm'), s = find(rs, t.name, 'sekvm');
      if (!k || !s) continue;
      const d = differences(k, s);
      const total = workPerOp(s) - workPerOp(k);
      const top = d.slice(0, 8).map((x) => `${SHORT[x.comp]}/${x.prim} ${x.cycles >= 0 ? '+' : ''}${fmt(x.cycles)} (${x.steps >= 0 ? '+' : ''}${fmt(x.steps, x.steps % 1 === 0 ? 0 : 1)} steps)`);
      lines.push(`  ${t.name}: ${total >= 0 ? '+' : ''}${fmt(total)} cycles: ${top.join(', ')}`);
    }
  }
  lines.push('');
  lines.push('Host speed (the long run of each test):');
  const srows = rs.map((r) => [r.test, r.mode === 'kvm' ? 'KVM' : 'SeKVM', `${fmt(r.simCyclesPerSec / 1e6, 1)} M`, `${fmt(r.exitsPerSec / 1e3, 1)} k`]);
  lines.push(...table(['test', 'mode', 'sim cycles/s', 'VM exits/s'], srows, 2));
  return lines;
}

/** Right-aligned columns except the first two. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], indent = 0): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => ' '.repeat(indent) + r.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}
