// VM guest library, part 6: GICv3 set-up (arm.md §6), using only the registers our
// hypervisor emulates (guests/vm/README.md): GICD_CTLR, GICR_WAKER, GICR_IGROUPR0,
// GICR_ISENABLER0/ICENABLER0, GICR_IPRIORITYR (32-bit accesses) and the ICC_* system
// registers. Every SGI and PPI is Group 1 (an IRQ at EL1) with priority 0x80.
.text

.equ GICD_CTLR,        0x0000
.equ GICD_TYPER,       0x0004
.equ GICD_IIDR,        0x0008
.equ GICD_CTLR_RWP,    31
.equ GICD_CTLR_ENABLE, ((1 << 4) | (1 << 1))   // ARE (ARE_NS), EnableGrp1 (EnableGrp1NS)
.equ GICR_WAKER,       0x0014
.equ WAKER_PSLEEP,     (1 << 1)
.equ WAKER_CASLEEP,    2                       // bit number of ChildrenAsleep
.equ GICR_IGROUPR0,    0x0080
.equ GICR_ISENABLER0,  0x0100
.equ GICR_ICENABLER0,  0x0180
.equ GICR_IPRIORITYR,  0x0400
.equ GIC_PRIO_DEFAULT, 0x80808080

// gic_dist_init: enables the distributor (affinity routing, Group 1). Primary vCPU, once.
gic_dist_init:
    mov x0, #GICD_BASE
    mov w1, #GICD_CTLR_ENABLE
    str w1, [x0, #GICD_CTLR]
1:  ldr w1, [x0, #GICD_CTLR]
    tbnz w1, #GICD_CTLR_RWP, 1b
    ret

// gic_redist_sgi() -> x0 = SGI frame of this vCPU's redistributor
gic_redist_sgi:
    mrs x0, tpidr_el1
    mov x1, #GICR_STRIDE
    mov x2, #GICR_BASE
    madd x0, x0, x1, x2
    add x0, x0, #GICR_SGI
    ret

// gic_cpu_init: wakes this vCPU's redistributor, makes all SGIs/PPIs Group 1, priority 0x80,
// disabled (gic_enable_irq enables them one by one), and enables the CPU interface:
// ICC_SRE_EL1 = 7, ICC_PMR_EL1 = 0xff (nothing masked by priority), ICC_IGRPEN1_EL1 = 1.
// Each vCPU, before unmasking IRQs.
gic_cpu_init:
    stp x29, x30, [sp, #-16]!
    bl gic_redist_sgi
    sub x1, x0, #GICR_SGI               // RD frame
    ldr w2, [x1, #GICR_WAKER]
    bic w2, w2, #WAKER_PSLEEP
    str w2, [x1, #GICR_WAKER]
1:  ldr w2, [x1, #GICR_WAKER]
    tbnz w2, #WAKER_CASLEEP, 1b
    mov w2, #-1
    str w2, [x0, #GICR_IGROUPR0]
    str w2, [x0, #GICR_ICENABLER0]
    ldr w2, =GIC_PRIO_DEFAULT
    add x3, x0, #GICR_IPRIORITYR
    mov x4, #8                          // 8 words: INTIDs 0-31
2:  str w2, [x3]                       // no writeback form: its abort has no syndrome (ISV = 0)
    add x3, x3, #4                      // and a hypervisor cannot emulate it
    subs x4, x4, #1
    b.ne 2b
    dsb sy
    mov x2, #7                          // SRE | DFB | DIB
    msr icc_sre_el1, x2
    isb
    mov x2, #0xff
    msr icc_pmr_el1, x2
    mov x2, #1
    msr icc_igrpen1_el1, x2
    isb
    ldp x29, x30, [sp], #16
    ret

// gic_enable_irq(x0 = INTID 0-31) / gic_disable_irq(x0): this vCPU's SGI or PPI.
gic_enable_irq:
    mov x5, #GICR_ISENABLER0
    b 3f
gic_disable_irq:
    mov x5, #GICR_ICENABLER0
3:  stp x29, x30, [sp, #-16]!
    mov x4, x0
    bl gic_redist_sgi
    mov w3, #1
    lsl w3, w3, w4
    str w3, [x0, x5]
    dsb sy
    ldp x29, x30, [sp], #16
    ret

// gic_send_sgi(x0 = target vCPU index 0-15, x1 = SGI INTID 0-15): ICC_SGI1R_EL1 with
// TargetList = 1 << index, Aff1/2/3 = 0.
gic_send_sgi:
    mov x2, #1
    lsl x2, x2, x0
    orr x2, x2, x1, lsl #24
    dsb ishst                           // earlier stores visible before the interrupt
    msr icc_sgi1r_el1, x2
    isb
    ret

// irq_enable / irq_disable: PSTATE.I
irq_enable:
    msr daifclr, #2
    isb
    ret
irq_disable:
    msr daifset, #2
    ret

// wait_irq_until(x0 = address of a 64-bit word, x1 = value): sleeps in WFI until the word
// (updated by an interrupt handler) equals x1. IRQs are masked while the word is checked and
// WFI is entered, so an interrupt between the check and the WFI is not lost (WFI wakes on a
// pending interrupt even when it is masked); returns with IRQs unmasked.
wait_irq_until:
    msr daifset, #2
    ldar x2, [x0]
    cmp x2, x1
    b.eq 1f
    wfi
    msr daifclr, #2
    isb                                 // the pending IRQ is taken here
    b wait_irq_until
1:  msr daifclr, #2
    isb
    ret
