// s2-start-l0: a stage 2 that starts at level 0 (VTCR_EL2.SL0 = 2, T0SZ 20: a 44-bit IPA;
// arm.md §1.2 allows level-0 starts when the PA size is at least 44 bits, which the
// Cortex-A57's ID_AA64MMFR0_EL1.PARange = 4 gives). A test page at IPA 2^43 is reached through
// table descriptors at levels 0, 1 and 2 and a page at level 3; then the empty entries of
// each level give Translation faults at levels 0, 1, 2 and 3.
.equ IPA, 0x80000000000
main:
    stp x29, x30, [sp, #-16]!
    mrs x0, id_aa64mmfr0_el1
    and x0, x0, #0xf
    bl sayx
    .asciz "ID_AA64MMFR0_EL1.PARange="
    .balign 4
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    bl pt_alloc
    mov x19, x0
    ldr x1, =RAM_BASE
    ldr x2, =(RAM_BASE | S2_RAM | DESC_BLOCK)
    mov x3, #1
    mov x4, #0
    bl pt_map
    mov x0, #0x4040
    bl marker_page
    mov x2, #(S2_RAM | DESC_PAGE)
    orr x2, x2, x0
    mov x0, x19
    ldr x1, =IPA
    mov x3, #3
    bl pt_map
    ldr x0, =(VTCR_RES1 | (4 << 16) | VTCR_SL0_L0 | 20)   // PS = 44 bits
    msr vtcr_el2, x0
    mov x0, #1
    orr x0, x19, x0, lsl #48
    msr vttbr_el2, x0
    isb
    adr x0, g_ldr
    ldr x1, =IPA
    bl guest_call
    bl sayx
    .asciz "IPA 2^43 -> "
    .balign 4
    adr x0, g_ldr
    ldr x1, =0xc0000000000              // level-0 entry 12: empty
    bl guest_call
    adr x0, g_ldr
    ldr x1, =(IPA + 0x8000000000)        // level-1 entry 0 of level-0 entry 8... no: L0 entry 9
    bl guest_call
    adr x0, g_ldr
    ldr x1, =(IPA + 0x40000000)         // level-1 entry 1: empty
    bl guest_call
    adr x0, g_ldr
    ldr x1, =(IPA + 0x200000)           // level-2 entry 1: empty
    bl guest_call
    adr x0, g_ldr
    ldr x1, =(IPA + 0x1000)             // level-3 entry 1: empty
    bl guest_call
    ldp x29, x30, [sp], #16
    ret
