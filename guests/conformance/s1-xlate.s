// s1-xlate: stage-1 Translation faults at each level (arm.md §2, §3.4), taken to EL1 (stage 2
// is off) as data aborts from the current EL (EC 0x25) with DFSC 0b0001LL and FAR = the VA.
// 48-bit VA space (start at level 0) with one page mapped at VA 4 GB:
//   VA 2^47          level-0 entry empty                         -> level 0
//   VA 5 GB          level-1 entry empty                         -> level 1
//   VA 4 GB + 2 MB   level-2 entry empty                         -> level 2
//   VA 4 GB + 4 KB   level-3 entry empty                         -> level 3
//   VA 4 GB + 8 KB   level-3 entry with bits[1:0] = 01 (reserved) -> level 3
// and with a 39-bit VA space (T0SZ 25, start at level 1):
//   VA 2^39 + 4 GB   above the TTBR0 range, below the TTBR1 range -> level 0
//   VA 0xffffff8000001000  in the TTBR1 range, walks disabled by TCR_EL1.EPD1 -> level 0
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #0
    bl s1_std
    mov x19, x0
    ldr x0, =0x4444
    bl marker_page
    ldr x2, =(S1_RAM | DESC_PAGE)
    orr x2, x2, x0
    mov x20, x2
    mov x0, x19
    ldr x1, =0x100000000
    mov x3, #3
    mov x4, #0
    bl pt_map
    mov x0, x19
    ldr x1, =0x100002000
    and x2, x20, #~2                    // the same page with bits[1:0] = 01
    bl pt_map
    ldr x0, =(SCTLR_EL1_BASE | SCTLR_M)
    msr sctlr_el1, x0
    isb
    ldr x0, =0x100000000
    bl rd
    bl sayx
    .asciz "VA 4G -> "
    .balign 4
    ldr x0, =0x800000000000
    bl rd
    ldr x0, =0x140000000
    bl rd
    ldr x0, =0x100200000
    bl rd
    ldr x0, =0x100001000
    bl rd
    ldr x0, =0x100002000
    bl rd
    mov x0, #1
    bl s1_std
    tlbi vmalle1
    dsb sy
    isb
    ldr x0, =0x8100000000
    bl rd
    ldr x0, =0xffffff8000001000
    bl rd
    ldp x29, x30, [sp], #16
    ret

rd:
    stp x29, x30, [sp, #-16]!
    mov x1, x0
    adr x0, g_ldr
    bl guest_call
    ldp x29, x30, [sp], #16
    ret
