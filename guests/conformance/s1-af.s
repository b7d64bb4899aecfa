// s1-af: stage-1 Access flag faults (arm.md §2: AF, bit 10, = 0 in a block or page descriptor;
// the Cortex-A57 has no hardware Access-flag update, so TCR_EL1.HA is RES0). Taken to EL1:
// level-1 block, level-2 block and level-3 page, each loaded and stored at EL1 (EC 0x25,
// DFSC 0b0010LL), then an instruction fetch from an AF = 0 page (EC 0x21; the library ends
// the guest, which returns the ESR).
.equ CODE_PA, 0x40400000
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #CODE_PA
    adr x1, ret77
    mov x2, #8
    bl copy_code
    mov x0, #1
    bl s1_std
    mov x19, x0
    ldr x1, =0x100000000
    ldr x2, =(RAM_BASE | (S1_RAM & ~AF) | DESC_BLOCK)
    mov x3, #1
    mov x4, #1
    bl pt_map
    mov x0, x19
    ldr x1, =0x140000000
    ldr x2, =(CODE_PA | (S1_RAM & ~AF) | DESC_BLOCK)
    mov x3, #2
    bl pt_map
    mov x0, x19
    ldr x1, =0x180000000
    ldr x2, =(CODE_PA | (S1_RAM & ~AF) | DESC_PAGE)
    mov x3, #3
    bl pt_map
    ldr x0, =(SCTLR_EL1_BASE | SCTLR_M)
    msr sctlr_el1, x0
    isb
    ldr x20, =0x100000000
    bl rw
    ldr x20, =0x140000000
    bl rw
    ldr x20, =0x180000000
    bl rw
    adr x0, g_exec
    ldr x1, =0x180000000
    bl guest_call
    bl sayx
    .asciz "fetch from the AF=0 page: guest ended with ESR "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

rw:
    stp x29, x30, [sp, #-16]!
    adr x0, g_ldr
    add x1, x20, #0x10
    bl guest_call
    adr x0, g_str
    add x1, x20, #0x18
    mov x2, #1
    bl guest_call
    ldp x29, x30, [sp], #16
    ret
