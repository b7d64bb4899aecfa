// trap-timer-pmu: traps of the counter/timer and performance-monitor registers (arm.md §4).
//   CNTHCTL_EL2.EL1PCTEN (bit 0) = 0: EL1 reads of CNTPCT_EL0 trap (EC 0x18); CNTVCT_EL0 never
//   CNTHCTL_EL2.EL1PCEN  (bit 1) = 0: EL1 accesses to CNTP_CTL/CVAL/TVAL_EL0 trap
//   MDCR_EL2.TPM   (bit 6) = 1: EL1 accesses to every PMU register trap
// The library sets CNTHCTL_EL2 = 3 at boot (nothing trapped); MDCR_EL2 keeps its HPMN field.
// MDCR_EL2.TPMCR (bit 5, PMCR_EL0 only) is not tested: QEMU 7.2 does not implement it.
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    bl say
    .asciz "CNTHCTL_EL2=3\n"
    .balign 4
    adr x0, g_timer
    bl guest_call
    bl say
    .asciz "CNTHCTL_EL2=2 (EL1PCTEN=0)\n"
    .balign 4
    mov x0, #2
    msr cnthctl_el2, x0
    adr x0, g_timer
    bl guest_call
    bl say
    .asciz "CNTHCTL_EL2=1 (EL1PCEN=0)\n"
    .balign 4
    mov x0, #1
    msr cnthctl_el2, x0
    adr x0, g_timer
    bl guest_call
    mov x0, #3
    msr cnthctl_el2, x0
    mrs x19, mdcr_el2
    bl say
    .asciz "MDCR_EL2.TPM=0\n"
    .balign 4
    adr x0, g_pmu
    bl guest_call
    bl say
    .asciz "MDCR_EL2.TPM=1\n"
    .balign 4
    orr x0, x19, #(1 << 6)
    msr mdcr_el2, x0
    adr x0, g_pmu
    bl guest_call
    msr mdcr_el2, x19
    ldp x29, x30, [sp], #16
    ret

g_timer:
    mrs x1, cntpct_el0
    mrs x2, cntvct_el0
    mrs x3, cntp_ctl_el0
    msr cntp_cval_el0, xzr
    mrs x4, cntp_tval_el0
    hvc #HVC_EXIT
g_pmu:
    mrs x1, pmcr_el0
    mrs x2, pmccntr_el0
    mrs x3, pmcntenset_el0
    msr pmselr_el0, xzr
    hvc #HVC_EXIT
