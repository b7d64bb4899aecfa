// trap-hvc-smc: HVC and SMC from the guest (arm.md §3.2, §3.3, §4).
//   HVC #imm at EL1            -> EL2, EC 0x16, ISS = imm, ELR = the next instruction
//   SMC #imm at EL1, TSC = 1   -> EL2, EC 0x17, ISS = imm, ELR = the SMC itself
//   SMC at EL1, TSC = 0        -> the PSCI firmware answers (PSCI_VERSION): the virt board's
//                                 firmware stands in for EL3 (QEMU's PSCI, src/board/psci.ts)
//   HVC / SMC at EL0           -> UNDEFINED, taken to EL1 (EC 0x00, ELR = the instruction)
//   HVC at EL1, HCR_EL2.HCD = 1 -> UNDEFINED, taken to EL1; that guest then ends with a
//                                 trapped SMC (TSC = 1) and RECOVER_EXIT (no HVC works)
.equ HCR_HCD, (1 << 29)
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    ldr x0, =(HCR_GUEST | HCR_TSC)
    msr hcr_el2, x0
    adr x0, guest
    bl guest_call
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    adr x0, guest_psci
    bl guest_call
    bl sayx
    .asciz "SMC at EL1 with TSC=0: PSCI_VERSION -> "
    .balign 4
    adr x0, el0_call
    adr x1, user
    bl guest_call
    ldr x0, =(HCR_GUEST | HCR_HCD | HCR_TSC)
    msr hcr_el2, x0
    mov x0, #RECOVER_EXIT
    bl set_recover
    adr x0, guest_hcd
    bl guest_call
    bl sayx
    .asciz "HCD=1 guest ended with ESR "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

guest:
    hvc #0x1234
    hvc #0
    smc #0x42
    smc #0xffff
    hvc #HVC_EXIT
guest_psci:
    ldr x0, =PSCI_VERSION
    smc #0
    hvc #HVC_EXIT
guest_hcd:
    hvc #0x99
    smc #0x5
    b .
user:
    hvc #0x55
    smc #0x66
    svc #SVC_EXIT
