// abort-regs: SRT and AR in the stage-2 data-abort syndrome (arm.md §3.2): Rt = 31 (XZR/WZR)
// is reported as SRT = 31; x30 as 30; load-acquire/store-release (LDAR/STLR, all sizes) set
// AR = 1 and keep ISV = 1; LDTR/STTR (unprivileged, no writeback) keep ISV = 1. Base
// registers other than x1 show that SRT is the transfer register, never the base.
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    isb
    adr x0, guest
    bl guest_call
    ldp x29, x30, [sp], #16
    ret

guest:
    ldr x1, =0x100000000
    ldr x2, =0x100000100
    ldr xzr, [x1, #0x08]
    ldr wzr, [x1, #0x10]
    str xzr, [x1, #0x18]
    strb wzr, [x1, #0x19]
    mov x29, x30
    ldr x30, [x2]
    str x30, [x2, #8]
    mov x30, x29
    ldar x3, [x1]
    ldar w4, [x2]
    ldarb w5, [x1]
    ldarh w6, [x2]
    stlr x7, [x1]
    stlr w8, [x2]
    stlrb w9, [x1]
    stlrh wzr, [x2]
    ldtr x10, [x1, #0x40]
    sttr w11, [x2, #0x44]
    ldtrsh x12, [x1, #0x46]
    hvc #HVC_EXIT
