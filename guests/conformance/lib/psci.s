// Conformance library, part 7: PSCI over SMC (arm.md §7). With virtualization=on and no EL3,
// QEMU's built-in PSCI firmware answers SMC #0 (src/board/psci.ts does the same for us).
.text

// psci(x0 = function id, x1..x3 = arguments) -> x0: one PSCI call (SMC #0).
psci:
    smc #0
    ret

// cpu_on(x0 = target CPU (MPIDR Aff0), x1 = function) -> x0 = PSCI status. The target starts
// at EL2 in secondary_entry with its own stack, per-CPU block and vectors, calls the
// function, and turns itself off (PSCI CPU_OFF) when it returns.
cpu_on:
    stp x1, x2, [sp, #-32]!
    stp x3, x30, [sp, #16]
    mov x3, x1                          // context_id: the function
    mov x1, x0
    adr x2, secondary_entry
    ldr x0, =PSCI_CPU_ON
    smc #0
    ldp x3, x30, [sp, #16]
    ldp x1, x2, [sp], #32
    ret

secondary_entry:
    mov x19, x0
    mrs x0, mpidr_el1
    and x0, x0, #0xff
    bl el2_cpu_setup
    blr x19
    ldr x0, =PSCI_CPU_OFF
    smc #0
1:  wfi
    b 1b
