/** `sekvm-sim nonint`, in-process with stdout captured. */
import { describe, expect, it } from 'vitest';
import { command } from '../../src/cli/nonint.js';
import { UsageError } from '../../src/cli/command.js';
import { captureCliIo } from '../support/cli-io.js';

const io = captureCliIo('sekvm-nonint-');

describe('sekvm-sim nonint', () => {
  it('rejects bad options', async () => {
    await expect(command.run(['--kind', 'both-ways'])).rejects.toThrow(UsageError);
    await expect(command.run(['--bug', 'no-such-bug'])).rejects.toThrow(/unknown bug "no-such-bug"/);
    await expect(command.run(['--seed', 'x'])).rejects.toThrow(UsageError);
    await expect(command.run(['extra'])).rejects.toThrow(/unexpected argument/);
  });

  it('--bug exit-exposes-all-gprs: confidentiality fails on a register KServ should not see, exit status 1', async () => {
    const status = await command.run(['--kind', 'confidentiality', '--bug', 'exit-exposes-all-gprs']);
    expect(status).toBe(1);
    expect(io.out).toMatch(/KCore bugs: exit-exposes-all-gprs/);
    expect(io.out).toMatch(/run A: secret A .*: [\d,]+ observations \([\d,]+ hypercall results, .*exposed registers/);
    // The first difference is a register in KServ's vCPU struct at one of the victim's exits.
    expect(io.out).toMatch(/first difference: observation #\d+ \(host: exit \d+ \(VM 1 vCPU 0\): x\d+\): run A 0x[0-9a-f]+, run B 0x[0-9a-f]+/);
    expect(io.out).toMatch(/run A \(secret A .*\), the events up to it:\n(.*\n)*.*VM 1 vCPU 0 exit: ESR_EL2=/);
    expect(io.out).toMatch(/confidentiality: FAIL\nnonint: FAIL \(confidentiality\)\n$/);
  });
});
