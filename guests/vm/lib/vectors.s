// VM guest library, part 4: the EL1 vector table and exception hooks.
//
// Each entry pushes a frame (x0..x30, ELR_EL1, SPSR_EL1; FRAME_* in defs.s) on the current
// stack. Three hooks, shared by all vCPUs, let a guest handle what it expects (0 = none):
//   sync_hook(x0 = frame, x1 = ESR_EL1, x2 = FAR_EL1) -> x0 != 0 if handled; the hook may
//     change the frame's ELR (e.g. += 4 to skip the faulting instruction).
//   irq_hook(x0 = INTID, x1 = frame): called after ICC_IAR1_EL1 returned INTID (< 1020); the
//     library writes ICC_EOIR1_EL1 afterwards. Spurious INTIDs (1020-1023) are ignored.
//   serror_hook(x0 = frame, x1 = ESR_EL1) -> x0 != 0 if handled.
// Anything else prints "unexpected exception: ESR=… ELR=… FAR=…" (or "unexpected interrupt")
// and powers the VM off. Hooks follow the procedure-call standard; handlers run with IRQs
// masked.
.text

.macro VENTRY target, off
.balign 0x80
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp]
    mov x0, #\off
    b \target
.endm

.balign 2048
vectors:
    VENTRY vec_unexpected, 0x000        // current EL with SP_EL0: never used (we run EL1h)
    VENTRY vec_unexpected, 0x080
    VENTRY vec_unexpected, 0x100
    VENTRY vec_unexpected, 0x180
    VENTRY vec_sync, 0x200              // current EL with SP_EL1
    VENTRY vec_irq, 0x280
    VENTRY vec_unexpected, 0x300        // FIQ: nothing is Group 0
    VENTRY vec_serror, 0x380
    VENTRY vec_unexpected, 0x400        // lower EL: guests have no EL0 code
    VENTRY vec_unexpected, 0x480
    VENTRY vec_unexpected, 0x500
    VENTRY vec_unexpected, 0x580
    VENTRY vec_unexpected, 0x600
    VENTRY vec_unexpected, 0x680
    VENTRY vec_unexpected, 0x700
    VENTRY vec_unexpected, 0x780

// SAVE_REST: x2..x30, ELR and SPSR into the frame (x0/x1 are already there).
.macro SAVE_REST
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
    mrs x2, elr_el1
    stp x30, x2, [sp, #FRAME_X30]
    mrs x2, spsr_el1
    str x2, [sp, #FRAME_SPSR]
.endm

vec_sync:
    SAVE_REST
    mov x19, x0                         // vector offset, for the report
    adrp x9, sync_hook
    ldr x9, [x9, :lo12:sync_hook]
    cbz x9, 1f
    mov x0, sp
    mrs x1, esr_el1
    mrs x2, far_el1
    blr x9
    cbnz x0, frame_return
1:  mov x0, x19
    b panic_exception

vec_irq:
    SAVE_REST
    mrs x19, icc_iar1_el1
    cmp x19, #1020                      // 1020-1023: special/spurious, nothing to EOI
    b.hs frame_return
    adrp x9, irq_hook
    ldr x9, [x9, :lo12:irq_hook]
    cbz x9, 2f
    mov x0, x19
    mov x1, sp
    blr x9
    msr icc_eoir1_el1, x19
    b frame_return
2:  msr icc_eoir1_el1, x19
    PUTS "unexpected interrupt: INTID="
    mov x0, x19
    bl putdec
    PUTS " vCPU="
    bl this_cpu
    bl putdec
    bl putnl
    b system_off

vec_serror:
    SAVE_REST
    mov x19, x0
    adrp x9, serror_hook
    ldr x9, [x9, :lo12:serror_hook]
    cbz x9, 1f
    mov x0, sp
    mrs x1, esr_el1
    blr x9
    cbnz x0, frame_return
1:  mov x0, x19
    b panic_exception

vec_unexpected:
    SAVE_REST
    b panic_exception

// frame_return: reload everything from the frame at sp, pop it and ERET.
frame_return:
    ldp x30, x2, [sp, #FRAME_X30]
    msr elr_el1, x2
    ldr x2, [sp, #FRAME_SPSR]
    msr spsr_el1, x2
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
    ldp x0, x1, [sp]
    add sp, sp, #FRAME_SIZE
    eret

// panic_exception(x0 = vector offset): one report line, then SYSTEM_OFF. It does not wait
// for the UART lock (the fault may have happened while this vCPU held it).
panic_exception:
    mov x19, x0
    PUTS "unexpected exception: ESR="
    mrs x0, esr_el1
    bl puthex
    PUTS " ELR="
    mrs x0, elr_el1
    bl puthex
    PUTS " FAR="
    mrs x0, far_el1
    bl puthex
    PUTS " vector="
    mov x0, x19
    bl puthex
    PUTS " vCPU="
    bl this_cpu
    bl putdec
    bl putnl
    b system_off

// set_sync_hook / set_irq_hook / set_serror_hook (x0 = function or 0)
set_sync_hook:
    adrp x1, sync_hook
    str x0, [x1, :lo12:sync_hook]
    ret
set_irq_hook:
    adrp x1, irq_hook
    str x0, [x1, :lo12:irq_hook]
    ret
set_serror_hook:
    adrp x1, serror_hook
    str x0, [x1, :lo12:serror_hook]
    ret

.data
.balign 8
sync_hook:   .quad 0
irq_hook:    .quad 0
serror_hook: .quad 0
