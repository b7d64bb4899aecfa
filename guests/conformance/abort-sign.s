// abort-sign: sign-extending loads in the stage-2 data-abort syndrome (arm.md §3.2: SSE = 1
// for LDRSB/LDRSH/LDRSW; SF = 1 when the destination is an X register, 0 for W; SAS is the
// memory access size, not the register size). Unsigned loads of the same sizes are shown next
// to them (SSE = 0), and every load also targets W and X where the instruction exists.
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    isb
    adr x0, guest
    bl guest_call
    ldp x29, x30, [sp], #16
    ret

guest:
    ldr x1, =0x100000000
    ldrsb w2, [x1, #0x21]
    ldrsb x3, [x1, #0x22]
    ldrsh w4, [x1, #0x24]
    ldrsh x5, [x1, #0x26]
    ldrsw x6, [x1, #0x28]
    ldrb w7, [x1, #0x2c]
    ldrh w8, [x1, #0x2e]
    ldr w9, [x1, #0x30]
    ldursb x10, [x1, #-1]
    ldursh w11, [x1, #-2]
    ldursw x12, [x1, #-4]
    hvc #HVC_EXIT
