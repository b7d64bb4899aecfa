// s2-addrsize: stage-2 Address size faults (arm.md §1.4: an output or next-level table address
// with bits set at or above the PA size is an Address size fault at that level, FSC 0b0000LL).
// The PA size is min(VTCR_EL2.PS, ID_AA64MMFR0_EL1.PARange) (arm.md §1.1). With PS = 32 bits
// the IPA must be 32 bits too (T0SZ 32; a wider IPA is a level-0 Translation fault, see
// s2-bad-sl0), so those cases use IPAs below 4 GB.
//   (a) PS = 32 bits: a level-3 page whose OA is 4 GB             -> Address size, level 3
//   (b) PS = 32 bits: a level-2 block whose OA is 4 GB + 2 MB     -> Address size, level 2
//   (c) PS = 32 bits: a level-1 table descriptor pointing at 4 GB -> Address size, level 1
//   (d) PS = 48 bits, but PARange is 44: a page at 2^44            -> Address size, level 3
//   (e) the same page with PS = 48 pointing at RAM: reads the marker (control).
.equ MARK_PA, 0x40400000
main:
    stp x29, x30, [sp, #-16]!
    ldr x0, =0xa5a5
    mov x1, #MARK_PA
    str x0, [x1]
    mov x0, #1
    bl s2_std
    mov x19, x0
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    mov x0, x19                         // (a) IPA 2G + 4K: page -> PA 4 GB
    ldr x1, =0x80001000
    ldr x2, =(0x100000000 | S2_RAM | DESC_PAGE)
    mov x3, #3
    mov x4, #1
    bl pt_map
    mov x0, x19                         // (b) IPA 2G + 2M: block -> PA 4 GB + 2 MB
    ldr x1, =0x80200000
    ldr x2, =(0x100200000 | S2_RAM | DESC_BLOCK)
    mov x3, #2
    bl pt_map
    mov x0, x19                         // (c) IPA 3G: level-1 table at PA 4 GB
    ldr x1, =0xc0000000
    ldr x2, =(0x100000000 | DESC_TABLE)
    mov x3, #1
    bl pt_map
    mov x0, x19                         // (d) IPA 6G: page -> PA 2^44
    ldr x1, =0x180000000
    ldr x2, =(0x100000000000 | S2_RAM | DESC_PAGE)
    mov x3, #3
    bl pt_map
    mov x20, x0                         // (its descriptor, reused for (e))
    ldr x0, =(VTCR_RES1 | (0 << 16) | VTCR_SL0_L1 | 32)   // PS = 32 bits, 32-bit IPA
    bl set_vtcr
    ldr x1, =0x80001008
    bl load
    ldr x1, =0x80200010
    bl load
    ldr x1, =0xc0000018
    bl load
    ldr x0, =(VTCR_RES1 | (5 << 16) | VTCR_SL0_L1 | 24)   // PS = 48 bits, 40-bit IPA
    bl set_vtcr
    ldr x1, =0x180000020
    bl load
    ldr x0, =(MARK_PA | S2_RAM | DESC_PAGE)
    str x0, [x20]
    bl set_vtcr_again
    ldr x1, =0x180000000
    bl load
    bl sayx
    .asciz "(e) read: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

set_vtcr:
    msr vtcr_el2, x0
set_vtcr_again:
    isb
    dsb sy
    tlbi vmalls12e1
    dsb sy
    isb
    ret

load:                                   // (x1 = IPA) -> x0 = value or all ones
    stp x29, x30, [sp, #-16]!
    adr x0, g_ldr
    bl guest_call
    ldp x29, x30, [sp], #16
    ret
