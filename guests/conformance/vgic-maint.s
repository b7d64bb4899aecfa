// vgic-maint: the GICv3 maintenance interrupt (arm.md §6: PPI 25), a physical interrupt the
// virtual CPU interface raises while ICH_HCR_EL2.En = 1 and ICH_MISR_EL2 is not zero. With
// HCR_EL2.IMO = 1 it is taken to EL2 even while the guest runs with its interrupts masked.
//   (a) EOI maintenance: LR0 = vINTID 45 with EOI (bit 41, HW = 0). When the guest EOIs it,
//       LR0 becomes invalid, ICH_EISR_EL2 bit 0 and ICH_MISR_EL2.EOI (bit 0) are set.
//   (b) underflow: ICH_HCR_EL2.UIE (bit 1) with LR0 = 46 and LR1 = 47 pending: once the guest
//       has EOIed 46, at most one LR holds an interrupt and ICH_MISR_EL2.U (bit 1) is set.
// EL2's IRQ handler acknowledges INTID 25 on the physical interface, prints the registers,
// removes the cause (clears LR0's EOI request / UIE) and EOIs 25. EL2 unmasks its own IRQs
// after each guest run, so a maintenance interrupt still pending then is taken there; either
// way the handler's line comes before the lines EL2 prints after the run.
.equ LR_PENDING, (1 << 62)
.equ LR_GROUP1, (1 << 60)
.equ LR_EOI, (1 << 41)
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    bl gic_dist_init
    bl gic_cpu_init
    mov x0, #25
    bl gic_enable
    mrs x0, tpidr_el2
    adr x1, on_maint
    str x1, [x0, #PC_IRQHOOK]
    ldr x0, =(HCR_GUEST | HCR_IMO | HCR_FMO)
    msr hcr_el2, x0
    ldr x0, =((0xff << 24) | (1 << 1))
    msr ich_vmcr_el2, x0
    mov x0, #1
    msr ich_hcr_el2, x0
    bl say
    .asciz "(a) LR0 = 45 with EOI maintenance\n"
    .balign 4
    ldr x0, =(LR_PENDING | LR_GROUP1 | LR_EOI | (0xa0 << 48) | 45)
    msr ich_lr0_el2, x0
    isb
    adr x0, g_ack
    mov x1, #1
    bl run
    bl say
    .asciz "(b) LR0 = 46, LR1 = 47, underflow maintenance (UIE)\n"
    .balign 4
    ldr x0, =(LR_PENDING | LR_GROUP1 | (0xa0 << 48) | 46)
    msr ich_lr0_el2, x0
    ldr x0, =(LR_PENDING | LR_GROUP1 | (0xa0 << 48) | 47)
    msr ich_lr1_el2, x0
    mov x0, #3                          // En | UIE
    msr ich_hcr_el2, x0
    isb
    adr x0, g_ack
    mov x1, #2
    bl run
    mrs x0, ich_hcr_el2
    bl sayx
    .asciz "ICH_HCR_EL2 at the end: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

run:                                    // (x0 = guest, x1 = interrupts to acknowledge)
    stp x29, x30, [sp, #-32]!
    str x19, [sp, #16]
    mov x19, x1
    bl guest_call
    msr daifclr, #2                     // take a maintenance interrupt still pending
    isb
    mov x1, #200
1:  subs x1, x1, #1
    b.ne 1b
    msr daifset, #2
    mrs x2, tpidr_el2
    ldr x0, [x2, #PC_USER + 8]
    bl sayd
    .asciz "  guest acknowledged INTID "
    .balign 4
    cmp x19, #2
    b.ne 5f
    ldr x0, [x2, #PC_USER + 16]
    bl sayd
    .asciz "  guest acknowledged INTID "
    .balign 4
5:  ldr x0, [x2, #PC_USER]
    bl sayd
    .asciz "  maintenance interrupts taken: "
    .balign 4
    ldr x19, [sp, #16]
    ldp x29, x30, [sp], #32
    ret

g_ack:                                  // (x0 = count) acknowledge and EOI that many interrupts;
    mov x19, x0                         // the INTIDs go to the per-CPU PC_USER + 8 ...
    mrs x20, tpidr_el1
    add x20, x20, #(PC_USER + 8)
    mov x2, #0xff
    msr icc_pmr_el1, x2
    mov x2, #1
    msr icc_igrpen1_el1, x2
    isb
2:  mrs x0, icc_iar1_el1
    str x0, [x20], #8
    msr icc_eoir1_el1, x0
    isb
    subs x19, x19, #1
    b.ne 2b
    hvc #HVC_EXIT

// on_maint(frame, percpu, is_fiq): the EL2 IRQ hook.
on_maint:
    stp x29, x30, [sp, #-32]!
    str x19, [sp, #16]
    mov x19, x1
    mrs x0, icc_iar1_el1
    bl sayd
    .asciz "  EL2 IRQ: INTID "
    .balign 4
    mov x9, x0
    mrs x0, ich_misr_el2
    bl sayx
    .asciz "    MISR: "
    .balign 4
    tbz x0, #1, 3f                      // underflow: stop asking for it
    mrs x1, ich_hcr_el2
    and x1, x1, #~2
    msr ich_hcr_el2, x1
    b 4f
3:  mrs x0, ich_eisr_el2
    bl sayx
    .asciz "    EISR: "
    .balign 4
    mrs x0, ich_elrsr_el2
    and x0, x0, #0xf
    bl sayx
    .asciz "    ELRSR: "
    .balign 4
    msr ich_lr0_el2, xzr                // LR0 no longer asks for EOI maintenance
4:  isb
    msr icc_eoir1_el1, x9
    isb
    ldr x0, [x19, #PC_USER]
    add x0, x0, #1
    str x0, [x19, #PC_USER]
    ldr x19, [sp, #16]
    ldp x29, x30, [sp], #32
    ret
