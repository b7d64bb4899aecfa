// timer-virt: the virtual counter and timer (arm.md §6: CNTV_* drives PPI 27).
//   (a) CNTVCT_EL0 = CNTPCT_EL0 - CNTVOFF_EL2 (with HCR_EL2.E2H = 0 this holds at EL2 as well
//       as at EL1): read CNTPCT, CNTVCT, CNTPCT; the virtual count must lie between the two
//       physical reads minus the offset. Checked at EL2 and in a guest at EL1, with
//       CNTVOFF_EL2 = -2^28 (the virtual count runs 2^28 ticks ahead).
//   (b) the virtual timer compares CVAL with the VIRTUAL count: CVAL = CNTPCT + 2^26 is already
//       reached for CNTV (ISTATUS = 1) but not for CNTP (ISTATUS = 0).
//   (c) CNTV with CVAL = CNTVCT + 1000 fires INTID 27, taken to EL2 (HCR_EL2.IMO = 1).
.equ OFFSET, 0xfffffffff0000000
main:
    stp x29, x30, [sp, #-16]!
    bl gic_dist_init
    bl gic_cpu_init
    mov x0, #27
    bl gic_enable
    mrs x0, tpidr_el2
    adr x1, on_irq
    str x1, [x0, #PC_IRQHOOK]
    ldr x0, =OFFSET
    msr cntvoff_el2, x0
    isb
    // (a)
    bl sample
    bl sayd
    .asciz "(a) EL2: CNTPCT - CNTVOFF <= CNTVCT <= CNTPCT' - CNTVOFF: "
    .balign 4
    mov x0, #1
    bl s2_std
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    adr x0, g_sample
    bl guest_call
    bl sayd
    .asciz "    EL1: the same: "
    .balign 4
    // (b)
    ldr x0, =(HCR_RW | HCR_IMO | HCR_FMO)
    msr hcr_el2, x0
    mrs x0, cntpct_el0
    mov x1, #0x4000000
    add x0, x0, x1
    msr cntv_cval_el0, x0
    msr cntp_cval_el0, x0
    mov x0, #3
    msr cntv_ctl_el0, x0
    msr cntp_ctl_el0, x0
    isb
    mrs x0, cntv_ctl_el0
    bl sayx
    .asciz "(b) CVAL = CNTPCT + 2^26: CNTV_CTL_EL0 = "
    .balign 4
    mrs x0, cntp_ctl_el0
    bl sayx
    .asciz "    CNTP_CTL_EL0 = "
    .balign 4
    msr cntp_ctl_el0, xzr
    // (c)
    mrs x0, cntvct_el0
    add x0, x0, #1000
    msr cntv_cval_el0, x0
    mov x0, #1
    msr cntv_ctl_el0, x0
    isb
1:  mrs x0, cntv_ctl_el0
    tbz x0, #2, 1b
    msr daifclr, #2
    isb
    mov x1, #2000
2:  subs x1, x1, #1
    b.ne 2b
    msr daifset, #2
    mrs x0, tpidr_el2
    ldr x0, [x0, #PC_USER]
    bl sayd
    .asciz "(c) interrupts taken: "
    .balign 4
    msr cntv_ctl_el0, xzr
    msr cntvoff_el2, xzr
    ldp x29, x30, [sp], #16
    ret

// sample() -> x0 = 1 if CNTPCT1 - off <= CNTVCT <= CNTPCT2 - off (mod 2^64), else 0.
// Works at EL2 and EL1 (the offset is passed in x1 for EL1, read directly at EL2).
sample:
    mrs x1, cntvoff_el2
sample_off:
    isb
    mrs x2, cntpct_el0
    isb
    mrs x3, cntvct_el0
    isb
    mrs x4, cntpct_el0
    sub x2, x2, x1                      // lower bound (virtual)
    sub x4, x4, x1                      // upper bound
    sub x3, x3, x2                      // distance above the lower bound
    sub x4, x4, x2                      // width of the window
    cmp x3, x4
    cset x0, ls
    ret

g_sample:
    ldr x1, =OFFSET
    bl sample_off
    hvc #HVC_EXIT

on_irq:
    stp x29, x30, [sp, #-16]!
    mrs x2, icc_iar1_el1
    mov x0, x2
    bl sayd
    .asciz "    EL2 IRQ: INTID "
    .balign 4
    mov x0, #3
    msr cntv_ctl_el0, x0
    isb
    msr icc_eoir1_el1, x2
    ldr x3, [x1, #PC_USER]
    add x3, x3, #1
    str x3, [x1, #PC_USER]
    ldp x29, x30, [sp], #16
    ret
