// s2-block-2m: stage-2 2 MB block descriptors at level 2 (arm.md §1.5: OA[47:21] in
// bits[47:21]) under a level-1 table descriptor. Two adjacent blocks at IPA 4 GB and
// 4 GB + 2 MB map the PA blocks 0x40600000 and 0x40400000 crosswise, so a read shows both the
// level-2 index and the output address were used; offsets within the block pass through.
.equ PA_A, 0x40400000
.equ PA_B, 0x40600000
.equ IPA, 0x100000000
main:
    stp x29, x30, [sp, #-16]!
    ldr x0, =0xaaaa
    mov x1, #PA_A
    str x0, [x1]
    ldr x0, =0xa1a1
    ldr x2, =0x1ffff8
    str x0, [x1, x2]
    ldr x0, =0xbbbb
    mov x1, #PA_B
    str x0, [x1]
    mov x0, #1
    bl s2_std
    mov x19, x0
    ldr x1, =IPA
    ldr x2, =(PA_B | S2_RAM | DESC_BLOCK)
    mov x3, #2
    mov x4, #1
    bl pt_map
    mov x0, x19
    ldr x1, =(IPA + 0x200000)
    ldr x2, =(PA_A | S2_RAM | DESC_BLOCK)
    bl pt_map
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    isb
    adr x0, g_ldr
    ldr x1, =IPA
    bl guest_call
    bl sayx
    .asciz "IPA 4G (-> PA_B): "
    .balign 4
    adr x0, g_ldr
    ldr x1, =(IPA + 0x200000)
    bl guest_call
    bl sayx
    .asciz "IPA 4G+2M (-> PA_A): "
    .balign 4
    adr x0, g_ldr
    ldr x1, =(IPA + 0x200000 + 0x1ffff8)
    bl guest_call
    bl sayx
    .asciz "IPA 4G+2M+0x1ffff8: "
    .balign 4
    // The next level-2 entry is empty: Translation fault at level 2.
    adr x0, g_ldr
    ldr x1, =(IPA + 0x400000)
    bl guest_call
    ldp x29, x30, [sp], #16
    ret
