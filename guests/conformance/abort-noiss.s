// abort-noiss: stage-2 data aborts WITHOUT a valid instruction syndrome (arm.md §3.2: ISV = 0
// for load/store pair, writeback (pre/post-index), load-exclusive, DC ZVA; then SAS/SSE/SRT/SF/AR
// are 0 and the hypervisor cannot emulate the access). WnR, FAR and HPFAR are still reported.
// The faulting instructions are stepped over, so the writeback does not happen: the guest
// returns its base register x20 unchanged.
// No store-exclusive: after the faulting load-exclusive the monitor is not armed, and whether
// a store-exclusive that will fail still takes the abort is IMPLEMENTATION DEFINED (Arm ARM
// B2.9, "Load-Exclusive and Store-Exclusive instruction usage restrictions"); QEMU fails it
// without accessing memory.
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    isb
    adr x0, guest
    bl guest_call
    bl sayx
    .asciz "base register after the writeback forms: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret

guest:
    ldr x20, =0x100000000
    ldp x2, x3, [x20, #0x10]
    stp w4, w5, [x20, #0x18]
    ldp x2, x3, [x20, #0x20]!
    ldr x4, [x20], #0x30
    str w5, [x20, #-0x10]!
    strb w6, [x20], #1
    ldnp x7, x8, [x20, #0x40]
    ldxr x9, [x20]
    ldaxr w11, [x20]
    ldxp x13, x14, [x20]
    ldpsw x15, x16, [x20, #0x50]
    dc zva, x20
    mov x0, x20
    hvc #HVC_EXIT
