// VM guest library, part 11: timing for the micro-benchmarks (sekvm.md §7.2). The cycle
// counter PMCCNTR_EL0 is the primary clock (the SeKVM artifact patches KVM so guests can read
// it); CNTVCT_EL0 is printed for comparison. Results are one line each:
//   RESULT <name> iters=<n> cycles=<c> per_op=<c/n, 2 decimals> cntvct=<t>
//          cntvct_per_op=<t/n, 2 decimals> ns_per_op=<t/n in ns via CNTFRQ_EL0, 2 decimals>
// (a single line; the host parses it).
.text

.equ PMCR_E,          (1 << 0)          // enable the counters
.equ PMCR_C,          (1 << 2)          // reset PMCCNTR_EL0
.equ PMCCFILTR_NSH,   (1 << 27)         // also count at EL2 (the hypervisor's share of a trap)
.equ PMCNTEN_C,       (1 << 31)         // PMCNTENSET_EL0: the cycle counter

// pmu_init: resets and starts the cycle counter (counting at EL0, EL1 and EL2).
pmu_init:
    mov x0, #PMCCFILTR_NSH
    msr pmccfiltr_el0, x0
    mov x0, #(PMCR_E | PMCR_C)
    msr pmcr_el0, x0
    mov x0, #PMCNTEN_C
    msr pmcntenset_el0, x0
    isb
    ret

// pmu_cycles() -> x0 = PMCCNTR_EL0
pmu_cycles:
    isb
    mrs x0, pmccntr_el0
    ret

// bench_report(x0 = name, x1 = iterations, x2 = cycles, x3 = CNTVCT ticks): the RESULT line,
// under the UART lock.
bench_report:
    stp x29, x30, [sp, #-64]!
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    str x23, [sp, #48]
    mov x19, x0
    mov x20, x1
    mov x21, x2
    mov x22, x3
    bl uart_lock
    PUTS "RESULT "
    mov x0, x19
    bl puts
    PUTS " iters="
    PUTDEC x20
    PUTS " cycles="
    PUTDEC x21
    PUTS " per_op="
    mov x0, #100
    mul x0, x21, x0
    udiv x0, x0, x20
    bl putfix2
    PUTS " cntvct="
    PUTDEC x22
    PUTS " cntvct_per_op="
    mov x0, #100
    mul x0, x22, x0
    udiv x0, x0, x20
    bl putfix2
    PUTS " ns_per_op="
    mrs x1, cntfrq_el0                  // ns = ticks * 1e6 / (Hz / 1000)
    mov x2, #1000
    udiv x1, x1, x2
    ldr x2, =1000000
    mul x0, x22, x2
    udiv x0, x0, x1                     // (a zero divisor gives 0: no trap on A64)
    mov x2, #100
    mul x0, x0, x2
    udiv x0, x0, x20
    bl putfix2
    bl putnl
    bl uart_unlock
    ldr x23, [sp, #48]
    ldp x21, x22, [sp, #32]
    ldp x19, x20, [sp, #16]
    ldp x29, x30, [sp], #64
    ret

// Loop and timing macros for the benchmark guests. They use x19 (loop counter), x21 and x22
// (start values): the timed code must preserve them (an HVC clobbers only x0-x17).
//   LOOP_BEGIN count ... LOOP_END         run the code between them `count` times
//   TIME_START ... TIME_STOP "name", iters   time it and print the RESULT line
.macro LOOP_BEGIN count
    ldr x19, =\count
9100:
.endm
.macro LOOP_END
    subs x19, x19, #1
    b.ne 9100b
.endm
.macro TIME_START
    bl timer_now
    mov x22, x0
    bl pmu_cycles
    mov x21, x0
.endm
.macro TIME_STOP name, iters
    bl pmu_cycles
    sub x21, x0, x21
    bl timer_now
    sub x22, x0, x22
    .pushsection .rodata
__bench_\@: .asciz \name
    .popsection
    adrp x0, __bench_\@
    add x0, x0, :lo12:__bench_\@
    ldr x1, =\iters
    mov x2, x21
    mov x3, x22
    bl bench_report
.endm
