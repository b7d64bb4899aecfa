// pmu-cycle: the PMU cycle counter PMCCNTR_EL0 (Arm ARM D11.5) and its controls. No counter
// values are printed (they depend on timing), only relations between two reads around a loop:
//   (a) PMCR_EL0.E = 1, PMCNTENSET_EL0.C = 1, PMCCFILTR_EL0.NSH = 1: it counts at EL2;
//   (b) NSH = 0: EL2 cycles are not counted ("the cycle counter does not count at EL2");
//   (c) PMCR_EL0.E = 0: nothing counts;
//   (d) PMCR_EL0.C = 1 resets it (it reads less than before the reset), and C reads as 0;
//   (e) PMCNTENCLR_EL0 bit 31 clears the enable (both views read it cleared), counting stops;
//   (f) at EL1 with NSH = 0: P = 0 counts the EL1 loop, P = 1 does not.
main:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    msr mdcr_el2, xzr                   // no PMU traps from EL1 (TPM = TPMCR = 0)
    mov x0, #(1 << 31)
    msr pmcntenset_el0, x0
    mov x0, #(1 << 27)                  // NSH
    msr pmccfiltr_el0, x0
    mov x0, #0x5                        // E | C
    msr pmcr_el0, x0
    isb
    // (a)
    bl delta
    cmp x0, #0
    cset x0, hi
    bl sayd
    .asciz "(a) E=1, C enabled, NSH=1: counts at EL2: "
    .balign 4
    // (b)
    msr pmccfiltr_el0, xzr
    isb
    bl delta
    cmp x0, #0
    cset x0, eq
    bl sayd
    .asciz "(b) NSH=0: EL2 not counted: "
    .balign 4
    // (c)
    mov x0, #(1 << 27)
    msr pmccfiltr_el0, x0
    msr pmcr_el0, xzr
    isb
    bl delta
    cmp x0, #0
    cset x0, eq
    bl sayd
    .asciz "(c) E=0: nothing counted: "
    .balign 4
    // (d)
    mov x0, #1
    msr pmcr_el0, x0
    isb
    bl spin
    mrs x19, pmccntr_el0
    mov x0, #5
    msr pmcr_el0, x0
    isb
    mrs x20, pmccntr_el0
    cmp x20, x19
    cset x0, lo
    bl sayd
    .asciz "(d) PMCR.C=1 resets the counter: "
    .balign 4
    mrs x0, pmcr_el0
    ubfx x0, x0, #0, #3
    bl sayx
    .asciz "    PMCR_EL0[2:0] reads: "
    .balign 4
    // (e)
    mov x0, #(1 << 31)
    msr pmcntenclr_el0, x0
    isb
    mrs x0, pmcntenset_el0
    mrs x1, pmcntenclr_el0
    orr x0, x0, x1
    ubfx x0, x0, #31, #1
    bl sayd
    .asciz "(e) PMCNTENCLR bit 31: enable bit still set in either view: "
    .balign 4
    bl delta
    cmp x0, #0
    cset x0, eq
    bl sayd
    .asciz "    counter stopped: "
    .balign 4
    // (f) EL1: NSH = 0 so that the EL2 part of guest_call is not counted.
    mov x0, #(1 << 31)
    msr pmcntenset_el0, x0
    msr pmccfiltr_el0, xzr
    isb
    adr x0, g_spin
    bl guest_call
    cmp x0, #0
    cset x0, hi
    bl sayd
    .asciz "(f) P=0: the EL1 loop is counted: "
    .balign 4
    mov x0, #(1 << 31)
    msr pmccfiltr_el0, x0
    isb
    adr x0, g_spin
    bl guest_call
    cmp x0, #0
    cset x0, eq
    bl sayd
    .asciz "    P=1: the EL1 loop is not counted: "
    .balign 4
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret

// delta -> x0: PMCCNTR_EL0 after a 2000-iteration loop minus before it.
delta:
    mrs x9, pmccntr_el0
    mov x10, #2000
1:  subs x10, x10, #1
    b.ne 1b
    isb
    mrs x11, pmccntr_el0
    sub x0, x11, x9
    ret

spin:
    mov x10, #2000
1:  subs x10, x10, #1
    b.ne 1b
    ret

// g_spin (EL1): x0 = PMCCNTR_EL0 delta over a 2000-iteration loop.
g_spin:
    mrs x9, pmccntr_el0
    mov x10, #2000
1:  subs x10, x10, #1
    b.ne 1b
    isb
    mrs x11, pmccntr_el0
    sub x0, x11, x9
    hvc #HVC_EXIT
