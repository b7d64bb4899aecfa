// s2-block-1g: stage-2 1 GB block descriptors at level 1 (arm.md §1.5: level-1 bits[1:0] = 01
// is a block, OA[47:30] in bits[47:30]). The standard 40-bit stage 2 (two concatenated
// level-1 tables) gets two more level-1 blocks, IPA 4 GB and 5 GB, both mapping RAM at PA
// 1 GB; the guest (stage 1 off, so VA = IPA) reads and writes markers through both aliases.
.equ MARK_PA, 0x40400000
main:
    stp x29, x30, [sp, #-16]!
    ldr x0, =0x1111111111111111
    mov x1, #MARK_PA
    str x0, [x1]
    ldr x0, =0x2222
    str x0, [x1, #0x1ff8]
    mov x0, #1
    bl s2_std
    mov x19, x0
    ldr x1, =0x100000000                // IPA 4 GB -> PA 1 GB
    ldr x2, =(RAM_BASE | S2_RAM | DESC_BLOCK)
    mov x3, #1
    mov x4, #1
    bl pt_map
    mov x0, x19
    ldr x1, =0x140000000                // IPA 5 GB -> PA 1 GB (a second alias)
    bl pt_map
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    isb

    adr x0, g_ldr
    ldr x1, =(0x100000000 + MARK_PA - RAM_BASE)
    bl guest_call
    bl sayx
    .asciz "read IPA 4G alias: "
    .balign 4
    adr x0, g_ldr
    ldr x1, =(0x140000000 + MARK_PA - RAM_BASE + 0x1ff8)
    bl guest_call
    bl sayx
    .asciz "read IPA 5G alias +0x1ff8: "
    .balign 4
    adr x0, g_str
    ldr x1, =(0x140000000 + MARK_PA - RAM_BASE + 8)
    ldr x2, =0x3333
    bl guest_call
    adr x0, g_ldr
    ldr x1, =(0x100000000 + MARK_PA - RAM_BASE + 8)
    bl guest_call
    bl sayx
    .asciz "write via 5G, read via 4G: "
    .balign 4
    mov x1, #MARK_PA
    ldr x0, [x1, #8]
    bl sayx
    .asciz "EL2 reads PA: "
    .balign 4
    // A level-1 entry with bits[1:0] = 00 next to them: Translation fault at level 1.
    adr x0, g_ldr
    ldr x1, =0x180000000
    bl guest_call
    ldp x29, x30, [sp], #16
    ret
