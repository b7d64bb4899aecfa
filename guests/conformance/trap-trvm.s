// trap-trvm: HCR_EL2.TRVM traps EL1 READS of the same registers as TVM (arm.md §4) with EC 0x18,
// direction 1 = read and Rt = the destination. An EL2 hook emulates each read (writes 0x600d + n
// into the guest's Rt, as a hypervisor would), then the default report and step-over follow;
// the guest returns the sum of the values it read. Writes are not trapped by TRVM.
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    mrs x0, tpidr_el2
    adr x1, emulate
    str x1, [x0, #PC_HOOK]
    ldr x0, =(HCR_GUEST | HCR_TRVM)
    msr hcr_el2, x0
    adr x0, guest
    bl guest_call
    bl sayx
    .asciz "sum of the emulated reads: "
    .balign 4
    mrs x1, tpidr_el2
    str xzr, [x1, #PC_HOOK]
    mrs x0, mair_el1
    bl sayx
    .asciz "MAIR_EL1 written by the guest (not trapped): "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

// emulate(x0 = frame, x1 = per-CPU): for a trapped MRS, frame[Rt] = 0x600d + (number of
// reads so far); returns 0 so the default report and step-over still happen.
emulate:
    ldr x2, [x1, #PC_ESR]
    lsr x3, x2, #26
    cmp x3, #0x18
    b.ne 1f
    tbz x2, #0, 1f
    ubfx x3, x2, #5, #5                 // Rt
    cmp x3, #31
    b.eq 1f
    adrp x4, reads
    add x4, x4, :lo12:reads
    ldr x5, [x4]
    add x5, x5, #1
    str x5, [x4]
    ldr x6, =0x600d
    add x6, x6, x5
    str x6, [x0, x3, lsl #3]
1:  mov x0, #0
    ret

guest:
    mrs x1, sctlr_el1
    mrs x2, ttbr0_el1
    mrs x3, ttbr1_el1
    mrs x4, tcr_el1
    mrs x5, esr_el1
    mrs x6, far_el1
    mrs x7, afsr0_el1
    mrs x8, afsr1_el1
    mrs x9, mair_el1
    mrs x10, amair_el1
    mrs x30, contextidr_el1
    add x0, x1, x2
    add x0, x0, x3
    add x0, x0, x4
    add x0, x0, x5
    add x0, x0, x6
    add x0, x0, x7
    add x0, x0, x8
    add x0, x0, x9
    add x0, x0, x10
    add x0, x0, x30
    mov x11, #0x44
    msr mair_el1, x11
    hvc #HVC_EXIT

.data
.balign 8
reads: .quad 0
