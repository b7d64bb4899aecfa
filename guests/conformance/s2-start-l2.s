// s2-start-l2: a stage 2 that starts at level 2 (VTCR_EL2.SL0 = 0, arm.md §1.2).
// (a) 32-bit IPA (T0SZ 32): four concatenated level-2 tables (16 KB); RAM at IPA 1 GB is in
//     table 2, a test page at IPA 3 GB in table 3 (level-2 table descriptor -> level-3 page).
// (b) 30-bit IPA (T0SZ 34): one level-2 table; the guest's code is reached through a 2 MB block
//     at IPA 0 -> PA 1 GB, so the guest runs at g_ldr - 1 GB.
.equ MARK_PA, 0x40400000
main:
    stp x29, x30, [sp, #-16]!
    ldr x0, =0x2020
    mov x1, #MARK_PA
    str x0, [x1]
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    // (a)
    mov x0, #4
    bl pt_alloc_n
    mov x19, x0
    ldr x1, =RAM_BASE
    ldr x2, =(RAM_BASE | S2_RAM | DESC_BLOCK)
    mov x3, #2
    mov x4, #2
    bl pt_map
    mov x0, #0x3030
    bl marker_page
    mov x2, #(S2_RAM | DESC_PAGE)
    orr x2, x2, x0
    mov x0, x19
    ldr x1, =0xc0000000
    mov x3, #3
    bl pt_map
    ldr x0, =(VTCR_RES1 | VTCR_PS_40 | VTCR_SL0_L2 | 32)
    msr vtcr_el2, x0
    mov x0, #1
    orr x0, x19, x0, lsl #48
    msr vttbr_el2, x0
    isb
    adr x0, g_ldr
    ldr x1, =0xc0000000
    bl guest_call
    bl sayx
    .asciz "T0SZ=32 SL0=0: IPA 0xc0000000 -> "
    .balign 4
    adr x0, g_ldr
    ldr x1, =0xc0001000                 // same level-3 table, empty entry
    bl guest_call
    // (b)
    bl pt_alloc
    mov x19, x0
    mov x1, #0
    ldr x2, =(RAM_BASE | S2_RAM | DESC_BLOCK)
    mov x3, #2
    mov x4, #2
    bl pt_map
    mov x0, x19
    ldr x1, =0x3fe00000                 // the last 2 MB of the 30-bit IPA space
    ldr x2, =(MARK_PA | S2_RAM | DESC_BLOCK)
    bl pt_map
    ldr x0, =(VTCR_RES1 | VTCR_PS_40 | VTCR_SL0_L2 | 34)
    msr vtcr_el2, x0
    mov x0, #2
    orr x0, x19, x0, lsl #48
    msr vttbr_el2, x0
    isb
    adr x0, g_ldr
    ldr x1, =RAM_BASE
    sub x0, x0, x1
    ldr x1, =0x3fe00000
    bl guest_call
    bl sayx
    .asciz "T0SZ=34 SL0=0: IPA 0x3fe00000 -> "
    .balign 4
    ldp x29, x30, [sp], #16
    ret
