/** Error reporting: every problem is an AsmError with file:line:col and a message saying what was expected. */
import { describe, expect, it } from 'vitest';
import { assemble, AsmError } from '../../src/asm/index.js';
import { errors } from './helpers.js';

describe('assembler errors', () => {
  const cases: [string, string][] = [
    ['mov x0, w3', 't.s:1:9: error: expected a 64-bit register, got \'w3\''],
    ['and x0, x1, #0x123', 't.s:1:13: error: immediate 0x123 cannot be encoded as a bitmask immediate'],
    ['ldr x0, [x1, #4097]', 't.s:1:9: error: offset 4097 out of range for ldr x (must be a multiple of 8 in 0..32760)'],
    ['b foo', "t.s:1:3: error: undefined symbol 'foo'"],
    ['foo x0, x1', "t.s:1:1: error: unknown instruction 'foo'"],
    ['mov x0, #0x123456789', 't.s:1:9: error: immediate 0x123456789 cannot be moved with one instruction (it is not a movz, movn or bitmask immediate)'],
    ['add x0, x1, #0x123456', 't.s:1:13: error: immediate 0x123456 out of range for add (must be in 0..4095, or a multiple of 4096 up to 0xfff000)'],
    ['lsl x0, x1, #64', 't.s:1:13: error: immediate 64 out of range (must be in 0..63)'],
    ['ldp x0, x1, [sp, #4]', 't.s:1:13: error: offset 4 out of range for ldp x (must be a multiple of 8 in -512..504)'],
    ['ldr x0, [x1, #-257]!', 't.s:1:9: error: offset -257 out of range for ldr x (must be in -256..255)'],
    ['ldr x0, [x1, w2]', "t.s:1:9: error: expected an extend (uxtw or sxtw) after index register 'w2'"],
    ['mrs x0, foo_el2', "t.s:1:9: error: unknown system register 'foo_el2' (use a name from src/arch/sysregs.ts or s<op0>_<op1>_c<n>_c<m>_<op2>)"],
    ['msr daifset, #16', 't.s:1:14: error: immediate 16 out of range (must be in 0..15)'],
    ['dmb foo', "t.s:1:5: error: unknown barrier option 'foo'"],
    ['svc #0x10000', 't.s:1:5: error: immediate 0x10000 out of range (must be in 0..0xffff)'],
    ['b.eq', 't.s:1:1: error: missing operand 1 of b.eq: expected a label'],
    ['ret x0, x1', 't.s:1:9: error: too many operands for ret (expected 1)'],
    ['nop x0', 't.s:1:5: error: nop takes no operands'],
    ['add x0, x1', 't.s:1:9: error: missing operand 3 of add: expected an immediate'],
    ['cset x0, al', "t.s:1:10: error: condition 'al' is not allowed for this alias"],
    ['stxr x0, x1, [x2]', "t.s:1:6: error: expected a 32-bit register, got 'x0'"],
    ['ldr x0, [xzr]', "t.s:1:9: error: expected a 64-bit base register or sp, got 'xzr'"],
    ['add x0, xzr, #1', "t.s:1:9: error: expected a 64-bit register or sp, got 'xzr' (xzr is not allowed here)"],
    ['adr x0, .+0x100000', 't.s:1:9: error: target out of range for adr (offset 0x100000, must be within ±1 MiB)'],
    ['b .+2', 't.s:1:3: error: target 0x400002 is not a multiple of 4 bytes away'],
    ['movk x0, #1, lsl #8', 't.s:1:14: error: shift amount 8 must be one of 0, 16, 32, 48'],
    ['tlbi vae1', 't.s:1:6: error: tlbi operation needs a register'],
    ['tlbi vmalle1, x0', 't.s:1:15: error: tlbi operation takes no register'],
    ['add x0, x1, x2, ror #3', "t.s:1:17: error: expected a shift (lsl, lsr, asr) with an amount, got 'ror #3'"],
    ['str x0, =5', 't.s:1:1: error: a literal (=expr) is only allowed as the second operand of ldr or ldrsw'],
    ['mov x0, x1,', 't.s:1:11: error: missing operand 3 (nothing after this comma)'],
    ['x: x: nop', "t.s:1:4: error: symbol 'x' is already defined (at line 1)"],
    ['.foo 1', "t.s:1:1: error: unknown or unsupported directive '.foo'"],
    ['.word undefined_sym', "t.s:1:7: error: undefined symbol 'undefined_sym'"],
    ['.align 40', 't.s:1:1: error: alignment exponent 40 out of range (must be in 0..30)'],
    ['.balign 3', 't.s:1:1: error: alignment 3 is not a power of 2'],
    ['.skip later\nlater: nop', "t.s:1:7: error: undefined symbol 'later' (size must be known when it is reached)"],
    ['.bss\n.word 1', 't.s:2:7: error: cannot put data in .bss (a NOBITS section holds only zeros)'],
    ['.word 1/0', 't.s:1:8: error: division by zero'],
    ['.quad "x"', 't.s:1:7: error: expected an expression, got \'"x"\''],
    ['.ascii "abc', 't.s:1:8: error: unterminated string'],
    ['ldr x0, [x1, :lo12:sym]\n.data\n.skip 4\nsym: .quad 1', 't.s:1:9: error: :lo12: offset 4 out of range for ldr x (must be a multiple of 8 in 0..32760)'],
    ['add x0, x1, :abs_g0:x', "t.s:1:14: error: unsupported modifier ':abs_g0:' (only :lo12: is supported)"],
    ['1: b 2b', "t.s:1:6: error: undefined symbol '2'"],
    ['nop\nnop\n.org 4', 't.s:3:1: error: .org would move the location counter backwards (from 8 to 4)'],
    ['.word a + b\na: .data\nb: .word 0', "t.s:1:9: error: cannot add two addresses"],
  ];
  for (const [src, msg] of cases) {
    it(`${JSON.stringify(src)} → ${msg.replace(/^t\.s:\d+:\d+: error: /, '')}`, () => {
      expect(errors(src)[0]).toBe(msg);
    });
  }

  it('reports every error, each with its own line, and never throws', () => {
    const src = ['nop', 'mov x0, w1', 'add x0, x0, #1', 'bogus', 'ldr x0, [x1, #3]!', 'b nowhere', 'ret'].join('\n');
    const r = assemble(src, { file: 'many.s' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((e) => `${e.line}:${e.column}`)).toEqual(['2:9', '4:1', '6:3']);
    expect(r.error.every((e) => e instanceof AsmError && e.file === 'many.s')).toBe(true);
  });

  it('never throws on garbage', () => {
    const junk = ['[[[', ']', 'mov [x0', '.section', '.quad ((((1', 'x: .set', '#', ':', 'ldr x0, [x1, x2, lsl]', 'b.', '"', "'", 'ldr x0, [x1], x2', '.align', '\u00e9t\u00e9: nop'];
    for (const j of junk) expect(() => assemble(j)).not.toThrow();
  });

  it('formats as file:line:col: error: message', () => {
    const e = new AsmError('a.s', 3, 7, 'oops');
    expect(e.format()).toBe('a.s:3:7: error: oops');
    expect(String(e)).toBe('a.s:3:7: error: oops');
  });

  it('reports truncated constants as warnings, like GNU as', () => {
    const r = assemble('.byte 0x100\nldr w0, =0x123456789', { file: 'w.s' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.warnings.map((w) => w.format())).toEqual([
      'w.s:1:7: warning: value 0x100 truncated to 0x0',
      'w.s:2:1: warning: value 0x123456789 truncated to 0x23456789',
    ]);
  });
});

describe('warnings for unpredictable register combinations and system register access (as GNU as warns)', () => {
  const cases: [string, string | null][] = [
    ['ldr x0, [x0], #8', 'unpredictable transfer with writeback'],
    ['str x0, [x0, #8]!', 'unpredictable transfer with writeback'],
    ['ldp x0, x1, [x0], #16', 'unpredictable transfer with writeback'],
    ['ldpsw x0, x1, [x1, #8]!', 'unpredictable transfer with writeback'],
    ['ldp x0, x0, [x1]', 'unpredictable load of register pair'],
    ['ldxp x0, x0, [x1]', 'unpredictable load of register pair'],
    ['stxr w0, x0, [x1]', 'unpredictable: identical transfer and status registers'],
    ['stxr w1, x0, [x1]', 'unpredictable: identical base and status registers'],
    ['stlxp w2, x1, x2, [x3]', 'unpredictable: identical transfer and status registers'],
    ['ldr x0, [sp], #8', null],
    ['ldr x1, [x0], #8', null],
    ['stp x0, x1, [sp, #-16]!', null],
    ['stxr w2, x0, [x1]', null],
    ['stp x0, x0, [x1]', null],
    ['msr midr_el1, x0', 'specified register cannot be written to'],
    ['mrs x0, icc_eoir1_el1', 'specified register cannot be read from'],
    ['msr hcr_el2, x0', null],
  ];
  for (const [src, msg] of cases) {
    it(`${src}: ${msg ?? 'no warning'}`, () => {
      const r = assemble(src, { file: 'u.s' });
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.value.warnings.map((w) => w.message)).toEqual(msg === null ? [] : [msg]);
    });
  }
});
