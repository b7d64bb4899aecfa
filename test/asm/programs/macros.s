// Macros, repetition and conditionals, compared byte for byte with GNU as (program.test.ts).
        .equ    NVEC, 4
        .set    DEBUG, 1

        .macro  ventry target, pad=0
        .align  7
        b       \target
        .if \pad
        nop
        .endif
        .endm

        .macro  save_regs base:req, regs:vararg
        .irp    r, \regs
        str     \r, [\base], #8
        .endr
        .endm

        .macro  counted
        mov     x0, #\@
1:      subs    x0, x0, #1
        b.ne    1b
        .endm

        .macro  early n
        .if \n > 2
        .exitm
        .endif
        mov     x1, #\n
        .endm

        .text
        .global _start
        .align  11
vectors:
        .rept   NVEC
        ventry  handler
        .endr
        ventry  handler, 1
        ventry  target=handler, pad=1
        .irpc   c, 0123
        movz    x\c, #\c
        .endr
handler:
        save_regs sp, x0, x1, x2
        counted
        counted
        early 1
        early 5
        .ifdef  DEBUG
        brk     #1
        .else
        nop
        .endif
        .ifndef NOPE
        hvc     #2
        .endif
        .if NVEC == 4 && DEBUG
        svc     #3
        .elseif NVEC == 5
        svc     #4
        .else
        svc     #5
        .endif
        .ifc    foo, foo
        smc     #6
        .endif
        .ifnc   foo, bar
        smc     #7
        .endif
        .ifeq   NVEC - 4
        smc     #8
        .endif
        .ifgt   NVEC
        smc     #9
        .endif
        .if 0
        .if 1
        udf     #1
        .endif
        .else
        smc     #10
        .endif
lbl:    counted
        .macro  sub1 a, b
        sub     \a, \a, \b
        .endm
        sub1    x3 x4
        sub1    x5, #1
        .purgem sub1
_start: ret
