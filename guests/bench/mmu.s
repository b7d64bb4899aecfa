// EL1 guest for the MMU benchmarks (src/bench/mmu.ts). The host acts as EL2 (host mode): it
// builds the stage-1 and stage-2 tables, enables both stages and enters here at EL1. Each phase
// ends with an HVC so the host can time it:
//   hvc #1  after the TLB-hit loop (ALU work plus loads/stores to one page, 20M iterations)
//   hvc #2  after the page-striding loop (one load per 4 KB page over 64 MiB, 8 passes)
//   hvc #3  after N back-to-back HVCs (x20 = N on entry, set by the host): each is a round trip
.global _start
.text
_start:
    // Phase 1: TLB hits. Ten instructions per iteration, two of them memory accesses.
    adrp x1, small
    add x1, x1, :lo12:small
    movz x9, #0x0131, lsl #16      // 19,922,944 iterations
    mov x0, #1
    mov x2, #0
1:  add x2, x2, x0
    ldr x3, [x1]
    eor x3, x3, x2, lsl #3
    orr x0, x0, x3
    str x3, [x1, #8]
    and x4, x3, #0xff
    add x0, x0, x4
    lsr x5, x0, #7
    subs x9, x9, #1
    b.ne 1b
    hvc #1
    // Phase 2: one load per page over 64 MiB starting at `big`, 8 passes.
    mov x10, #8
2:  adrp x1, big
    add x1, x1, :lo12:big
    mov x2, #(64 * 1024 * 1024 / 4096)
3:  ldr x3, [x1]
    add x1, x1, #4096
    subs x2, x2, #1
    b.ne 3b
    subs x10, x10, #1
    b.ne 2b
    hvc #2
    // Phase 3: HVC round trips.
4:  hvc #0
    subs x20, x20, #1
    b.ne 4b
    hvc #3
5:  b 5b

.data
.balign 4096
small: .quad 0, 0
.bss
.balign 4096
big: .skip 64 * 1024 * 1024
