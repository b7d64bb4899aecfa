// tlbi-vmalls12e1: TLB maintenance for a stage-2 change (arm.md §5). The guest (stage 1 off,
// VMID 1) reads IPA X, whose stage-2 page is then made invalid WITHOUT a TLBI: the next read
// may still use the cached translation or may fault (Arm ARM D5.10.2: a translation may be
// held in a TLB until it is invalidated; "~" line, reports off). After TLBI VMALLS12E1 (all
// stage-1 and stage-2 entries of the current VMID) + DSB + ISB the read must fault. Mapping X
// again (invalid -> valid needs no TLBI: invalid entries are never cached) to another page
// must then be seen. Round 2 does the same with the Inner Shareable form.
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
    orr x20, x20, x0                    // descriptor -> page A
    mov x0, #0xb0
    bl marker_page
    ldr x21, =(S2_RAM | DESC_PAGE)
    orr x21, x21, x0                    // descriptor -> page B
    mov x0, x19
    ldr x1, =X
    mov x2, x20
    mov x3, #3
    mov x4, #1
    bl pt_map
    mov x19, x0                         // the level-3 descriptor of X
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "X -> "
    .balign 4
    // round 1: A -> invalid -> TLBI VMALLS12E1 -> B
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
    tlbi vmalls12e1
    dsb ish
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "after TLBI VMALLS12E1: "
    .balign 4
    str x21, [x19]
    dsb ishst
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "mapped to B: "
    .balign 4
    // round 2: B -> invalid -> TLBI VMALLS12E1IS -> A
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
    tlbi vmalls12e1is
    dsb ish
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "after TLBI VMALLS12E1IS: "
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
