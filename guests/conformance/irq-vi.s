// irq-vi: virtual IRQ and FIQ from HCR_EL2.VI / VF (arm.md §4: with IMO (FMO) = 1, VI (VF) = 1
// makes a virtual IRQ (FIQ) pending at EL1). The guest reads ISR_EL1 (bit 7 I, bit 6 F: the
// pending virtual interrupts) with interrupts masked, then unmasks: the interrupt is taken at
// EL1 (vector 0x280 / 0x300, current EL with SP_EL1). The guest cannot clear VI/VF, so its
// handler returns with the interrupt masked again (sets I/F in the saved SPSR_EL1).
//   (a) IMO = FMO = 1, VI = 1     -> ISR_EL1 = 0x80, IRQ taken once
//   (b) IMO = FMO = 1, VF = 1     -> ISR_EL1 = 0x40, FIQ taken once
//   (c) IMO = FMO = 0, VI = VF = 1 -> no virtual interrupt: ISR_EL1 = 0, nothing taken
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    mrs x0, tpidr_el2
    adr x1, on_virq
    str x1, [x0, #PC_EL1_IRQHOOK]
    bl say
    .asciz "(a) VI=1\n"
    .balign 4
    ldr x0, =(HCR_GUEST | HCR_IMO | HCR_FMO | HCR_VI)
    bl run
    bl say
    .asciz "(b) VF=1\n"
    .balign 4
    ldr x0, =(HCR_GUEST | HCR_IMO | HCR_FMO | HCR_VF)
    bl run
    bl say
    .asciz "(c) VI=VF=1 without IMO/FMO\n"
    .balign 4
    ldr x0, =(HCR_GUEST | HCR_VI | HCR_VF)
    bl run
    ldp x29, x30, [sp], #16
    ret

run:                                    // (x0 = HCR_EL2)
    stp x29, x30, [sp, #-16]!
    msr hcr_el2, x0
    isb
    adr x0, guest
    bl guest_call
    bl sayd
    .asciz "  interrupts taken by the guest: "
    .balign 4
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    ldp x29, x30, [sp], #16
    ret

guest:
    mov x19, #0                         // interrupts taken (counted by on_virq)
    mrs x0, isr_el1
    bl sayx
    .asciz "  ISR_EL1 (masked) = "
    .balign 4
    msr daifclr, #3
    isb
    mov x1, #200                        // a little time for a pending interrupt to be taken
1:  subs x1, x1, #1
    b.ne 1b
    msr daifset, #3
    mov x0, x19
    hvc #HVC_EXIT

// on_virq(frame, percpu, is_fiq): runs at EL1; masks the interrupt in the saved SPSR_EL1.
on_virq:
    stp x29, x30, [sp, #-16]!
    ldr x3, [x0, #256]
    mov x4, #0x80
    cbz x2, 2f
    mov x4, #0x40
2:  orr x3, x3, x4
    str x3, [x0, #256]
    ldr x4, [x0, #152]                  // the interrupted x19 (frame slot 19)
    add x4, x4, #1
    str x4, [x0, #152]
    mrs x0, isr_el1
    cbnz x2, 3f
    bl sayx
    .asciz "  EL1 IRQ: ISR_EL1 = "
    .balign 4
    b 4f
3:  bl sayx
    .asciz "  EL1 FIQ: ISR_EL1 = "
    .balign 4
4:  ldp x29, x30, [sp], #16
    ret
