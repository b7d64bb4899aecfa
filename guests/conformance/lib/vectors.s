// Conformance library, part 4: the EL2 and EL1 vector tables (arm.md §3.6).
//
// Synchronous exceptions: the handler records ESR/FAR/HPFAR/ELR/SPSR in the per-CPU block,
// calls the test's hook if one is installed (PC_HOOK / PC_EL1_HOOK; a non-zero return means
// "handled, return to the recorded ELR"), otherwise prints one report line
//
//   EL2 sync: esr=0x93c08007 elr=T+0x54 far=0x100000008 hpfar=0x1000000 | dabt isv=1 ...
//
// and resumes at the one-shot recovery address (set_recover) if set, else at the next
// instruction (ELR + 4), except after SVC/HVC whose ELR already points past them. The
// recovery address RECOVER_EXIT (1) instead ends the guest: enter_el1 (enter_el0 for EL1's
// handler) returns the ESR. Instruction aborts, which cannot be stepped over, end the guest
// (or the EL0 code) that way by default.
// FAR is printed only for aborts and PC alignment faults (it is UNKNOWN otherwise), HPFAR only
// for stage-2 aborts from a lower EL whose HPFAR is architecturally valid: Translation, Access
// flag and Address size faults, and any fault with S1PTW = 1 (arm.md §3.5; for a stage-2
// Permission fault without S1PTW it is UNKNOWN).
// Guest exits: `hvc #HVC_EXIT` from EL1 (or `svc #SVC_EXIT` from EL0 run directly from EL2 with
// HCR_EL2.TGE = 1) returns to enter_el1's caller, `svc #SVC_EXIT` from EL0 (to EL1) returns to
// enter_el0's caller. IRQ/FIQ call PC_IRQHOOK / PC_EL1_IRQHOOK (x0 = frame,
// x1 = per-CPU block, x2 = 1 for FIQ). Any other vector prints "unexpected" and fails.
.text

// ---- EL2 ----
.balign 2048
el2_vectors:
    sub sp, sp, #FRAME_SIZE             // 0x000: current EL with SP_EL0 (never used)
    stp x0, x1, [sp]
    mov x0, #0x000
    b el2_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x080
    stp x0, x1, [sp]
    mov x0, #0x080
    b el2_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x100
    stp x0, x1, [sp]
    mov x0, #0x100
    b el2_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x180
    stp x0, x1, [sp]
    mov x0, #0x180
    b el2_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x200: current EL (EL2h), synchronous
    stp x0, x1, [sp]
    mov x0, #0x200
    b el2_sync
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x280: current EL, IRQ
    stp x0, x1, [sp]
    mov x0, #0
    b el2_irq
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x300: current EL, FIQ
    stp x0, x1, [sp]
    mov x0, #1
    b el2_irq
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x380: current EL, SError
    stp x0, x1, [sp]
    mov x0, #0x380
    b el2_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x400: lower EL (AArch64), synchronous
    stp x0, x1, [sp]
    mov x0, #0x400
    b el2_sync
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x480: lower EL, IRQ
    stp x0, x1, [sp]
    mov x0, #0
    b el2_irq
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x500: lower EL, FIQ
    stp x0, x1, [sp]
    mov x0, #1
    b el2_irq
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x580: lower EL, SError
    stp x0, x1, [sp]
    mov x0, #0x580
    b el2_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x600: lower EL, AArch32 (never used)
    stp x0, x1, [sp]
    mov x0, #0x600
    b el2_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp]
    mov x0, #0x680
    b el2_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp]
    mov x0, #0x700
    b el2_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp]
    mov x0, #0x780
    b el2_unexpected
.balign 0x80

// save_rest: stores x2..x29 into the frame at sp (x0/x1 are stored by the vector entry, x30
// by the caller before `bl save_rest`, which overwrites it).
save_rest:
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x19, [sp, #144]
    stp x20, x21, [sp, #160]
    stp x22, x23, [sp, #176]
    stp x24, x25, [sp, #192]
    stp x26, x27, [sp, #208]
    stp x28, x29, [sp, #224]
    ret

// restore_eret: reloads x0..x30 from the frame at sp, pops it and returns from the exception.
restore_eret:
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x19, [sp, #144]
    ldp x20, x21, [sp, #160]
    ldp x22, x23, [sp, #176]
    ldp x24, x25, [sp, #192]
    ldp x26, x27, [sp, #208]
    ldp x28, x29, [sp, #224]
    ldr x30, [sp, #240]
    ldp x0, x1, [sp]
    add sp, sp, #FRAME_SIZE
    eret

el2_sync:
    str x30, [sp, #240]
    bl save_rest
    mov x28, x0                         // vector offset
    mrs x19, tpidr_el2
    mrs x20, esr_el2
    mrs x21, far_el2
    mrs x22, hpfar_el2
    mrs x23, elr_el2
    mrs x24, spsr_el2
    stp x20, x21, [x19, #PC_ESR]
    stp x22, x23, [x19, #PC_HPFAR]
    str x24, [x19, #PC_SPSR]
    lsr x25, x20, #26                   // EC
    cmp x28, #0x200                     // an instruction abort at EL2 itself is a bug in
    b.ne 8f                             // the program: report it and stop
    cmp x25, #0x21
    b.ne 8f
    mov x0, #2
    mov x1, x20
    mov x2, x23
    mov x3, x21
    mov x4, #0
    mov x5, #0
    bl report
    b exit_fail
8:  cmp x28, #0x400                     // guest exit: HVC #HVC_EXIT from EL1, or
    b.ne 1f                             // SVC #SVC_EXIT from EL0 when HCR_EL2.TGE = 1
    and x26, x20, #0xffff
    cmp x25, #0x16
    b.ne 9f
    mov x27, #HVC_EXIT
    cmp x26, x27
    b.ne 1f
    ldr x0, [sp]
    b guest_exit
9:  cmp x25, #0x15
    b.ne 1f
    mov x27, #SVC_EXIT
    cmp x26, x27
    b.ne 1f
    ldr x0, [sp]
    b guest_exit
1:  ldr x9, [x19, #PC_COUNT]
    add x9, x9, #1
    str x9, [x19, #PC_COUNT]
    cmp x9, #MAX_EXCEPTIONS             // a runaway program: stop it
    b.hi too_many
    ldr x9, [x19, #PC_HOOK]
    cbz x9, 2f
    mov x0, sp
    mov x1, x19
    blr x9
    mrs x19, tpidr_el2
    cbnz x0, el2_sync_return
2:  ldr x9, [x19, #PC_FLAGS]
    tbnz x9, #0, 3f
    mov x0, #2
    ldr x1, [x19, #PC_ESR]
    ldr x2, [x19, #PC_ELR]
    ldr x3, [x19, #PC_FAR]
    ldr x4, [x19, #PC_HPFAR]
    lsr x5, x28, #10                    // 1 if from a lower EL
    bl report
3:  ldr x9, [x19, #PC_RECOVER]
    cbz x9, 4f
    str xzr, [x19, #PC_RECOVER]
    cmp x9, #1                          // RECOVER_EXIT: end the guest, enter_el1 returns ESR
    b.ne 6f
    ldr x0, [x19, #PC_ESR]
    b guest_exit
6:  str x9, [x19, #PC_ELR]
    b 5f
4:  cmp x25, #0x20                      // an instruction abort from EL1/EL0 cannot be
    b.ne 7f                             // stepped over: end the guest (returns the ESR)
    ldr x0, [x19, #PC_ESR]
    b guest_exit
7:  cmp x25, #0x15                      // SVC, HVC: ELR is already the next instruction
    b.eq 5f
    cmp x25, #0x16
    b.eq 5f
    ldr x9, [x19, #PC_ELR]
    add x9, x9, #4
    str x9, [x19, #PC_ELR]
5:  ldr x9, [x19, #PC_ELR]
    msr elr_el2, x9
    ldr x9, [x19, #PC_SPSR]
    cmp x25, #0x0e                      // illegal state: drop IL or the return faults again
    b.ne 6f                             // (PC_SPSR keeps the value the exception saved)
    and x9, x9, #~(1 << 20)
6:  msr spsr_el2, x9
    b restore_eret
el2_sync_return:
    ldr x9, [x19, #PC_ELR]
    msr elr_el2, x9
    ldr x9, [x19, #PC_SPSR]
    msr spsr_el2, x9
    b restore_eret

el2_irq:
    str x30, [sp, #240]
    bl save_rest
    mov x2, x0                          // 1 = FIQ
    mrs x9, elr_el2
    mrs x10, spsr_el2
    stp x9, x10, [sp, #248]
    mrs x1, tpidr_el2
    ldr x9, [x1, #PC_IRQHOOK]
    cbz x9, 6f
    mov x0, sp
    blr x9
    ldp x9, x10, [sp, #248]
    msr elr_el2, x9
    msr spsr_el2, x10
    b restore_eret
6:  lsl x0, x2, #8
    add x0, x0, #0x280                  // report it as vector 0x280 / 0x380 (IRQ / FIQ)
    b el2_unexpected_saved

too_many:
    bl say
    .asciz "too many exceptions\n"
    .balign 4
    b exit_fail

el2_unexpected:
    str x30, [sp, #240]
    bl save_rest
el2_unexpected_saved:
    bl sayx
    .asciz "unexpected EL2 vector "
    .balign 4
    mov x0, #2
    mrs x1, esr_el2
    mrs x2, elr_el2
    mrs x3, far_el2
    mov x4, #0
    mov x5, #0
    bl report
    b exit_fail

// ---- EL1 ----
.balign 2048
el1_vectors:
    sub sp, sp, #FRAME_SIZE             // 0x000
    stp x0, x1, [sp]
    mov x0, #0x000
    b el1_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x080
    stp x0, x1, [sp]
    mov x0, #0x080
    b el1_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x100
    stp x0, x1, [sp]
    mov x0, #0x100
    b el1_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x180
    stp x0, x1, [sp]
    mov x0, #0x180
    b el1_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x200: current EL (EL1h), synchronous
    stp x0, x1, [sp]
    mov x0, #0x200
    b el1_sync
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x280: current EL, IRQ
    stp x0, x1, [sp]
    mov x0, #0
    b el1_irq
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x300: current EL, FIQ
    stp x0, x1, [sp]
    mov x0, #1
    b el1_irq
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x380: current EL, SError
    stp x0, x1, [sp]
    mov x0, #0x380
    b el1_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x400: lower EL (EL0, AArch64), synchronous
    stp x0, x1, [sp]
    mov x0, #0x400
    b el1_sync
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x480: lower EL, IRQ
    stp x0, x1, [sp]
    mov x0, #0
    b el1_irq
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x500: lower EL, FIQ
    stp x0, x1, [sp]
    mov x0, #1
    b el1_irq
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x580
    stp x0, x1, [sp]
    mov x0, #0x580
    b el1_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE             // 0x600
    stp x0, x1, [sp]
    mov x0, #0x600
    b el1_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp]
    mov x0, #0x680
    b el1_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp]
    mov x0, #0x700
    b el1_unexpected
.balign 0x80
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp]
    mov x0, #0x780
    b el1_unexpected
.balign 0x80

el1_sync:
    str x30, [sp, #240]
    bl save_rest
    mov x28, x0
    mrs x19, tpidr_el1
    mrs x20, esr_el1
    mrs x21, far_el1
    mrs x23, elr_el1
    mrs x24, spsr_el1
    stp x20, x21, [x19, #PC_EL1_ESR]
    stp x23, x24, [x19, #PC_EL1_ELR]
    lsr x25, x20, #26
    cmp x28, #0x400                     // EL0 exit: SVC #SVC_EXIT from EL0
    b.ne 1f
    cmp x25, #0x15
    b.ne 1f
    and x26, x20, #0xffff
    mov x27, #SVC_EXIT
    cmp x26, x27
    b.ne 1f
    ldr x0, [sp]
    b el0_exit
1:  ldr x9, [x19, #PC_EL1_COUNT]
    add x9, x9, #1
    str x9, [x19, #PC_EL1_COUNT]
    cmp x9, #MAX_EXCEPTIONS
    b.hi too_many
    ldr x9, [x19, #PC_EL1_HOOK]
    cbz x9, 2f
    mov x0, sp
    mov x1, x19
    blr x9
    mrs x19, tpidr_el1
    cbnz x0, el1_sync_return
2:  ldr x9, [x19, #PC_EL1_FLAGS]
    tbnz x9, #0, 3f
    mov x0, #1
    ldr x1, [x19, #PC_EL1_ESR]
    ldr x2, [x19, #PC_EL1_ELR]
    ldr x3, [x19, #PC_EL1_FAR]
    mov x4, #0
    mov x5, #0                          // no HPFAR at EL1
    bl report
3:  ldr x9, [x19, #PC_EL1_RECOVER]
    cbz x9, 4f
    str xzr, [x19, #PC_EL1_RECOVER]
    cmp x9, #1                          // RECOVER_EXIT: end the EL0 code, enter_el0 returns ESR
    b.ne 6f
    ldr x0, [x19, #PC_EL1_ESR]
    b el0_exit
6:  str x9, [x19, #PC_EL1_ELR]
    b 5f
4:  cmp x25, #0x20                      // instruction abort from EL0: end the EL0 code
    b.ne 7f
    ldr x0, [x19, #PC_EL1_ESR]
    b el0_exit
7:  cmp x25, #0x21                      // instruction abort at EL1: end the guest
    b.ne 8f
    ldr x0, [x19, #PC_EL1_ESR]
    hvc #HVC_EXIT
8:  cmp x25, #0x15
    b.eq 5f
    cmp x25, #0x16
    b.eq 5f
    ldr x9, [x19, #PC_EL1_ELR]
    add x9, x9, #4
    str x9, [x19, #PC_EL1_ELR]
5:  ldr x9, [x19, #PC_EL1_ELR]
    msr elr_el1, x9
    ldr x9, [x19, #PC_EL1_SPSR]
    cmp x25, #0x0e
    b.ne 6f
    and x9, x9, #~(1 << 20)
6:  msr spsr_el1, x9
    b restore_eret
el1_sync_return:
    ldr x9, [x19, #PC_EL1_ELR]
    msr elr_el1, x9
    ldr x9, [x19, #PC_EL1_SPSR]
    msr spsr_el1, x9
    b restore_eret

el1_irq:
    str x30, [sp, #240]
    bl save_rest
    mov x2, x0
    mrs x9, elr_el1
    mrs x10, spsr_el1
    stp x9, x10, [sp, #248]
    mrs x1, tpidr_el1
    ldr x9, [x1, #PC_EL1_IRQHOOK]
    cbz x9, 6f
    mov x0, sp
    blr x9
    ldp x9, x10, [sp, #248]
    msr elr_el1, x9
    msr spsr_el1, x10
    b restore_eret
6:  lsl x0, x2, #8
    add x0, x0, #0x280
    b el1_unexpected_saved

el1_unexpected:
    str x30, [sp, #240]
    bl save_rest
el1_unexpected_saved:
    bl sayx
    .asciz "unexpected EL1 vector "
    .balign 4
    mov x0, #1
    mrs x1, esr_el1
    mrs x2, elr_el1
    mrs x3, far_el1
    mov x4, #0
    mov x5, #0
    bl report
    hvc #HVC_EXIT                       // give up on the guest; EL2 sees x0 = 1
    b .

// report(x0 = EL the exception was taken to, x1 = ESR, x2 = ELR, x3 = FAR, x4 = HPFAR,
// x5 = 1 if taken from a lower EL): prints one report line with the decoded syndrome.
report:
    stp x19, x20, [sp, #-48]!
    stp x21, x22, [sp, #16]
    stp x23, x30, [sp, #32]
    mov x19, x1
    mov x20, x2
    mov x21, x3
    mov x22, x4
    mov x23, x5
    bl sayn
    .asciz "EL"
    .balign 4
    mov x0, x19
    bl sayh
    .asciz " sync: esr="
    .balign 4
    mov x0, x20
    bl sayr
    .asciz " elr="
    .balign 4
    lsr x9, x19, #26                    // FAR: aborts and PC alignment only
    cmp x9, #0x20
    b.eq 7f
    cmp x9, #0x21
    b.eq 7f
    cmp x9, #0x24
    b.eq 7f
    cmp x9, #0x25
    b.eq 7f
    cmp x9, #0x22
    b.ne 9f
7:  mov x0, x21
    bl sayh
    .asciz " far="
    .balign 4
    cbz x23, 9f                         // HPFAR: stage-2 aborts from a lower EL ...
    cmp x9, #0x20
    b.eq 8f
    cmp x9, #0x24
    b.ne 9f
8:  tbnz x19, #7, 10f                   // ... with S1PTW = 1, or
    and x10, x19, #0x3c                 // Translation / Access flag / Address size faults
    cmp x10, #0x08
    b.hi 9f
10: mov x0, x22
    bl sayh
    .asciz " hpfar="
    .balign 4
9:  mov x0, x19
    bl print_decode
    bl nl
    ldp x21, x22, [sp, #16]
    ldp x23, x30, [sp, #32]
    ldp x19, x20, [sp], #48
    ret

// print_decode(x0 = ESR): " | <class> <fields>" for the classes the tests use.
print_decode:
    stp x19, x30, [sp, #-16]!
    mov x19, x0
    lsr x9, x19, #26
    cmp x9, #0x24
    b.eq 20f
    cmp x9, #0x25
    b.eq 20f
    cmp x9, #0x20
    b.eq 21f
    cmp x9, #0x21
    b.eq 21f
    cmp x9, #0x18
    b.eq 22f
    cmp x9, #0x01
    b.eq 23f
    cmp x9, #0x15
    b.eq 24f
    cmp x9, #0x16
    b.eq 25f
    cmp x9, #0x17
    b.eq 26f
    cmp x9, #0x0e
    b.eq 27f
    cbz x9, 28f
    b 29f
20: bl say
    .asciz " | dabt"
    .balign 4
    ubfx x0, x19, #24, #1
    bl sayn
    .asciz " isv="
    .balign 4
    ubfx x0, x19, #22, #2
    bl sayn
    .asciz " sas="
    .balign 4
    ubfx x0, x19, #21, #1
    bl sayn
    .asciz " sse="
    .balign 4
    ubfx x0, x19, #16, #5
    bl sayn
    .asciz " srt="
    .balign 4
    ubfx x0, x19, #15, #1
    bl sayn
    .asciz " sf="
    .balign 4
    ubfx x0, x19, #14, #1
    bl sayn
    .asciz " ar="
    .balign 4
    ubfx x0, x19, #8, #1
    bl sayn
    .asciz " cm="
    .balign 4
    ubfx x0, x19, #7, #1
    bl sayn
    .asciz " s1ptw="
    .balign 4
    ubfx x0, x19, #6, #1
    bl sayn
    .asciz " wnr="
    .balign 4
    b 30f
21: bl say
    .asciz " | iabt"
    .balign 4
    ubfx x0, x19, #7, #1
    bl sayn
    .asciz " s1ptw="
    .balign 4
30: and x0, x19, #0x3f
    bl sayh
    .asciz " fsc="
    .balign 4
    bl print_fsc
    b 29f
22: bl say
    .asciz " | sys"
    .balign 4
    ubfx x0, x19, #20, #2
    bl sayn
    .asciz " op0="
    .balign 4
    ubfx x0, x19, #14, #3
    bl sayn
    .asciz " op1="
    .balign 4
    ubfx x0, x19, #10, #4
    bl sayn
    .asciz " crn="
    .balign 4
    ubfx x0, x19, #1, #4
    bl sayn
    .asciz " crm="
    .balign 4
    ubfx x0, x19, #17, #3
    bl sayn
    .asciz " op2="
    .balign 4
    ubfx x0, x19, #5, #5
    bl sayn
    .asciz " rt="
    .balign 4
    tbz x19, #0, 31f
    bl say
    .asciz " read"
    .balign 4
    b 29f
31: bl say
    .asciz " write"
    .balign 4
    b 29f
23: and x0, x19, #3
    bl sayn
    .asciz " | wfx ti="
    .balign 4
    b 29f
24: and x0, x19, #0xffff
    bl sayh
    .asciz " | svc imm="
    .balign 4
    b 29f
25: and x0, x19, #0xffff
    bl sayh
    .asciz " | hvc imm="
    .balign 4
    b 29f
26: and x0, x19, #0xffff
    bl sayh
    .asciz " | smc imm="
    .balign 4
    b 29f
27: bl say
    .asciz " | illegal-state"
    .balign 4
    b 29f
28: bl say
    .asciz " | unknown"
    .balign 4
29: ldp x19, x30, [sp], #16
    ret

// print_fsc(x0 = FSC): " (translation L3)" etc., from arm.md §3.4.
print_fsc:
    stp x19, x30, [sp, #-16]!
    and x19, x0, #0x3f
    and x9, x19, #0x3c
    cmp x9, #0x00
    b.ne 1f
    bl say
    .asciz " (address-size"
    .balign 4
    b 5f
1:  cmp x9, #0x04
    b.ne 2f
    bl say
    .asciz " (translation"
    .balign 4
    b 5f
2:  cmp x9, #0x08
    b.ne 3f
    bl say
    .asciz " (access-flag"
    .balign 4
    b 5f
3:  cmp x9, #0x0c
    b.ne 4f
    bl say
    .asciz " (permission"
    .balign 4
5:  and x0, x19, #3
    bl sayn
    .asciz " L"
    .balign 4
    bl say
    .asciz ")"
    .balign 4
4:  ldp x19, x30, [sp], #16
    ret
