// VM guest library, part 3: printing on the PL011 UART, and the UART lock.
//
// The routines write UARTDR (+0x000) only: the platform's UARTFR always reads "TX empty", so
// there is nothing to wait for. All of them preserve every general-purpose register (x0
// included) and NZCV, so a guest can print between any two instructions:
//   putc(w0)  puts(x0 = NUL-terminated string)  puthex(x0: "0x" + hex, no leading zeros)
//   putdec(x0: unsigned decimal)  putfix2(x0 = v*100: "v.vv")  putnl()
// They take no lock. On an SMP guest wrap every line in uart_lock / uart_unlock (also
// register-preserving) so lines from different vCPUs do not interleave. The exception
// handlers print without the lock: the fault may have happened while the lock was held.
//
// Macros (they call the routines above, so x30 is clobbered like any `bl`):
//   PUTS "text"        the literal (kept in .rodata); every register but x30 preserved
//   PUTHEX reg / PUTDEC reg   print a register (not sp)
//   SAY "text"         uart_lock, the literal and a newline, uart_unlock
.text

.macro PUTS str
    .pushsection .rodata
__str_\@: .asciz \str
    .popsection
    str x0, [sp, #-16]!
    adrp x0, __str_\@
    add x0, x0, :lo12:__str_\@
    bl puts
    ldr x0, [sp], #16
.endm

.macro PUTHEX reg
    str x0, [sp, #-16]!
    mov x0, \reg
    bl puthex
    ldr x0, [sp], #16
.endm

.macro PUTDEC reg
    str x0, [sp, #-16]!
    mov x0, \reg
    bl putdec
    ldr x0, [sp], #16
.endm

.macro SAY str
    bl uart_lock
    PUTS \str
    bl putnl
    bl uart_unlock
.endm

// Saves x0..x7, NZCV and x30 in a 96-byte frame; PRINT_EXIT undoes it and returns.
.macro PRINT_ENTRY
    sub sp, sp, #96
    stp x0, x1, [sp]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    mrs x1, nzcv
    stp x30, x1, [sp, #64]
    ldr x1, [sp, #8]
.endm
.macro PRINT_EXIT
    ldp x30, x1, [sp, #64]
    msr nzcv, x1
    ldp x0, x1, [sp]
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    add sp, sp, #96
    ret
.endm

putc:
    stp x1, x2, [sp, #-16]!
    mov x1, #UART_BASE
    and w2, w0, #0xff
    str w2, [x1, #UARTDR]
    ldp x1, x2, [sp], #16
    ret

putnl:
    stp x0, x30, [sp, #-16]!
    mov w0, #'\n'
    bl putc
    ldp x0, x30, [sp], #16
    ret

puts:
    PRINT_ENTRY
    mov x1, #UART_BASE
1:  ldrb w2, [x0], #1
    cbz w2, 2f
    str w2, [x1, #UARTDR]
    b 1b
2:  PRINT_EXIT

puthex:
    PRINT_ENTRY
    mov x1, #UART_BASE
    mov w2, #'0'
    str w2, [x1, #UARTDR]
    mov w2, #'x'
    str w2, [x1, #UARTDR]
    mov x3, #60                         // shift of the current digit
    mov x4, #0                          // 1 once a digit has been printed
3:  lsr x2, x0, x3
    and x2, x2, #0xf
    orr x5, x2, x4
    cmp x3, #0
    ccmp x5, #0, #0, ne                 // skip leading zeros; the last digit always prints
    b.eq 4f
    mov x4, #1
    cmp x2, #10
    add x5, x2, #'0'
    add x6, x2, #('a' - 10)
    csel x5, x5, x6, lo
    str w5, [x1, #UARTDR]
4:  subs x3, x3, #4
    b.ge 3b
    PRINT_EXIT

putdec:
    PRINT_ENTRY
    sub sp, sp, #32                     // up to 20 digits, least significant first
    mov x1, #UART_BASE
    mov x2, sp
    mov x3, sp
    mov x4, #10
5:  udiv x5, x0, x4
    msub x6, x5, x4, x0
    add x6, x6, #'0'
    strb w6, [x3], #1
    mov x0, x5
    cbnz x0, 5b
6:  ldrb w6, [x3, #-1]!
    str w6, [x1, #UARTDR]
    cmp x3, x2
    b.ne 6b
    add sp, sp, #32
    PRINT_EXIT

// putfix2(x0 = value * 100): the value with two decimals, e.g. 1234 -> "12.34"
putfix2:
    PRINT_ENTRY
    mov x2, #100
    udiv x3, x0, x2
    msub x4, x3, x2, x0                 // hundredths
    mov x0, x3
    bl putdec
    mov w0, #'.'
    bl putc
    mov x2, #10
    udiv x0, x4, x2
    bl putdec
    msub x0, x0, x2, x4
    bl putdec
    PRINT_EXIT

uart_lock:
    stp x0, x30, [sp, #-16]!
    adrp x0, uart_lock_word
    add x0, x0, :lo12:uart_lock_word
    bl spin_lock
    ldp x0, x30, [sp], #16
    ret
uart_unlock:
    stp x0, x30, [sp, #-16]!
    adrp x0, uart_lock_word
    add x0, x0, :lo12:uart_lock_word
    bl spin_unlock
    ldp x0, x30, [sp], #16
    ret

.data
.balign 64
uart_lock_word: .word 0
.balign 64
