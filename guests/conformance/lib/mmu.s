// Conformance library, part 5: translation tables (4 KB granule) in a static pool.
//
// pt_map is one walker for stage 1 and stage 2 alike: both use the same table-descriptor
// format (next-level address | 0b11; stage-1 table attribute bits are left 0) and the same
// index arithmetic (arm.md §1.4): level L indexes address bits [20+9(3-L) : 12+9(3-L)], and the
// start level also takes any bits above that (concatenated stage-2 start tables).
// EL2 runs with its MMU off, so tables are written at their physical addresses; the standard
// stage 2 maps RAM one-to-one, so for the guest IPA = PA for every pool page.
.text

// pt_alloc() -> x0: a zeroed, 4 KB-aligned page from the pool.
// pt_alloc_n(x0 = pages, a power of two) -> x0: that many contiguous zeroed pages, aligned to
// their total size (a concatenated stage-2 start table must be aligned to its size, arm.md §1.3).
pt_alloc:
    mov x0, #1
pt_alloc_n:
    stp x1, x2, [sp, #-32]!
    str x3, [sp, #16]
    lsl x2, x0, #12                     // size in bytes = alignment
    adrp x1, pt_next
    add x1, x1, :lo12:pt_next
    ldr x0, [x1]
    cbnz x0, 1f
    adrp x0, pt_pool
    add x0, x0, :lo12:pt_pool
1:  sub x3, x2, #1
    add x0, x0, x3
    bic x0, x0, x3
    add x3, x0, x2
    str x3, [x1]
    adrp x1, pt_pool_end
    add x1, x1, :lo12:pt_pool_end
    cmp x3, x1
    b.hi 2f
    ldr x3, [sp, #16]
    ldp x1, x2, [sp], #32
    ret
2:  bl say
    .asciz "page-table pool exhausted\n"
    .balign 4
    b exit_fail

// pt_map(x0 = root, x1 = input address, x2 = descriptor, x3 = level, x4 = start level)
//   -> x0 = address of the descriptor written.
// Walks from the root at the start level down to `level`, creating next-level tables where
// an entry is not a table descriptor, and writes `x2` there. x1..x30 are preserved.
pt_map:
    stp x1, x2, [sp, #-64]!
    stp x3, x4, [sp, #16]
    stp x5, x6, [sp, #32]
    stp x7, x30, [sp, #48]
    mov x5, x0                          // current table
    mov x6, x4                          // current level
3:  mov x7, #3
    sub x7, x7, x6
    mov x0, #9
    mul x7, x7, x0
    add x7, x7, #12                     // shift = 12 + 9 * (3 - level)
    lsr x0, x1, x7
    cmp x6, x4
    b.eq 4f
    and x0, x0, #0x1ff
4:  add x0, x5, x0, lsl #3              // descriptor address
    cmp x6, x3
    b.eq 6f
    ldr x7, [x0]
    and x7, x7, #3
    cmp x7, #3
    b.eq 5f
    mov x7, x0
    bl pt_alloc
    orr x0, x0, #DESC_TABLE
    str x0, [x7]
    mov x0, x7
5:  ldr x5, [x0]
    ldr x7, =OA_MASK
    and x5, x5, x7
    add x6, x6, #1
    b 3b
6:  str x2, [x0]
    ldp x3, x4, [sp, #16]
    ldp x5, x6, [sp, #32]
    ldp x7, x30, [sp, #48]
    ldp x1, x2, [sp], #64
    ret

// s2_std(x0 = VMID) -> x0 = root: the standard stage 2 (40-bit IPA, two concatenated level-1
// tables, VTCR_STD): IPA 0-1 GB -> PA 0-1 GB Device-nGnRE (UART, GIC), 1-2 GB -> RAM as
// Normal write-back, both read/write and executable, as 1 GB blocks. Sets VTCR_EL2 and
// VTTBR_EL2 (root | VMID << 48). The caller sets HCR_EL2 (HCR_GUEST) and maps its test IPAs
// with pt_map(root, ipa, desc, level, 1).
s2_std:
    stp x19, x30, [sp, #-32]!
    stp x1, x2, [sp, #16]
    mov x19, x0
    mov x0, #2
    bl pt_alloc_n
    mov x1, #(S2_DEV | DESC_BLOCK)
    str x1, [x0]
    ldr x1, =(RAM_BASE | S2_RAM | DESC_BLOCK)
    str x1, [x0, #8]
    ldr x1, =VTCR_STD
    msr vtcr_el2, x1
    orr x1, x0, x19, lsl #48
    msr vttbr_el2, x1
    isb
    ldp x1, x2, [sp, #16]
    ldp x19, x30, [sp], #32
    ret

// s1_std(x0 = start level, 0 or 1) -> x0 = root: the standard stage 1 of the EL1&0 regime
// (48-bit VA from level 0 or 39-bit VA from level 1), identity-mapped:
//   - VA 0-1 GB: Device-nGnRE, EL0/EL1 read/write, never executable (UART, GIC);
//   - the first 2 MB of RAM (the image, 0x40000000-0x401fffff) as 4 KB pages: below
//     __data_start (code, strings) read-only at EL0 and EL1 and executable at both; from
//     __data_start on (data, stacks, page-table pool) read/write at EL0 and EL1, never
//     executable. So EL0 code can call the print routines, and SCTLR_EL1.WXN changes nothing
//     for the image.
// Sets MAIR_EL1, TCR_EL1 (T0SZ 16 or 25, TTBR1 walks disabled) and TTBR0_EL1 (ASID 0); the
// caller sets SCTLR_EL1.M. Test VAs are added with pt_map(root, va, desc, level, start).
s1_std:
    stp x19, x20, [sp, #-64]!
    stp x21, x22, [sp, #16]
    stp x1, x2, [sp, #32]
    stp x3, x4, [sp, #48]
    str x30, [sp, #-16]!
    mov x19, x0                         // start level
    bl pt_alloc
    mov x20, x0                         // root
    mov x1, #0
    ldr x2, =(S1_DEV | DESC_BLOCK)
    mov x3, #1
    mov x4, x19
    bl pt_map
    mov x0, x20
    mov x21, #RAM_BASE                  // VA = PA of the page being mapped
    adrp x22, __data_start
    add x22, x22, :lo12:__data_start
7:  ldr x2, =(S1_RAM | S1_AP_EL0 | S1_AP_RO | DESC_PAGE)
    cmp x21, x22
    b.lo 8f
    ldr x2, =(S1_RAM | S1_AP_EL0 | S1_PXN | S1_UXN | DESC_PAGE)
8:  orr x2, x2, x21
    mov x1, x21
    mov x3, #3
    mov x4, x19
    mov x0, x20
    bl pt_map
    add x21, x21, #4096
    mov x0, #(RAM_BASE + 0x200000)
    cmp x21, x0
    b.lo 7b
    ldr x0, =MAIR_STD
    msr mair_el1, x0
    ldr x0, =TCR_EL1_BASE
    mov x1, #25
    cbnz x19, 9f
    mov x1, #16
9:  orr x0, x0, x1
    msr tcr_el1, x0
    msr ttbr0_el1, x20
    isb
    mov x0, x20
    ldr x30, [sp], #16
    ldp x1, x2, [sp, #32]
    ldp x3, x4, [sp, #48]
    ldp x21, x22, [sp, #16]
    ldp x19, x20, [sp], #64
    ret

// marker_page(x0 = value) -> x0: a fresh pool page whose first word holds `value`
// (the value that reads through a test mapping show which page a translation reached).
marker_page:
    stp x1, x30, [sp, #-16]!
    mov x1, x0
    bl pt_alloc
    str x1, [x0]
    ldp x1, x30, [sp], #16
    ret

.data
.balign 8
pt_next: .quad 0
.bss
.balign 4096
pt_pool: .skip 4096 * 160
pt_pool_end:
