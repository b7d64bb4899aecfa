// s1-levels: stage-1 translation of the EL1&0 regime (arm.md §2) with the 4 KB granule:
// a 48-bit VA space (T0SZ 16, start at level 0) and a 39-bit one (T0SZ 25, start at level 1),
// each with a 1 GB block at level 1, a 2 MB block at level 2 and a 4 KB page at level 3, read
// by EL1 code with the MMU on (stage 2 off: HCR_EL2.VM = 0, so the output is the PA).
.equ PA_BLK, 0x40400000                 // holds markers at +0 and +0x1ff008
main:
    stp x29, x30, [sp, #-16]!
    ldr x0, =0xb10c
    mov x1, #PA_BLK
    str x0, [x1]
    ldr x0, =0xb20c
    ldr x2, =0x1ff008
    str x0, [x1, x2]
    mov x0, #0
    bl setup
    ldr x0, =0xfffffffff000             // the last page of the 48-bit space
    mov x1, #0
    bl map_page
    mov x0, #0
    bl show
    ldr x0, =0xfffffffff000
    bl rd
    bl sayx
    .asciz "  VA 0xfffffffff000 (level-3 page) -> "
    .balign 4
    mov x0, #1
    bl setup
    ldr x0, =0x7ffffff000               // the last page of the 39-bit space
    mov x1, #1
    bl map_page
    mov x0, #1
    bl show
    ldr x0, =0x7ffffff000
    bl rd
    bl sayx
    .asciz "  VA 0x7ffffff000 (level-3 page) -> "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

// setup(x0 = start level): a fresh s1_std root plus the two blocks; MMU on; TLB flushed.
setup:
    stp x29, x30, [sp, #-32]!
    str x19, [sp, #16]
    mov x19, x0
    bl s1_std
    mov x4, x19
    mov x19, x0
    ldr x1, =0x100000000                // VA 4 GB: level-1 block -> PA 1 GB
    ldr x2, =(RAM_BASE | S1_RAM | DESC_BLOCK)
    mov x3, #1
    bl pt_map
    mov x0, x19
    ldr x1, =0x140000000                // VA 5 GB: level-2 block -> PA_BLK
    ldr x2, =(PA_BLK | S1_RAM | DESC_BLOCK)
    mov x3, #2
    bl pt_map
    adrp x0, root
    add x0, x0, :lo12:root
    str x19, [x0]
    str x4, [x0, #8]
    ldr x0, =(SCTLR_EL1_BASE | SCTLR_M)
    msr sctlr_el1, x0
    tlbi vmalle1
    dsb sy
    isb
    ldr x19, [sp, #16]
    ldp x29, x30, [sp], #32
    ret

// map_page(x0 = VA, x1 = start level): the VA -> a fresh marker page holding 0x9a9e.
map_page:
    stp x29, x30, [sp, #-32]!
    stp x19, x20, [sp, #16]
    mov x19, x0
    mov x20, x1
    ldr x0, =0x9a9e
    bl marker_page
    ldr x2, =(S1_RAM | DESC_PAGE)
    orr x2, x2, x0
    adrp x0, root
    add x0, x0, :lo12:root
    ldr x0, [x0]
    mov x1, x19
    mov x3, #3
    mov x4, x20
    bl pt_map
    ldp x19, x20, [sp, #16]
    ldp x29, x30, [sp], #32
    ret

show:                                   // (x0 = start level)
    stp x29, x30, [sp, #-16]!
    bl sayd
    .asciz "start level "
    .balign 4
    ldr x0, =0x100400000
    bl rd
    bl sayx
    .asciz "  VA 4G+4M (level-1 block) -> "
    .balign 4
    ldr x0, =0x1401ff008
    bl rd
    bl sayx
    .asciz "  VA 5G+0x1ff008 (level-2 block) -> "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

rd:                                     // (x0 = VA) -> the guest's 64-bit load
    stp x29, x30, [sp, #-16]!
    mov x1, x0
    adr x0, g_ldr
    bl guest_call
    ldp x29, x30, [sp], #16
    ret

.data
root: .quad 0, 0
