// s1-perm-xn: stage-1 execute permissions (arm.md §2: PXN bit 53, UXN bit 54; memory writable
// at EL0 is never executable at EL1; SCTLR_EL1.WXN = 1 makes every writable region
// execute-never). A code page (ret77, copied to PA 0x40400000) is mapped at eight VAs:
//   VA 4G + 0K:  AP=10 (EL1 RO),  PXN=0         EL1 exec -> runs
//   VA 4G + 4K:  AP=10,           PXN=1         EL1 exec -> Permission fault
//   VA 4G + 8K:  AP=11 (RO/RO),   UXN=1         EL0 exec -> Permission fault (from EL0)
//   VA 4G + 12K: AP=11,           UXN=0         EL0 exec -> runs
//   VA 4G + 16K: AP=01 (RW/RW),   PXN=UXN=0     EL1 exec -> Permission fault (EL0-writable)
//   VA 4G + 16K                                  EL0 exec -> runs
//   with WXN = 1:
//   VA 4G + 20K: AP=00 (EL1 RW),  PXN=0         EL1 exec -> Permission fault (writable)
//   VA 4G + 0K                                   EL1 exec -> runs (read-only)
//   VA 4G + 16K                                  EL0 exec -> Permission fault (writable)
// An instruction abort ends the code at that EL (the library returns the ESR). The TLB is
// flushed after changing WXN (SCTLR_EL1.WXN may be cached in TLB entries).
.equ CODE_PA, 0x40400000
.equ VA, 0x100000000
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #CODE_PA
    adr x1, ret77
    mov x2, #8
    bl copy_code
    mov x0, #1
    bl s1_std
    mov x19, x0
    ldr x1, =(VA + 0x0000)
    ldr x2, =(CODE_PA | S1_RAM | S1_AP_RO | S1_UXN | DESC_PAGE)
    bl map
    ldr x1, =(VA + 0x1000)
    ldr x2, =(CODE_PA | S1_RAM | S1_AP_RO | S1_UXN | S1_PXN | DESC_PAGE)
    bl map
    ldr x1, =(VA + 0x2000)
    ldr x2, =(CODE_PA | S1_RAM | S1_AP_RO | S1_AP_EL0 | S1_UXN | DESC_PAGE)
    bl map
    ldr x1, =(VA + 0x3000)
    ldr x2, =(CODE_PA | S1_RAM | S1_AP_RO | S1_AP_EL0 | DESC_PAGE)
    bl map
    ldr x1, =(VA + 0x4000)
    ldr x2, =(CODE_PA | S1_RAM | S1_AP_EL0 | DESC_PAGE)
    bl map
    ldr x1, =(VA + 0x5000)
    ldr x2, =(CODE_PA | S1_RAM | S1_UXN | DESC_PAGE)
    bl map
    ldr x0, =(SCTLR_EL1_BASE | SCTLR_M)
    bl set_sctlr
    ldr x20, =(VA + 0x0000)
    bl el1x
    ldr x20, =(VA + 0x1000)
    bl el1x
    ldr x20, =(VA + 0x2000)
    bl el0x
    ldr x20, =(VA + 0x3000)
    bl el0x
    ldr x20, =(VA + 0x4000)
    bl el1x
    ldr x20, =(VA + 0x4000)
    bl el0x
    bl say
    .asciz "SCTLR_EL1.WXN=1\n"
    .balign 4
    ldr x0, =(SCTLR_EL1_BASE | SCTLR_M | SCTLR_WXN)
    bl set_sctlr
    ldr x20, =(VA + 0x5000)
    bl el1x
    ldr x20, =(VA + 0x0000)
    bl el1x
    ldr x20, =(VA + 0x4000)
    bl el0x
    ldp x29, x30, [sp], #16
    ret

map:                                    // (x1 = VA, x2 = descriptor) in root x19
    stp x29, x30, [sp, #-16]!
    mov x0, x19
    mov x3, #3
    mov x4, #1
    bl pt_map
    ldp x29, x30, [sp], #16
    ret

set_sctlr:
    msr sctlr_el1, x0
    isb
    tlbi vmalle1
    dsb sy
    isb
    ret

el1x:                                   // EL1 executes at x20
    stp x29, x30, [sp, #-16]!
    adr x0, g_exec
    mov x1, x20
    bl guest_call
    mov x1, x0
    mov x0, x20
    bl sayh
    .asciz "EL1 exec "
    .balign 4
    mov x0, x1
    bl sayx
    .asciz " -> "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

el0x:                                   // EL0 executes at x20
    stp x29, x30, [sp, #-16]!
    adr x0, el0_call
    adr x1, u_exec
    mov x2, x20
    bl guest_call
    mov x1, x0
    mov x0, x20
    bl sayh
    .asciz "EL0 exec "
    .balign 4
    mov x0, x1
    bl sayx
    .asciz " -> "
    .balign 4
    ldp x29, x30, [sp], #16
    ret
