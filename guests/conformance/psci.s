// smp: 2
// psci: the PSCI firmware over SMC (arm.md §7): PSCI_VERSION; PSCI_FEATURES for implemented and
// unknown functions; MIGRATE_INFO_TYPE; AFFINITY_INFO (0 ON, 1 OFF) around CPU_ON/CPU_OFF;
// CPU_ON of a running CPU (-4 ALREADY_ON) and of a CPU that does not exist (-2
// INVALID_PARAMETERS); the new CPU starts at EL2 (the caller's EL) at the entry point with
// x0 = context_id. The program ends with SYSTEM_OFF instead of semihosting.
main:
    stp x29, x30, [sp, #-16]!
    ldr x0, =PSCI_VERSION
    bl psci
    bl sayx
    .asciz "PSCI_VERSION: "
    .balign 4
    ldr x19, =PSCI_FEATURES
    mov x0, x19
    ldr x1, =PSCI_VERSION
    bl psci
    bl sayx
    .asciz "FEATURES(PSCI_VERSION): "
    .balign 4
    mov x0, x19
    ldr x1, =PSCI_CPU_ON
    bl psci
    bl sayx
    .asciz "FEATURES(CPU_ON_64): "
    .balign 4
    mov x0, x19
    ldr x1, =PSCI_SYSTEM_OFF
    bl psci
    bl sayx
    .asciz "FEATURES(SYSTEM_OFF): "
    .balign 4
    mov x0, x19
    ldr x1, =0x8400001f
    bl psci
    bl sayx
    .asciz "FEATURES(0x8400001f, unknown): "
    .balign 4
    ldr x0, =0x84000006
    bl psci
    bl sayx
    .asciz "MIGRATE_INFO_TYPE: "
    .balign 4
    ldr x0, =0x8400001f
    bl psci
    bl sayx
    .asciz "unknown function 0x8400001f: "
    .balign 4
    bl affinity
    bl sayx
    .asciz "AFFINITY_INFO(CPU 1) before CPU_ON: "
    .balign 4
    ldr x0, =PSCI_CPU_ON                // CPU_ON(1, cpu1_entry, context 0x5eed)
    mov x1, #1
    adr x2, cpu1_entry
    ldr x3, =0x5eed
    bl psci
    bl sayx
    .asciz "CPU_ON(1): "
    .balign 4
    adr x19, shared
1:  ldr x0, [x19]                       // CPU 1 reports its x0 and CurrentEL
    cbz x0, 1b
    ldr x0, [x19, #8]
    bl sayx
    .asciz "  CPU 1 entered with x0 = "
    .balign 4
    ldr x0, [x19, #16]
    bl sayx
    .asciz "  CPU 1 CurrentEL = "
    .balign 4
    bl affinity
    bl sayx
    .asciz "AFFINITY_INFO(CPU 1) while it runs: "
    .balign 4
    ldr x0, =PSCI_CPU_ON
    mov x1, #1
    adr x2, cpu1_entry
    mov x3, #0
    bl psci
    bl sayx
    .asciz "CPU_ON(1) again: "
    .balign 4
    ldr x0, =PSCI_CPU_ON
    mov x1, #7
    adr x2, cpu1_entry
    mov x3, #0
    bl psci
    bl sayx
    .asciz "CPU_ON(7, no such CPU): "
    .balign 4
    mov x0, #2
    str x0, [x19, #24]                  // CPU 1: turn yourself off
2:  bl affinity
    cmp x0, #1
    b.ne 2b
    bl sayx
    .asciz "AFFINITY_INFO(CPU 1) after its CPU_OFF: "
    .balign 4
    bl say
    .asciz "END\n"
    .balign 4
    ldr x0, =PSCI_SYSTEM_OFF
    bl psci
    bl say
    .asciz "SYSTEM_OFF returned\n"
    .balign 4
    b exit_fail

affinity:                               // AFFINITY_INFO(MPIDR 1, level 0)
    stp x29, x30, [sp, #-16]!
    ldr x0, =PSCI_AFFINITY_INFO
    mov x1, #1
    mov x2, #0
    bl psci
    ldp x29, x30, [sp], #16
    ret

// CPU 1 starts here directly (not through the library's secondary_entry): no stack yet.
cpu1_entry:
    mov x20, x0
    mrs x21, currentel
    adr x19, shared
    stp x20, x21, [x19, #8]
    dmb ish
    mov x0, #1
    str x0, [x19]
3:  ldr x0, [x19, #24]
    cbz x0, 3b
    ldr x0, =PSCI_CPU_OFF
    smc #0
4:  b 4b

.data
.balign 64
shared: .quad 0, 0, 0, 0                // ready, x0, CurrentEL, command
