// Conformance library, part 3: printing on the PL011 UART.
//
// Every public routine preserves all general-purpose registers (x0 included) and NZCV, so a
// test can print between any two instructions. The `say*` routines take their text inline,
// right after the call; the routine returns to the first aligned address after the string:
//
//     bl sayx
//     .asciz "esr="           // prints "esr=0x1234\n" if x0 = 0x1234
//     .balign 4
//
// Only CPU 0 prints in multi-CPU tests (characters from two CPUs would interleave).
// The routines run at EL2, EL1 or EL0 as long as the UART and the code are mapped.
.text

// ---- internal: clobber x0..x7 only, never touch the stack ----

// _pstr(x0 = string) -> x0 = first 4-aligned address after the NUL
_pstr:
    mov x1, #UART_BASE
1:  ldrb w2, [x0], #1
    cbz w2, 2f
    str w2, [x1]
    b 1b
2:  add x0, x0, #3
    and x0, x0, #~3
    ret

// _phex(x0): "0x" and the value in hex without leading zeros
_phex:
    mov x1, #UART_BASE
    mov w2, #'0'
    str w2, [x1]
    mov w2, #'x'
    str w2, [x1]
    mov x3, #60                         // shift of the current digit
    mov x4, #0                          // 1 once a digit has been printed
3:  lsr x2, x0, x3
    and x2, x2, #0xf
    orr x5, x2, x4
    cmp x3, #0
    ccmp x5, #0, #0, ne                 // skip leading zeros, but always print the last digit
    b.eq 4f
    mov x4, #1
    cmp x2, #10
    add x5, x2, #'0'
    add x6, x2, #('a' - 10)
    csel x5, x5, x6, lo
    str w5, [x1]
4:  subs x3, x3, #4
    b.ge 3b
    ret

// _pdec(x0): unsigned decimal
_pdec:
    sub sp, sp, #32                     // room for 20 digits
    mov x1, #UART_BASE
    mov x2, sp
    mov x3, x2
    mov x4, #10
5:  udiv x5, x0, x4
    msub x6, x5, x4, x0
    add x6, x6, #'0'
    strb w6, [x3], #1
    mov x0, x5
    cbnz x0, 5b
6:  ldrb w6, [x3, #-1]!
    str w6, [x1]
    cmp x3, x2
    b.ne 6b
    add sp, sp, #32
    ret

_pnl:
    mov x1, #UART_BASE
    mov w2, #'\n'
    str w2, [x1]
    ret

// _prel(x0): "T+0x…" or "T-0x…", the address relative to test_start, if it is within 1 MB
// of it (in the image); otherwise the absolute address (a test's chosen VA or IPA).
_prel:
    mov x1, #UART_BASE
    adr x7, test_start
    subs x3, x0, x7
    mov w2, #'+'
    b.pl 7f
    neg x3, x3
    mov w2, #'-'
7:  cmp x3, #0x100000
    b.hs _phex
    mov w4, #'T'
    str w4, [x1]
    str w2, [x1]
    mov x0, x3
    b _phex

// ---- public routines: preserve every register ----
// The frame (96 bytes): x0..x7 at [sp, #0..56], x30 at [sp, #64], NZCV at [sp, #72], kind at 80.
// say: print the inline string.
// sayh / sayn / sayr: the inline string, then x0 in hex / decimal / relative to test_start.
// sayx / sayd / sayrel: the same as sayh / sayn / sayr followed by a newline.
say:
    sub sp, sp, #96
    stp x6, x7, [sp, #48]
    mov x6, #0
    b _say
sayh:
    sub sp, sp, #96
    stp x6, x7, [sp, #48]
    mov x6, #1
    b _say
sayn:
    sub sp, sp, #96
    stp x6, x7, [sp, #48]
    mov x6, #2
    b _say
sayr:
    sub sp, sp, #96
    stp x6, x7, [sp, #48]
    mov x6, #3
    b _say
sayx:
    sub sp, sp, #96
    stp x6, x7, [sp, #48]
    mov x6, #(1 | 16)
    b _say
sayd:
    sub sp, sp, #96
    stp x6, x7, [sp, #48]
    mov x6, #(2 | 16)
    b _say
sayrel:
    sub sp, sp, #96
    stp x6, x7, [sp, #48]
    mov x6, #(3 | 16)
    b _say

// _say: the body of the routines above; x6 = what to print after the string (0 nothing,
// 1 hex, 2 decimal, 3 relative; +16 newline). x6/x7 are already saved.
_say:
    stp x0, x1, [sp]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    mrs x1, nzcv
    str x1, [sp, #72]
    str x6, [sp, #80]                   // the kind
    mov x0, x30
    bl _pstr
    str x0, [sp, #64]                   // return address: after the string
    ldr x6, [sp, #80]
    and x5, x6, #15
    ldr x0, [sp]
    cmp x5, #1
    b.ne 11f
    bl _phex
11: ldr x6, [sp, #80]
    and x5, x6, #15
    ldr x0, [sp]
    cmp x5, #2
    b.ne 12f
    bl _pdec
12: ldr x6, [sp, #80]
    and x5, x6, #15
    ldr x0, [sp]
    cmp x5, #3
    b.ne 13f
    bl _prel
13: ldr x6, [sp, #80]
    tbz x6, #4, 14f
    bl _pnl
14: b _restore

// maybe: prints "~ <text> {0x<x1>|0x<x2>} = 0x<x0>": an observation where the architecture
// allows either value x1 or x2; the harness accepts a "~ " line when the observed value is one
// of the two (test/conformance/compare.ts). The main use: a TLB may keep a translation until it
// is invalidated (Arm ARM D5.10.2, "TLB maintenance requirements") and may also drop it at any
// time, so without the right TLBI both the old and the new mapping are correct. Each program
// that prints "~ " lines names the rule that allows both values.
maybe:
    sub sp, sp, #96
    stp x0, x1, [sp]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    mrs x1, nzcv
    str x1, [sp, #72]
    str x30, [sp, #64]
    adr x0, str_tilde
    bl _pstr
    ldr x0, [sp, #64]
    bl _pstr
    str x0, [sp, #64]                   // return address: after the string
    adr x0, str_open
    bl _pstr
    ldr x0, [sp, #8]
    bl _phex
    adr x0, str_bar
    bl _pstr
    ldr x0, [sp, #16]
    bl _phex
    adr x0, str_close
    bl _pstr
    ldr x0, [sp]
    bl _phex
    bl _pnl
    b _restore

// putx / putd / putrel / puts / putc / nl: print x0 (hex, decimal, relative, string at x0,
// character) or a newline.
putx:
    sub sp, sp, #96
    stp x0, x1, [sp]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    mrs x1, nzcv
    str x1, [sp, #72]
    str x30, [sp, #64]
    bl _phex
    b _restore
putd:
    sub sp, sp, #96
    stp x0, x1, [sp]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    mrs x1, nzcv
    str x1, [sp, #72]
    str x30, [sp, #64]
    bl _pdec
    b _restore
putrel:
    sub sp, sp, #96
    stp x0, x1, [sp]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    mrs x1, nzcv
    str x1, [sp, #72]
    str x30, [sp, #64]
    bl _prel
    b _restore
puts:
    sub sp, sp, #96
    stp x0, x1, [sp]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    mrs x1, nzcv
    str x1, [sp, #72]
    str x30, [sp, #64]
    bl _pstr
    b _restore
putc:
    stp x1, x2, [sp, #-16]!
    mov x1, #UART_BASE
    str w0, [x1]
    ldp x1, x2, [sp], #16
    ret
nl:
    stp x1, x2, [sp, #-16]!
    mov x1, #UART_BASE
    mov w2, #'\n'
    str w2, [x1]
    ldp x1, x2, [sp], #16
    ret

_restore:
    ldr x1, [sp, #72]
    msr nzcv, x1
    ldr x30, [sp, #64]
    ldp x0, x1, [sp]
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    add sp, sp, #96
    ret

str_tilde: .asciz "~ "
str_open:  .asciz " {"
str_bar:   .asciz "|"
str_close: .asciz "} = "
.balign 4
