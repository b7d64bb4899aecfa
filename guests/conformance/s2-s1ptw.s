// qemu-imprecise: /^EL2 sync: esr=0x9200008[56] elr=T-0x[0-9a-f]+ far=0x100123008 hpfar=0x2000000 \| dabt isv=0 sas=0 sse=0 srt=0 sf=0 ar=0 cm=0 s1ptw=1 wnr=0 fsc=0x[56] \(translation L[12]\)$/ (a): QEMU 7.2 reports the stage-1 lookup level (2) instead of the stage-2 level (1)
// qemu-imprecise: /^EL2 sync: esr=0x9200008[67] elr=T-0x[0-9a-f]+ far=0x100123008 hpfar=0x2400000 \| dabt isv=0 sas=0 sse=0 srt=0 sf=0 ar=0 cm=0 s1ptw=1 wnr=0 fsc=0x[67] \(translation L[23]\)$/ (b): QEMU 7.2 reports level 2 instead of the stage-2 level 3
// qemu-imprecise: /^EL2 sync: esr=0x9200008[ab] elr=T-0x[0-9a-f]+ far=0x100123008 hpfar=0x2400010 \| dabt isv=0 sas=0 sse=0 srt=0 sf=0 ar=0 cm=0 s1ptw=1 wnr=0 fsc=0x[ab] \(access-flag L[23]\)$/ (c): QEMU 7.2 reports level 2 instead of the stage-2 level 3
// qemu-imprecise: /^EL2 sync: esr=0x9200008[ef] elr=T-0x[0-9a-f]+ far=0x100123008 hpfar=0x2400020 \| dabt isv=0 sas=0 sse=0 srt=0 sf=0 ar=0 cm=0 s1ptw=1 wnr=0 fsc=0x[ef] \(permission L[23]\)$/ (d): QEMU 7.2 reports level 2 instead of the stage-2 level 3
//
// The fault level with S1PTW = 1: the Arm ARM's data-abort ISS description (ESR_EL2, and HSR,
// to which ESR_EL2[31:0] is architecturally mapped: G8.2.74) says "If the S1PTW bit is set,
// then the level refers [to] the level of the stage 2 translation that is translating a stage 1
// translation walk". QEMU 7.2 (target/arm/ptw.c, get_phys_addr_lpae) sends a failed
// S1_ptw_translate to its common do_fault label, which overwrites fi->level with the level of
// the stage-1 lookup it was doing (2 here). The rules above accept exactly those two values for each of the cases (a)-(d);
// everything else on those lines must match. The same description says "ISV is set to 0 on a
// stage 2 abort on a stage 1 translation table walk", which both print.
//
// s2-s1ptw: stage-2 faults on the guest's stage-1 table walk (arm.md §1.7, §3.5): a stage-1
// descriptor fetch is an IPA access translated by stage 2; when that faults the abort goes to
// EL2 with ESR.S1PTW = 1, FAR = the guest VA, and HPFAR = the IPA of the stage-1 table (HPFAR
// is valid for every fault with S1PTW = 1). The guest runs with its MMU on (s1_std, 39-bit
// VA) and reads VA 4 GB + 0x123008, whose stage-1 level-2 table is placed at IPAs that stage 2
// maps badly:
//   (a) level-2 table at IPA 8 GB, stage 2 has nothing there   -> Translation, level 1
//   (b) level-2 table at IPA 9 GB, stage-2 level-3 entry empty -> Translation, level 3
//   (c) level-2 table at IPA 9 GB + 4K, stage-2 page AF = 0    -> Access flag, level 3
//   (d) level-2 table at IPA 9 GB + 8K, stage-2 page S2AP = 00 -> Permission, level 3
//   (e) level-2 table at IPA 9 GB + 12K, stage-2 page readable -> the walk goes on; the
//       level-2 entry it finds is empty: a stage-1 Translation fault at level 2, taken to EL1
// Only loads are used: for a store the Arm ARM leaves WnR of an S1PTW fault to the
// implementation's walk (a hardware Access-flag update would be a write).
.equ VA, 0x100123008
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    mov x19, x0
    mov x0, #1
    bl s1_std
    mov x20, x0                         // stage-1 root (level 1)
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    mov x0, x19                         // stage 2 for IPA 9 GB ...: a level-3 table
    ldr x1, =0x240000000
    mov x2, #0
    mov x3, #3
    mov x4, #1
    bl pt_map                           // 9 GB + 0: empty level-3 entry
    bl pt_alloc
    mov x21, x0                         // a zeroed page to serve as the level-2 table
    mov x0, x19
    ldr x1, =0x240001000
    ldr x2, =((S2_RAM & ~AF) | DESC_PAGE)
    orr x2, x2, x21
    bl pt_map
    mov x0, x19
    ldr x1, =0x240002000
    ldr x2, =((S2_RAM & ~S2_RW) | DESC_PAGE)
    orr x2, x2, x21
    bl pt_map
    mov x0, x19
    ldr x1, =0x240003000
    ldr x2, =(S2_RAM | DESC_PAGE)
    orr x2, x2, x21
    bl pt_map
    ldr x0, =0x200000000
    bl try
    ldr x0, =0x240000000
    bl try
    ldr x0, =0x240001000
    bl try
    ldr x0, =0x240002000
    bl try
    ldr x0, =0x240003000
    bl try
    ldp x29, x30, [sp], #16
    ret

// try(x0 = IPA of the stage-1 level-2 table for VA 4 GB)
try:
    stp x29, x30, [sp, #-16]!
    bl sayx
    .asciz "stage-1 level-2 table at IPA "
    .balign 4
    orr x0, x0, #DESC_TABLE
    str x0, [x20, #(4 * 8)]             // stage-1 level-1 entry 4 (VA 4 GB)
    dsb sy
    tlbi vmalls12e1
    dsb sy
    isb
    ldr x0, =(SCTLR_EL1_BASE | SCTLR_M)
    msr sctlr_el1, x0
    adr x0, g_ldr
    ldr x1, =VA
    bl guest_call
    bl sayx
    .asciz "  load -> "
    .balign 4
    ldp x29, x30, [sp], #16
    ret
