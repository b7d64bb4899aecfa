// app: an application-like request loop, the shape of a server under load (redis, apache,
// mongo) or of a build (kernbench), for `sekvm-sim bench apps` (src/bench/apps.ts, which sets
// the defines per workload). REQUESTS times:
//   1. COMPUTE rounds of a table kernel (hash, load, add, store over a 16 KB table: the
//      request's own work, about 8 instructions a round);
//   2. TOUCH first touches of fresh pages (the page faults of a growing heap or of a
//      compiler's new process: each is a stage-2 fault under a hypervisor);
//   3. COPY 4 KB copies between buffers (memory-heavy work);
//   4. if IO_LEN > 0, one request of IO_LEN bytes on the block device (read, or write when
//      IO_WRITE = 1): the request in one page set up once, the buffer granted for the request
//      and revoked after it under SeKVM (sekvm.md §2.4), then one notify — a single exit to the
//      device model in the host's user space, as a virtio kick.
// A virtual-timer tick at TICK_HZ runs throughout (a Linux guest's scheduler tick: the handler
// stops the timer, the loop restarts it after the request), so the timer's exits and
// injections are part of the cost.
// Grants are used only when the hypervisor implements them (the first KVM_SET_DESC_PFN
// returns 1, as on SeKVM; a KVM guest kernel would not make those calls at all).
//
// Output:
//   RESULT app iters=<REQUESTS> cycles=… per_op=… cntvct=… …
//   app: requests <REQUESTS>, status errors 0, ticks <n>, grants <0|1>
.equ REQUESTS, 256
.equ COMPUTE, 1000                      // table-kernel rounds per request
.equ TOUCH, 0                           // fresh pages first touched per request
.equ COPY, 0                            // 4 KB copies per request
.equ IO_LEN, 512                        // bytes per block request (0: no I/O)
.equ IO_WRITE, 0                        // 1: write requests, 0: read requests
.equ TICK_HZ, 250                       // guest timer tick
.equ FRESH_BASE, 0x41000000             // first-touch region: 16 MiB into RAM, 48 MiB long
.if (REQUESTS * TOUCH) > 12288
.error "app: REQUESTS * TOUCH pages do not fit below 64 MiB of RAM"
.endif
.if IO_LEN > 4096
.error "app: IO_LEN is at most 4096"
.endif

.text
main:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    stp x21, x22, [sp, #-16]!
    stp x23, x24, [sp, #-16]!
    stp x25, x26, [sp, #-16]!
    stp x27, x28, [sp, #-16]!
    bl pmu_init
    // The tick: PPI 27 re-armed by app_tick.
    adr x0, app_tick
    bl set_irq_hook
    bl gic_dist_init
    bl gic_cpu_init
    mov x0, #INTID_VTIMER
    bl gic_enable_irq
    bl app_tick_period
    bl timer_arm
    bl irq_enable
    // The request block's page, touched, then (if the hypervisor has grants) granted for good:
    // it plays the part of a virtqueue shared with the device.
    adrp x23, app_req
    add x23, x23, :lo12:app_req
    str xzr, [x23]
    mov x0, x23
    mov x1, #4096
    bl kvm_set_desc_pfn
    cmp x0, #1
    cset x28, eq                        // x28 = 1: grants are in force
    adrp x0, app_grants
    str x28, [x0, :lo12:app_grants]
    mov x0, #0
    bl virtio_slot
    mov x26, x0                         // x26 = device registers
    str w23, [x26, #VIRTIO_REQ_LO]
    lsr x1, x23, #32
    str w1, [x26, #VIRTIO_REQ_HI]
    adrp x24, app_buf
    add x24, x24, :lo12:app_buf         // x24 = I/O buffer (page-aligned)
    ldr x25, =FRESH_BASE                // x25 = next fresh page
    mov x27, #0                         // x27 = status errors
    TIME_START
    LOOP_BEGIN REQUESTS
    bl app_compute
    bl app_touch
    bl app_copy
    bl app_io
    bl app_rearm
    LOOP_END
    TIME_STOP "app", REQUESTS
    bl irq_disable
    bl timer_stop
    bl uart_lock
    PUTS "app: requests "
    ldr x0, =REQUESTS
    bl putdec
    PUTS ", status errors "
    PUTDEC x27
    PUTS ", ticks "
    adrp x0, app_ticks
    ldr x0, [x0, :lo12:app_ticks]
    bl putdec
    PUTS ", grants "
    PUTDEC x28
    bl putnl
    bl uart_unlock
    ldp x27, x28, [sp], #16
    ldp x25, x26, [sp], #16
    ldp x23, x24, [sp], #16
    ldp x21, x22, [sp], #16
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret

// app_compute(): COMPUTE rounds over the 16 KB table (x0-x7 only).
app_compute:
    adrp x1, app_table
    add x1, x1, :lo12:app_table
    ldr x2, =COMPUTE
    ldr x3, =0x9e3779b97f4a7c15
    mov x4, x19                         // seed: the request number
1:  mul x4, x4, x3
    add x4, x4, #1
    lsr x5, x4, #50                     // 14 bits: a word index into 2048 words
    and x5, x5, #0x7ff
    ldr x6, [x1, x5, lsl #3]
    add x6, x6, x4
    str x6, [x1, x5, lsl #3]
    subs x2, x2, #1
    b.ne 1b
    ret

// app_touch(): TOUCH fresh pages, one word each (x25 advances).
app_touch:
    ldr x2, =TOUCH
    cbz x2, 2f
1:  str x19, [x25]
    add x25, x25, #4096
    subs x2, x2, #1
    b.ne 1b
2:  ret

// app_copy(): COPY 4 KB copies from the table into the I/O buffer (x0-x7 only).
app_copy:
    ldr x2, =COPY
    cbz x2, 3f
1:  adrp x0, app_table
    add x0, x0, :lo12:app_table
    mov x1, x24
    mov x3, #256
2:  ldp x4, x5, [x0], #16
    stp x4, x5, [x1], #16
    subs x3, x3, #1
    b.ne 2b
    subs x2, x2, #1
    b.ne 1b
3:  ret

// app_io(): one block request of IO_LEN bytes (nothing when IO_LEN = 0).
app_io:
    ldr x0, =IO_LEN
    cbz x0, 9f
    stp x29, x30, [sp, #-16]!
    str x19, [x24]                      // the buffer is touched (mapped) before it is granted
    mov x0, x23
    mov w1, #IO_WRITE
    and x2, x19, #0xfff                 // sector: the request number mod 4096
    mov x3, x24
    ldr w4, =IO_LEN
    bl virtio_req_fill
    cbz x28, 1f
    mov x0, x24
    mov x1, #4096
    bl kvm_set_desc_pfn
1:  dsb sy                              // the request block is in memory before the notify
    str wzr, [x26, #VIRTIO_QUEUE_NOTIFY]
    dsb sy
    ldr w0, [x23, #VREQ_STATUS]
    cbz w0, 2f
    add x27, x27, #1
2:  cbz x28, 3f
    mov x0, x24
    mov x1, #4096
    bl kvm_unset_desc_pfn
3:  ldp x29, x30, [sp], #16
9:  ret

// app_tick_period() -> x0 = CNTFRQ / TICK_HZ
app_tick_period:
    mrs x0, cntfrq_el0
    mov x1, #TICK_HZ
    udiv x0, x0, x1
    ret

// app_tick(x0 = INTID): the scheduler tick: count it and stop the timer (the level-sensitive
// line drops); app_rearm restarts it from the request loop, as a tickless kernel re-programs
// its next event.
app_tick:
    cmp x0, #INTID_VTIMER
    b.ne 1f
    adrp x1, app_ticks
    ldr x2, [x1, :lo12:app_ticks]
    add x2, x2, #1
    str x2, [x1, :lo12:app_ticks]
    msr cntv_ctl_el0, xzr
    adrp x1, app_tick_due
    mov x2, #1
    str x2, [x1, :lo12:app_tick_due]
1:  ret

// app_rearm(): restarts the tick after app_tick stopped it.
app_rearm:
    adrp x1, app_tick_due
    ldr x2, [x1, :lo12:app_tick_due]
    cbz x2, 1f
    str xzr, [x1, :lo12:app_tick_due]
    stp x29, x30, [sp, #-16]!
    bl app_tick_period
    bl timer_arm
    ldp x29, x30, [sp], #16
1:  ret

.data
.balign 8
app_ticks:  .quad 0
app_grants: .quad 0
app_tick_due: .quad 0
.balign 4096
app_req:    .skip 4096
app_buf:    .skip 4096
app_table:  .skip 16384
