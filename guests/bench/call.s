// Call/return loop for `npm run bench` (figure (c)): two nested calls per iteration with a
// stack frame (stp/ldp with writeback), as compiled C does.
.global _start
.text
_start:
    mov x19, #0
    movz x20, #0x98, lsl #16       // 9,961,472 iterations
1:  mov x0, x19
    bl f
    add x19, x19, x0
    subs x20, x20, #1
    b.ne 1b
    mov x0, #0
    mov x8, #93
    svc #0
f:  stp x29, x30, [sp, #-32]!
    mov x29, sp
    str x0, [sp, #16]
    bl g
    ldr x1, [sp, #16]
    add x0, x0, x1
    ldp x29, x30, [sp], #32
    ret
g:  add x0, x0, #1
    lsl x0, x0, #1
    ret
