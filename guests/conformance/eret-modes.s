// eret-modes: exception return to EL1 and EL0 (arm.md §3.3, §3.7): PSTATE comes from SPSR_EL2
// (mode M[3:0], NZCV, DAIF), PC from ELR_EL2.
//   (a) EL1h, NZCV = 1010, DAIF = 1111   the guest reports CurrentEL, SPSel, NZCV, DAIF
//   (b) EL1h, NZCV = 0101, DAIF = 0000
//   (c) EL1t (SP_EL0): SPSel = 0 and sp is the SP_EL0 that EL2 set
//   (d) EL2h -> EL2h (ERET to the same EL, to a label) and EL2t (SPSel = 0 at EL2)
//   (e) EL0t with HCR_EL2.TGE = 1: EL0's SVC goes to EL2 (EC 0x15), not EL1
//   (f) ERET at EL0 is UNDEFINED (EC 0x00, taken to EL1)
main:
    stp x29, x30, [sp, #-16]!
    ldr x1, =(0xa0000000 | SPSR_DAIF | SPSR_EL1H)
    bl el1_state
    ldr x1, =(0x50000000 | SPSR_EL1H)
    bl el1_state
    // (c)
    ldr x0, =(RAM_BASE + 0x3ff000)
    msr sp_el0, x0
    adr x0, g_sp
    ldr x1, =(SPSR_DAIF | SPSR_EL1T)
    bl enter_el1
    ldr x1, =(RAM_BASE + 0x3ff000)
    sub x0, x0, x1
    bl sayx
    .asciz "EL1t: SPSel<<32 | (sp - SP_EL0 set by EL2) = "
    .balign 4
    // (d)
    ldr x0, =(0x90000000 | SPSR_DAIF | SPSR_EL2H)
    msr spsr_el2, x0
    adr x0, 1f
    msr elr_el2, x0
    eret
1:  mrs x0, nzcv
    bl sayx
    .asciz "ERET EL2h -> EL2h: NZCV = "
    .balign 4
    mov x19, sp
    ldr x0, =(RAM_BASE + 0x3ff000)
    msr sp_el0, x0
    ldr x0, =(SPSR_DAIF | 0x8)          // EL2t
    msr spsr_el2, x0
    adr x0, 2f
    msr elr_el2, x0
    eret
2:  mrs x20, spsel
    mov x21, sp
    msr spsel, #1
    mov sp, x19
    mov x0, x20
    bl sayx
    .asciz "ERET EL2h -> EL2t: SPSel = "
    .balign 4
    ldr x1, =(RAM_BASE + 0x3ff000)
    sub x0, x21, x1
    bl sayx
    .asciz "  sp - SP_EL0 = "
    .balign 4
    // (e)
    ldr x0, =(HCR_RW | HCR_TGE)
    msr hcr_el2, x0
    adr x0, u_tge
    mov x1, #SPSR_EL0T
    bl enter_el1
    bl sayx
    .asciz "EL0 (TGE=1) returned "
    .balign 4
    // (f)
    ldr x0, =HCR_RW
    msr hcr_el2, x0
    adr x0, el0_call
    adr x1, u_eret
    bl guest_call
    bl sayx
    .asciz "EL0 after ERET: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

el1_state:                              // (x1 = SPSR) enter g_state at EL1, print what it saw
    stp x29, x30, [sp, #-16]!
    mov x0, x1
    bl sayx
    .asciz "SPSR_EL2="
    .balign 4
    adr x0, g_state
    bl enter_el1
    mrs x1, tpidr_el2
    ldr x0, [x1, #PC_USER]
    bl sayx
    .asciz "  CurrentEL="
    .balign 4
    ldr x0, [x1, #PC_USER + 8]
    bl sayx
    .asciz "  SPSel="
    .balign 4
    ldr x0, [x1, #PC_USER + 16]
    bl sayx
    .asciz "  NZCV="
    .balign 4
    ldr x0, [x1, #PC_USER + 24]
    bl sayx
    .asciz "  DAIF="
    .balign 4
    ldp x29, x30, [sp], #16
    ret

g_state:                                // EL1: record CurrentEL, SPSel, NZCV, DAIF
    mrs x1, nzcv
    mrs x2, daif
    mrs x3, currentel
    mrs x4, spsel
    mrs x0, tpidr_el1
    stp x3, x4, [x0, #PC_USER]
    stp x1, x2, [x0, #PC_USER + 16]
    hvc #HVC_EXIT
g_sp:                                   // EL1t: SPSel << 32 | sp
    mrs x1, spsel
    mov x0, sp
    orr x0, x0, x1, lsl #32
    hvc #HVC_EXIT
u_tge:                                  // EL0, TGE = 1
    svc #0x1234
    mov x0, #0x7
    svc #SVC_EXIT
u_eret:                                 // EL0: ERET is UNDEFINED
    eret
    mov x0, #0x8
    svc #SVC_EXIT
