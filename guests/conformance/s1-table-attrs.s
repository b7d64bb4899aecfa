// s1-table-attrs: hierarchical attributes in stage-1 TABLE descriptors (arm.md §2: PXNTable
// bit 59, UXNTable 60, APTable[62:61]; stage-2 table descriptors have none). Four level-2
// tables cover VA 4 GB, 5 GB, 6 GB and 7 GB; each level-1 table descriptor sets one control,
// and the level-3 page below it (AP=01: RW at EL0 and EL1, executable: PXN = UXN = 0 except
// the implicit EL1 rule) maps the same code/data page:
//   4 GB: APTable = 01 (no EL0 access below)       EL0 load -> Permission fault; EL1 load ok
//   5 GB: APTable = 10 (read-only below)           EL1 store -> Permission fault; load ok
//   6 GB: UXNTable = 1                             EL0 exec -> Permission fault
//   7 GB: PXNTable = 1, page AP=10 (EL1 RO)        EL1 exec -> Permission fault
// The faults are reported at level 3, the level of the page being used.
.equ PAGE_PA, 0x40400000
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #PAGE_PA
    adr x1, ret77
    mov x2, #8
    bl copy_code
    mov x0, #1
    bl s1_std
    mov x19, x0
    ldr x20, =(1 << 61)                 // APTable[0]
    ldr x21, =0x100000000
    ldr x22, =(PAGE_PA | S1_RAM | S1_AP_EL0 | DESC_PAGE)
    bl map
    ldr x20, =(1 << 62)                 // APTable[1]
    ldr x21, =0x140000000
    bl map
    ldr x20, =(1 << 60)                 // UXNTable
    ldr x21, =0x180000000
    ldr x22, =(PAGE_PA | S1_RAM | S1_AP_EL0 | S1_AP_RO | DESC_PAGE)
    bl map
    ldr x20, =(1 << 59)                 // PXNTable
    ldr x21, =0x1c0000000
    ldr x22, =(PAGE_PA | S1_RAM | S1_AP_RO | DESC_PAGE)
    bl map
    ldr x0, =(SCTLR_EL1_BASE | SCTLR_M)
    msr sctlr_el1, x0
    tlbi vmalle1
    dsb sy
    isb
    bl say
    .asciz "APTable=01\n"
    .balign 4
    adr x0, el0_call
    adr x1, u_ldr
    ldr x2, =0x100000000
    bl guest_call
    bl sayx
    .asciz "  EL0 load -> "
    .balign 4
    adr x0, g_ldr
    ldr x1, =0x100000000
    bl guest_call
    bl sayx
    .asciz "  EL1 load -> "
    .balign 4
    bl say
    .asciz "APTable=10\n"
    .balign 4
    adr x0, g_str
    ldr x1, =0x140000010
    mov x2, #5
    bl guest_call
    bl sayx
    .asciz "  EL1 store -> "
    .balign 4
    adr x0, g_ldr
    ldr x1, =0x140000000
    bl guest_call
    bl sayx
    .asciz "  EL1 load -> "
    .balign 4
    bl say
    .asciz "UXNTable=1\n"
    .balign 4
    adr x0, el0_call
    adr x1, u_exec
    ldr x2, =0x180000000
    bl guest_call
    bl sayx
    .asciz "  EL0 exec -> "
    .balign 4
    bl say
    .asciz "PXNTable=1\n"
    .balign 4
    adr x0, g_exec
    ldr x1, =0x1c0000000
    bl guest_call
    bl sayx
    .asciz "  EL1 exec -> "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

// map: a new level-2 table for VA x21 whose level-1 table descriptor carries the bits x20,
// and a level-3 page x22 at x21.
map:
    stp x29, x30, [sp, #-16]!
    mov x0, x19
    mov x1, x21
    mov x2, x22
    mov x3, #3
    mov x4, #1
    bl pt_map
    lsr x1, x21, #30                    // the level-1 entry (a table descriptor now)
    add x1, x19, x1, lsl #3
    ldr x2, [x1]
    orr x2, x2, x20
    str x2, [x1]
    ldp x29, x30, [sp], #16
    ret
