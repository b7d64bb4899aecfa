// Conformance library, part 8: calling guest code at EL1 from EL2, and small guest routines.
.text

// guest_call(x0 = function, x1..x3 = arguments) -> x0: runs `function` at EL1h with DAIF
// masked and x0..x2 = the arguments; it ends with `hvc #HVC_EXIT` (x0 = result).
guest_call:
    stp x29, x30, [sp, #-16]!
    mov x4, x3
    mov x3, x2
    mov x2, x1
    ldr x1, =SPSR_EL1H_MASKED
    bl enter_el1
    ldp x29, x30, [sp], #16
    ret

// Guest routines for guest_call. If the access faults to EL2 and is skipped, g_ldr returns
// all ones and g_str returns 1.
g_ldr:                                  // (x0 = address) -> 64-bit load
    mov x1, x0
    mov x0, #-1
    ldr x0, [x1]
    hvc #HVC_EXIT
g_ldrw:                                 // (x0 = address) -> 32-bit load
    mov x1, x0
    mov x0, #-1
    ldr w0, [x1]
    hvc #HVC_EXIT
g_str:                                  // (x0 = address, x1 = value) -> 0
    mov x2, x0
    mov x0, #1
    str x1, [x2]
    mov x0, #0
    hvc #HVC_EXIT
g_exec:                                 // (x0 = address) -> what the code there returns in x0
    blr x0
    hvc #HVC_EXIT

// el0_call (a guest routine for guest_call): (x0 = EL0 routine, x1, x2 = its arguments)
// runs the routine at EL0 through enter_el0 and ends the guest with its result.
el0_call:
    bl enter_el0
    hvc #HVC_EXIT

// EL0 routines for el0_call, like g_ldr / g_str / g_exec.
u_ldr:
    mov x1, x0
    mov x0, #-1
    ldr x0, [x1]
    svc #SVC_EXIT
u_str:
    mov x2, x0
    mov x0, #1
    str x1, [x2]
    mov x0, #0
    svc #SVC_EXIT
u_exec:
    blr x0
    svc #SVC_EXIT

// copy_code(x0 = destination PA, x1 = source, x2 = bytes, a multiple of 4): copies code
// (e.g. a position-independent snippet) to a fixed physical address, then invalidates the
// instruction caches, so tests can execute at addresses that do not move with the image.
// Word accesses: with the EL2 MMU off, data accesses are Device-nGnRnE and must be aligned.
copy_code:
    stp x0, x1, [sp, #-32]!
    stp x2, x3, [sp, #16]
1:  ldr w3, [x1], #4
    str w3, [x0], #4
    subs x2, x2, #4
    b.hi 1b
    dsb sy
    ic iallu
    dsb sy
    isb
    ldp x2, x3, [sp, #16]
    ldp x0, x1, [sp], #32
    ret

// ret77: a position-independent snippet for copy_code: returns 0x77 in x0.
ret77:
    mov x0, #0x77
    ret

// quiet(x0 = 1 or 0): stop (1) or resume (0) printing exception reports at EL2 and EL1 on this
// CPU. For "maybe" observations where a fault is one of the allowed outcomes: the report line
// would appear under one implementation only. EL2 only.
quiet:
    stp x1, x2, [sp, #-16]!
    mrs x1, tpidr_el2
    str x0, [x1, #PC_FLAGS]
    str x0, [x1, #PC_EL1_FLAGS]
    ldp x1, x2, [sp], #16
    ret

// grd(x0 = address) -> x0: a 32-bit load by the guest at EL1 (g_ldrw): the value, or all ones
// if it faulted (the fault is reported). grdq: the same with reports off (quiet).
grd:
    stp x29, x30, [sp, #-16]!
    mov x1, x0
    adr x0, g_ldrw
    bl guest_call
    ldp x29, x30, [sp], #16
    ret
grdq:
    stp x29, x30, [sp, #-32]!
    str x0, [sp, #16]
    mov x0, #1
    bl quiet
    ldr x1, [sp, #16]
    adr x0, g_ldrw
    bl guest_call
    str x0, [sp, #16]
    mov x0, #0
    bl quiet
    ldr x0, [sp, #16]
    ldp x29, x30, [sp], #32
    ret
