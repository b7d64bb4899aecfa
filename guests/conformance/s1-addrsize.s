// s1-addrsize: stage-1 Address size faults (arm.md §2: TCR_EL1.IPS bounds the output and
// table addresses like VTCR_EL2.PS, and the effective size is min(IPS, PARange)). Taken to
// EL1 (stage 2 off) with DFSC 0b0000LL:
//   IPS = 32 bits: VA 4 GB page -> PA 4 GB                         -> level 3
//   IPS = 32 bits: VA 5 GB level-2 block -> PA 4 GB + 2 MB           -> level 2
//   IPS = 32 bits: VA 6 GB level-1 table descriptor -> table at 4 GB -> level 1
//   IPS = 32 bits: a TTBR1 VA whose TTBR1_EL1 table base is at 4 GB  -> level 0
//   IPS = 48 bits (PARange 44): VA 7 GB page -> PA 2^44               -> level 3
// TTBR1 (T1SZ 25, TG1 4 KB) is enabled only for the fourth case, so the code keeps running
// through TTBR0.
.equ TCR_BOTH, ((1 << 8) | (1 << 10) | (3 << 12) | 25 | (25 << 16) | (1 << 24) | (1 << 26) | (3 << 28) | (2 << 30))
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s1_std
    mov x19, x0
    ldr x1, =0x100000000
    ldr x2, =(0x100000000 | S1_RAM | DESC_PAGE)
    mov x3, #3
    mov x4, #1
    bl pt_map
    mov x0, x19
    ldr x1, =0x140000000
    ldr x2, =(0x100200000 | S1_RAM | DESC_BLOCK)
    mov x3, #2
    bl pt_map
    mov x0, x19
    ldr x1, =0x180000000
    ldr x2, =(0x100000000 | DESC_TABLE)
    mov x3, #1
    bl pt_map
    mov x0, x19
    ldr x1, =0x1c0000000
    ldr x2, =(0x100000000000 | S1_RAM | DESC_PAGE)
    mov x3, #3
    bl pt_map
    ldr x0, =0x100000000
    msr ttbr1_el1, x0
    ldr x0, =(SCTLR_EL1_BASE | SCTLR_M)
    msr sctlr_el1, x0
    ldr x0, =(TCR_EL1_BASE | 25)
    ldr x1, =(7 << 32)
    bic x0, x0, x1                      // IPS = 0: 32 bits
    bl set_tcr
    ldr x0, =0x100000008
    bl rd
    ldr x0, =0x140000010
    bl rd
    ldr x0, =0x180000018
    bl rd
    ldr x0, =TCR_BOTH                   // IPS = 0, TTBR1 walks enabled
    bl set_tcr
    ldr x0, =0xffffff8000000020
    bl rd
    ldr x0, =(TCR_EL1_BASE | 25)
    ldr x1, =(7 << 32)
    bic x0, x0, x1
    ldr x1, =(5 << 32)                  // IPS = 5: 48 bits
    orr x0, x0, x1
    bl set_tcr
    ldr x0, =0x1c0000028
    bl rd
    ldp x29, x30, [sp], #16
    ret

set_tcr:
    msr tcr_el1, x0
    isb
    tlbi vmalle1
    dsb sy
    isb
    ret

rd:
    stp x29, x30, [sp, #-16]!
    mov x1, x0
    adr x0, g_ldr
    bl guest_call
    ldp x29, x30, [sp], #16
    ret
