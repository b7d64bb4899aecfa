// qemu-imprecise: /^EL2 sync: esr=0x9(781|600)0007 elr=T\+0x[0-9a-f]+ far=0x100000000 \| dabt isv=[01] sas=[02] sse=0 srt=[01] sf=0 ar=0 cm=0 s1ptw=0 wnr=0 fsc=0x7 \(translation L3\)$/ QEMU 7.2 gives an instruction syndrome (ISV=1) to an EL2 stage-1 fault
//
// ISV of the EL2 data aborts below: the Arm ARM's ISS description for data aborts says ISV is 0
// for every fault reported in ESR_EL2 except the listed STAGE-2 aborts (single-register loads
// and stores without writeback); a fault in EL2's own stage-1 translation is not one, so
// ESR_EL2 = 0x96000007. QEMU 7.2 (merge_syn_data_abort) keeps the syndrome of the load
// (ISV=1, SAS=2, SRT=1: 0x97810007) for any data abort taken to EL2 unless it is on a stage-1
// walk. The rule above accepts exactly those two values.
// tlbi-vae2: TLBI VAE2 / VAE2IS (EL2 regime, by VA: Xt[43:0] = VA[55:12]). The neighbouring
// VA X + 4 KB leaves X's entry alone (still "~"); X itself must then fault.
// EL2 turns its own MMU on (TTBR0_EL2/TCR_EL2/MAIR_EL2, SCTLR_EL2.M; identity map of the UART
// and RAM, plus VA X -> a marker page) and reads X. X's descriptor is made invalid: without a
// TLBI the read may hit the cached translation or fault (a "~" line: Arm ARM D5.10.2). After
// the TLBI + DSB ISH + ISB the read must fault (a data abort taken to EL2 from EL2, EC 0x25);
// mapping X again is seen at once. Round 2 uses the Inner Shareable form.
.equ X, 0x100000000
.equ TCR_EL2_STD, ((1 << 31) | (1 << 23) | (2 << 16) | (3 << 12) | (1 << 10) | (1 << 8) | 25)
main:
    stp x29, x30, [sp, #-16]!
    bl pt_alloc
    mov x19, x0                         // EL2 stage-1 root (level 1, 39-bit VA)
    mov x1, #0
    ldr x2, =(S1_DEVICE | AF | S1_AP_EL0 | S1_UXN | DESC_BLOCK)
    mov x3, #1
    mov x4, #1
    bl pt_map
    mov x0, x19
    ldr x1, =RAM_BASE
    ldr x2, =(RAM_BASE | S1_RAM | S1_AP_EL0 | DESC_BLOCK)
    bl pt_map
    mov x0, #0xa0
    bl marker_page
    ldr x20, =(S1_RAM | S1_AP_EL0 | S1_UXN | DESC_PAGE)
    orr x20, x20, x0
    mov x0, #0xb0
    bl marker_page
    ldr x21, =(S1_RAM | S1_AP_EL0 | S1_UXN | DESC_PAGE)
    orr x21, x21, x0
    mov x0, x19
    ldr x1, =X
    mov x2, x20
    mov x3, #3
    bl pt_map
    mov x22, x0                         // X's level-3 descriptor
    ldr x0, =MAIR_STD
    msr mair_el2, x0
    ldr x0, =TCR_EL2_STD
    msr tcr_el2, x0
    msr ttbr0_el2, x19
    isb
    tlbi alle2
    dsb ish
    isb
    ldr x0, =(SCTLR_EL2_RES1 | SCTLR_M)
    msr sctlr_el2, x0
    isb
    bl say
    .asciz "EL2 MMU on\n"
    .balign 4
    bl rd2
    bl sayx
    .asciz "X -> "
    .balign 4
    mov x23, #0xa0
    mov x24, x21
    bl round1
    mov x23, #0xb0
    mov x24, x20
    bl round2
    ldr x0, =SCTLR_EL2_RES1
    msr sctlr_el2, x0
    isb
    ldp x29, x30, [sp], #16
    ret

// rd2 / rd2q: an EL2 load from X (all ones if it faulted); rd2q with reports off.
rd2:
    mov x1, #-1
    ldr x0, =X
    ldr w1, [x0]
    mov x0, x1
    ret
rd2q:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl quiet
    bl rd2
    mov x1, x0
    mov x0, #0
    bl quiet
    mov x0, x1
    ldp x29, x30, [sp], #16
    ret

invalidate:
    stp x29, x30, [sp, #-16]!
    str xzr, [x22]
    dsb ishst
    isb
    bl rd2q
    mov x1, x23
    mov x2, #-1
    bl maybe
    .asciz "X invalid, no TLBI"
    .balign 4
    ldp x29, x30, [sp], #16
    ret

remap:
    stp x29, x30, [sp, #-16]!
    str x24, [x22]
    dsb ishst
    isb
    bl rd2
    bl sayx
    .asciz "mapped again: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

after_strict:
    stp x29, x30, [sp, #-16]!
    bl rd2
    bl sayx
    .asciz "  after that TLBI: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret
after_maybe:
    stp x29, x30, [sp, #-16]!
    bl rd2q
    mov x1, x23
    mov x2, #-1
    bl maybe
    .asciz "  after that TLBI"
    .balign 4
    ldp x29, x30, [sp], #16
    ret

round1:
    stp x29, x30, [sp, #-16]!
    bl invalidate
    bl say
    .asciz "TLBI VAE2 X + 4K (another page)\n"
    .balign 4
    ldr x0, =((X + 0x1000) >> 12)
    tlbi vae2, x0
    dsb ish
    isb
    bl after_maybe
    bl say
    .asciz "TLBI VAE2 X\n"
    .balign 4
    ldr x0, =(X >> 12)
    tlbi vae2, x0
    dsb ish
    isb
    bl after_strict
    bl remap
    ldp x29, x30, [sp], #16
    ret

round2:
    stp x29, x30, [sp, #-16]!
    bl invalidate
    bl say
    .asciz "TLBI VAE2IS X + 4K (another page)\n"
    .balign 4
    ldr x0, =((X + 0x1000) >> 12)
    tlbi vae2is, x0
    dsb ish
    isb
    bl after_maybe
    bl say
    .asciz "TLBI VAE2IS X\n"
    .balign 4
    ldr x0, =(X >> 12)
    tlbi vae2is, x0
    dsb ish
    isb
    bl after_strict
    bl remap
    ldp x29, x30, [sp], #16
    ret
