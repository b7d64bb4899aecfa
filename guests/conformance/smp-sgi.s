// smp: 2
// smp-sgi: software-generated interrupts between two CPUs through the GICv3 (arm.md §6).
// CPU 0 sets up the distributor and its redistributor, starts CPU 1 with PSCI CPU_ON (arm.md
// §7); each CPU wakes its redistributor (GICR_WAKER), enables the system-register interface
// (ICC_SRE_EL2/EL1), PMR and Group 1 (ICC_IGRPEN1_EL1), enables its SGIs (GICR_ISENABLER0) and
// takes IRQs at EL2 (HCR_EL2.IMO = 1). ICC_SGI1R_EL1 = INTID[27:24] | TargetList[15:0] (bit n =
// the CPU with Aff0 = n) | IRM bit 40 (every CPU but the sender).
//   (a) CPU 0 -> CPU 1, SGI 2 (target list)
//   (b) CPU 1 -> CPU 0, SGI 1 (target list)
//   (c) CPU 0 -> all others, SGI 3 (IRM = 1): CPU 1 takes it, CPU 0 does not
// Only CPU 0 prints; the CPUs hand results over through memory.
main:
    stp x29, x30, [sp, #-16]!
    bl gic_dist_init
    bl common_init
    mov x0, #1
    adr x1, cpu1
    bl cpu_on
    bl sayx
    .asciz "CPU_ON(1) -> "
    .balign 4
    adr x19, shared
    mov x0, #1
    bl wait_flag                        // CPU 1 ready
    // (a)
    ldr x0, =((2 << 24) | (1 << 1))
    msr icc_sgi1r_el1, x0
    isb
    mov x0, #2
    bl wait_flag                        // CPU 1 took it
    ldr x0, [x19, #16]
    bl sayd
    .asciz "(a) CPU 1 took INTID "
    .balign 4
    // (b)
    msr daifclr, #2
    mov x0, #3
    str x0, [x19]                       // CPU 1: send SGI 1 to me
    mov x0, #4
    bl wait_flag                        // CPU 1 sent it
1:  mrs x0, tpidr_el2                   // wait until it has been taken
    ldr x0, [x0, #PC_USER]
    cbz x0, 1b
    msr daifset, #2
    mrs x0, tpidr_el2
    ldr x0, [x0, #PC_USER + 8]
    bl sayd
    .asciz "(b) CPU 0 took INTID "
    .balign 4
    // (c)
    msr daifclr, #2
    ldr x0, =((3 << 24) | (1 << 40))
    msr icc_sgi1r_el1, x0
    isb
    mov x0, #5
    bl wait_flag                        // CPU 1 took it
    mov x1, #2000                       // and CPU 0 does not (window for a wrong delivery)
3:  subs x1, x1, #1
    b.ne 3b
    msr daifset, #2
    ldr x0, [x19, #16]
    bl sayd
    .asciz "(c) CPU 1 took INTID "
    .balign 4
    mrs x0, tpidr_el2
    ldr x0, [x0, #PC_USER]
    bl sayd
    .asciz "    interrupts CPU 0 took in all: "
    .balign 4
    mov x0, #6
    str x0, [x19]                       // CPU 1 may finish
    ldp x29, x30, [sp], #16
    ret

// wait_flag(x0): waits until shared.state (x19) >= x0
wait_flag:
    ldr x1, [x19, #8]
    cmp x1, x0
    b.lo wait_flag
    ret

// common_init: this CPU's redistributor and CPU interface, SGIs 1-3 enabled, IRQs to EL2.
common_init:
    stp x29, x30, [sp, #-16]!
    bl gic_cpu_init
    mov x0, #1
    bl gic_enable
    mov x0, #2
    bl gic_enable
    mov x0, #3
    bl gic_enable
    mrs x0, tpidr_el2
    adr x1, on_sgi
    str x1, [x0, #PC_IRQHOOK]
    ldr x0, =(HCR_RW | HCR_IMO | HCR_FMO)
    msr hcr_el2, x0
    isb
    ldp x29, x30, [sp], #16
    ret

// on_sgi: counts in PC_USER, records the INTID in PC_USER + 8, EOIs.
on_sgi:
    mrs x2, icc_iar1_el1
    ldr x3, [x1, #PC_USER]
    add x3, x3, #1
    str x3, [x1, #PC_USER]
    str x2, [x1, #PC_USER + 8]
    msr icc_eoir1_el1, x2
    isb
    ret

// CPU 1: commands in shared.cmd (CPU 0 writes), progress in shared.state (CPU 1 writes).
cpu1:
    stp x29, x30, [sp, #-16]!
    bl common_init
    adr x19, shared
    mrs x20, tpidr_el2
    msr daifclr, #2
    mov x0, #1
    str x0, [x19, #8]                   // state 1: ready
4:  ldr x0, [x20, #PC_USER]             // (a) wait for SGI 2
    cbz x0, 4b
    ldr x0, [x20, #PC_USER + 8]
    str x0, [x19, #16]
    mov x0, #2
    str x0, [x19, #8]
5:  ldr x0, [x19]                       // (b) wait for the command, send SGI 1 to CPU 0
    cmp x0, #3
    b.lo 5b
    ldr x0, =((1 << 24) | (1 << 0))
    msr icc_sgi1r_el1, x0
    isb
    mov x0, #4
    str x0, [x19, #8]
6:  ldr x0, [x20, #PC_USER]             // (c) wait for the second interrupt (SGI 3)
    cmp x0, #2
    b.lo 6b
    ldr x0, [x20, #PC_USER + 8]
    str x0, [x19, #16]
    mov x0, #5
    str x0, [x19, #8]
7:  ldr x0, [x19]
    cmp x0, #6
    b.lo 7b
    msr daifset, #2
    ldp x29, x30, [sp], #16
    ret

.data
.balign 64
shared: .quad 0, 0, 0                   // cmd (CPU 0 -> 1), state (CPU 1 -> 0), INTID
