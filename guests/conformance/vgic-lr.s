// vgic-lr: virtual interrupts through the GICv3 list registers (arm.md §6: ICH_LR<n>_EL2 =
// State[63:62] | HW 61 | Group 60 | Priority[55:48] | vINTID; ICH_HCR_EL2.En; ICH_VMCR_EL2
// VPMR[31:24] and VENG1 bit 1; ICH_ELRSR_EL2 bit n = 1 when LR n holds no interrupt).
// With HCR_EL2.IMO = 1 the guest's ICC_IAR1_EL1 / ICC_EOIR1_EL1 / ISR_EL1 see the virtual CPU
// interface.
//   (a) LR0 = vINTID 41 priority 0xa0, LR1 = vINTID 42 priority 0x80, both pending Group 1. The
//       guest, interrupts masked, acknowledges the higher priority one (42) first; while it is
//       active, 41 (lower priority) is not signalled: IAR returns 1023 (spurious); after EOI of
//       42, IAR gives 41; after its EOI, 1023. EL2 then sees both LRs invalid (State 00) and
//       ELRSR showing every LR empty.
//   (b) LR0 = vINTID 44 pending: the guest unmasks IRQs and takes it at EL1 (vector 0x280).
// ICH_VTR_EL2.ListRegs + 1 (the Cortex-A57 GIC CPU interface has 4 LRs) is printed.
.equ LR_PENDING, (1 << 62)
.equ LR_GROUP1, (1 << 60)
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    bl gic_dist_init
    bl gic_cpu_init
    mrs x0, ich_vtr_el2
    and x0, x0, #0x1f
    add x0, x0, #1
    bl sayd
    .asciz "list registers: "
    .balign 4
    mov x0, #1
    msr ich_hcr_el2, x0
    ldr x0, =((0xff << 24) | (1 << 1))
    msr ich_vmcr_el2, x0
    ldr x0, =(LR_PENDING | LR_GROUP1 | (0xa0 << 48) | 41)
    msr ich_lr0_el2, x0
    ldr x0, =(LR_PENDING | LR_GROUP1 | (0x80 << 48) | 42)
    msr ich_lr1_el2, x0
    isb
    mrs x0, ich_elrsr_el2
    and x0, x0, #0xf
    bl sayx
    .asciz "(a) ELRSR with LR0, LR1 pending: "
    .balign 4
    ldr x0, =(HCR_GUEST | HCR_IMO | HCR_FMO)
    msr hcr_el2, x0
    adr x0, g_poll
    bl guest_call
    mrs x0, ich_lr0_el2
    lsr x0, x0, #62
    bl sayx
    .asciz "  LR0 state after EOI: "
    .balign 4
    mrs x0, ich_lr1_el2
    lsr x0, x0, #62
    bl sayx
    .asciz "  LR1 state after EOI: "
    .balign 4
    mrs x0, ich_elrsr_el2
    and x0, x0, #0xf
    bl sayx
    .asciz "  ELRSR: "
    .balign 4
    mrs x0, ich_eisr_el2
    bl sayx
    .asciz "  EISR: "
    .balign 4
    mrs x0, ich_misr_el2
    bl sayx
    .asciz "  MISR: "
    .balign 4
    mrs x0, tpidr_el2
    adr x1, on_virq
    str x1, [x0, #PC_EL1_IRQHOOK]
    ldr x0, =(LR_PENDING | LR_GROUP1 | (0x80 << 48) | 44)
    msr ich_lr0_el2, x0
    isb
    adr x0, g_take
    bl guest_call
    bl sayd
    .asciz "(b) vIRQs taken by the guest: "
    .balign 4
    mrs x0, ich_lr0_el2
    lsr x0, x0, #62
    bl sayx
    .asciz "  LR0 state after EOI: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

g_poll:                                 // interrupts masked: acknowledge by polling
    mov x1, #0xff
    msr icc_pmr_el1, x1
    mov x1, #1
    msr icc_igrpen1_el1, x1
    isb
    mrs x0, isr_el1
    bl sayx
    .asciz "  guest ISR_EL1: "
    .balign 4
    mrs x19, icc_iar1_el1
    mov x0, x19
    bl sayd
    .asciz "  IAR1: "
    .balign 4
    mrs x0, icc_iar1_el1
    bl sayd
    .asciz "  IAR1 while 42 is active: "
    .balign 4
    msr icc_eoir1_el1, x19
    isb
    mrs x19, icc_iar1_el1
    mov x0, x19
    bl sayd
    .asciz "  IAR1 after EOI: "
    .balign 4
    msr icc_eoir1_el1, x19
    isb
    mrs x0, icc_iar1_el1
    bl sayd
    .asciz "  IAR1 with nothing pending: "
    .balign 4
    mrs x0, isr_el1
    bl sayx
    .asciz "  guest ISR_EL1: "
    .balign 4
    hvc #HVC_EXIT

g_take:                                 // unmask: the vIRQ is taken at EL1
    mov x19, #0
    msr daifclr, #2
    isb
    mov x1, #200
1:  subs x1, x1, #1
    b.ne 1b
    msr daifset, #2
    mov x0, x19
    hvc #HVC_EXIT

on_virq:                                // EL1 IRQ hook: acknowledge, print, EOI
    stp x29, x30, [sp, #-16]!
    ldr x4, [x0, #152]                  // interrupted x19 += 1
    add x4, x4, #1
    str x4, [x0, #152]
    mrs x0, icc_iar1_el1
    bl sayd
    .asciz "  EL1 IRQ: IAR1 = "
    .balign 4
    msr icc_eoir1_el1, x0
    isb
    ldp x29, x30, [sp], #16
    ret
