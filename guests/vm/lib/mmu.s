// VM guest library, part 5: the guest's own stage-1 translation (4 KB granule, 39-bit VA,
// walks start at level 1; arm.md §2). Everything is an identity map (VA = IPA):
//   0x0000_0000-0x3FFF_FFFF  a level-2 table: only the device window 0x0800_0000-0x0BFF_FFFF
//                            is mapped, as Device-nGnRE 2 MiB blocks (GIC, UART, virtio);
//                            the rest faults at stage 1
//   0x4000_0000-0x7FFF_FFFF  one 1 GiB block, Normal write-back: RAM (and whatever the
//                            hypervisor does with IPAs past the end of RAM)
// Other 1 GiB slots are unmapped; mmu_map_1g adds one (the attacker guest maps IPAs past
// the RAM window this way). The tables live in .bss and are zeroed here.
.text

// mmu_build: fills the tables. Primary vCPU, MMU off, before any secondary starts. Leaf.
mmu_build:
    adrp x0, pt_l1
    add x0, x0, :lo12:pt_l1
    mov x1, x0
    add x2, x0, #(2 * 4096)             // pt_l1 and pt_l2_low are adjacent
1:  stp xzr, xzr, [x1], #16
    cmp x1, x2
    b.lo 1b
    add x1, x0, #4096                   // L1[0] -> pt_l2_low
    orr x1, x1, #PTE_TABLE
    str x1, [x0]
    ldr x1, =(RAM_BASE | PTE_NORMAL)    // L1[1]: the RAM window
    str x1, [x0, #8]
    add x3, x0, #4096
    mov x4, #DEV_BASE
    ldr x5, =PTE_DEVICE
2:  orr x1, x4, x5                      // L2[address >> 21]: a 2 MiB device block
    lsr x6, x4, #21
    str x1, [x3, x6, lsl #3]
    add x4, x4, #(1 << 21)
    cmp x6, #((DEV_END >> 21) - 1)
    b.lo 2b
    dsb ish
    ret

// mmu_enable: MAIR/TCR/TTBR0, then SCTLR_EL1.M|C|I. Each vCPU. Leaf; touches no memory
// except literal-pool words in the image.
mmu_enable:
    ldr x0, =MAIR_STD
    msr mair_el1, x0
    ldr x0, =TCR_EL1_STD
    msr tcr_el1, x0
    adrp x0, pt_l1
    msr ttbr0_el1, x0
    isb
    tlbi vmalle1
    dsb nsh
    isb
    ldr x0, =SCTLR_ON
    msr sctlr_el1, x0
    isb
    ret

// mmu_map_1g(x0 = 1 GiB-aligned address below 512 GiB, x1 = PTE_NORMAL or PTE_DEVICE):
// identity-maps that gigabyte with a level-1 block. The slot must be unused (invalid), so no
// break-before-make or TLB invalidation is needed.
mmu_map_1g:
    adrp x2, pt_l1
    add x2, x2, :lo12:pt_l1
    lsr x3, x0, #30
    orr x4, x0, x1
    str x4, [x2, x3, lsl #3]
    dsb ishst
    isb
    ret

.bss
.balign 4096
pt_l1:     .skip 4096
pt_l2_low: .skip 4096
