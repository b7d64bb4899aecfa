// trap-id: identification registers and ACTLR (arm.md §4).
//   - EL1 reads of MIDR_EL1 / MPIDR_EL1 return VPIDR_EL2 / VMPIDR_EL2 (set here to made-up
//     values), never trapped;
//   - HCR_EL2.TID3 traps EL1 reads of the ID group 3 registers (ID_AA64PFR0/1, ID_AA64DFR0,
//     ID_AA64ISAR0/1, ID_AA64MMFR0/1/2, and the AArch32 ones such as MVFR0_EL1 = S3_0_C0_C3_0)
//     with EC 0x18; without TID3 they are not trapped (their values are not printed: they
//     describe the CPU model);
//   - HCR_EL2.TACR traps EL1 reads and writes of ACTLR_EL1.
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    ldr x0, =0x410f0000
    msr vpidr_el2, x0
    ldr x0, =0x80000123
    msr vmpidr_el2, x0
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    adr x0, g_midr
    bl guest_call
    bl sayx
    .asciz "EL1 reads MIDR_EL1 = VPIDR_EL2: "
    .balign 4
    adr x0, g_mpidr
    bl guest_call
    bl sayx
    .asciz "EL1 reads MPIDR_EL1 = VMPIDR_EL2: "
    .balign 4
    bl say
    .asciz "TID3=0, TACR=0: no traps\n"
    .balign 4
    adr x0, g_ids
    bl guest_call
    bl say
    .asciz "TID3=1\n"
    .balign 4
    ldr x0, =(HCR_GUEST | HCR_TID3)
    msr hcr_el2, x0
    adr x0, g_ids
    bl guest_call
    bl say
    .asciz "TACR=1\n"
    .balign 4
    ldr x0, =(HCR_GUEST | HCR_TACR)
    msr hcr_el2, x0
    adr x0, g_actlr
    bl guest_call
    ldp x29, x30, [sp], #16
    ret

g_midr:
    mrs x0, midr_el1
    hvc #HVC_EXIT
g_mpidr:
    mrs x0, mpidr_el1
    hvc #HVC_EXIT
g_ids:
    mrs x1, id_aa64pfr0_el1
    mrs x2, id_aa64pfr1_el1
    mrs x3, id_aa64dfr0_el1
    mrs x4, id_aa64isar0_el1
    mrs x5, id_aa64isar1_el1
    mrs x6, id_aa64mmfr0_el1
    mrs x7, id_aa64mmfr1_el1
    mrs x8, s3_0_c0_c3_0
    hvc #HVC_EXIT
g_actlr:
    mrs x1, actlr_el1
    msr actlr_el1, x1
    hvc #HVC_EXIT
