// bench-ipi: the "Virtual IPI" micro-benchmark (kvm-unit-tests `ipi`; sekvm.md §7.2), two
// vCPUs. vCPU 0 sends SGI 1 to vCPU 1 and spins until vCPU 1's IRQ handler has acknowledged
// it (a shared counter), ITERS times; the time per round trip is reported. vCPU 1 sleeps in
// WFI between interrupts. vCPU 0 never takes an interrupt.
//
// Output (-smp 2):
//   RESULT ipi iters=65536 cycles=… per_op=… …
.equ ITERS, 65536
.equ WARMUP, 16
.equ SGI_IPI, 1

.text
main:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    stp x21, x22, [sp, #-16]!
    adr x0, ipi_irq
    bl set_irq_hook
    bl gic_dist_init
    bl gic_cpu_init
    mov x0, #1
    adr x1, ipi_secondary
    bl psci_cpu_on
    cbz x0, 1f
    bl uart_lock
    PUTS "bench-ipi: CPU_ON failed: "
    PUTHEX x0
    bl putnl
    bl uart_unlock
    b 9f
1:  adrp x0, ready
    add x0, x0, :lo12:ready
2:  ldar x1, [x0]
    cbz x1, 2b
    bl pmu_init
    adrp x20, acks
    add x20, x20, :lo12:acks
    LOOP_BEGIN WARMUP
    bl ipi_round
    LOOP_END
    TIME_START
    LOOP_BEGIN ITERS
    bl ipi_round
    LOOP_END
    TIME_STOP "ipi", ITERS
9:  ldp x21, x22, [sp], #16
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret

// ipi_round(x20 = &acks): one SGI to vCPU 1 and the wait for its handler. Leaf-like: only
// x0-x3 and x30 change (gic_send_sgi uses x0-x2).
ipi_round:
    mov x3, x30
    ldar x1, [x20]
    add x1, x1, #1
    str x1, [sp, #-16]!
    mov x0, #1
    mov x1, #SGI_IPI
    bl gic_send_sgi
    ldr x1, [sp], #16
1:  ldar x0, [x20]
    cmp x0, x1
    b.ne 1b
    mov x30, x3
    ret

// ipi_secondary(x0 = 1): vCPU 1 serves SGIs forever; SYSTEM_OFF from vCPU 0 ends it.
ipi_secondary:
    bl gic_cpu_init
    mov x0, #SGI_IPI
    bl gic_enable_irq
    adrp x0, ready
    add x0, x0, :lo12:ready
    mov x1, #1
    stlr x1, [x0]
    adrp x0, never
    add x0, x0, :lo12:never
    mov x1, #1
    bl wait_irq_until                   // `never` stays 0: WFI, take the IRQ, repeat
    b system_off

// ipi_irq(x0 = INTID): the acknowledgement vCPU 0 waits for.
ipi_irq:
    cmp x0, #SGI_IPI
    b.ne 1f
    adrp x1, acks
    add x1, x1, :lo12:acks
    ldr x2, [x1]
    add x2, x2, #1
    stlr x2, [x1]
1:  ret

.data
.balign 64
ready: .quad 0
never: .quad 0
.balign 64
acks:  .quad 0
