// timer: the virtual timer and its interrupt. Demonstrates CNTV_TVAL/CTL_EL0, CNTVCT_EL0 and
// PPI 27 through the GIC: the timer is armed for 1 ms TICKS times; each time the vCPU sleeps in
// WFI until the interrupt handler has stopped the timer and counted the tick. Checks that the
// counter advanced by at least TICKS ms in all.
//
// Output:
//   timer: 5 interrupts (PPI 27): ok
//   timer: CNTVCT advanced by >= 5 ms: ok
.equ TICKS, 5

.text
main:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    stp x21, x22, [sp, #-16]!
    adr x0, timer_irq
    bl set_irq_hook
    bl gic_dist_init
    bl gic_cpu_init
    mov x0, #INTID_VTIMER
    bl gic_enable_irq
    bl timer_freq
    mov x1, #1000
    udiv x20, x0, x1                    // ticks per ms
    bl timer_now
    mov x21, x0
    mov x19, #0
1:  mov x0, x20
    bl timer_arm
    add x19, x19, #1
    adrp x0, fired
    add x0, x0, :lo12:fired
    mov x1, x19
    bl wait_irq_until
    cmp x19, #TICKS
    b.lo 1b
    bl timer_now
    sub x21, x0, x21
    adrp x0, fired
    ldr x22, [x0, :lo12:fired]
    bl uart_lock
    PUTS "timer: "
    PUTDEC x22
    PUTS " interrupts (PPI 27)"
    cmp x22, #TICKS
    b.ne 2f
    PUTS ": ok\n"
    b 3f
2:  PUTS ": FAILED\n"
3:  PUTS "timer: CNTVCT advanced by >= "
    mov x0, #TICKS
    bl putdec
    PUTS " ms"
    mov x0, #TICKS
    mul x0, x0, x20
    cmp x21, x0
    b.lo 4f
    PUTS ": ok\n"
    b 5f
4:  PUTS ": FAILED\n"
5:  bl uart_unlock
    ldp x21, x22, [sp], #16
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret

// timer_irq(x0 = INTID): stop the (level-sensitive) timer before the EOI, count the tick.
timer_irq:
    stp x29, x30, [sp, #-16]!
    cmp x0, #INTID_VTIMER
    b.ne 1f
    bl timer_stop
    adrp x1, fired
    add x1, x1, :lo12:fired
    ldr x2, [x1]
    add x2, x2, #1
    stlr x2, [x1]
1:  ldp x29, x30, [sp], #16
    ret

.data
.balign 8
fired: .quad 0
