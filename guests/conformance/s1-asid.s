// s1-asid: ASID-tagged stage-1 translations (arm.md §2: TTBR0_EL1.ASID[63:48]; TCR_EL1.A1 = 0,
// AS = 0: 8-bit ASIDs from TTBR0). Two address spaces, ASID 1 and ASID 2, map
//   VA X = 4 GB      non-global (nG = 1): ASID 1 -> page 0xa1, ASID 2 -> page 0xa2
//   VA Y = 4 GB + 4K global (nG = 0):     ASID 1 -> page 0xc1, ASID 2 -> page 0xc2
// EL2 switches TTBR0_EL1 between guest runs WITHOUT any TLBI. Non-global entries are tagged
// with the ASID, so X must always read its own space's page. A global entry matches every
// ASID, so after Y was used under ASID 1, a read under ASID 2 may hit the cached global entry
// (0xc1) or walk ASID 2's tables (0xc2): both are correct (Arm ARM D5.10.2: an
// entry may stay cached until invalidated; the global entries of different address spaces
// here do not match, which software must not do unless it invalidates). TLBI VAAE1 (all
// ASIDs, by VA) then makes Y read ASID 1's own page again.
.equ X, 0x100000000
.equ Y, 0x100001000
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s1_std
    mov x19, x0
    mov x0, #1
    bl s1_std
    mov x20, x0
    mov x0, #0xa1
    ldr x1, =(S1_RAM | S1_NG | DESC_PAGE)
    mov x2, x19
    ldr x3, =X
    bl map
    mov x0, #0xa2
    mov x2, x20
    bl map
    mov x0, #0xc1
    ldr x1, =(S1_RAM | DESC_PAGE)
    mov x2, x19
    ldr x3, =Y
    bl map
    mov x0, #0xc2
    mov x2, x20
    bl map
    ldr x0, =(SCTLR_EL1_BASE | SCTLR_M)
    msr sctlr_el1, x0
    orr x21, x19, #(1 << 48)
    orr x22, x20, #(2 << 48)
    msr ttbr0_el1, x21
    isb
    tlbi vmalle1
    dsb sy
    isb
    ldr x0, =X
    bl rd
    bl sayx
    .asciz "ASID 1, X (nG): "
    .balign 4
    ldr x0, =Y
    bl rd
    bl sayx
    .asciz "ASID 1, Y (global): "
    .balign 4
    msr ttbr0_el1, x22
    isb
    ldr x0, =X
    bl rd
    bl sayx
    .asciz "ASID 2, X (nG): "
    .balign 4
    ldr x0, =Y
    bl rd
    mov x1, #0xc1
    mov x2, #0xc2
    bl maybe
    .asciz "ASID 2, Y (global) without TLBI"
    .balign 4
    msr ttbr0_el1, x21
    isb
    ldr x0, =X
    bl rd
    bl sayx
    .asciz "ASID 1 again, X (nG): "
    .balign 4
    ldr x0, =Y
    bl rd
    mov x1, #0xc1
    mov x2, #0xc2
    bl maybe
    .asciz "ASID 1 again, Y (global) without TLBI"
    .balign 4
    ldr x0, =(Y >> 12)
    dsb ishst
    tlbi vaae1, x0
    dsb ish
    isb
    ldr x0, =Y
    bl rd
    bl sayx
    .asciz "ASID 1, Y after TLBI VAAE1: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

// map(x0 = marker, x1 = attributes, x2 = root, x3 = VA): VA -> a fresh page holding marker.
map:
    stp x29, x30, [sp, #-48]!
    stp x1, x2, [sp, #16]
    str x3, [sp, #32]
    bl marker_page
    ldp x1, x2, [sp, #16]
    ldr x3, [sp, #32]
    orr x5, x1, x0
    mov x0, x2
    mov x1, x3
    mov x2, x5
    mov x3, #3
    mov x4, #1
    bl pt_map
    ldp x1, x2, [sp, #16]
    ldr x3, [sp, #32]
    ldp x29, x30, [sp], #48
    ret

rd:
    stp x29, x30, [sp, #-16]!
    mov x1, x0
    adr x0, g_ldrw
    bl guest_call
    ldp x29, x30, [sp], #16
    ret
