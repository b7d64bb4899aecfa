// Process entry for the freestanding oracle programs: no libc, so no crt0.
// Linux (and qemu-user) start a static program with sp 16-byte aligned and argc at [sp].
    .text
    .global _start
    .type _start, %function
_start:
    mov     x29, #0
    mov     x30, #0
    ldr     x0, [sp]
    add     x1, sp, #8
    bl      main
    bl      rt_exit
    .size _start, . - _start
