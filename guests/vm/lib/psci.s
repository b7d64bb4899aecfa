// VM guest library, part 8: PSCI over HVC #0 (SMCCC; arm.md §7). Function ID in w0, arguments
// in x1-x3, result in x0; an HVC may clobber x0-x17 (SMCCC), like a call.
.text

// psci_call(x0 = function ID, x1, x2, x3) -> x0
psci_call:
    hvc #0
    ret

// psci_version() -> x0 = major << 16 | minor
psci_version:
    ldr x0, =PSCI_VERSION
    hvc #0
    ret

// psci_cpu_on(x0 = vCPU index (its MPIDR affinity), x1 = function) -> x0 = PSCI result.
// The vCPU starts at secondary_entry (boot.s), which sets it up and calls function(index).
psci_cpu_on:
    mov x3, x1
    mov x1, x0
    adrp x2, secondary_entry
    add x2, x2, :lo12:secondary_entry
    ldr x0, =PSCI_CPU_ON
    hvc #0
    ret

// psci_affinity_info(x0 = vCPU index) -> x0 = 0 ON, 1 OFF, 2 ON_PENDING, or an error
psci_affinity_info:
    mov x1, x0
    mov x2, #0                          // lowest affinity level: this exact vCPU
    ldr x0, =PSCI_AFFINITY_INFO
    hvc #0
    ret

// cpu_off: PSCI CPU_OFF for the calling vCPU; does not return.
cpu_off:
    ldr x0, =PSCI_CPU_OFF
    hvc #0
    PUTS "CPU_OFF failed\n"
1:  wfi
    b 1b

// system_off: PSCI SYSTEM_OFF; ends the VM. Every guest finishes here.
system_off:
    ldr x0, =PSCI_SYSTEM_OFF
    hvc #0
1:  wfi
    b 1b
