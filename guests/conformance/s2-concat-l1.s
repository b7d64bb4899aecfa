// s2-concat-l1: concatenated level-1 start tables (arm.md §1.2: with SL0 = 1, an IPA of
// 31+n bits beyond 39 uses 2^(IPA bits - 39) level-1 tables placed contiguously, aligned to
// their total size, and indexed by IPA[IPAbits-1:30]). For 40-, 42- and 43-bit IPAs
// (T0SZ 24, 22, 21: 2, 8 and 16 tables) a 1 GB block in the LAST concatenated table maps RAM;
// the guest reads a marker through it. Each configuration gets its own VMID. VTCR_EL2.PS is
// 44 bits (the Cortex-A57's PARange): an IPA wider than the PA size is itself a level-0
// Translation fault (QEMU check_s2_mmu_setup; Arm ARM AArch64.S2MinTxSZ/PAMax checks).
.equ MARK_PA, 0x40400000
main:
    stp x29, x30, [sp, #-16]!
    ldr x0, =0x4c4c4c4c
    mov x1, #MARK_PA
    str x0, [x1]
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    mov x0, #24
    mov x1, #2
    ldr x2, =0x8040000000               // table 1, entry 1
    mov x3, #1
    bl try
    mov x0, #22
    mov x1, #8
    ldr x2, =0x3ff40000000              // table 7, entry 509
    mov x3, #2
    bl try
    mov x0, #21
    mov x1, #16
    ldr x2, =0x7ffc0000000              // table 15, entry 511: the very last
    mov x3, #3
    bl try
    ldp x29, x30, [sp], #16
    ret

// try(x0 = T0SZ, x1 = tables, x2 = test IPA (1 GB aligned), x3 = VMID)
try:
    stp x29, x30, [sp, #-64]!
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    mov x19, x0
    mov x20, x2
    mov x21, x3
    mov x0, x1
    bl pt_alloc_n
    mov x22, x0                         // root
    ldr x1, =RAM_BASE                   // identity RAM for the guest's code
    ldr x2, =(RAM_BASE | S2_RAM | DESC_BLOCK)
    mov x3, #1
    mov x4, #1
    bl pt_map
    mov x0, x22
    mov x1, x20
    bl pt_map                           // test IPA -> RAM too
    ldr x0, =(VTCR_RES1 | (4 << 16) | VTCR_SL0_L1)
    orr x0, x0, x19
    msr vtcr_el2, x0
    orr x0, x22, x21, lsl #48
    msr vttbr_el2, x0
    isb
    mov x0, x19
    bl sayd
    .asciz "T0SZ="
    .balign 4
    adr x0, g_ldr
    add x1, x20, #(MARK_PA - RAM_BASE)
    bl guest_call
    bl sayx
    .asciz "  read via last table: "
    .balign 4
    ldp x21, x22, [sp, #32]
    ldp x19, x20, [sp, #16]
    ldp x29, x30, [sp], #64
    ret
