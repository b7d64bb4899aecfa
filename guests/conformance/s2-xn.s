// s2-xn: stage-2 execute permission (arm.md §1.5: without FEAT_XNX, descriptor bit 54 = XN
// forbids execution at EL1 and EL0; execution does not need S2AP read permission when EL2 is
// AArch64). A code page (ret77: `mov x0, #0x77; ret`, copied to PA 0x40400000) is mapped at
// several IPAs; the guest calls each one (g_exec). An instruction abort ends the guest, so
// the printed result is then the ESR.
//   IPA 4G:       page, S2AP RW, XN = 0    -> runs, returns 0x77
//   IPA 4G + 4K:  page, S2AP RW, XN = 1    -> instruction abort, Permission level 3
//   IPA 4G + 8K:  page, S2AP 00, XN = 0    -> runs (execute without read); a load faults
//   IPA 5G:       2 MB block, XN = 1       -> instruction abort, Permission level 2
//   IPA 4G + 16K: unmapped                 -> instruction abort, Translation level 3
.equ CODE_PA, 0x40400000
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #CODE_PA
    adr x1, ret77
    mov x2, #8
    bl copy_code
    mov x0, #1
    bl s2_std
    mov x19, x0
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    mov x0, x19
    ldr x1, =0x100000000
    ldr x2, =(CODE_PA | S2_RAM | DESC_PAGE)
    mov x3, #3
    mov x4, #1
    bl pt_map
    mov x0, x19
    ldr x1, =0x100001000
    ldr x2, =(CODE_PA | S2_RAM | S2_XN | DESC_PAGE)
    bl pt_map
    mov x0, x19
    ldr x1, =0x100002000
    ldr x2, =(CODE_PA | (S2_RAM & ~S2_RW) | DESC_PAGE)
    bl pt_map
    mov x0, x19
    ldr x1, =0x140000000
    ldr x2, =(CODE_PA | S2_RAM | S2_XN | DESC_BLOCK)
    mov x3, #2
    bl pt_map
    ldr x20, =0x100000000
    bl exec
    ldr x20, =0x100001000
    bl exec
    ldr x20, =0x100002000
    bl exec
    adr x0, g_ldr
    ldr x1, =0x100002000
    bl guest_call
    bl sayx
    .asciz "load from the S2AP=00 page -> "
    .balign 4
    ldr x20, =0x140000000
    bl exec
    ldr x20, =0x100004000
    bl exec
    ldp x29, x30, [sp], #16
    ret

exec:                                   // (x20 = IPA)
    stp x29, x30, [sp, #-16]!
    adr x0, g_exec
    mov x1, x20
    bl guest_call
    mov x1, x0
    mov x0, x20
    bl sayh
    .asciz "exec "
    .balign 4
    mov x0, x1
    bl sayx
    .asciz " -> "
    .balign 4
    ldp x29, x30, [sp], #16
    ret
