// s2-af: stage-2 Access flag faults (arm.md §1.5: AF = 0 in a block or page descriptor is an
// Access flag fault at that level, FSC 0b0010LL, unless VTCR_EL2.HA = 1, which the Cortex-A57
// does not implement). Level-1 block, level-2 block and level-3 page with AF = 0, each read
// and written; then an instruction fetch from an AF = 0 page (instruction abort, same FSC).
// HPFAR is valid for Access flag faults and is printed.
.equ MARK_PA, 0x40400000
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    mov x19, x0
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    mov x0, x19
    ldr x1, =0x100000000                // level-1 block, AF = 0
    ldr x2, =(RAM_BASE | (S2_RAM & ~AF) | DESC_BLOCK)
    mov x3, #1
    mov x4, #1
    bl pt_map
    mov x0, x19
    ldr x1, =0x140000000                // level-2 block, AF = 0
    ldr x2, =(MARK_PA | (S2_RAM & ~AF) | DESC_BLOCK)
    mov x3, #2
    bl pt_map
    mov x0, x19
    ldr x1, =0x180000000                // level-3 page, AF = 0
    ldr x2, =(MARK_PA | (S2_RAM & ~AF) | DESC_PAGE)
    mov x3, #3
    bl pt_map
    mov x0, #MARK_PA
    adr x1, ret77
    mov x2, #8
    bl copy_code
    ldr x20, =0x100000000
    bl rw
    ldr x20, =0x140000000
    bl rw
    ldr x20, =0x180000000
    bl rw
    mov x0, #RECOVER_EXIT
    bl set_recover
    adr x0, g_exec
    ldr x1, =0x180000000
    bl guest_call
    ldp x29, x30, [sp], #16
    ret

rw:                                     // load and store at IPA x20 + 0x10
    stp x29, x30, [sp, #-16]!
    adr x0, g_ldr
    add x1, x20, #0x10
    bl guest_call
    adr x0, g_str
    add x1, x20, #0x10
    mov x2, #1
    bl guest_call
    ldp x29, x30, [sp], #16
    ret
