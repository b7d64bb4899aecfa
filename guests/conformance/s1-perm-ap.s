// s1-perm-ap: stage-1 data access permissions AP[2:1] (arm.md §2: bit 6 = EL0 access, bit 7 =
// read-only; 00 EL1 RW / EL0 none, 01 RW / RW, 10 RO / none, 11 RO / RO). Four level-3 pages
// with AP = 00, 01, 10, 11 over one marker page; EL1 and EL0 each load and store through
// every one. Faults are taken to EL1 as Permission faults at level 3 (EC 0x25 from EL1,
// EC 0x24 from EL0; WnR = 1 for stores) and stepped over.
.equ MARK_PA, 0x40400000
.equ VA, 0x100000000
main:
    stp x29, x30, [sp, #-16]!
    ldr x0, =0xa9a9
    mov x1, #MARK_PA
    str x0, [x1]
    mov x0, #1
    bl s1_std
    mov x19, x0
    mov x20, #0
1:  mov x0, x19
    ldr x1, =VA
    add x1, x1, x20, lsl #12
    ldr x2, =(MARK_PA | S1_RAM | S1_PXN | S1_UXN | DESC_PAGE)
    orr x2, x2, x20, lsl #6
    mov x3, #3
    mov x4, #1
    bl pt_map
    add x20, x20, #1
    cmp x20, #4
    b.lo 1b
    ldr x0, =(SCTLR_EL1_BASE | SCTLR_M)
    msr sctlr_el1, x0
    isb
    mov x20, #0
2:  mov x0, x20
    bl sayx
    .asciz "AP="
    .balign 4
    ldr x21, =VA
    add x21, x21, x20, lsl #12
    adr x0, g_ldr
    mov x1, x21
    bl guest_call
    bl sayx
    .asciz "  EL1 load -> "
    .balign 4
    adr x0, g_str
    add x1, x21, #8
    mov x2, x20
    bl guest_call
    bl sayx
    .asciz "  EL1 store -> "
    .balign 4
    adr x0, el0_call
    adr x1, u_ldr
    mov x2, x21
    bl guest_call
    bl sayx
    .asciz "  EL0 load -> "
    .balign 4
    adr x0, el0_call
    adr x1, u_str
    add x2, x21, #16
    mov x3, x20
    bl guest_call
    bl sayx
    .asciz "  EL0 store -> "
    .balign 4
    add x20, x20, #1
    cmp x20, #4
    b.lo 2b
    mov x1, #MARK_PA
    ldp x0, x2, [x1, #8]
    bl sayx
    .asciz "last EL1 store wrote "
    .balign 4
    mov x0, x2
    bl sayx
    .asciz "last EL0 store wrote "
    .balign 4
    ldp x29, x30, [sp], #16
    ret
