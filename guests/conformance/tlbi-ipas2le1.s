// tlbi-ipas2le1: TLBI IPAS2LE1 for a stage-2 change (arm.md §5). The guest (stage 1 off, VMID 1)
// reads IPA X; X's stage-2 page is made invalid. Without a TLBI the read may hit the cached
// translation or fault ("~", Arm ARM D5.10.2). TLBI IPAS2LE1 (by IPA, last level only: the
// change here is to a level-3 page) removes only STAGE-2 information: a combined stage-1+2 entry
// the TLB built from the old mapping may survive it, so the read is still "~" (this is why KVM
// follows it with TLBI VMALLE1, arm.md §5). After TLBI VMALLE1 the read must fault; mapping X
// to another page is then seen at once. Round 2 uses the Inner Shareable forms.
.equ X, 0x100000000
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    mov x19, x0
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
    .asciz "X -> "
    .balign 4
    ldr x22, =(X >> 12)
    // round 1
    str xzr, [x19]
    dsb ishst
    isb
    ldr x0, =X
    bl grdq
    mov x1, #0xa0
    mov x2, #-1
    bl maybe
    .asciz "X invalid, no TLBI"
    .balign 4
    tlbi ipas2le1, x22
    dsb ish
    isb
    ldr x0, =X
    bl grdq
    mov x1, #0xa0
    mov x2, #-1
    bl maybe
    .asciz "after TLBI IPAS2LE1 only"
    .balign 4
    tlbi vmalle1
    dsb ish
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "after TLBI IPAS2LE1 + VMALLE1: "
    .balign 4
    str x21, [x19]
    dsb ishst
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "mapped to B: "
    .balign 4
    // round 2
    str xzr, [x19]
    dsb ishst
    isb
    ldr x0, =X
    bl grdq
    mov x1, #0xb0
    mov x2, #-1
    bl maybe
    .asciz "X invalid, no TLBI"
    .balign 4
    tlbi ipas2le1is, x22
    dsb ish
    isb
    ldr x0, =X
    bl grdq
    mov x1, #0xb0
    mov x2, #-1
    bl maybe
    .asciz "after TLBI IPAS2LE1IS only"
    .balign 4
    tlbi vmalle1is
    dsb ish
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "after TLBI IPAS2LE1IS + VMALLE1IS: "
    .balign 4
    str x20, [x19]
    dsb ishst
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "mapped to A: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret
