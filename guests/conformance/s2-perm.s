// s2-perm: stage-2 Permission faults from S2AP (arm.md §1.5: bit 6 = read allowed, bit 7 =
// write allowed). Four level-3 pages with S2AP 00, 01, 10, 11 over one marker page, each read
// and written by the guest; then a read-only level-2 block and a read-only level-1 block are
// written (Permission fault at level 2 and level 1: the FSC level is the leaf's level).
// HPFAR is UNKNOWN for a stage-2 Permission fault that is not on a stage-1 walk (arm.md
// §3.5), so it is not printed.
.equ MARK_PA, 0x40400000
main:
    stp x29, x30, [sp, #-16]!
    ldr x0, =0x5e5e
    mov x1, #MARK_PA
    str x0, [x1]
    mov x0, #1
    bl s2_std
    mov x19, x0
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    mov x20, #0                         // S2AP value
1:  mov x0, x19
    ldr x1, =0x100000000
    add x1, x1, x20, lsl #12
    ldr x2, =(MARK_PA | (S2_RAM & ~S2_RW) | DESC_PAGE)
    orr x2, x2, x20, lsl #6
    mov x3, #3
    mov x4, #1
    bl pt_map
    add x20, x20, #1
    cmp x20, #4
    b.lo 1b
    mov x0, x19
    ldr x1, =0x140000000                // level-2 block, read-only
    ldr x2, =(MARK_PA | (S2_RAM & ~S2_W) | DESC_BLOCK)
    mov x3, #2
    bl pt_map
    mov x0, x19
    ldr x1, =0x180000000                // level-1 block, read-only
    ldr x2, =(RAM_BASE | (S2_RAM & ~S2_W) | DESC_BLOCK)
    mov x3, #1
    bl pt_map
    mov x20, #0
2:  mov x0, x20
    bl sayx
    .asciz "S2AP="
    .balign 4
    adr x0, g_ldr
    ldr x1, =0x100000000
    add x1, x1, x20, lsl #12
    bl guest_call
    bl sayx
    .asciz "  load -> "
    .balign 4
    adr x0, g_str
    ldr x1, =0x100000008
    add x1, x1, x20, lsl #12
    mov x2, x20
    bl guest_call
    bl sayx
    .asciz "  store -> "
    .balign 4
    add x20, x20, #1
    cmp x20, #4
    b.lo 2b
    mov x0, #MARK_PA
    ldr x0, [x0, #8]
    bl sayx
    .asciz "last successful store wrote "
    .balign 4
    adr x0, g_str
    ldr x1, =0x140000010
    mov x2, #9
    bl guest_call
    adr x0, g_str
    ldr x1, =(0x180000000 + MARK_PA - RAM_BASE + 0x18)
    mov x2, #9
    bl guest_call
    adr x0, g_ldr
    ldr x1, =(0x180000000 + MARK_PA - RAM_BASE)
    bl guest_call
    bl sayx
    .asciz "read-only level-1 block load -> "
    .balign 4
    ldp x29, x30, [sp], #16
    ret
