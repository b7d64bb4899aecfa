/**
 * What the VM guests (guests/vm) print, for every runner: QEMU (qemu.test.ts), the stand-in
 * flat host (flat.test.ts), and our hypervisor in KVM and SeKVM modes (whoever integrates it
 * can import these). Each guest's source header shows the same transcript.
 */

/** Exact transcripts of the guests whose output does not depend on the platform. */
export const EXACT: Readonly<Record<string, string>> = {
  hello: [
    'hello from VM: vCPU 0 (MPIDR.Aff0 = 0)',
    'hello: EL1, MMU on, caches on',
    'hello: PSCI version >= 0.2: yes',
    'hello: RAM at 0x40000000 is writable: yes',
    'hello: goodbye',
    '',
  ].join('\n'),
  smp: [
    'smp: vCPU 0 up, starting vCPU 1',
    'smp: vCPU 1 up',
    'smp: counter = 20000 (expected 20000): ok',
    'smp: SGI ping-pong: 8 rounds, vCPU 1 took 8 SGI 1, vCPU 0 took 8 SGI 2: ok',
    'smp: vCPU 1 powering off',
    'smp: vCPU 1 is off',
    'smp: done',
    '',
  ].join('\n'),
  timer: [
    'timer: 5 interrupts (PPI 27): ok',
    'timer: CNTVCT advanced by >= 5 ms: ok',
    '',
  ].join('\n'),
  /** RESULT line removed (modeIndependent). */
  memtouch: [
    'memtouch: 4096 pages (16 MiB) from 0x41000000',
    'memtouch: fresh pages not zero: 0',
    'memtouch: verify errors: 0',
    'memtouch: checksum 0x3c2c50b9f5800000',
    '',
  ].join('\n'),
  /** [mode-dependent] lines removed (modeIndependent). */
  virtio: [
    'virtio: slot 0: device 2 (block), slot 1: device 1 (net), slot 2: device 0 (empty)',
    'virtio: unwritten sectors 7-14: status 0, contents ok',
    'virtio: 16 writes + 16 reads of 4096 bytes: status errors 0, data mismatches 0, interrupt-status errors 0',
    'virtio: sector 64 after the loop: status 0, contents ok',
    'virtio: done',
    '',
  ].join('\n'),
};

/**
 * attacker with CATCH_FAULTS = 0 (no hooks): its fifth line is the library's report of the
 * first fault (the read of 0x4400_0000; ESR bit 9, EA, is IMPLEMENTATION DEFINED), then SYSTEM_OFF.
 */
export const UNCAUGHT_FAULT = /^unexpected exception: ESR=0x96000[02]10 ELR=0x4008[0-9a-f]{4} FAR=0x44000000 vector=0x200 vCPU=0$/;

/** The virtio guest's [mode-dependent] lines in each mode. */
export const VIRTIO_MODE_LINES = {
  sekvm: [
    '[mode-dependent] buffer page not granted: status 2, buffer changed: no',
    '[mode-dependent] request page not granted: status 0xffffffff',
  ],
  kvm: [
    '[mode-dependent] buffer page not granted: status 0, buffer changed: yes',
    '[mode-dependent] request page not granted: status 0x0',
  ],
} as const;

/** Guest, RESULT name, vCPUs, for the micro-benchmarks. */
export const BENCHES: readonly (readonly [guest: string, result: string, smp: number])[] = [
  ['bench-hvc', 'hvc', 1],
  ['bench-mmio-user', 'mmio_read_user', 1],
  ['bench-mmio-vgic', 'mmio_read_vgic', 1],
  ['bench-eoi', 'eoi', 1],
  ['bench-ipi', 'ipi', 2],
];

/** The RESULT line format of lib/pmu.s `bench_report`. */
export function resultLine(name: string, iters: number): RegExp {
  return new RegExp(`^RESULT ${name} iters=${iters} cycles=\\d+ per_op=\\d+\\.\\d\\d cntvct=\\d+ ` +
    'cntvct_per_op=\\d+\\.\\d\\d ns_per_op=\\d+\\.\\d\\d$');
}

/** The output without `[mode-dependent]` and `RESULT` lines: equal under KVM and SeKVM. */
export function modeIndependent(output: string): string {
  return output.split('\n').filter((l) => !l.startsWith('[mode-dependent]') && !l.startsWith('RESULT ')).join('\n');
}

/**
 * Isolation problems in an attacker transcript (empty = none): it must reach its last line, and
 * the first read of every RAM-like IPA other than memory it wrote must be 0x0 or a fault; the
 * never-touched page must still read 0 after the pvops; a buffer outside RAM must give status 2.
 */
export function attackerViolations(output: string): string[] {
  const problems: string[] = [];
  const lines = output.split('\n');
  if (!lines.includes('attacker: start')) problems.push('no "attacker: start" line');
  const done = lines.find((l) => l.startsWith('attacker: done:'));
  if (!done) problems.push('the attacker did not finish (no "attacker: done:" line)');
  else if (!/ non-zero fresh reads 0$/.test(done)) problems.push(`fresh reads were not zero: ${done}`);
  for (const l of lines) {
    const m = /^attacker: read   (0x[0-9a-f]+): (.*)$/.exec(l);
    if (m && !(m[2] === '0x0' || m[2]!.startsWith('fault '))) problems.push(`first read of ${m[1]} saw data: ${l}`);
    if (/^unexpected (exception|interrupt)/.test(l)) problems.push(`the attacker crashed: ${l}`);
  }
  if (!lines.includes('attacker: reread 0x43800000: 0x0')) problems.push('the never-touched page 0x43800000 did not read 0 after the pvops');
  if (!lines.includes('attacker: reread 0x43000000: 0xa77ac4e5e47ac4e5')) problems.push('the attacker lost its own data at 0x43000000');
  for (const ipa of ['0x80000000', '0x7ffff000']) {
    if (!lines.includes(`attacker: block read into ${ipa}: status 2`)) problems.push(`block read into ${ipa} did not fail with status 2`);
  }
  return problems;
}
