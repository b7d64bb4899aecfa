// trap-cache-tlb: traps of EL1 cache and TLB maintenance (arm.md §4), each reported with EC 0x18
// and the SYS instruction's encoding in the ISS (Op0 = 1, direction 0):
//   HCR_EL2.TSW  (bit 22): DC ISW, DC CSW, DC CISW (by set/way)
//   HCR_EL2.TPC  (bit 23): DC IVAC, DC CVAC, DC CIVAC (to the point of coherency)
//   HCR_EL2.TPU  (bit 24): IC IVAU, IC IALLU, IC IALLUIS, DC CVAU (to the point of unification)
//   HCR_EL2.TTLB (bit 25): TLBI VMALLE1, TLBI VAE1IS, TLBI ASIDE1
// Each group runs once with only its own bit set, so the others must not trap.
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    bl say
    .asciz "TSW\n"
    .balign 4
    ldr x0, =(HCR_GUEST | HCR_TSW)
    bl all
    bl say
    .asciz "TPC\n"
    .balign 4
    ldr x0, =(HCR_GUEST | HCR_TPC)
    bl all
    bl say
    .asciz "TPU\n"
    .balign 4
    ldr x0, =(HCR_GUEST | HCR_TPU)
    bl all
    bl say
    .asciz "TTLB\n"
    .balign 4
    ldr x0, =(HCR_GUEST | HCR_TTLB)
    bl all
    ldp x29, x30, [sp], #16
    ret

all:                                    // (x0 = HCR_EL2): the guest runs every instruction
    stp x29, x30, [sp, #-16]!
    msr hcr_el2, x0
    isb
    adr x0, guest
    bl guest_call
    ldp x29, x30, [sp], #16
    ret

guest:
    mov x1, #0                          // set/way operand: level 1, set 0, way 0
    ldr x2, =(RAM_BASE + 0x400000)      // a RAM address
    dc isw, x1
    dc csw, x1
    dc cisw, x1
    dc ivac, x2
    dc cvac, x2
    dc civac, x2
    ic ivau, x2
    ic iallu
    ic ialluis
    dc cvau, x2
    tlbi vmalle1
    tlbi vae1is, x2
    tlbi aside1, xzr
    dsb sy
    isb
    hvc #HVC_EXIT
