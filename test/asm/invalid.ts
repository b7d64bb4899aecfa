/**
 * Lines GNU as rejects, one problem each: immediates out of range, unencodable bitmasks,
 * wrong register widths or SP/ZR where not allowed, bad addressing modes, unknown names,
 * branch targets out of range. The oracle checks GNU as and our assembler both reject them.
 */
export const INVALID_HEADER = ['.arch armv8.4-a', '.text', 'invalid_start:'].join('\n');

export const INVALID: readonly string[] = [
  // immediates
  'add x0, x1, #0x1001000', 'add x0, x1, #4097', 'sub w0, w1, #0x1000001', 'cmp x0, #0x1234567', 'add x0, x1, #1, lsl #3',
  'movz x0, #0x10000', 'movz w0, #1, lsl #32', 'movk x0, #1, lsl #8', 'movn x0, #-1', 'mov x0, #0x123456789',
  'mov w0, #0x123456', 'mov w0, #0x100000000', 'svc #0x10000', 'hvc #-1', 'brk #65536', 'hint #128', 'clrex #16',
  'dmb #16', 'dsb #-1', 'isb #16', 'msr daifset, #16', 'msr spsel, #2', 'msr pan, #2', 'ccmp x0, #32, #0, eq',
  'ccmp x0, x1, #16, eq', 'tbz w0, #32, .', 'tbz x0, #64, .', 'tbnz x0, #-1, .', 'lsl x0, x1, #64', 'lsl w0, w1, #32',
  'lsr w0, w1, #32', 'asr x0, x1, #64', 'ror w0, w1, #32', 'ubfx x0, x1, #60, #8', 'sbfx w0, w1, #0, #33',
  'bfi x0, x1, #64, #1', 'ubfiz w0, w1, #31, #2', 'bfxil x0, x1, #1, #0', 'extr x0, x1, x2, #64', 'extr w0, w1, w2, #32',
  'sbfm x0, x1, #64, #0', 'ubfm w0, w1, #0, #32', 'udf #65536', 'sys #8, c1, c2, #0', 'sys #0, c16, c2, #0', 'sys #0, c1, c2, #8',
  // bitmask immediates
  'and x0, x1, #0', 'and x0, x1, #-1', 'orr x0, x1, #0x123', 'eor w0, w1, #0xffffffff', 'ands w0, w1, #0x100000000',
  'tst x0, #0x1234', 'and w0, w1, #0', 'bic x0, x1, #-1', 'mov x0, #0x1234567800000001',
  // shifts and extends
  'add x0, x1, x2, ror #1', 'add x0, x1, x2, lsl #64', 'add w0, w1, w2, lsl #32', 'and x0, x1, x2, lsl #64',
  'add x0, x1, w2', 'add x0, sp, x1, lsl #5', 'add x0, x1, w2, uxtw #5', 
  'cmp x0, x1, ror #3', 'neg x0, x1, ror #2', 'mvn x0, x1, msl #8', 'add x0, x1, x2, lsl',
  // registers
  'mov x0, w1', 'mov w0, x1', 'add w0, w1, x2', 'add x0, xzr, #1', 'add xzr, x1, #1', 'adds sp, x1, #1', 'sub x0, x1, sp',
  'and sp, x1, x2', 'orr x0, sp, #1', 'mul sp, x1, x2', 'madd x0, x1, x2, sp', 'smull x0, x1, x2', 'umulh x0, w1, w2',
  'csel x0, x1, w2, eq', 'cset sp, eq', 'adc x0, sp, x1', 'ldr x0, [xzr]', 'ldr sp, [x1]', 'ldr w0, [w1]', 'ldrb x0, [x1]',
  'ldrsw w0, [x1]', 'ldrh x0, [x1]', 'strb x0, [x1]', 'stxr x0, x1, [x2]', 'stxr w0, w1, [w2]', 'ldxp x0, w1, [x2]',
  'casp x1, x2, x3, x4, [x5]', 'casp x0, x2, x4, x5, [x6]', 'casp x0, x1, x4, x6, [x7]', 'cas x0, w1, [x2]', 'ldadd x0, w1, [x2]',
  'stadd x0, [xzr]', 'swp x0, sp, [x1]', 'ret w0', 'br sp', 'blr w1', 'cbz sp, .', 'tbz sp, #1, .', 'mrs w0, midr_el1',
  'msr midr_el1, w0', 'mrs x0, no_such_reg', 'mrs x0, s3_8_c0_c0_0', 'mrs x0, s3_0_c16_c0_0',
  'sysl x0, #0, c1, c2, #8', 'tlbi vae1', 'tlbi vmalle1, x0', 'dc zva', 'ic iallu, x0', 'at s1e1r', 'tlbi nope, x0',
  'dc nope, x0', 'sxtb x0, x1', 'sxtw w0, w1', 'rev32 w0, w1', 'crc32x w0, w1, w2', 'crc32b x0, w1, w2',
  // addressing modes
  'ldr x0, [x1, #4]!x', 'ldr x0, [x1, #32768]', 'ldr x0, [x1, #-257]', 'ldr w0, [x1, #16381]', 'ldrh w0, [x1, #8191]',
  'ldr x0, [x1, #256]!', 'ldr x0, [x1], #-257', 'ldr x0, [x1, x2, lsl #2]', 'ldr w0, [x1, x2, lsl #3]', 'ldrb w0, [x1, x2, lsl #1]',
  'ldr x0, [x1, w2, lsl #3]', 'ldr x0, [x1, x2, uxtw]', 'ldr x0, [x1, w2, sxtx]', 'ldr x0, [x1, w2]', 'ldr x0, [x1, sp]',
  'ldp x0, x1, [x2, #4]', 'ldp x0, x1, [x2, #512]', 'ldp w0, w1, [x2, #-260]', 'ldp x0, x1, [x2, x3]', 'stp x0, x1, [x2], #1',
  'ldpsw x0, x1, [x2, #2]', 'ldnp x0, x1, [x2, #8]!', 'ldxr x0, [x1, #8]', 'ldar x0, [x1, #1]', 'ldadd x0, x1, [x2, #8]',
  'prfm pldl4keep, [x0]', 'prfm nope, [x0]', 'prfm #32, [x0]', 'prfm pldl1keep, [x0, #8]!', 'ldtr x0, [x1, #256]',
  'ldur x0, [x1, #-257]', 'sturb w0, [x1], #1', 'ldrsw x0, [x1, #1]!x',
  // names and operands
  'foo x0', 'ldrsw w0, [x1]', 'b.xx .', 'dmb nope', 'dsb ishh', 'isb ish', 'csel x0, x1, x2, xx', 'cset x0, al',
  'cinc x0, x1, nv', 'msr nopefield, #1', 'nop x0', 'ret x0, x1', 'add x0, x1', 'eret x0', 'svc', 'mov x0',
  // branch targets
  'b .+0x8000000', 'b .-0x8000004', 'bl .+2', 'b.eq .+0x100000', 'cbz x0, .-0x100004', 'tbz x0, #1, .+0x8000',
  'adr x0, .+0x100000', 'ldr x0, .+0x100000', 'ldr x0, .+2', 'ldrsw x0, .-0x100004',
];
