// memtouch: touches MIB MiB of RAM, one 64-bit word per 4 KB page, starting at BASE (above
// the image). Demonstrates lazy stage-2 population: every first touch of a page is a stage-2
// fault the hypervisor resolves by giving the VM a page. Three passes: read (fresh memory must
// read as zero: the VM never sees data left by someone else), write a pattern, verify it.
// Prints the page count, the number of fresh pages that were not zero, the verify errors and
// a checksum of the pattern (it depends only on MIB and BASE), then a RESULT line with the
// cycles per page of the first pass (the cost of a stage-2 fault; not compared across modes).
//
// Output (MIB = 16):
//   memtouch: 4096 pages (16 MiB) from 0x41000000
//   memtouch: fresh pages not zero: 0
//   memtouch: verify errors: 0
//   memtouch: checksum 0x…
//   RESULT memtouch-first-touch iters=4096 cycles=… per_op=… …
.equ MIB, 16                            // MiB to touch
.equ BASE, 0x41000000                   // 16 MiB into RAM; the image is far below
.equ PAGES, (MIB * 256)
.equ PATTERN_MUL, 0x9e3779b97f4a7c15    // odd: the pattern differs on every page
.if (BASE + MIB * 0x100000) > (RAM_BASE + RAM_SIZE_MIN)
.error "memtouch: BASE + MIB MiB is past the 64 MiB of RAM"
.endif

.text
main:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    stp x21, x22, [sp, #-16]!
    stp x23, x24, [sp, #-16]!
    bl pmu_init
    ldr x19, =BASE
    ldr x20, =PAGES
    ldr x23, =PATTERN_MUL

    // Pass 1: first touch (read); count non-zero words.
    bl timer_now
    mov x22, x0
    bl pmu_cycles
    mov x21, x0
    mov x1, x19
    mov x2, x20
    mov x24, #0
1:  ldr x3, [x1]
    cmp x3, #0
    cinc x24, x24, ne
    add x1, x1, #4096
    subs x2, x2, #1
    b.ne 1b
    bl pmu_cycles
    sub x21, x0, x21
    bl timer_now
    sub x22, x0, x22

    // Pass 2: write address * PATTERN_MUL.
    mov x1, x19
    mov x2, x20
2:  mul x3, x1, x23
    str x3, [x1]
    add x1, x1, #4096
    subs x2, x2, #1
    b.ne 2b

    // Pass 3: verify; checksum = sum of the words read.
    mov x1, x19
    mov x2, x20
    mov x4, #0                          // errors
    mov x5, #0                          // checksum
3:  ldr x3, [x1]
    mul x6, x1, x23
    cmp x3, x6
    cinc x4, x4, ne
    add x5, x5, x3
    add x1, x1, #4096
    subs x2, x2, #1
    b.ne 3b

    bl uart_lock
    PUTS "memtouch: "
    PUTDEC x20
    PUTS " pages ("
    mov x0, #MIB
    bl putdec
    PUTS " MiB) from "
    PUTHEX x19
    PUTS "\nmemtouch: fresh pages not zero: "
    PUTDEC x24
    PUTS "\nmemtouch: verify errors: "
    PUTDEC x4
    PUTS "\nmemtouch: checksum "
    PUTHEX x5
    bl putnl
    bl uart_unlock
    adr x0, name_first_touch
    mov x1, x20
    mov x2, x21
    mov x3, x22
    bl bench_report
    ldp x23, x24, [sp], #16
    ldp x21, x22, [sp], #16
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret

name_first_touch: .asciz "memtouch-first-touch"
.balign 4
