// s2-page-4k: stage-2 4 KB page descriptors at level 3 (bits[1:0] = 11, OA[47:12] in
// bits[47:12]) under table descriptors at levels 1 and 2. Four consecutive IPA pages map four
// pool pages in reverse order; each read shows its own marker. Then the level-3 entries
// around them: an empty one (Translation fault, level 3) and the reserved encoding 01 at
// level 3 (arm.md §1.5: "reserved -> Translation fault"), whose other bits are a valid page.
.equ IPA, 0x100000000
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    mov x19, x0
    mov x20, #0                         // page index
1:  mov x0, #0x100
    add x0, x0, x20                     // marker 0x100 + i
    bl marker_page
    mov x2, #(S2_RAM | DESC_PAGE)
    orr x2, x2, x0
    ldr x1, =IPA
    mov x3, #3
    sub x3, x3, x20
    add x1, x1, x3, lsl #12             // IPA page 3 - i
    mov x0, x19
    mov x3, #3
    mov x4, #1
    bl pt_map
    add x20, x20, #1
    cmp x20, #4
    b.lo 1b
    // IPA page 5: reserved level-3 encoding 01 (would map the page of IPA page 0 otherwise).
    mov x0, x19
    ldr x1, =IPA
    mov x3, #3
    bl pt_map
    ldr x2, [x0]
    and x2, x2, #~2
    mov x0, x19
    ldr x1, =(IPA + 0x5000)
    bl pt_map
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    isb
    mov x20, #0
2:  adr x0, g_ldr
    ldr x1, =IPA
    add x1, x1, x20, lsl #12
    bl guest_call
    bl sayx
    .asciz "IPA page read: "
    .balign 4
    add x20, x20, #1
    cmp x20, #4
    b.lo 2b
    adr x0, g_ldr
    ldr x1, =(IPA + 0x4008)             // empty level-3 entry
    bl guest_call
    adr x0, g_ldr
    ldr x1, =(IPA + 0x5010)             // level-3 entry with bits[1:0] = 01
    bl guest_call
    ldp x29, x30, [sp], #16
    ret
