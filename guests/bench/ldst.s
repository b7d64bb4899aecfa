// Load/store loop for `npm run bench` (figure (b)): walks a 64 MiB buffer (far larger than the
// simulator's 1 MiB uTLB reach and any host cache) with loads, stores and pairs, 8 passes.
.global _start
.text
_start:
    mov x10, #8
2:  adrp x1, buf
    add x1, x1, :lo12:buf
    mov x2, #(64 * 1024 * 1024 / 32)
1:  ldr x3, [x1]
    ldr x4, [x1, #8]
    add x3, x3, x2
    ldp x5, x6, [x1, #16]
    eor x4, x4, x3
    str x3, [x1]
    add x5, x5, x4
    str x4, [x1, #8]
    stp x5, x6, [x1, #16]
    add x1, x1, #32
    subs x2, x2, #1
    b.ne 1b
    subs x10, x10, #1
    b.ne 2b
    mov x0, #0
    mov x8, #93
    svc #0
.bss
.balign 4096
buf: .skip 64 * 1024 * 1024
