// tlbi-aside1: TLBI ASIDE1 / ASIDE1IS (arm.md §5: every non-global stage-1 entry of the ASID
// in Xt[63:48], current VMID). TLBI ASIDE1 for ASID 6 leaves X (ASID 5) alone ("~"); for ASID 5
// X must fault. Global entries are not affected by ASIDE1 at all: a global page Y, made
// invalid, is still "~" after TLBI ASIDE1 for ASID 5, and faults only after TLBI VMALLE1.
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
    bl global
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
    .asciz "TLBI ASIDE1, ASID 6\n"
    .balign 4
    adr x0, g_aside1
    ldr x1, =(6 << 48)
    bl tlbi
    bl after_maybe
    bl say
    .asciz "TLBI ASIDE1, ASID 5\n"
    .balign 4
    adr x0, g_aside1
    ldr x1, =(ASID << 48)
    bl tlbi
    bl after_strict
    bl remap
    ldp x29, x30, [sp], #16
    ret
round2:
    stp x29, x30, [sp, #-16]!
    bl invalidate
    bl say
    .asciz "TLBI ASIDE1IS, ASID 6\n"
    .balign 4
    adr x0, g_aside1is
    ldr x1, =(6 << 48)
    bl tlbi
    bl after_maybe
    bl say
    .asciz "TLBI ASIDE1IS, ASID 5\n"
    .balign 4
    adr x0, g_aside1is
    ldr x1, =(ASID << 48)
    bl tlbi
    bl after_strict
    bl remap
    ldp x29, x30, [sp], #16
    ret

.equ Y, 0x100001000
global:                                 // Y: a global page of ASID 5's tables
    stp x29, x30, [sp, #-16]!
    mov x0, #0xc0
    bl marker_page
    ldr x2, =(S1_RAM | DESC_PAGE)
    orr x2, x2, x0
    mov x0, x19
    ldr x1, =Y
    mov x3, #3
    mov x4, #1
    bl pt_map
    mov x25, x0
    dsb ishst
    isb
    ldr x0, =Y
    bl grd
    bl sayx
    .asciz "Y (global) -> "
    .balign 4
    str xzr, [x25]
    dsb ishst
    isb
    bl say
    .asciz "Y invalid; TLBI ASIDE1, ASID 5\n"
    .balign 4
    adr x0, g_aside1
    ldr x1, =(ASID << 48)
    bl tlbi
    ldr x0, =Y
    bl grdq
    mov x1, #0xc0
    mov x2, #-1
    bl maybe
    .asciz "  Y after that TLBI"
    .balign 4
    bl say
    .asciz "TLBI VMALLE1\n"
    .balign 4
    adr x0, g_vmalle1
    bl tlbi
    ldr x0, =Y
    bl grd
    bl sayx
    .asciz "  Y after that TLBI: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

g_aside1:
    tlbi aside1, x0
    dsb ish
    isb
    hvc #HVC_EXIT
g_aside1is:
    tlbi aside1is, x0
    dsb ish
    isb
    hvc #HVC_EXIT
g_vmalle1:
    tlbi vmalle1
    dsb ish
    isb
    hvc #HVC_EXIT
