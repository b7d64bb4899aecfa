// VM guest library, part 2: boot; first in .text, so _start is at the link base. The
// primary vCPU enters at _start (EL1h, MMU off, DAIF masked, x0 = 0); secondaries enter at
// secondary_entry through PSCI CPU_ON (psci.s).
//
// Every vCPU: a 16 KiB stack chosen by MPIDR_EL1.Aff0, TPIDR_EL1 = vCPU index, VBAR_EL1 =
// vectors (vectors.s), then the MMU on with the shared identity map (mmu.s). The primary
// builds that map first, then calls the guest's `main` with IRQs still masked; when `main`
// returns the VM is powered off (PSCI SYSTEM_OFF). A secondary calls the function passed to
// psci_cpu_on with x0 = its vCPU index; when that returns, the vCPU calls PSCI CPU_OFF.
//
// The library never zeroes .bss: the loader zero-fills it (p_memsz > p_filesz), and memory the
// hypervisor hands out is fresh. Initialised shared state belongs in .data.
.text
.global _start
_start:
    mrs x19, mpidr_el1
    and x19, x19, #0xff
    cmp x19, #MAX_CPUS
    b.hs boot_park
    bl cpu_early
    bl mmu_build
    bl mmu_enable
    bl main
    b system_off

// secondary_entry(x0 = context id = the function to run): the CPU_ON entry point.
secondary_entry:
    mov x20, x0
    mrs x19, mpidr_el1
    and x19, x19, #0xff
    cmp x19, #MAX_CPUS
    b.hs boot_park
    bl cpu_early
    bl mmu_enable
    mov x0, x19
    blr x20
    b cpu_off

// cpu_early(x19 = vCPU index): stack, TPIDR_EL1, VBAR_EL1, SCTLR_EL1 with the MMU off.
// Runs before the MMU is on, so it touches no memory (a leaf; no stack use).
cpu_early:
    adrp x1, stacks
    add x1, x1, :lo12:stacks
    add x2, x19, #1
    mov x3, #STACK_SIZE
    madd x1, x2, x3, x1
    mov sp, x1
    msr tpidr_el1, x19
    adrp x1, vectors
    add x1, x1, :lo12:vectors
    msr vbar_el1, x1
    ldr x1, =SCTLR_EL1_RES1
    msr sctlr_el1, x1
    isb
    ret

// A vCPU whose Aff0 has no stack: switch it off without touching memory.
boot_park:
    ldr x0, =PSCI_CPU_OFF
    hvc #0
1:  wfi
    b 1b

// this_cpu() -> x0 = vCPU index (MPIDR_EL1.Aff0)
this_cpu:
    mrs x0, tpidr_el1
    ret

// spin_lock(x0 = address of a 32-bit lock word) / spin_unlock(x0): a test-and-set lock with
// LDAXR/STLXR (acquire on the load, release on the unlock store). Preserve every register
// except NZCV. No WFE: a spinning vCPU simply re-reads the word.
spin_lock:
    stp x1, x2, [sp, #-16]!
    mov w2, #1
1:  ldaxr w1, [x0]
    cbnz w1, 1b
    stlxr w1, w2, [x0]
    cbnz w1, 1b
    ldp x1, x2, [sp], #16
    ret
spin_unlock:
    stlr wzr, [x0]
    ret

.bss
.balign 16
stacks: .skip STACK_SIZE * MAX_CPUS
