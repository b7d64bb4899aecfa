// trap-tvm: HCR_EL2.TVM traps EL1 WRITES of the virtual-memory controls (arm.md §4: SCTLR,
// TTBR0, TTBR1, TCR, ESR, FAR, AFSR0, AFSR1, MAIR, AMAIR, CONTEXTIDR, all _EL1) to EL2 with
// EC 0x18 and the full ISS (Op0, Op2, Op1, CRn, Rt, CRm, direction 0 = write; arm.md §3.2).
// The trapped write does not happen (EL2 steps over it: TTBR0_EL1 keeps its value); reads of
// the same registers are not trapped by TVM.
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    ldr x0, =0x4000
    msr ttbr0_el1, x0
    ldr x0, =(HCR_GUEST | HCR_TVM)
    msr hcr_el2, x0
    adr x0, guest
    bl guest_call
    bl sayx
    .asciz "guest read TTBR0_EL1 (not trapped): "
    .balign 4
    mrs x0, ttbr0_el1
    bl sayx
    .asciz "TTBR0_EL1 after the trapped write: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

guest:
    ldr x1, =SCTLR_EL1_BASE
    msr sctlr_el1, x1
    ldr x2, =0x9000
    msr ttbr0_el1, x2
    msr ttbr1_el1, x3
    msr tcr_el1, x4
    msr esr_el1, x5
    msr far_el1, x6
    msr afsr0_el1, x7
    msr afsr1_el1, x8
    msr mair_el1, x9
    msr amair_el1, x10
    msr contextidr_el1, x30
    mrs x11, sctlr_el1
    mrs x12, tcr_el1
    mrs x0, ttbr0_el1
    hvc #HVC_EXIT
