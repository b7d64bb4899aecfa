/**
 * `sekvm-sim demo` (what `npm start` runs): guests/scenarios/demo.json through `sekvm-sim run`
 * — KCore, KServ and two VMs with two vCPUs each on four pCPUs, in SeKVM mode. It accepts the
 * same flags as `run` (src/cli/run.ts holds the shared code).
 */
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { parseArgs } from './args.js';
import { OPTIONS_HELP, parseRunFlags, RUN_OPTIONS, runScenario } from './run.js';
import { loadScenario } from '../sim/scenario.js';
import { repoPath } from '../util/repo.js';

/** The demo's scenario, relative to the repository. */
export const DEMO_SCENARIO = 'guests/scenarios/demo.json';

const USAGE = `usage: sekvm-sim demo [options]

The demonstration: SeKVM on a simulated Armv8-A machine with 4 pCPUs. KCore (the small,
verified part of the hypervisor) runs at EL2; KServ (the untrusted host: Linux's KVM and QEMU)
at EL1. KServ creates two VMs with 2 vCPUs each, whose boot images KCore verifies (Ed25519)
before they run:
  VM 1 'smp'     starts its second vCPU with PSCI, counts to 20000 under a spinlock shared by
                 both vCPUs, and plays SGI ping-pong between them (virtual interrupts);
  VM 2 'virtio'  does block I/O through a device in KServ's user space, granting the host
                 access to exactly the pages it uses, and shows that an ungranted page stays
                 out of the host's reach (it declares 2 vCPUs and uses vCPU 0).
Each VM's UART lines appear as they are printed, prefixed by the VM; then a report: exits by
reason and where they were handled (KCore, KServ, KServ user space), pages by owner, VMIDs,
hypercalls, simulated and wall-clock time. The scenario is ${DEMO_SCENARIO}; this is
\`sekvm-sim run ${DEMO_SCENARIO}\`, and takes the same options (try --mode kvm).

${OPTIONS_HELP}`;

export const command: Command = {
  name: 'demo',
  summary: 'run the demonstration: SeKVM with two VMs (what `npm start` shows)',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, RUN_OPTIONS);
    if (args.positionals.length > 0) throw new UsageError(`demo takes no file (it runs ${DEMO_SCENARIO}); use \`sekvm-sim run FILE\``);
    const flags = parseRunFlags(args);
    return runScenario(() => loadScenario(repoPath(DEMO_SCENARIO)), flags, 'demo');
  },
};
