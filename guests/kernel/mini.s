// mini: a tiny EL1 kernel running a user program, for the exception-model test
// (test/cpu/el1-kernel.test.ts). Boots at EL2 like a bare-metal image on QEMU's virt board,
// drops to EL1, installs a vector table at VBAR_EL1, then ERETs to user code at EL0, which
// triggers SVC, BRK, UNDEFINED, an SP alignment fault, a PC alignment fault and an alignment
// fault on Device memory (MMU off). The kernel prints ESR/ELR/SPSR/FAR for each on the PL011
// UART (data register at 0x0900_0000) and finishes with "done" and a semihosting exit.
.equ UART, 0x09000000
.global _start
.text
_start:
    // EL2: EL1 is AArch64; enter EL1h with DAIF masked.
    mov x0, #(1 << 31)
    msr hcr_el2, x0
    mov x0, #0x3c5
    msr spsr_el2, x0
    adr x0, el1_entry
    msr elr_el2, x0
    eret

el1_entry:
    adrp x0, vectors
    add x0, x0, :lo12:vectors
    msr vbar_el1, x0
    adrp x0, kstack_top
    add x0, x0, :lo12:kstack_top
    mov sp, x0
    // SCTLR_EL1: RES1 bits, SA0 (EL0 SP alignment check) and nTWI/nTWE; MMU off.
    movz x0, #0x0800
    movk x0, #0x30d5, lsl #16
    orr x0, x0, #(1 << 4)
    msr sctlr_el1, x0
    isb
    adr x0, banner
    bl puts
    // Current-EL SVC first: vector 0x200 (current EL, SP_ELx).
    svc #0x11
    // Enter EL0t at user_main with SP_EL0 = user stack.
    adrp x0, ustack_top
    add x0, x0, :lo12:ustack_top
    msr sp_el0, x0
    adr x0, user_main
    msr elr_el1, x0
    mov x0, #0              // SPSR: EL0t, NZCV clear, DAIF clear
    msr spsr_el1, x0
    eret

// ---- user program (EL0) ----
user_main:
    mov x0, #0
    cmp x0, #1              // N=1, Z=0, C=0, V=0
    svc #42                 // the kernel must preserve NZCV across the exception
    cset x1, lt             // LT holds if NZCV survived
    svc #1                  // report x1
    brk #7
    .inst 0x00000000        // UDF #0: UNDEFINED
    mov x2, sp
    sub x2, x2, #4
    mov sp, x2
    ldr x3, [sp]            // SP alignment fault (SCTLR_EL1.SA0)
    adr x4, after_br
    add x4, x4, #2
    br x4                   // PC alignment fault
after_br:
    adrp x5, data_word
    add x5, x5, :lo12:data_word
    ldr x6, [x5, #1]        // alignment fault: Device memory with the MMU off
    svc #2                  // finish
1:  b 1b

// ---- vectors ----
.balign 2048
vectors:
    .balign 0x80
    b bad_vector            // 0x000 current EL, SP_EL0, sync
    .balign 0x80
    b bad_vector            // 0x080 IRQ
    .balign 0x80
    b bad_vector            // 0x100 FIQ
    .balign 0x80
    b bad_vector            // 0x180 SError
    .balign 0x80
    b cur_sync              // 0x200 current EL, SP_ELx, sync
    .balign 0x80
    b bad_vector
    .balign 0x80
    b bad_vector
    .balign 0x80
    b bad_vector
    .balign 0x80
    b lower_sync            // 0x400 lower EL (AArch64), sync
    .balign 0x80
    b bad_vector
    .balign 0x80
    b bad_vector
    .balign 0x80
    b bad_vector
    .balign 0x80
    b bad_vector            // 0x600 lower EL (AArch32): not reachable
    .balign 0x80

bad_vector:
    adr x0, msg_bad
    bl puts
    wfi

cur_sync:
    stp x29, x30, [sp, #-16]!
    adr x0, msg_cur
    bl puts
    bl dump
    ldp x29, x30, [sp], #16
    eret

lower_sync:
    // Save the user registers the handlers use.
    stp x0, x1, [sp, #-48]!
    stp x2, x3, [sp, #16]
    stp x29, x30, [sp, #32]
    adr x0, msg_low
    bl puts
    bl dump
    mrs x0, esr_el1
    lsr x0, x0, #26
    cmp x0, #0x15
    b.eq do_svc
    cmp x0, #0x3c
    b.eq skip                 // BRK: ELR is the BRK itself
    cmp x0, #0x00
    b.eq skip                 // UNDEFINED: ELR is the instruction
    cmp x0, #0x26
    b.eq fix_sp
    cmp x0, #0x22
    b.eq fix_pc
    cmp x0, #0x24
    b.eq skip                 // data abort
    b bad_vector
do_svc:
    mrs x0, esr_el1
    and x0, x0, #0xffff
    cmp x0, #1
    b.ne 2f
    adr x0, msg_x1
    bl puts
    ldr x0, [sp, #8]          // saved user x1
    bl puthex
    bl newline
2:  cmp x0, #2
    b.eq finish
    b ret_user
skip:
    mrs x0, elr_el1
    add x0, x0, #4
    msr elr_el1, x0
    b ret_user
fix_sp:
    mrs x0, sp_el0
    and x0, x0, #~15
    msr sp_el0, x0
    b skip
fix_pc:
    adr x0, after_br
    msr elr_el1, x0
ret_user:
    ldp x29, x30, [sp, #32]
    ldp x2, x3, [sp, #16]
    ldp x0, x1, [sp], #48
    eret
finish:
    adr x0, msg_done
    bl puts
    // Semihosting SYS_EXIT (0x18) with ADP_Stopped_ApplicationExit, status 0.
    mov x0, #0x18
    adr x1, exit_block
    hlt #0xf000
3:  b 3b

// dump: prints "esr=… elr=… spsr=… far=…" (ELR as an offset from _start)
dump:
    stp x29, x30, [sp, #-16]!
    adr x0, msg_esr
    bl puts
    mrs x0, esr_el1
    bl puthex
    adr x0, msg_elr
    bl puts
    mrs x0, elr_el1
    adr x1, _start
    sub x0, x0, x1
    bl puthex
    adr x0, msg_spsr
    bl puts
    mrs x0, spsr_el1
    bl puthex
    mrs x0, esr_el1
    lsr x0, x0, #26
    cmp x0, #0x24
    b.eq 4f
    cmp x0, #0x22
    b.ne 5f
4:  adr x0, msg_far
    bl puts
    mrs x0, far_el1
    adr x1, _start
    sub x0, x0, x1
    bl puthex
5:  bl newline
    ldp x29, x30, [sp], #16
    ret

// puts(x0): NUL-terminated string to the UART
puts:
    mov x9, #UART
6:  ldrb w10, [x0], #1
    cbz w10, 7f
    str w10, [x9]
    b 6b
7:  ret

// puthex(x0): 0x-prefixed hex, no leading zeros
puthex:
    mov x9, #UART
    mov w10, #'0'
    str w10, [x9]
    mov w10, #'x'
    str w10, [x9]
    mov x11, #60
    mov x12, #0             // started?
8:  lsr x10, x0, x11
    and x10, x10, #0xf
    cmp x11, #0
    ccmp x12, #0, #0, ne    // Z=1 only if not last digit and not started
    b.ne 9f
    cbz x10, 10f
9:  mov x12, #1
    cmp x10, #10
    add x13, x10, #'0'
    add x14, x10, #('a' - 10)
    csel x13, x13, x14, lo
    str w13, [x9]
10: subs x11, x11, #4
    b.ge 8b
    ret

newline:
    mov x9, #UART
    mov w10, #'\n'
    str w10, [x9]
    ret

banner:   .asciz "mini: EL1 kernel up\n"
msg_bad:  .asciz "unexpected vector\n"
msg_cur:  .asciz "el1 sync: "
msg_low:  .asciz "el0 sync: "
msg_esr:  .asciz "esr="
msg_elr:  .asciz " elr=+"
msg_spsr: .asciz " spsr="
msg_far:  .asciz " far=+"
msg_x1:   .asciz "user x1="
msg_done: .asciz "done\n"

.data
.balign 16
exit_block: .quad 0x20026, 0
data_word: .quad 0x1122334455667788, 0
.bss
.balign 16
kstack: .skip 4096
kstack_top:
ustack: .skip 4096
ustack_top:
