// tlbi-vmalle1: TLBI VMALLE1 / VMALLE1IS for a stage-1 change (arm.md §5: all stage-1 EL1&0
// entries of the current VMID).
// The guest runs with its MMU on (s1_std, ASID 5 in TTBR0_EL1, stage 2 off) and reads VA X,
// a non-global page. EL2 then makes X's stage-1 descriptor invalid: without a TLBI the read
// may hit the cached translation or fault (a "~" line: Arm ARM D5.10.2, a translation may be
// held until invalidated). The guest itself executes the TLBI, then DSB ISH and ISB; after
// the right one the read must fault, and mapping X again (to the other page) is seen at once.
.equ X, 0x100000000
.equ ASID, 5
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s1_std
    mov x19, x0
    mov x0, #0xa0
    bl marker_page
    ldr x20, =(S1_RAM | S1_NG | DESC_PAGE)
    orr x20, x20, x0                    // descriptor -> page A (non-global)
    mov x0, #0xb0
    bl marker_page
    ldr x21, =(S1_RAM | S1_NG | DESC_PAGE)
    orr x21, x21, x0                    // descriptor -> page B (non-global)
    mov x0, x19
    ldr x1, =X
    mov x2, x20
    mov x3, #3
    mov x4, #1
    bl pt_map
    mov x22, x0                         // the level-3 descriptor of X
    ldr x0, =(ASID << 48)
    orr x0, x0, x19
    msr ttbr0_el1, x0
    ldr x0, =(SCTLR_EL1_BASE | SCTLR_M)
    msr sctlr_el1, x0
    isb
    tlbi vmalle1
    dsb ish
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "X -> "
    .balign 4
    mov x23, #0xa0
    mov x24, x21
    bl round1
    mov x23, #0xb0
    mov x24, x20
    bl round2
    ldp x29, x30, [sp], #16
    ret

// invalidate: X's stage-1 page descriptor becomes invalid; the read may still hit ("~").
invalidate:
    stp x29, x30, [sp, #-16]!
    str xzr, [x22]
    dsb ishst
    isb
    ldr x0, =X
    bl grdq
    mov x1, x23
    mov x2, #-1
    bl maybe
    .asciz "X invalid, no TLBI"
    .balign 4
    ldp x29, x30, [sp], #16
    ret

// remap: X -> the other page (x24); seen at once (invalid entries are not cached).
remap:
    stp x29, x30, [sp, #-16]!
    str x24, [x22]
    dsb ishst
    isb
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "mapped again: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

// tlbi(x0 = guest routine, x1 = operand): the guest performs the TLBI (then DSB ISH, ISB).
tlbi:
    stp x29, x30, [sp, #-16]!
    bl guest_call
    ldp x29, x30, [sp], #16
    ret

// after_maybe / after_strict: print the read after a TLBI that may / must remove the entry.
after_maybe:
    stp x29, x30, [sp, #-16]!
    ldr x0, =X
    bl grdq
    mov x1, x23
    mov x2, #-1
    bl maybe
    .asciz "  after that TLBI"
    .balign 4
    ldp x29, x30, [sp], #16
    ret
after_strict:
    stp x29, x30, [sp, #-16]!
    ldr x0, =X
    bl grd
    bl sayx
    .asciz "  after that TLBI: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

round1:
    stp x29, x30, [sp, #-16]!
    bl invalidate
    bl say
    .asciz "TLBI VMALLE1\n"
    .balign 4
    adr x0, g_vmalle1
    bl tlbi
    bl after_strict
    bl remap
    ldp x29, x30, [sp], #16
    ret
round2:
    stp x29, x30, [sp, #-16]!
    bl invalidate
    bl say
    .asciz "TLBI VMALLE1IS\n"
    .balign 4
    adr x0, g_vmalle1is
    bl tlbi
    bl after_strict
    bl remap
    ldp x29, x30, [sp], #16
    ret

g_vmalle1:
    tlbi vmalle1
    dsb ish
    isb
    hvc #HVC_EXIT
g_vmalle1is:
    tlbi vmalle1is
    dsb ish
    isb
    hvc #HVC_EXIT
