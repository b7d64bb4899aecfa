// timer-hyp: the EL2 physical timer CNTHP_*_EL2 (arm.md §6: PPI 26). CVAL = now + 1000 with
// ENABLE = 1: ISTATUS becomes 1 after the deadline and INTID 26 is taken at EL2 (IMO = 1) once
// IRQs are unmasked; the handler masks the timer (IMASK) and EOIs. Then TVAL: writing TVAL = t
// sets CVAL = CNTPCT + t.
main:
    stp x29, x30, [sp, #-16]!
    bl gic_dist_init
    bl gic_cpu_init
    mov x0, #26
    bl gic_enable
    mrs x0, tpidr_el2
    adr x1, on_irq
    str x1, [x0, #PC_IRQHOOK]
    ldr x0, =(HCR_RW | HCR_IMO | HCR_FMO)
    msr hcr_el2, x0
    mrs x0, cntpct_el0
    add x0, x0, #1000
    msr cnthp_cval_el2, x0
    mov x0, #1
    msr cnthp_ctl_el2, x0
    isb
1:  mrs x0, cnthp_ctl_el2
    tbz x0, #2, 1b
    bl sayx
    .asciz "CNTHP_CTL_EL2 after the deadline: "
    .balign 4
    msr daifclr, #2
    isb
    mov x1, #2000
2:  subs x1, x1, #1
    b.ne 2b
    msr daifset, #2
    mrs x0, tpidr_el2
    ldr x0, [x0, #PC_USER]
    bl sayd
    .asciz "interrupts taken: "
    .balign 4
    mrs x19, cntpct_el0
    mov x0, #0x10000000
    msr cnthp_tval_el2, x0
    isb
    mrs x20, cntpct_el0
    mrs x21, cnthp_cval_el2
    mov x0, #0x10000000
    add x1, x19, x0
    add x2, x20, x0
    cmp x21, x1
    cset x0, hs
    cmp x21, x2
    cset x3, ls
    and x0, x0, x3
    bl sayd
    .asciz "CNTPCT+t <= CVAL <= CNTPCT'+t after writing TVAL = t: "
    .balign 4
    msr cnthp_ctl_el2, xzr
    ldp x29, x30, [sp], #16
    ret

on_irq:
    stp x29, x30, [sp, #-16]!
    mrs x2, icc_iar1_el1
    mov x0, x2
    bl sayd
    .asciz "EL2 IRQ: INTID "
    .balign 4
    mrs x0, cnthp_ctl_el2
    bl sayx
    .asciz "  CNTHP_CTL_EL2 in the handler: "
    .balign 4
    mov x0, #3
    msr cnthp_ctl_el2, x0
    isb
    msr icc_eoir1_el1, x2
    ldr x3, [x1, #PC_USER]
    add x3, x3, #1
    str x3, [x1, #PC_USER]
    ldp x29, x30, [sp], #16
    ret
