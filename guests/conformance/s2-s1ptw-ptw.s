// qemu-imprecise: /^EL2 sync: esr=0x9200008[ef] elr=T-0x[0-9a-f]+ far=0x100000008 hpfar=0x2000000 \| dabt isv=0 sas=0 sse=0 srt=0 sf=0 ar=0 cm=0 s1ptw=1 wnr=0 fsc=0x[ef] \(permission L[23]\)$/ (a): QEMU 7.2 reports the stage-1 lookup level (2) instead of the stage-2 leaf level (3)
//
// The fault level: the Permission fault belongs to the stage-2 translation of the table's IPA,
// whose leaf is a level-3 page, and the Arm ARM's data-abort ISS description (ESR_EL2/HSR) says
// that with S1PTW set "the level refers [to] the level of the stage 2 translation that is
// translating a stage 1 translation walk": level 3. QEMU 7.2 raises the fault in
// S1_ptw_translate and its get_phys_addr_lpae do_fault path then sets fi->level to the stage-1
// lookup level (2). See s2-s1ptw for the same QEMU behaviour on other fault kinds.
//
// s2-s1ptw-ptw: HCR_EL2.PTW (arm.md §1.6, §4): when it is 1, a stage-1 table walk that reaches
// memory that stage 2 maps as Device takes a stage-2 Permission fault (ESR.S1PTW = 1; HPFAR =
// the IPA of the table, valid because S1PTW = 1). The guest (MMU on, s1_std) reads VA 4 GB,
// whose stage-1 level-2 table is at IPA 8 GB, mapped by a stage-2 page:
//   (a) Device-nGnRE, PTW = 1  -> Permission fault at level 3 (the stage-2 leaf's level)
//   (b) Device-nGnRE, PTW = 0  -> the walk proceeds and the load returns the marker
//   (c) Normal write-back, PTW = 1 -> the load returns the marker
.equ VA, 0x100000008
.equ MARK_PA, 0x40400000
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    mov x19, x0
    mov x0, #1
    bl s1_std
    mov x20, x0
    ldr x0, =0x7777
    mov x1, #MARK_PA
    str x0, [x1, #8]
    bl pt_alloc                         // stage-1 level-2 table -> level-3 table -> marker page
    mov x21, x0
    bl pt_alloc
    mov x22, x0
    orr x0, x22, #DESC_TABLE
    str x0, [x21]                       // level-2 entry 0 -> level-3 table
    ldr x0, =(MARK_PA | S1_RAM | DESC_PAGE)
    str x0, [x22]                       // level-3 entry 0 -> marker page
    ldr x0, =(0x200000000 | DESC_TABLE)
    str x0, [x20, #(4 * 8)]             // stage-1 level-1 entry 4 -> level-2 table at IPA 8 GB
    mov x0, x19
    ldr x1, =0x200000000
    ldr x2, =(S2_DEV | DESC_PAGE)
    orr x2, x2, x21
    mov x3, #3
    mov x4, #1
    bl pt_map
    mov x23, x0                         // that stage-2 descriptor
    ldr x0, =(SCTLR_EL1_BASE | SCTLR_M)
    msr sctlr_el1, x0
    bl say
    .asciz "(a) Device, PTW=1\n"
    .balign 4
    ldr x0, =(HCR_GUEST | HCR_PTW)
    bl try
    bl say
    .asciz "(b) Device, PTW=0\n"
    .balign 4
    ldr x0, =HCR_GUEST
    bl try
    bl say
    .asciz "(c) Normal, PTW=1\n"
    .balign 4
    ldr x0, =(S2_RAM | DESC_PAGE)
    orr x0, x0, x21
    str x0, [x23]
    ldr x0, =(HCR_GUEST | HCR_PTW)
    bl try
    ldp x29, x30, [sp], #16
    ret

try:                                    // (x0 = HCR_EL2)
    stp x29, x30, [sp, #-16]!
    msr hcr_el2, x0
    dsb sy
    tlbi vmalls12e1
    dsb sy
    isb
    adr x0, g_ldr
    ldr x1, =VA
    bl guest_call
    bl sayx
    .asciz "  load -> "
    .balign 4
    ldp x29, x30, [sp], #16
    ret
