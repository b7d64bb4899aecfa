/**
 * Views of the application benchmarks (src/bench/apps.ts): a text table of runtimes normalized
 * to bare metal, the primitives behind SeKVM's difference per workload, host speed — and a
 * hand-written SVG bar chart in the style of the papers' figures (one group of bars per
 * workload: KVM and SeKVM for each VM count, normalized to native; a dashed line at 1.0).
 */
import type { AppsResult, AppRun } from './apps.js';
import { APP_WORKLOADS } from './apps.js';
import { table } from './micro-report.js';

const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function get(r: AppsResult, w: string, mode: AppRun['mode'], vms: number): AppRun | undefined {
  return r.runs.find((x) => x.workload === w && x.mode === mode && (mode === 'native' || x.vms === vms));
}

/** The names of the workloads present, in the papers' order. */
function present(r: AppsResult): (typeof APP_WORKLOADS)[number][] {
  return APP_WORKLOADS.filter((w) => r.runs.some((x) => x.workload === w.name));
}

/** Verdict on the seed's claim for one workload: SeKVM within `tol` of KVM (normalized). */
export function verdict(k: number, s: number, tol = 0.1): string {
  const d = s / k - 1;
  return Math.abs(d) <= tol ? `similar (SeKVM ${d >= 0 ? '+' : ''}${(d * 100).toFixed(1)}% vs KVM)` : `differs (SeKVM ${d >= 0 ? '+' : ''}${(d * 100).toFixed(1)}% vs KVM)`;
}

export function formatApps(r: AppsResult, costsOrigin: string): string[] {
  const lines: string[] = [];
  lines.push(`Application workloads on ${r.cpus} pCPUs (scale ${r.scale}); cost table: ${costsOrigin}.`);
  lines.push('Runtime of each VM\'s timed loop (CNTVCT), mean over the VMs, normalized to bare metal (1.00 = native; higher is slower).');
  lines.push('');
  const head = ['workload', 'vCPUs', 'bare metal (cycles)'];
  for (const v of r.vmCounts) head.push(`KVM ${v}VM`, `SeKVM ${v}VM`, `SeKVM/KVM ${v}VM`);
  const rows: string[][] = [];
  for (const w of present(r)) {
    const nat = get(r, w.name, 'native', 1);
    const row = [w.name, String(w.vcpus), nat ? fmt(nat.runtime) : '-'];
    for (const v of r.vmCounts) {
      const k = get(r, w.name, 'kvm', v), s = get(r, w.name, 'sekvm', v);
      row.push(k ? k.normalized.toFixed(3) : '-', s ? s.normalized.toFixed(3) : '-', k && s ? (s.normalized / k.normalized).toFixed(3) : '-');
    }
    rows.push(row);
  }
  lines.push(...table(head, rows, 2));
  lines.push('');
  lines.push('Against the seed\'s claim (SeKVM performs similar to KVM and scales similarly with many VMs; "similar" = within 10%):');
  for (const w of present(r)) {
    const parts = r.vmCounts.map((v) => {
      const k = get(r, w.name, 'kvm', v), s = get(r, w.name, 'sekvm', v);
      return k && s ? `${v} VM: ${verdict(k.normalized, s.normalized)}` : `${v} VM: -`;
    });
    const a = r.attribution.find((x) => x.workload === w.name);
    const drivers = a ? a.drivers.slice(0, 4).map((d) => `${d.key} ${d.cycles >= 0 ? '+' : ''}${fmt(d.cycles)}`).join(', ') : '';
    lines.push(`  ${w.name}: ${parts.join('; ')}`);
    if (a) lines.push(`    SeKVM − KVM per ${w.iterDefine === 'ROUNDS' ? 'round' : 'request'} (1 VM): ${drivers}`);
  }
  lines.push('');
  lines.push('Host speed:');
  const srows = r.runs.map((x) => [x.workload, x.mode === 'native' ? 'bare metal' : `${x.mode === 'kvm' ? 'KVM' : 'SeKVM'} ${x.vms}VM`,
    `${fmt(x.simCyclesPerSec / 1e6, 1)} M`, x.mode === 'native' ? '-' : `${fmt(x.exitsPerSec / 1e3, 2)} k`, fmt(x.seconds, 2)]);
  lines.push(...table(['workload', 'run', 'sim cycles/s', 'VM exits/s', 'host s'], srows, 2));
  return lines;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The bar chart (SVG 1.1, no script, no external resources). */
export function appsSvg(r: AppsResult): string {
  const ws = present(r);
  const series: { label: string; mode: 'kvm' | 'sekvm'; vms: number; fill: string }[] = [];
  const kvmFills = ['#9ecae1', '#3182bd', '#08519c'];
  const sekvmFills = ['#fdae6b', '#e6550d', '#a63603'];
  r.vmCounts.forEach((v, i) => {
    series.push({ label: `KVM, ${v} VM${v > 1 ? 's' : ''}`, mode: 'kvm', vms: v, fill: kvmFills[i % 3]! });
    series.push({ label: `SeKVM, ${v} VM${v > 1 ? 's' : ''}`, mode: 'sekvm', vms: v, fill: sekvmFills[i % 3]! });
  });
  const vals = ws.flatMap((w) => series.map((s) => get(r, w.name, s.mode, s.vms)?.normalized ?? 0));
  const top = Math.max(1.2, Math.ceil(Math.max(...vals, 1) * 5) / 5);
  const bw = 16, gap = 28, left = 60, plotH = 260, topPad = 40, bottom = 60;
  const groupW = series.length * bw;
  const width = left + ws.length * (groupW + gap) + gap + 10;
  const height = topPad + plotH + bottom + 22 * Math.ceil(series.length / 2);
  const y = (v: number): number => topPad + plotH - (v / top) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14">Application performance normalized to bare metal (lower is better)</text>`);
  for (let t = 0; t <= top + 1e-9; t += top > 3 ? 0.5 : 0.2) {
    const yy = y(t).toFixed(1);
    out.push(`<line x1="${left}" y1="${yy}" x2="${width - 10}" y2="${yy}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${t.toFixed(1)}</text>`);
  }
  out.push(`<line x1="${left}" y1="${y(1).toFixed(1)}" x2="${width - 10}" y2="${y(1).toFixed(1)}" stroke="#333" stroke-dasharray="4 3"/>`);
  out.push(`<line x1="${left}" y1="${topPad}" x2="${left}" y2="${topPad + plotH}" stroke="#333"/>`);
  out.push(`<text transform="translate(16 ${topPad + plotH / 2}) rotate(-90)" text-anchor="middle">normalized runtime</text>`);
  ws.forEach((w, i) => {
    const x0 = left + gap + i * (groupW + gap);
    series.forEach((s, j) => {
      const v = get(r, w.name, s.mode, s.vms)?.normalized;
      if (v === undefined) return;
      const x = x0 + j * bw;
      out.push(`<rect x="${x}" y="${y(v).toFixed(1)}" width="${bw - 2}" height="${(topPad + plotH - y(v)).toFixed(1)}" fill="${s.fill}"><title>${esc(`${w.paper}, ${s.label}: ${v.toFixed(3)}`)}</title></rect>`);
      out.push(`<text x="${x + (bw - 2) / 2}" y="${(y(v) - 3).toFixed(1)}" text-anchor="middle" font-size="8">${v.toFixed(2)}</text>`);
    });
    out.push(`<text x="${x0 + groupW / 2}" y="${topPad + plotH + 18}" text-anchor="middle">${esc(w.paper)}</text>`);
  });
  series.forEach((s, j) => {
    const lx = left + (j % 2) * 170, ly = topPad + plotH + 40 + Math.floor(j / 2) * 22;
    out.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${s.fill}"/><text x="${lx + 18}" y="${ly}">${esc(s.label)}</text>`);
  });
  out.push(`<text x="${width - 10}" y="${height - 6}" text-anchor="end" font-size="9" fill="#666">sekvm-sim bench apps, ${r.cpus} pCPUs, simulated cycles</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
