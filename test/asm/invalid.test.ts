/**
 * The negative oracle: every line of test/asm/invalid.ts is rejected by GNU as (checked in one
 * invocation) and by our assembler, with a file:line:col message.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import { GNU_AS, haveTool } from '../support/tools.js';
import { INVALID, INVALID_HEADER } from './invalid.js';

const headerLines = INVALID_HEADER.split('\n').length;

describe('invalid lines', () => {
  it('are all rejected by our assembler, with a position on the line', () => {
    const accepted: string[] = [];
    for (const line of INVALID) {
      const r = assemble(`${INVALID_HEADER}\n${line}\n`, { file: 'bad.s' });
      if (r.ok) accepted.push(line);
      else expect(r.error[0]!.line).toBe(headerLines + 1);
    }
    expect(accepted).toEqual([]);
  });

  it.runIf(haveTool(GNU_AS))('are all rejected by GNU as too (one invocation)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sekvm-inv-'));
    try {
      writeFileSync(join(dir, 'bad.s'), `${INVALID_HEADER}\n${INVALID.join('\n')}\n`);
      const r = spawnSync(GNU_AS, ['-o', join(dir, 'bad.o'), join(dir, 'bad.s')], { encoding: 'utf8' });
      const rejected = new Set([...r.stderr.matchAll(/bad\.s:(\d+): Error/g)].map((m) => Number(m[1])));
      const acceptedByGnu = INVALID.filter((_, i) => !rejected.has(headerLines + 1 + i));
      expect(acceptedByGnu).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
