/**
 * Source syntax and directives: comments and separators, expressions with GNU precedence,
 * labels (including numeric local labels), sections, alignment, data, literal pools and
 * `:lo12:`. Expected bytes come from GNU as (checked by hand with aarch64-linux-gnu-as).
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import { bytesOf, ok, wordsOf } from './helpers.js';

const NOP = 0xd503201f;

describe('comments and statements', () => {
  it('accepts //, /* */ across lines, # at line start, and ; as a separator', () => {
    const src = '# a comment\n  # indented\nnop ; nop // c\n/* multi\nline */ nop\nx: y: nop';
    expect(wordsOf(src)).toEqual([NOP, NOP, NOP, NOP]);
  });

  it('is case-insensitive for mnemonics, registers and system register names', () => {
    expect(wordsOf('MOV X0, X1\nMrs X2, HCR_EL2\nTLBI VMALLS12E1IS')).toEqual([0xaa0103e0, 0xd53c1102, 0xd50c83df]);
  });

  it('keeps // inside strings', () => {
    expect(bytesOf('.data\n.ascii "a//b"', '.data')).toEqual([...Buffer.from('a//b')]);
  });

  it('accepts .arch, .cpu and other directives it ignores', () => {
    expect(wordsOf('.arch armv8.1-a\n.cpu cortex-a57\n.file "x.c"\n.ident "x"\n.cfi_startproc\nnop\n.cfi_endproc\n.type f, %function\n.size f, 4')).toEqual([NOP]);
  });
});

describe('expressions', () => {
  const value = (e: string): number => bytesOf(`.data\n.quad ${e}`, '.data').reduceRight((acc, b) => acc * 256 + b, 0);
  it('uses GNU precedence (| & ^ bind tighter than + -)', () => {
    expect(value('1 + 2 * 3')).toBe(7);
    expect(value('1 | 2 + 3')).toBe(6); // (1|2)+3 in GNU as; C would give 5
    expect(value('(1 + 2) * 3 - 4 / 2 % 3')).toBe(7);
    expect(value('1 << 4 >> 2')).toBe(4);
    expect(value('~0 & 0xff')).toBe(255);
    expect(value('-(-5)')).toBe(5);
  });
  it('reads hex, binary, octal, decimal and character constants', () => {
    expect(value('0x10 + 0b11 + 010 + 9 + \'a\'')).toBe(16 + 3 + 8 + 9 + 97);
  });
  it('treats comparison results as all ones', () => {
    expect(bytesOf('.data\n.byte 2 > 1, 1 > 2, 3 == 3', '.data')).toEqual([0xff, 0, 0xff]);
  });
  it('evaluates . and label differences', () => {
    expect(wordsOf('a: nop\nnop\nb: .word b - a, . - a')).toEqual([NOP, NOP, 8, 12]);
  });
  it('supports sym = expr, .equ and .set, including forward references', () => {
    expect(wordsOf('.word K + 1\nK = 4 * 4\n.equ J, K * 2\n.set L, J + 1\n.word J, L')).toEqual([17, 32, 33]);
  });
});

describe('labels', () => {
  it('resolves numeric local labels backward and forward', () => {
    const w = wordsOf('1: b 1f\n1: b 1b\n2: b 2f\nb 1b\n2: nop');
    expect(w).toEqual([0x14000001, 0x14000000, 0x14000002, 0x17fffffe, NOP]);
  });
  it('sets the entry to _start, else the start of .text', () => {
    expect(ok('nop\n_start: nop', 0x1000n).entry).toBe(0x1004n);
    expect(ok('nop\nnop', 0x1000n).entry).toBe(0x1000n);
  });
  it('exports labels as symbols, keeping .L and numeric labels local', () => {
    const o = ok('.global _start\n_start: nop\n.Lx: nop\n1: nop\nhelper: ret', 0x400000n);
    expect(o.symbols.map((s) => [s.name, s.value, s.global])).toEqual([['_start', 0x400000n, true], ['helper', 0x40000cn, false]]);
  });
});

describe('sections and layout', () => {
  it('lays out .text at the base, .rodata after it, .data on the next page, .bss after .data', () => {
    const o = ok('nop\n.section .rodata\n.quad 1\n.data\n.byte 1\n.bss\n.skip 16', 0x400000n);
    const at = Object.fromEntries(o.sections.map((s) => [s.name, s.addr]));
    expect(at).toEqual({ '.text': 0x400000n, '.rodata': 0x400004n, '.data': 0x401000n, '.bss': 0x401001n });
    const bss = o.sections.find((s) => s.name === '.bss')!;
    expect(bss.nobits).toBe(true);
    expect(bss.size).toBe(16);
  });
  it('switches sections with .section, .pushsection/.popsection and .previous', () => {
    const o = ok('nop\n.pushsection .data\n.byte 1\n.popsection\nnop\n.section .data\n.byte 2\n.previous\nnop');
    expect(words(o, '.text')).toEqual([NOP, NOP, NOP]);
    expect([...o.sections.find((s) => s.name === '.data')!.data]).toEqual([1, 2]);
  });
  it('honours section flags', () => {
    const o = ok('.section .mytext, "ax"\nnop\n.section .mydata, "aw", @progbits\n.word 1\n.section .mybss, "aw", %nobits\n.skip 4');
    const f = Object.fromEntries(o.sections.map((s) => [s.name, [s.flags.exec, s.flags.write, s.nobits]]));
    expect(f).toEqual({ '.mytext': [true, false, false], '.mydata': [false, true, false], '.mybss': [false, true, true] });
  });
  it('allocates .comm and .lcomm symbols in .bss', () => {
    const o = ok('.comm buf, 16, 8\n.lcomm tmp, 4\n.bss\n.skip 1', 0x400000n);
    const bss = o.sections.find((s) => s.name === '.bss')!;
    const syms = Object.fromEntries(o.symbols.map((s) => [s.name, s.value - bss.addr]));
    expect(syms).toEqual({ buf: 0n, tmp: 16n });
    expect(bss.size).toBe(21);
    expect(o.symbols.find((s) => s.name === 'buf')!.global).toBe(true);
    const local = ok('.local v\n.comm v, 4, 4');
    expect(local.symbols.find((s) => s.name === 'v')!.global).toBe(false);
  });
});

function words(o: ReturnType<typeof ok>, name: string): number[] {
  const s = o.sections.find((x) => x.name === name)!;
  const dv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
  return Array.from({ length: s.size / 4 }, (_, i) => dv.getUint32(4 * i, true));
}

describe('alignment and data', () => {
  it('pads code with zero bytes to a word, then NOPs (.align is a power of two on AArch64)', () => {
    expect(bytesOf('nop\n.byte 1\n.align 4\nret', '.text').length).toBe(20);
    expect(wordsOf('nop\n.byte 1\n.align 4\nret')).toEqual([NOP, 1, NOP, NOP, 0xd65f03c0]);
  });
  it('supports .p2align and .balign with fill and maximum', () => {
    expect(bytesOf('.data\n.byte 1\n.balign 4, 0xee\n.byte 2\n.p2align 3, 0x11, 2\n.byte 3\n.p2align 3, 0x22, 3\n.byte 4', '.data'))
      .toEqual([1, 0xee, 0xee, 0xee, 2, 3, 0x22, 0x22, 4]);
  });
  it('emits data of every size, little-endian', () => {
    const src = '.data\n.byte 1, -1\n.hword 0x1234\n.short 2\n.word 0x11223344\n.int 3\n.long 4\n.quad 5\n.xword 6\n.dword 7\n.2byte 8\n.4byte 9\n.8byte 10';
    expect(bytesOf(src, '.data').length).toBe(2 + 2 + 2 + 4 + 4 + 4 + 8 + 8 + 8 + 2 + 4 + 8);
    expect(bytesOf('.data\n.word 0x11223344', '.data')).toEqual([0x44, 0x33, 0x22, 0x11]);
  });
  it('emits strings with escapes, and .asciz/.string add a NUL', () => {
    expect(bytesOf('.data\n.ascii "a\\n\\t\\x41\\101\\\\\\"", "b"\n.asciz "c"\n.string "d"', '.data'))
      .toEqual([97, 10, 9, 0x41, 0x41, 92, 34, 98, 99, 0, 100, 0]);
  });
  it('emits .skip/.space with fill, .zero and .fill', () => {
    expect(bytesOf('.data\n.skip 2\n.space 2, 7\n.zero 1\n.fill 2, 2, 0x0102', '.data')).toEqual([0, 0, 7, 7, 0, 2, 1, 2, 1]);
  });
  it('emits .inst words', () => {
    expect(wordsOf('.inst 0xd503201f, 0xd65f03c0')).toEqual([NOP, 0xd65f03c0]);
  });
});

describe('literal pools and :lo12:', () => {
  it('places 4-byte literals first, then 8-byte ones aligned, at .ltorg (as GNU as does)', () => {
    const w = wordsOf('ldr w1, =5\nldr x0, =0x1122334455667788\nldr w2, =6\n.ltorg\nnop');
    expect(w).toEqual([0x18000061, 0x580000a0, 0x18000042, 5, 6, 0, 0x55667788, 0x11223344, NOP]);
  });
  it('shares slots for equal values and for the same symbol + offset', () => {
    const w = wordsOf('ldr x0, =lab\nldr x1, =lab+0\nldr x2, =7\nldr x3, =7\nlab: nop', '.text', 0x1000n);
    expect(w.slice(0, 4)).toEqual([0x580000c0, 0x580000a1, 0x580000c2, 0x580000a3]);
    expect(w.slice(4)).toEqual([NOP, 0, 0x1010, 0, 7, 0]);
  });
  it('flushes pools at the end of each section', () => {
    const o = ok('ldr x0, =1\n.data\n.word 9\nldr x1, =2');
    expect(words(o, '.text')).toEqual([0x58000040, 0, 1, 0]);
    expect(o.sections.find((s) => s.name === '.data')!.size).toBe(16);
  });
  it('resolves :lo12: in ADD and in scaled load/store offsets', () => {
    const w = wordsOf('adrp x0, sym\nadd x0, x0, :lo12:sym\nldr x1, [x0, #:lo12:sym]\nldrh w2, [x0, :lo12:sym+2]\n.skip 0x1230 - 16\nsym: .quad 0', '.text', 0x400000n);
    expect(w.slice(0, 4)).toEqual([0xb0000000, 0x9108c000, 0xf9411801, 0x79446402]);
  });
});

describe('GNU conveniences', () => {
  it('turns add/sub/cmp/cmn with a negative immediate into the opposite operation', () => {
    expect(wordsOf('add x0, x1, #-1\ncmp x0, #-1\nsub sp, sp, #-16')).toEqual([0xd1000420, 0xb100041f, 0x910043ff]);
  });
  it('uses LDUR for offsets that are negative or not scaled', () => {
    expect(wordsOf('ldr x0, [x1, #-8]\nldr x0, [x1, #4]\nldrb w0, [x1, #-1]')).toEqual([0xf85f8020, 0xf8404020, 0x385ff020]);
  });
  it('picks MOVZ, then MOVN, then ORR for mov #imm', () => {
    expect(wordsOf('mov x0, #0\nmov x0, #-1\nmov w0, #0xffffffff\nmov x0, #0x10000\nmov x0, #0x5555555555555555\nmov x0, #0xffffffff'))
      .toEqual([0xd2800000, 0x92800000, 0x12800000, 0xd2a00020, 0xb200f3e0, 0xb2407fe0]);
  });
  it('moves to and from sp with ADD', () => {
    expect(wordsOf('mov x0, sp\nmov sp, x1\nmov x0, x1')).toEqual([0x910003e0, 0x9100003f, 0xaa0103e0]);
  });
  it('accepts the fp, lr, ip0 and ip1 register aliases', () => {
    expect(wordsOf('mov x0, lr\nmov fp, x1\nmov ip0, x2\nmov ip1, x3')).toEqual([0xaa1e03e0, 0xaa0103fd, 0xaa0203f0, 0xaa0303f1]);
  });
  it('accepts bic with an immediate and b<cond> without the dot', () => {
    expect(wordsOf('bic x0, x1, #0xff\nbne .\nbhs .')).toEqual([0x9278dc20, 0x54000001, 0x54000002]);
  });
});

describe('options', () => {
  it('rejects a misaligned base', () => {
    const r = assemble('nop', { base: 2n });
    expect(r.ok).toBe(false);
  });
});

describe('macros, repetition and conditionals', () => {
  it('expands .rept, .irp and .irpc', () => {
    expect(wordsOf('.rept 3\nnop\n.endr')).toEqual([NOP, NOP, NOP]);
    expect(wordsOf('.irp r, 1, 2\nmov x\\r, #\\r\n.endr')).toEqual([0xd2800021, 0xd2800042]);
    expect(wordsOf('.irpc c, 12\n.word \\c\n.endr')).toEqual([1, 2]);
  });
  it('expands macros with defaults, keywords, \\@ and local labels', () => {
    const src = '.macro m a, b=7\nmov x0, #\\b\n1: b 1b\n.word \\@\n.endm\nm 1\nm b=3';
    expect(wordsOf(src)).toEqual([0xd28000e0, 0x14000000, 0, 0xd2800060, 0x14000000, 1]);
  });
  it('keeps the body line in errors inside a macro', () => {
    const r = assemble('.macro m\nmov x0, w1\n.endm\nnop\nm');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]!.line).toBe(2);
  });
  it('evaluates .if/.elseif/.else with earlier constants, and .ifdef with earlier symbols', () => {
    const src = 'K = 2\n.if K == 1\n.word 1\n.elseif K == 2\n.word 2\n.else\n.word 3\n.endif\nlab: .ifdef lab\n.word 4\n.endif\n.ifndef zz\n.word 5\n.endif';
    expect(wordsOf(src)).toEqual([2, 4, 5]);
  });
  it('reports unbalanced blocks, missing required arguments and .error', () => {
    expect(assemble('.macro m\nnop').ok).toBe(false);
    expect(assemble('.endif').ok).toBe(false);
    expect(assemble('.rept later\nnop\n.endr\nlater = 3').ok).toBe(false);
    const r = assemble('.macro m a:req\n.endm\nm\n.error "stop here"', { file: 'm.s' });
    expect(r.ok ? [] : r.error.map((e) => e.format())).toEqual([
      "m.s:3:1: error: missing value for required parameter 'a' of macro 'm'",
      'm.s:4:1: error: stop here',
    ]);
  });
});
