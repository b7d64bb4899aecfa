// A small EL0 program for the demo: prints the primes below 100 with a sieve, using only the
// write and exit syscalls. Build and run by hand with
//   npx sekvm-sim asm guests/user/primes.s -o primes.elf && npx sekvm-sim user primes.elf
.global _start
.text
_start:
    adrp x19, sieve
    add x19, x19, :lo12:sieve
    mov x20, #2                    // candidate
1:  ldrb w0, [x19, x20]
    cbnz w0, 3f                    // composite
    mov x0, x20
    bl print_num
    lsl x21, x20, #1               // strike multiples
2:  cmp x21, #100
    b.hs 3f
    mov w0, #1
    strb w0, [x19, x21]
    add x21, x21, x20
    b 2b
3:  add x20, x20, #1
    cmp x20, #100
    b.lo 1b
    mov x0, #1
    adr x1, newline
    mov x2, #1
    mov x8, #64
    svc #0
    mov x0, #0
    mov x8, #93
    svc #0

// print_num(x0): writes the decimal number and a space
print_num:
    adrp x1, buf
    add x1, x1, :lo12:buf
    add x1, x1, #31
    mov w2, #' '
    strb w2, [x1]
    mov x3, #10
4:  udiv x4, x0, x3
    msub x5, x4, x3, x0
    add w5, w5, #'0'
    sub x1, x1, #1
    strb w5, [x1]
    mov x0, x4
    cbnz x0, 4b
    adrp x2, buf
    add x2, x2, :lo12:buf
    add x2, x2, #32
    sub x2, x2, x1                 // length
    mov x0, #1
    mov x8, #64
    svc #0
    ret

newline: .ascii "\n"
.bss
sieve: .skip 128
buf:   .skip 32
