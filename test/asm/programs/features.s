// Assembler features compared byte for byte with GNU as + ld (test/asm/program.test.ts):
// literal pools, local labels, sections, alignment, data directives, expressions, :lo12:.
        .arch armv8.1-a
        .text
        .global _start
        .type _start, %function
_start:
        ldr     x0, =0x1122334455667788
        ldr     w1, =0x55
        ldr     x2, =msg
        ldr     x3, =msg+8
        ldr     x4, =0x1122334455667788     // shares the first slot
        ldrsw   x5, =-3
        adrp    x6, table
        add     x6, x6, :lo12:table
        ldr     x7, [x6, :lo12:table+8]
        adr     x8, func
        mov     x9, #(3 << 20) | 0x0
        movz    x10, #(SIZE * 2), lsl #16
1:      subs    x0, x0, #1
        b.ne    1b
        cbz     x1, 2f
        bl      func
2:      tbnz    w1, #3, 1b
        b       3f
        .ltorg
3:      ldr     x11, =0xdeadbeefcafef00d
        ldr     w12, =0x12345678
        b       func
        .byte   1
        .p2align 4
func:   ret
        .balign 16
        nop
        .align  3
        .inst   0xd503201f, 0xd503203f
        .word   . - _start
        .size   func, . - func
        .org    0x100
vec:    b       func
        .org    vec + 0x80, 0xab
        .word   msg - .                     // a difference across sections (GNU: a relocation)

        .section .rodata
table:  .quad   1, 2, 3
        .word   . - table, SIZE, 'A', 'b' + 1
        .equ    SIZE, 0x40
        .set    DOUBLE, SIZE * 2
        .hword  DOUBLE, -2, 0x7fff
        .balign 8, 0xee

        .data
msg:    .asciz  "hi\n\t\"x\"\\"
        .align  3
ptrs:   .quad   msg, func, table + 8, ptrs
        .byte   'a', 0x7f, -1, 0b101, 017
        .short  -2
        .int    7
        .long   8 * 2 + 1
        .xword  9
        .dword  10
        .8byte  11
        .2byte  12
        .4byte  13
        .skip   5, 0xaa
        .fill   3, 2, 0x1234
        .zero   4
        .string "s", "tt"
        .ascii  "uv"
        .word   (1 + 2) * 3 - 4 / 2 % 3, 1 << 4 >> 2, ~0 & 0xff, 6 ^ 3, 5 | 2, -(7)
        .word   (3 > 2) & 1, (2 == 2) & 1, (2 != 2) & 1
        .quad   ptrs - msg
        .ltorg
        .align  2
        ldr     x0, =0x99                   // a literal in .data goes in .data's own pool

        .bss
        .align  4
buf:    .skip   32
end:    .space  8
