// abort-sizes: the instruction syndrome of stage-2 data aborts for every access size (arm.md
// §3.2): loads and stores of bytes, halfwords, words and doublewords, immediate, register and
// unscaled offsets, to an IPA that stage 2 does not map. Each is a stage-2 Translation fault
// taken to EL2 with ISV = 1 (a single general-purpose register, no writeback), SAS = the size
// (0 byte .. 3 doubleword), SSE = 0, SRT = Rt, SF = 1 for X registers, WnR = 1 for stores,
// FAR = the VA (= IPA, stage 1 is off) and HPFAR = IPA[47:12] << 4. Each is stepped over.
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
    mov x11, #0x20
    mov w13, #0x0c
    ldrb w2, [x1, #1]
    ldrh w3, [x1, #2]
    ldr w4, [x1, #4]
    ldr x5, [x1, #8]
    strb w6, [x1, #0x11]
    strh w7, [x1, #0x12]
    str w8, [x1, #0x14]
    str x9, [x1, #0x18]
    ldr x10, [x1, x11]
    ldr w12, [x1, w13, uxtw #2]
    strh w14, [x1, x11, lsl #1]
    ldur x15, [x1, #-8]
    sturb w16, [x1, #0x7f]
    hvc #HVC_EXIT
