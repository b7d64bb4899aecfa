/**
 * MMU and host-mode benchmarks (issue "The machine, part 2", item 9), all with stage 1 and
 * stage 2 enabled and TypeScript acting as EL2 (host mode):
 *  - MIPS on a TLB-hit-dominated loop;
 *  - MIPS on a page-striding loop (one load per 4 KB page over 64 MiB: every access misses the
 *    1024-entry TLB), and the TLB-miss walks per second it implies;
 *  - host-mode HVC round trips per second (guest HVC → exit to TypeScript → ERET → guest).
 */
import { Machine } from '../machine/machine.js';
import { VIRT } from '../board/virt.js';
import { EC, esrEc } from '../arch/esr.js';
import { parseElf } from '../loader/elf.js';
import { buildGuestElf } from './guests.js';
import { identityMap } from './identity-map.js';

export interface MmuFigures {
  readonly tlbHitMips: number;
  readonly strideMips: number;
  readonly walksPerSec: number;
  readonly hvcPerSec: number;
}

const RAM_MIB = 256;
const HVC_ROUND_TRIPS = 2_000_000;

function setupGuest(): Machine {
  const m = Machine.create({ cpus: 1, ramBase: VIRT.RAM, ramBytes: RAM_MIB << 20 });
  const img = parseElf(buildGuestElf('bench/mmu.s', VIRT.RAM + 0x80000n));
  if (!img.ok) throw new Error(img.error);
  for (const s of img.value.segments) if (s.memsz > 0n) m.writePhys(s.vaddr, s.data);
  const ramSize = BigInt(RAM_MIB) << 20n;
  // Tables live in the last 4 MiB of RAM: stage 2 maps all RAM; stage 1 maps all but the tables.
  const pool = VIRT.RAM + ramSize - (4n << 20n);
  const s2 = identityMap(m, 2, VIRT.RAM, ramSize, pool);
  const s1 = identityMap(m, 1, VIRT.RAM, ramSize - (4n << 20n), s2.end);
  m.setHostEls([2]);
  // Stage 2: 39-bit IPA from level 1 (T0SZ 25, SL0 1), 4 KB granule, inner-shareable WB walks, PS 40 bits.
  m.setSysRaw(0, 'VTCR_EL2', (1n << 31n) | 25n | (1n << 6n) | (1n << 8n) | (1n << 10n) | (3n << 12n) | (2n << 16n));
  m.setSysRaw(0, 'VTTBR_EL2', s2.root | (1n << 48n));
  m.setSysRaw(0, 'HCR_EL2', (1n << 31n) | 1n);   // RW, VM
  // Stage 1: 39-bit VA, TTBR1 walks disabled, MAIR attr 0 = Normal WB.
  m.setSysRaw(0, 'TCR_EL1', 25n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (1n << 23n) | (2n << 32n));
  m.setSysRaw(0, 'TTBR0_EL1', s1.root);
  m.setSysRaw(0, 'MAIR_EL1', 0xffn);
  m.setSysRaw(0, 'SCTLR_EL1', 0x30d00800n | 1n | (1n << 2n) | (1n << 12n));
  m.setPstate(0, 0x3c5n);   // EL1h
  m.setPc(0, img.value.entry);
  m.setX(0, 20, BigInt(HVC_ROUND_TRIPS));
  m.setOn(0, true);
  return m;
}

/** Runs until the guest's next `hvc #phase`; returns instructions and seconds. */
function runPhase(m: Machine, phase: number): { insns: number; secs: number } {
  let insns = 0;
  const t0 = process.hrtime.bigint();
  for (;;) {
    const e = m.run(0, 50_000_000);
    insns += e.insns;
    if (e.kind === 'budget') continue;
    if (e.kind !== 'exception' || esrEc(e.esr) !== EC.HVC64) throw new Error(`mmu bench: unexpected exit ${JSON.stringify(e, (_k, v) => typeof v === 'bigint' ? v.toString(16) : v)}`);
    const imm = e.esr & 0xffff;
    m.eret(0);
    if (imm === phase) break;
    throw new Error(`mmu bench: expected hvc #${phase}, got #${imm}`);
  }
  return { insns, secs: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/** Host-mode HVC round trips: exit, decode the exit, ERET, run again. */
function runHvcLoop(m: Machine): { trips: number; secs: number } {
  let trips = 0;
  const t0 = process.hrtime.bigint();
  for (;;) {
    const e = m.run(0, 1000);
    if (e.kind !== 'exception') continue;
    m.eret(0);
    if ((e.esr & 0xffff) === 3) break;
    trips++;
  }
  return { trips, secs: Number(process.hrtime.bigint() - t0) / 1e9 };
}

export async function benchMmu(log: (line: string) => void): Promise<MmuFigures> {
  const m = setupGuest();
  const p1 = runPhase(m, 1);
  const before = m.tlbStats(0);
  const p2 = runPhase(m, 2);
  const after = m.tlbStats(0);
  const misses = Number(after.misses - before.misses);
  const steps = Number(after.walkSteps - before.walkSteps);
  const h = runHvcLoop(m);
  const f: MmuFigures = {
    tlbHitMips: p1.insns / p1.secs / 1e6,
    strideMips: p2.insns / p2.secs / 1e6,
    walksPerSec: misses / p2.secs,
    hvcPerSec: h.trips / h.secs,
  };
  log(`stage 1+2, TLB-hit loop        ${p1.insns.toLocaleString('en-US').padStart(12)} insns  ${p1.secs.toFixed(3)} s  ${f.tlbHitMips.toFixed(1).padStart(7)} MIPS`);
  log(`stage 1+2, page-striding loop  ${p2.insns.toLocaleString('en-US').padStart(12)} insns  ${p2.secs.toFixed(3)} s  ${f.strideMips.toFixed(1).padStart(7)} MIPS` +
    `  (${misses.toLocaleString('en-US')} TLB misses, ${(steps / Math.max(1, misses)).toFixed(1)} descriptor reads each: ` +
    `${(f.walksPerSec / 1e6).toFixed(2)} M walks/s)`);
  log(`host-mode HVC round trips      ${h.trips.toLocaleString('en-US').padStart(12)} trips  ${h.secs.toFixed(3)} s  ${(f.hvcPerSec / 1e6).toFixed(2)} M round trips/s`);
  return f;
}
