// tlbi-alle1: TLBI ALLE1 / ALLE1IS (arm.md §5: every EL1&0 entry of EVERY VMID) against
// VMID-scoped invalidation. VM 1 (VMID 1) maps IPA X; the guest reads it; X's stage-2 page is
// made invalid. EL2 then switches VTTBR_EL2 to VM 2 (VMID 2) and executes TLBI VMALLS12E1,
// which only concerns VMID 2: back in VM 1 the read may still hit ("~", Arm ARM D5.10.2).
// TLBI ALLE1 does not depend on VTTBR_EL2: issued while VM 2 is current, it removes VM 1's
// entry too, so the read must fault. Mapping X again is seen at once. Round 2: ALLE1IS.
.equ X, 0x100000000
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #2
    bl s2_std
    mrs x26, vttbr_el2                  // VM 2
    mov x0, #1
    bl s2_std
    mov x19, x0
    mrs x25, vttbr_el2                  // VM 1 (current)
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    mov x0, #0xa0
    bl marker_page
    ldr x20, =(S2_RAM | DESC_PAGE)
    orr x20, x20, x0
    mov x0, #0xb0
    bl marker_page
    ldr x21, =(S2_RAM | DESC_PAGE)
    orr x21, x21, x0
    mov x0, x19
    ldr x1, =X
    mov x2, x20
    mov x3, #3
    mov x4, #1
    bl pt_map
    mov x19, x0
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "VM 1: X -> "
    .balign 4
    mov x23, #0xa0
    mov x24, x21
    bl round1
    mov x23, #0xb0
    mov x24, x20
    bl round2
    ldp x29, x30, [sp], #16
    ret

round1:
    stp x29, x30, [sp, #-16]!
    bl invalidate
    msr vttbr_el2, x26
    isb
    tlbi vmalls12e1
    dsb ish
    bl say
    .asciz "VTTBR_EL2 = VM 2: TLBI VMALLS12E1, then TLBI ALLE1\n"
    .balign 4
    bl back
    msr vttbr_el2, x26
    isb
    tlbi alle1
    dsb ish
    bl after
    ldp x29, x30, [sp], #16
    ret
round2:
    stp x29, x30, [sp, #-16]!
    bl invalidate
    msr vttbr_el2, x26
    isb
    tlbi vmalls12e1is
    dsb ish
    bl say
    .asciz "VTTBR_EL2 = VM 2: TLBI VMALLS12E1IS, then TLBI ALLE1IS\n"
    .balign 4
    bl back
    msr vttbr_el2, x26
    isb
    tlbi alle1is
    dsb ish
    bl after
    ldp x29, x30, [sp], #16
    ret

invalidate:
    stp x29, x30, [sp, #-16]!
    str xzr, [x19]
    dsb ishst
    isb
    ldr x0, =X
    bl grdq
    mov x1, x23
    mov x2, #-1
    bl maybe
    .asciz "VM 1: X invalid, no TLBI"
    .balign 4
    ldp x29, x30, [sp], #16
    ret

back:                                   // VM 1 after VM 2's own invalidation: "~"
    stp x29, x30, [sp, #-16]!
    msr vttbr_el2, x25
    isb
    ldr x0, =X
    bl grdq
    mov x1, x23
    mov x2, #-1
    bl maybe
    .asciz "  VM 1 after the VMID 2 TLBI"
    .balign 4
    ldp x29, x30, [sp], #16
    ret

after:                                  // VM 1 after ALLE1: must fault; then remap
    stp x29, x30, [sp, #-16]!
    msr vttbr_el2, x25
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "  VM 1 after the ALLE1 form: "
    .balign 4
    str x24, [x19]
    dsb ishst
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "VM 1: X mapped again -> "
    .balign 4
    ldp x29, x30, [sp], #16
    ret
