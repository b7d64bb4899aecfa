// s2-bad-sl0: VTCR_EL2.SL0 inconsistent with T0SZ gives a stage-2 Translation fault at
// level 0 for every access (arm.md §1.2, the Arm pseudocode's S2InconsistentSL; QEMU's
// check_s2_mmu_setup). The guest's very first instruction fetch faults, so each case shows
// an instruction abort from EL1 (EC 0x20, IFSC 0x04) at the entry address, and the guest is
// abandoned (RECOVER_EXIT). The tables map everything the guest would need, as in s2_std.
//   (a) SL0 = 0 (level 2) with a 40-bit IPA: level 2 covers at most 34 bits;
//   (b) SL0 = 1 (level 1) with a 30-bit IPA: level 1 needs at least 31 bits;
//   (c) SL0 = 2 (level 0) with a 39-bit IPA: level 0 needs at least 40 bits;
//   (d) SL0 = 3 (level 3 start needs FEAT_TTST, which the Cortex-A57 lacks);
//   (e) the consistent control: SL0 = 1, 40-bit IPA, the same tables.
main:
    stp x29, x30, [sp, #-16]!
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    mov x0, #1
    bl s2_std                           // root: two level-1 tables (what SL0 = 1 expects)
    mov x19, x0
    ldr x0, =(VTCR_RES1 | VTCR_PS_40 | VTCR_SL0_L2 | 24)
    bl try
    ldr x0, =(VTCR_RES1 | VTCR_PS_40 | VTCR_SL0_L1 | 34)
    bl try
    ldr x0, =(VTCR_RES1 | VTCR_PS_40 | VTCR_SL0_L0 | 25)
    bl try
    ldr x0, =(VTCR_RES1 | VTCR_PS_40 | (3 << 6) | 24)
    bl try
    ldr x0, =(VTCR_RES1 | VTCR_PS_40 | VTCR_SL0_L1 | 24)
    bl try
    ldp x29, x30, [sp], #16
    ret

// try(x0 = VTCR_EL2): runs the guest routine g_ldr at IPA 0x40000800 (RAM); the same VMID
// throughout, so every case starts with TLBI VMALLS12E1.
try:
    stp x29, x30, [sp, #-16]!
    bl sayx
    .asciz "VTCR_EL2="
    .balign 4
    msr vtcr_el2, x0
    isb
    tlbi vmalls12e1
    dsb sy
    isb
    mov x0, #RECOVER_EXIT
    bl set_recover
    ldr x0, =(RAM_BASE + 0x800)         // (the EL2 vectors' first word would be harmless)
    mov x1, #0x5a5a
    adr x2, ok_code
    ldr x3, =RAM_BASE
    sub x2, x2, x3
    bl run_at
    bl sayx
    .asciz "  guest returned "
    .balign 4
    mov x0, #0
    bl set_recover
    ldp x29, x30, [sp], #16
    ret

// run_at(x0 = entry IPA): copies ok_code to the RAM page at IPA 0x40000000 (which has no
// other use) and runs it at EL1. It returns 0x5a5a, or the ESR if the fetch faulted.
run_at:
    stp x29, x30, [sp, #-16]!
    adr x1, ok_code
    ldp x2, x3, [x1]
    ldr x1, =(RAM_BASE + 0x800)
    stp x2, x3, [x1]
    dsb sy
    ic iallu
    dsb sy
    isb
    ldr x1, =SPSR_EL1H_MASKED
    mov x2, #0
    mov x3, #0
    mov x4, #0
    bl enter_el1
    ldp x29, x30, [sp], #16
    ret

ok_code:
    mov x0, #0x5a5a
    hvc #HVC_EXIT
