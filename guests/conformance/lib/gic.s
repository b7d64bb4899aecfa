// Conformance library, part 6: GICv3 set-up (arm.md §6) for the virt board's GIC
// (distributor at 0x0800_0000, one redistributor per CPU from 0x080a_0000, 128 KB apart).
//
// The board has no Secure state (GICD_CTLR.DS = 1), so there are two groups: Group 0 is
// signalled as FIQ, Group 1 as IRQ. Every SGI/PPI is put in Group 1 and delivered as IRQ;
// with HCR_EL2.IMO = 1 a physical IRQ is taken to EL2 (also while a guest runs at EL1).
.text

.equ GICD_CTLR,       0x0000
.equ GICR_WAKER,      0x0014
.equ GICR_IGROUPR0,   0x0080
.equ GICR_ISENABLER0, 0x0100
.equ GICR_ICENABLER0, 0x0180
.equ GICR_ICPENDR0,   0x0280
.equ GICR_ICACTIVER0, 0x0380
.equ GICR_IPRIORITYR, 0x0400

// gic_dist_init(): GICD_CTLR = ARE | EnableGrp1 | EnableGrp0, then waits for RWP (bit 31).
gic_dist_init:
    stp x0, x1, [sp, #-16]!
    mov x0, #GICD_BASE
    mov w1, #0x13
    str w1, [x0, #GICD_CTLR]
1:  ldr w1, [x0, #GICD_CTLR]
    tbnz w1, #31, 1b
    ldp x0, x1, [sp], #16
    ret

// gicr_base() -> x0: the redistributor (RD frame) of this CPU (EL2 only).
gicr_base:
    stp x1, x2, [sp, #-16]!
    mrs x0, tpidr_el2
    ldr x0, [x0, #PC_CPU]
    mov x1, #GICR_STRIDE
    mov x2, #GICR_BASE
    madd x0, x0, x1, x2
    ldp x1, x2, [sp], #16
    ret

// gic_cpu_init(): wakes this CPU's redistributor, puts SGIs/PPIs in Group 1, disabled, not
// pending, priority 0x80; enables the system-register interface at EL2 and EL1
// (ICC_SRE_EL2 = SRE|DFB|DIB|Enable), PMR = 0xff, EOImode 0, Group 1 enabled. EL2 only.
gic_cpu_init:
    stp x0, x1, [sp, #-32]!
    stp x2, x30, [sp, #16]
    bl gicr_base
    ldr w1, [x0, #GICR_WAKER]
    and w1, w1, #~2                     // ProcessorSleep = 0
    str w1, [x0, #GICR_WAKER]
2:  ldr w1, [x0, #GICR_WAKER]
    tbnz w1, #2, 2b                     // wait for ChildrenAsleep = 0
    add x0, x0, #GICR_SGI
    mov w1, #-1
    str w1, [x0, #GICR_IGROUPR0]
    str w1, [x0, #GICR_ICENABLER0]
    str w1, [x0, #GICR_ICPENDR0]
    str w1, [x0, #GICR_ICACTIVER0]
    mov w1, #0x80808080
    mov x2, #0
3:  add x30, x0, #GICR_IPRIORITYR
    str w1, [x30, x2]
    add x2, x2, #4
    cmp x2, #32
    b.lo 3b
    mov x1, #0xf
    msr icc_sre_el2, x1
    isb
    mov x1, #0x7
    msr icc_sre_el1, x1
    isb
    mov x1, #0xff
    msr icc_pmr_el1, x1
    msr icc_bpr1_el1, xzr
    msr icc_ctlr_el1, xzr
    mov x1, #1
    msr icc_igrpen1_el1, x1
    isb
    ldp x2, x30, [sp, #16]
    ldp x0, x1, [sp], #32
    ret

// gic_enable(x0 = INTID 0-31): sets the enable bit of an SGI/PPI on this CPU's redistributor.
gic_enable:
    stp x0, x1, [sp, #-32]!
    stp x2, x30, [sp, #16]
    mov x2, x0
    bl gicr_base
    add x0, x0, #GICR_SGI
    mov w1, #1
    lsl w1, w1, w2
    str w1, [x0, #GICR_ISENABLER0]
    dsb sy
    ldp x2, x30, [sp, #16]
    ldp x0, x1, [sp], #32
    ret
