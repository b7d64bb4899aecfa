// smp: two vCPUs. Demonstrates PSCI CPU_ON (vCPU 1 starts at the library's secondary entry),
// a shared counter incremented N times by each vCPU under an LDAXR/STLXR spinlock, SGIs in
// both directions (vCPU 0 sends SGI 1, vCPU 1's IRQ handler acknowledges it, EOIs it and
// replies with SGI 2), and an orderly end: vCPU 1 powers itself off with CPU_OFF, vCPU 0
// waits until AFFINITY_INFO reports it off, then SYSTEM_OFF.
// Output order is fixed: a vCPU prints only while the other is waiting for it.
//
// Output (-smp 2; N = 10000, ROUNDS = 8):
//   smp: vCPU 0 up, starting vCPU 1
//   smp: vCPU 1 up
//   smp: counter = 20000 (expected 20000): ok
//   smp: SGI ping-pong: 8 rounds, vCPU 1 took 8 SGI 1, vCPU 0 took 8 SGI 2: ok
//   smp: vCPU 1 powering off
//   smp: vCPU 1 is off
//   smp: done
.equ N, 10000                           // increments per vCPU
.equ ROUNDS, 8                          // SGI round trips
.equ SGI_PING, 1
.equ SGI_PONG, 2
.equ SGI_WAKE, 3                        // wakes vCPU 1 to see `finish`; no reply

.text
main:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    adr x0, smp_irq
    bl set_irq_hook
    bl gic_dist_init
    bl gic_cpu_init
    mov x0, #SGI_PONG
    bl gic_enable_irq
    bl irq_enable
    SAY "smp: vCPU 0 up, starting vCPU 1"
    mov x0, #1
    adr x1, smp_secondary
    bl psci_cpu_on
    cbz x0, 1f
    bl uart_lock
    PUTS "smp: CPU_ON failed: "
    PUTHEX x0
    bl putnl
    bl uart_unlock
    b 9f
1:  adrp x0, online
    add x0, x0, :lo12:online
2:  ldar x1, [x0]                       // vCPU 1 has printed its line
    cbz x1, 2b

    // Phase 1: the shared counter.
    adrp x0, go
    add x0, x0, :lo12:go
    mov x1, #1
    stlr x1, [x0]
    bl count_n
    adrp x0, done1
    add x0, x0, :lo12:done1
3:  ldar x1, [x0]
    cbz x1, 3b
    adrp x0, counter
    ldr x19, [x0, :lo12:counter]
    ldr x20, =(2 * N)
    bl uart_lock
    PUTS "smp: counter = "
    PUTDEC x19
    PUTS " (expected "
    PUTDEC x20
    cmp x19, x20
    b.ne 4f
    PUTS "): ok\n"
    b 5f
4:  PUTS "): FAILED\n"
5:  bl uart_unlock

    // Phase 2: SGI ping-pong. vCPU 0 waits with IRQs unmasked (its SGI 2 handler counts).
    mov x19, #0
6:  mov x0, #1
    mov x1, #SGI_PING
    bl gic_send_sgi
    add x19, x19, #1
    adrp x0, pongs
    add x0, x0, :lo12:pongs
7:  ldar x1, [x0]
    cmp x1, x19
    b.ne 7b
    cmp x19, #ROUNDS
    b.lo 6b
    adrp x0, pings
    ldr x19, [x0, :lo12:pings]
    adrp x0, pongs
    ldr x20, [x0, :lo12:pongs]
    bl uart_lock
    PUTS "smp: SGI ping-pong: "
    mov x0, #ROUNDS
    bl putdec
    PUTS " rounds, vCPU 1 took "
    PUTDEC x19
    PUTS " SGI 1, vCPU 0 took "
    PUTDEC x20
    PUTS " SGI 2"
    cmp x19, #ROUNDS
    ccmp x20, #ROUNDS, #0, eq
    b.ne 8f
    PUTS ": ok\n"
    b 10f
8:  PUTS ": FAILED\n"
10: bl uart_unlock

    // Phase 3: vCPU 1 switches itself off.
    adrp x0, finish
    add x0, x0, :lo12:finish
    mov x1, #1
    stlr x1, [x0]
    mov x0, #1
    mov x1, #SGI_WAKE
    bl gic_send_sgi
    ldr x19, =1000000                   // AFFINITY_INFO polls before giving up
11: mov x0, #1
    bl psci_affinity_info
    cmp x0, #AFFINITY_OFF
    b.eq 12f
    subs x19, x19, #1
    b.ne 11b
    SAY "smp: vCPU 1 did not power off: FAILED"
    b 9f
12: SAY "smp: vCPU 1 is off"
9:  SAY "smp: done"
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret

// smp_secondary(x0 = 1): vCPU 1's life; returning powers it off (CPU_OFF).
smp_secondary:
    stp x29, x30, [sp, #-16]!
    bl gic_cpu_init
    mov x0, #SGI_PING
    bl gic_enable_irq
    mov x0, #SGI_WAKE
    bl gic_enable_irq
    SAY "smp: vCPU 1 up"
    adrp x0, online
    add x0, x0, :lo12:online
    mov x1, #1
    stlr x1, [x0]
    adrp x0, go
    add x0, x0, :lo12:go
1:  ldar x1, [x0]
    cbz x1, 1b
    bl count_n
    adrp x0, done1
    add x0, x0, :lo12:done1
    mov x1, #1
    stlr x1, [x0]
    adrp x0, finish                     // serve SGIs until vCPU 0 says finish
    add x0, x0, :lo12:finish
    mov x1, #1
    bl wait_irq_until
    bl irq_disable
    SAY "smp: vCPU 1 powering off"
    ldp x29, x30, [sp], #16
    ret

// count_n: N times { lock; counter++; unlock }
count_n:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    ldr x19, =N
    adrp x20, counter_lock
    add x20, x20, :lo12:counter_lock
1:  mov x0, x20
    bl spin_lock
    ldr x1, [x20, #(counter - counter_lock)]
    add x1, x1, #1
    str x1, [x20, #(counter - counter_lock)]
    mov x0, x20
    bl spin_unlock
    subs x19, x19, #1
    b.ne 1b
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret

// smp_irq(x0 = INTID): SGI 1 on vCPU 1 -> count, reply SGI 2; SGI 2 on vCPU 0 -> count;
// SGI 3 -> nothing (it only wakes vCPU 1 from WFI).
smp_irq:
    stp x29, x30, [sp, #-16]!
    cmp x0, #SGI_PING
    b.ne 1f
    adrp x1, pings
    add x1, x1, :lo12:pings
    ldr x2, [x1]
    add x2, x2, #1
    stlr x2, [x1]
    mov x0, #0
    mov x1, #SGI_PONG
    bl gic_send_sgi
    b 3f
1:  cmp x0, #SGI_PONG
    b.ne 3f
    adrp x1, pongs
    add x1, x1, :lo12:pongs
    ldr x2, [x1]
    add x2, x2, #1
    stlr x2, [x1]
3:  ldp x29, x30, [sp], #16
    ret

.data
.balign 64
counter_lock: .word 0
.balign 8
counter:      .quad 0
.balign 64
online:       .quad 0
go:           .quad 0
done1:        .quad 0
finish:       .quad 0
.balign 64
pings:        .quad 0
.balign 64
pongs:        .quad 0
