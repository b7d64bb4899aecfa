// hackbench: two tasks on two vCPUs exchanging messages through shared memory, the pattern of
// hackbench's sender/receiver groups (sekvm.md §7.3) reduced to one pair. ROUNDS times, vCPU 0
// writes a 64-byte message into the shared slot, sends SGI 1 to vCPU 1 and sleeps in WFI until
// the reply; vCPU 1, woken by the interrupt, checks the message, does WORK rounds of work,
// writes the reply and sends SGI 1 back, then sleeps again. Every round is two SGIs (trapped
// ICC_SGI1R_EL1 writes), two WFI sleeps and two wake-ups under a hypervisor.
//
// Output (-smp 2):
//   RESULT hackbench iters=<ROUNDS> cycles=… per_op=… cntvct=… …
//   hackbench: rounds <ROUNDS>, bad messages 0
.equ ROUNDS, 2000
.equ WORK, 200                          // work rounds per message on each side
.equ SGI_MSG, 1

.text
main:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    stp x21, x22, [sp, #-16]!
    stp x23, x24, [sp, #-16]!
    adr x0, hb_irq
    bl set_irq_hook
    bl gic_dist_init
    bl gic_cpu_init
    mov x0, #SGI_MSG
    bl gic_enable_irq
    mov x0, #1
    adr x1, hb_receiver
    bl psci_cpu_on
    adrp x0, hb_ready
    add x0, x0, :lo12:hb_ready
1:  ldar x1, [x0]
    cbz x1, 1b
    bl pmu_init
    adrp x23, hb_got
    add x23, x23, :lo12:hb_got          // x23 = &hb_got[0] (vCPU 0's count)
    mov x24, #0                         // x24 = messages sent
    TIME_START
    LOOP_BEGIN ROUNDS
    add x24, x24, #1
    mov x0, x24
    bl hb_write_msg
    mov x0, #1
    mov x1, #SGI_MSG
    bl gic_send_sgi
    mov x0, x23
    mov x1, x24
    bl wait_irq_until                   // the reply
    bl hb_work
    LOOP_END
    TIME_STOP "hackbench", ROUNDS
    bl uart_lock
    PUTS "hackbench: rounds "
    PUTDEC x24
    PUTS ", bad messages "
    adrp x0, hb_bad
    ldr x0, [x0, :lo12:hb_bad]
    bl putdec
    bl putnl
    bl uart_unlock
    ldp x23, x24, [sp], #16
    ldp x21, x22, [sp], #16
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret

// hb_write_msg(x0 = sequence number): 8 words of the message.
hb_write_msg:
    adrp x1, hb_msg
    add x1, x1, :lo12:hb_msg
    mov x2, #8
1:  str x0, [x1], #8
    add x0, x0, #1
    subs x2, x2, #1
    b.ne 1b
    dmb ish
    ret

// hb_check_msg(x0 = sequence number) -> x0 = 0 if the message is intact
hb_check_msg:
    adrp x1, hb_msg
    add x1, x1, :lo12:hb_msg
    mov x2, #8
    mov x3, #0
1:  ldr x4, [x1], #8
    eor x4, x4, x0
    orr x3, x3, x4
    add x0, x0, #1
    subs x2, x2, #1
    b.ne 1b
    mov x0, x3
    ret

// hb_work(): WORK rounds of arithmetic (x0-x3 only).
hb_work:
    ldr x0, =WORK
    mov x1, #1
1:  add x1, x1, x1, lsl #3
    eor x1, x1, x0
    subs x0, x0, #1
    b.ne 1b
    ret

// hb_receiver(x0 = 1): vCPU 1 serves ROUNDS messages, then returns (CPU_OFF).
hb_receiver:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    bl gic_cpu_init
    mov x0, #SGI_MSG
    bl gic_enable_irq
    adrp x0, hb_ready
    add x0, x0, :lo12:hb_ready
    mov x1, #1
    stlr x1, [x0]
    mov x19, #0                         // messages received
    ldr x20, =ROUNDS
1:  add x19, x19, #1
    adrp x0, hb_got
    add x0, x0, :lo12:hb_got
    add x0, x0, #8                      // &hb_got[1]
    mov x1, x19
    bl wait_irq_until
    mov x0, x19
    bl hb_check_msg
    cbz x0, 2f
    adrp x1, hb_bad
    ldr x2, [x1, :lo12:hb_bad]
    add x2, x2, #1
    str x2, [x1, :lo12:hb_bad]
2:  bl hb_work
    mov x0, #0
    mov x1, #SGI_MSG
    bl gic_send_sgi
    cmp x19, x20
    b.ne 1b
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret

// hb_irq(x0 = INTID): a message (vCPU 1) or a reply (vCPU 0) arrived: count it.
hb_irq:
    cmp x0, #SGI_MSG
    b.ne 1f
    mrs x1, mpidr_el1
    and x1, x1, #0xff
    adrp x2, hb_got
    add x2, x2, :lo12:hb_got
    add x2, x2, x1, lsl #3
    ldr x3, [x2]
    add x3, x3, #1
    stlr x3, [x2]
1:  ret

.data
.balign 64
hb_ready: .quad 0
hb_bad:   .quad 0
.balign 64
hb_got:   .quad 0, 0
.balign 64
hb_msg:   .skip 64
