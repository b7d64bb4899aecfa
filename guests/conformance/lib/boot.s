// Conformance library, part 2: boot at EL2, per-CPU state, exits, entering guests.
//
// QEMU (`-kernel image.elf`, virtualization=on, no EL3) and `sekvm-sim bare` start CPU 0 at
// the ELF entry at EL2h with DAIF masked; other CPUs stay off until PSCI CPU_ON (psci.s).
// Architecturally most system registers reset to UNKNOWN values, so el2_cpu_setup sets every
// register the tests rely on. The test program provides `main`, called on CPU 0; when it
// returns the library prints "END" and exits through semihosting.
.text
.global _start
_start:
    mrs x0, mpidr_el1
    and x0, x0, #0xff
    bl el2_cpu_setup
    bl main
    b exit_ok

// el2_cpu_setup(x0 = cpu index): stack, TPIDR_EL2 and EL2/EL1 control registers of this CPU.
// Called before there is a stack, so it must not touch memory through sp.
el2_cpu_setup:
    adrp x1, percpu
    add x1, x1, :lo12:percpu
    mov x2, #PERCPU_SIZE
    madd x1, x0, x2, x1
    str x0, [x1, #PC_CPU]
    msr tpidr_el2, x1
    adrp x1, el2_stacks
    add x1, x1, :lo12:el2_stacks
    add x2, x0, #1
    lsl x2, x2, #14                     // 16 KiB per CPU
    add sp, x1, x2
    ldr x1, =SCTLR_EL2_RES1
    msr sctlr_el2, x1
    ldr x1, =HCR_RW                     // EL1 is AArch64; nothing trapped, no stage 2
    msr hcr_el2, x1
    adr x1, el2_vectors
    msr vbar_el2, x1
    mov x1, #0x33ff                     // CPTR_EL2: RES1 bits, FP/SIMD not trapped
    msr cptr_el2, x1
    msr hstr_el2, xzr
    mov x1, #3                          // CNTHCTL_EL2: EL1PCTEN | EL1PCEN (EL1 counter/timer access)
    msr cnthctl_el2, x1
    msr cntvoff_el2, xzr
    mrs x1, midr_el1                    // EL1 reads of MIDR/MPIDR see VPIDR/VMPIDR
    msr vpidr_el2, x1
    mrs x1, mpidr_el1
    msr vmpidr_el2, x1
    msr vttbr_el2, xzr
    ldr x1, =VTCR_RES1
    msr vtcr_el2, x1
    ldr x1, =SCTLR_EL1_BASE
    msr sctlr_el1, x1
    msr cpacr_el1, xzr
    isb
    ret

// this_cpu() -> x0 = pointer to this CPU's per-CPU block (works at EL2 only).
this_cpu:
    mrs x0, tpidr_el2
    ret

// set_recover(x0 = address): the next EL2 synchronous exception resumes at x0 instead of
// the instruction after the faulting one. set_el1_recover is the same at EL1 (EL1 only).
set_recover:
    stp x1, x2, [sp, #-16]!
    mrs x1, tpidr_el2
    str x0, [x1, #PC_RECOVER]
    ldp x1, x2, [sp], #16
    ret
set_el1_recover:
    stp x1, x2, [sp, #-16]!
    mrs x1, tpidr_el1
    str x0, [x1, #PC_EL1_RECOVER]
    ldp x1, x2, [sp], #16
    ret

// exit_ok / exit_fail: print "END" (or "FAIL") and stop the machine with semihosting SYS_EXIT
// (ADP_Stopped_ApplicationExit, subcode 0 or 1).
exit_ok:
    bl say
    .asciz "END\n"
    .balign 4
    adr x1, exit_block_ok
    b 1f
exit_fail:
    bl say
    .asciz "FAIL\n"
    .balign 4
    adr x1, exit_block_fail
1:  mov x0, #0x18
    hlt #0xf000
2:  wfi
    b 2b
.balign 8
exit_block_ok:   .quad 0x20026, 0
exit_block_fail: .quad 0x20026, 1

// enter_el1(x0 = entry, x1 = SPSR, x2..x4 = arguments) -> x0: runs guest code at EL1 (or EL0
// if SPSR says so) with x0..x2 = the arguments until it executes `hvc #HVC_EXIT`, then returns
// that code's x0 as if it had been a call. The caller sets HCR_EL2/VTTBR_EL2/VTCR_EL2 first. The guest gets SP_EL1 = this
// CPU's EL1 stack, VBAR_EL1 = el1_vectors and TPIDR_EL1 = the per-CPU block.
enter_el1:
    mrs x9, tpidr_el2
    mov x10, sp
    mrs x11, daif
    stp x10, x11, [x9, #PC_HOSTCTX]
    stp x19, x20, [x9, #PC_HOSTCTX + 16]
    stp x21, x22, [x9, #PC_HOSTCTX + 32]
    stp x23, x24, [x9, #PC_HOSTCTX + 48]
    stp x25, x26, [x9, #PC_HOSTCTX + 64]
    stp x27, x28, [x9, #PC_HOSTCTX + 80]
    stp x29, x30, [x9, #PC_HOSTCTX + 96]
    msr elr_el2, x0
    msr spsr_el2, x1
    ldr x10, [x9, #PC_CPU]
    adrp x11, el1_stacks
    add x11, x11, :lo12:el1_stacks
    add x10, x10, #1
    add x11, x11, x10, lsl #13          // 8 KiB per CPU
    msr sp_el1, x11
    adr x10, el1_vectors
    msr vbar_el1, x10
    msr tpidr_el1, x9
    mov x0, x2
    mov x1, x3
    mov x2, x4
    isb
    eret

// Back from the guest: called from the EL2 sync handler (vectors.s) with x0 = guest x0.
guest_exit:
    mrs x9, tpidr_el2
    ldp x10, x11, [x9, #PC_HOSTCTX]
    mov sp, x10
    msr daif, x11
    ldp x19, x20, [x9, #PC_HOSTCTX + 16]
    ldp x21, x22, [x9, #PC_HOSTCTX + 32]
    ldp x23, x24, [x9, #PC_HOSTCTX + 48]
    ldp x25, x26, [x9, #PC_HOSTCTX + 64]
    ldp x27, x28, [x9, #PC_HOSTCTX + 80]
    ldp x29, x30, [x9, #PC_HOSTCTX + 96]
    ret

// enter_el0(x0 = entry, x1, x2 = arguments) -> x0: from EL1, runs code at EL0t with x0, x1 =
// the arguments until it executes `svc #SVC_EXIT`, then returns that code's x0.
// SP_EL0 = this CPU's EL0 stack.
enter_el0:
    mrs x9, tpidr_el1
    mov x10, sp
    mrs x11, daif
    stp x10, x11, [x9, #PC_EL1_CTX]
    stp x19, x20, [x9, #PC_EL1_CTX + 16]
    stp x21, x22, [x9, #PC_EL1_CTX + 32]
    stp x23, x24, [x9, #PC_EL1_CTX + 48]
    stp x25, x26, [x9, #PC_EL1_CTX + 64]
    stp x27, x28, [x9, #PC_EL1_CTX + 80]
    stp x29, x30, [x9, #PC_EL1_CTX + 96]
    msr elr_el1, x0
    msr spsr_el1, xzr                   // EL0t, DAIF clear
    ldr x10, [x9, #PC_CPU]
    adrp x11, el0_stacks
    add x11, x11, :lo12:el0_stacks
    add x10, x10, #1
    add x11, x11, x10, lsl #12          // 4 KiB per CPU
    msr sp_el0, x11
    mov x0, x1
    mov x1, x2
    isb
    eret

el0_exit:
    mrs x9, tpidr_el1
    ldp x10, x11, [x9, #PC_EL1_CTX]
    mov sp, x10
    msr daif, x11
    ldp x19, x20, [x9, #PC_EL1_CTX + 16]
    ldp x21, x22, [x9, #PC_EL1_CTX + 32]
    ldp x23, x24, [x9, #PC_EL1_CTX + 48]
    ldp x25, x26, [x9, #PC_EL1_CTX + 64]
    ldp x27, x28, [x9, #PC_EL1_CTX + 80]
    ldp x29, x30, [x9, #PC_EL1_CTX + 96]
    ret

.data
// The first thing in .data (lib/defs.s has none): everything from here on is writable data;
// everything below it (code, inline strings, literal pools) is read-only (mmu.s s1_std).
.balign 4096
__data_start:
.balign 64
percpu: .skip PERCPU_SIZE * MAX_CPUS
.bss
.balign 4096
el2_stacks: .skip 16384 * MAX_CPUS
el1_stacks: .skip 8192 * MAX_CPUS
el0_stacks: .skip 4096 * MAX_CPUS
