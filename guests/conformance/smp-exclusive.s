// smp: 2
// smp-exclusive: the exclusive monitors across two CPUs (arm.md §8 LDXR/STXR, §9 "atomic").
//   (a) CPU 0 LDXR x, then CPU 1 stores a different value to x, then CPU 0 STXR x must fail
//       (status 1): another observer's write to the reservation granule clears CPU 0's
//       monitor (Arm ARM B2.9, the global monitor). CPU 0 signals CPU 1 by storing to another
//       granule, which leaves its own monitor in the Exclusive state.
//   (b) a spinlock (LDAXR/STXR acquire loop, STLR release) protects a plain read-modify-write
//       counter, and a lock-free LDXR/ADD/STXR loop increments a second counter: each CPU adds
//       2000 to both, so both must end at 4000.
.equ N, 2000
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    adr x1, cpu1
    bl cpu_on
    adr x19, shared
1:  ldr x0, [x19, #8]                   // wait: CPU 1 up
    cbz x0, 1b
    // (a)
    adr x20, xvar
    ldxr x21, [x20]
    mov x0, #1
    str x0, [x19]                       // "store to x now" (another granule)
2:  ldr x0, [x19, #8]
    cmp x0, #2
    b.lo 2b                             // CPU 1 has stored
    add x22, x21, #1
    stxr w23, x22, [x20]
    mov x0, x23
    bl sayd
    .asciz "(a) STXR status after CPU 1's store: "
    .balign 4
    ldr x0, [x20]
    bl sayx
    .asciz "    x = "
    .balign 4
    // (b)
    mov x0, #3
    str x0, [x19]                       // go
    bl work
3:  ldr x0, [x19, #8]
    cmp x0, #3
    b.lo 3b                             // CPU 1 done
    adr x0, counter_locked
    ldr x0, [x0]
    bl sayd
    .asciz "(b) lock-protected counter: "
    .balign 4
    adr x0, counter_atomic
    ldr x0, [x0]
    bl sayd
    .asciz "    LDXR/STXR counter: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

// work: N increments of each counter.
work:
    adr x1, lock
    adr x2, counter_locked
    adr x3, counter_atomic
    mov x4, #N
4:  mov w5, #1                          // acquire the lock
5:  ldaxr w6, [x1]
    cbnz w6, 5b
    stxr w7, w5, [x1]
    cbnz w7, 5b
    ldr x8, [x2]                        // critical section: plain increment
    add x8, x8, #1
    str x8, [x2]
    stlr wzr, [x1]                      // release
6:  ldxr x8, [x3]                       // lock-free increment
    add x8, x8, #1
    stxr w7, x8, [x3]
    cbnz w7, 6b
    subs x4, x4, #1
    b.ne 4b
    ret

cpu1:
    stp x29, x30, [sp, #-16]!
    adr x19, shared
    mov x0, #1
    str x0, [x19, #8]                   // up
7:  ldr x0, [x19]
    cbz x0, 7b
    adr x20, xvar
    ldr x0, =0x2222
    str x0, [x20]                       // (a) the conflicting store
    dmb ish
    mov x0, #2
    str x0, [x19, #8]
8:  ldr x0, [x19]
    cmp x0, #3
    b.lo 8b
    bl work                             // (b)
    dmb ish
    mov x0, #3
    str x0, [x19, #8]
    ldp x29, x30, [sp], #16
    ret

.data
.balign 64
shared: .quad 0, 0                      // cmd (CPU 0 -> 1), state (CPU 1 -> 0)
.balign 64
xvar: .quad 0x1111
.balign 64
lock: .quad 0
.balign 64
counter_locked: .quad 0
.balign 64
counter_atomic: .quad 0
