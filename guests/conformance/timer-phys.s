// timer-phys: the EL1 physical timer (CNTP_*_EL0) driving PPI 30 (arm.md §6), used at EL2 with
// HCR_EL2.IMO = 1 so the physical IRQ is taken to EL2. No counter values are printed (they
// depend on timing), only relations:
//   (a) CVAL = now + 1000 ticks, ENABLE = 1, IMASK = 1: ISTATUS (bit 2) becomes 1 once the
//       counter passes CVAL, but the masked timer raises no interrupt;
//   (b) IMASK = 0: the interrupt (INTID 30) is taken; the handler sets IMASK and EOIs it;
//   (c) writing TVAL = t sets CVAL = CNTPCT + t (within the instructions around the write);
//       with t = 2^28 ticks the timer is not yet due: ISTATUS = 0;
//   (d) after the deadline TVAL (CVAL - CNTPCT, signed 32 bits) reads negative;
//   (e) ENABLE = 0: ISTATUS is not checked (UNKNOWN when disabled).
main:
    stp x29, x30, [sp, #-16]!
    bl gic_dist_init
    bl gic_cpu_init
    mov x0, #30
    bl gic_enable
    mrs x0, tpidr_el2
    adr x1, on_irq
    str x1, [x0, #PC_IRQHOOK]
    ldr x0, =(HCR_RW | HCR_IMO | HCR_FMO)
    msr hcr_el2, x0
    isb
    // (a)
    mrs x0, cntpct_el0
    add x0, x0, #1000
    msr cntp_cval_el0, x0
    mov x0, #3                          // ENABLE | IMASK
    msr cntp_ctl_el0, x0
    isb
1:  mrs x0, cntp_ctl_el0
    tbz x0, #2, 1b
    bl sayx
    .asciz "(a) CNTP_CTL_EL0 after the deadline, masked: "
    .balign 4
    bl window
    bl sayd
    .asciz "  interrupts taken: "
    .balign 4
    // (b)
    mov x0, #1                          // ENABLE, IMASK = 0
    msr cntp_ctl_el0, x0
    isb
    bl window
    bl sayd
    .asciz "(b) unmasked: interrupts taken: "
    .balign 4
    mrs x0, cntp_ctl_el0
    bl sayx
    .asciz "  CNTP_CTL_EL0 after the handler: "
    .balign 4
    // (c)
    mrs x19, cntpct_el0
    mov x0, #0x10000000
    msr cntp_tval_el0, x0
    isb
    mrs x20, cntpct_el0
    mrs x21, cntp_cval_el0
    mov x0, #0x10000000
    add x1, x19, x0
    add x2, x20, x0
    cmp x21, x1
    cset x0, hs
    cmp x21, x2
    cset x3, ls
    and x0, x0, x3
    bl sayd
    .asciz "(c) CNTPCT+t <= CVAL <= CNTPCT'+t after writing TVAL = t: "
    .balign 4
    mrs x0, cntp_ctl_el0
    bl sayx
    .asciz "  CNTP_CTL_EL0 long before the deadline: "
    .balign 4
    // (d)
    mov x0, #500
    msr cntp_tval_el0, x0
    isb
2:  mrs x0, cntp_ctl_el0
    tbz x0, #2, 2b
    // ISTATUS is already 1 when CNTPCT = CVAL (TVAL = 0): wait for the next tick.
    mrs x1, cntpct_el0
3:  mrs x2, cntpct_el0
    cmp x2, x1
    b.eq 3b
    mrs x0, cntp_tval_el0
    ubfx x0, x0, #31, #1
    bl sayd
    .asciz "(d) TVAL negative after the deadline: "
    .balign 4
    msr cntp_ctl_el0, xzr
    ldp x29, x30, [sp], #16
    ret

// window() -> x0: unmasks IRQs at EL2 for a while and returns the interrupts taken so far.
window:
    msr daifclr, #2
    isb
    mov x1, #2000
3:  subs x1, x1, #1
    b.ne 3b
    msr daifset, #2
    mrs x0, tpidr_el2
    ldr x0, [x0, #PC_USER]
    ret

on_irq:                                 // EL2 IRQ hook
    stp x29, x30, [sp, #-16]!
    mrs x2, icc_iar1_el1
    mov x0, x2
    bl sayd
    .asciz "  EL2 IRQ: INTID "
    .balign 4
    mrs x0, cntp_ctl_el0
    bl sayx
    .asciz "  CNTP_CTL_EL0 in the handler: "
    .balign 4
    mov x0, #3                          // ENABLE | IMASK: the timer stops asserting
    msr cntp_ctl_el0, x0
    isb
    msr icc_eoir1_el1, x2
    ldr x3, [x1, #PC_USER]
    add x3, x3, #1
    str x3, [x1, #PC_USER]
    ldp x29, x30, [sp], #16
    ret
